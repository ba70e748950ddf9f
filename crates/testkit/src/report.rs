//! What more than one test file checks the rendered report for.

/// The headings of the submission (the sheet's answers), in order.
pub const SUBMISSION_SECTIONS: [&str; 11] = [
    SECTIONS[0],
    SECTIONS[1],
    SECTIONS[2],
    SECTIONS[3],
    SECTIONS[4],
    SECTIONS[5],
    SECTIONS[6],
    SECTIONS[7],
    SECTIONS[8],
    SECTIONS[9],
    SECTIONS[10],
];

/// The headings of the companion page, in order.
pub const COMPANION_SECTIONS: [&str; 8] = [
    SECTIONS[11],
    SECTIONS[12],
    SECTIONS[13],
    SECTIONS[14],
    SECTIONS[15],
    SECTIONS[16],
    SECTIONS[17],
    SECTIONS[18],
];

/// The report's section headings, in order, as the printed pages and the
/// Markdown show them: the submission's, then the companion page's.
pub const SECTIONS: [&str; 19] = [
    "Exercise 1: the backpropagation algorithm",
    "(a) The output term A",
    "(b) The layer-to-layer term B",
    "(c) The weight term C",
    "(d) The last layer",
    "(e) The layer below",
    "(f) The biases",
    "2a: the correct backprop",
    "2b: from a perturbed start",
    "2c: function approximation",
    "2d: the bars problem",
    "beyond the sheet",
    "Exercise 1 checked by numbers",
    "Backprop at work on the 2b network",
    "2b: does every perturbation recover",
    "2c: the two sizes at the same learning rate",
    "2c: capacity",
    "2d: what the hidden units read",
    "Provenance",
];

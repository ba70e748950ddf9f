//! What more than one test file checks the rendered report for.

/// The headings of the submission (the sheet's answers), in order, as the
/// printed page and the Markdown show them.
pub const SUBMISSION_SECTIONS: [&str; 11] = [
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
];

/// The headings of the companion page, in order.
pub const COMPANION_SECTIONS: [&str; 8] = [
    "beyond the sheet",
    "Exercise 1 checked by numbers",
    "Backprop at work on the 2b network",
    "2b: does every perturbation recover",
    "2c: the two sizes at the same learning rate",
    "2c: capacity",
    "2d: what the hidden units read",
    "Provenance",
];

/// Every heading of the report: the submission's, then the companion page's.
pub fn sections() -> impl Iterator<Item = &'static str> {
    SUBMISSION_SECTIONS.into_iter().chain(COMPANION_SECTIONS)
}

//! What more than one test file checks the rendered report for.

/// The report's section headings, in order, as the printed page and the
/// Markdown both show them.
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
    "Beyond the sheet",
    "Exercise 1 checked by numbers",
    "Backprop at work on the 2b network",
    "2b: does every perturbation recover",
    "2c: the two sizes at the same learning rate",
    "2c: capacity",
    "2d: what the hidden units read",
    "Provenance",
];

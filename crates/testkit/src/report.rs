//! What more than one test file checks the rendered report for.

/// The report's section headings, in order, as the printed page and the
/// Markdown both show them.
pub const SECTIONS: [&str; 13] = [
    "Exercise 1: the backpropagation algorithm",
    "(a) The output term A",
    "(b) The layer-to-layer term B",
    "(c) The weight term C",
    "(d) The last layer",
    "(e) The layer below",
    "(f) The biases",
    "Exercise 1 checked by numbers",
    "2a: the correct backprop",
    "2b: from a perturbed start",
    "2c: function approximation",
    "2d: the bars problem",
    "Provenance",
];

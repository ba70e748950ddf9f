//! Exercise 2d: the bars problem, `25 -> 10 -> 2` with sigmoid hidden units.

// The doc comments of the flags are their `--help` text, written for a
// terminal: `<out>` and `[default: ...]` there are not HTML or links.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

mod bars;

use anyhow::{Result, anyhow};
use clap::Parser;
use exercise_harness::cli::CommonArgs;
use exercise_harness::data::{default_data, load_data};
use exercise_harness::flow::{self, Exercise};
use exercise_harness::metrics::Header;
use exercise_harness::metrics::ex2d::{BarSample, Fits, HiddenUnit, Metrics};
use exercise_harness::output::OutputSet;
use exercise_harness::plot::{Curve, ImageScale, cost_over_time, format_count, image_grid, labelled_scatter};
use exercise_harness::run::Run;
use mlp::stats::{LinearFit, linear_fit};
use mlp::train::{TrainConfig, predict};
use mlp::{Activation, Dataset, Network};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exercise 2d: train a 25 -> 10 -> 2 network (sigmoid hidden layer with
/// bias, linear output) on the bars data and find out what each output unit
/// codes for.
///
/// Each input is a 5 x 5 image with one horizontal and one vertical bar. The
/// bar positions are decoded from the images themselves, and each output is
/// compared with them by the coefficient of determination R². Writes
/// metrics.json, cost_over_time.svg, inputs.svg, outputs.svg and
/// hidden_weights.svg.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    /// Bars data: .npy with 25 input columns then 2 target columns, or .npz
    /// with inp/out (or X/Y); any real dtype [default: data/bar_data.npy]
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,
}

const ITERATIONS: u64 = 100_000;
const HIDDEN: usize = 10;

/// The bars data with the bar positions decoded from each image.
struct Bars {
    common: CommonArgs,
    data_path: PathBuf,
    data: Dataset,
    /// (row of the horizontal bar, column of the vertical bar) per sample.
    positions: Vec<(usize, usize)>,
    config: TrainConfig,
}

impl Exercise for Bars {
    const NAME: &'static str = "ex2d";
    type Args = Args;
    type Trained = Run;

    fn prepare(args: Args) -> Result<Self> {
        let data_path = args.data.unwrap_or_else(|| default_data("bar_data.npy"));
        let data = load_data(&data_path, 25, 2)?;
        let positions: Vec<(usize, usize)> = (0..data.len())
            .map(|i| {
                bars::decode(data.input(i))
                    .map_err(|e| anyhow!("{}: sample {i} is not a bars image: {e}", data_path.display()))
            })
            .collect::<Result<_>>()?;
        Ok(Bars {
            config: args.common.train_config(HIDDEN, ITERATIONS)?,
            common: args.common,
            data_path,
            data,
            positions,
        })
    }

    fn train(&self) -> Result<Run> {
        let config = &self.config;
        let mut rng = config.rng();
        let mut start = Network::sheet(25, HIDDEN, 2, Activation::Sigmoid)?;
        rng.draw_start(&mut start);
        Run::train_alone(
            format!("seed{}", config.seed()),
            &start,
            &self.data,
            config,
            &mut rng,
            "2d",
        )
    }

    fn outputs(&self, run: &Run, set: &mut OutputSet) -> Result<Vec<String>> {
        report(self, run, set)
    }
}

fn main() -> ExitCode {
    flow::main::<Bars>()
}

/// What an output unit codes for, judged by R².
fn codes_for(name: &str, row: &LinearFit, col: &LinearFit) -> String {
    use exercise_harness::metrics::ex2d::{CODES_FOR_R2, IGNORES_R2};
    let (what, fit, other, other_fit) = if row.r2 >= col.r2 {
        ("the row of the horizontal bar", row, "the column", col)
    } else {
        ("the column of the vertical bar", col, "the row", row)
    };
    if fit.r2 > CODES_FOR_R2 && other_fit.r2 < IGNORES_R2 {
        format!(
            "{name} codes for {what}: it is a linear function of it (slope {:.3} per position, R² = {:.4}) \
             and ignores {other} (R² = {:.4}).",
            fit.slope, fit.r2, other_fit.r2
        )
    } else if fit.r2 > CODES_FOR_R2 {
        format!(
            "{name} follows {what} closely (slope {:.3} per position, R² = {:.4}), but {other} too \
             (R² = {:.4}).",
            fit.slope, fit.r2, other_fit.r2
        )
    } else {
        format!(
            "{name} codes for neither bar clearly (R² = {:.4} against the row, {:.4} against the column).",
            row.r2, col.r2
        )
    }
}

fn report(part: &Bars, run: &Run, outputs: &mut OutputSet) -> Result<Vec<String>> {
    let (data, positions, config) = (&part.data, &part.positions, &part.config);
    let outputs_z = predict(&run.trained, data);
    let final_cost = run.final_cost(data);
    let max_abs_error = outputs_z
        .iter()
        .enumerate()
        .flat_map(|(i, z)| z.iter().zip(data.target(i)).map(|(a, b)| (a - b).abs()))
        .fold(0.0, f64::max);
    let rows: Vec<f64> = positions.iter().map(|p| p.0 as f64).collect();
    let cols: Vec<f64> = positions.iter().map(|p| p.1 as f64).collect();
    let z1: Vec<f64> = outputs_z.iter().map(|z| z[0]).collect();
    let z2: Vec<f64> = outputs_z.iter().map(|z| z[1]).collect();
    let (z1_row, z1_col) = (linear_fit(&rows, &z1), linear_fit(&cols, &z1));
    let (z2_row, z2_col) = (linear_fit(&rows, &z2), linear_fit(&cols, &z2));
    // How the data file encodes the bars in its targets.
    let target = |j: usize| (0..data.len()).map(|i| data.target(i)[j]).collect::<Vec<f64>>();
    let target_encoding = [linear_fit(&rows, &target(0)), linear_fit(&cols, &target(1))];
    let sentence1 = codes_for("Output 1 (z1)", &z1_row, &z1_col);
    let sentence2 = codes_for("Output 2 (z2)", &z2_row, &z2_col);

    let curve = Curve::from_trace("per-sample cost, mean per bin", &run.trace, true);
    outputs.add(
        "cost_over_time.svg",
        cost_over_time(
            &format!(
                "2d: bars, 25 → {HIDDEN} → 2, {} iterations",
                format_count(config.iterations() as f64)
            ),
            &format!("iteration (bins of {})", run.trace.bin_size()),
            &[curve],
        )?,
    );
    let images: Vec<(String, Vec<f64>)> = (0..data.len())
        .map(|i| {
            (
                format!("row {}, col {}", positions[i].0, positions[i].1),
                data.input(i).to_vec(),
            )
        })
        .collect();
    outputs.add(
        "inputs.svg",
        image_grid(
            "2d: the input images, reshape(x, 5, 5)",
            &images,
            5,
            5,
            5,
            ImageScale::Gray,
            "black: 1, white: 0; captions: bar positions decoded from each image (0-based)",
        )?,
    );
    let points: Vec<(f64, f64, String)> = (0..data.len())
        .map(|i| (z1[i], z2[i], format!(" ({},{})", positions[i].0, positions[i].1)))
        .collect();
    outputs.add(
        "outputs.svg",
        labelled_scatter(
            "2d: outputs (z1, z2) per sample, labelled (bar row, bar column)",
            "z1 (output 1)",
            "z2 (output 2)",
            &points,
            |i| positions[i].0,
            &(0..5)
                .map(|h| (h, format!("horizontal bar in row {h}")))
                .collect::<Vec<_>>(),
        )?,
    );
    let v = run.trained.weights(1);
    let b = run.trained.bias(1).expect("the hidden layer has a bias");
    let hidden: Vec<(String, Vec<f64>)> = (0..HIDDEN)
        .map(|k| (format!("unit {k}, b={:+.2}", b[k]), v[k * 25..(k + 1) * 25].to_vec()))
        .collect();
    let max_w = v.iter().fold(0.0f64, |a, &x| a.max(x.abs()));
    let w = run.trained.weights(2);
    let hidden_units: Vec<HiddenUnit> = (0..HIDDEN)
        .map(|k| hidden_unit(&v[k * 25..(k + 1) * 25], [w[k], w[HIDDEN + k]]))
        .collect();
    outputs.add(
        "hidden_weights.svg",
        image_grid(
            "2d: each hidden unit's input weights V[k, :] as a 5 x 5 image",
            &hidden,
            5,
            5,
            5,
            ImageScale::Diverging,
            &format!("red: positive, blue: negative, white: 0; full colour at |V| = {max_w:.2}"),
        )?,
    );
    outputs.add_json(
        "metrics.json",
        &Metrics {
            header: Header::new("2d", &part.data_path, config),
            hidden: HIDDEN,
            final_cost,
            max_abs_error,
            r2_z1_row: z1_row.r2,
            r2_z2_column: z2_col.r2,
            r2_z1_column: z1_col.r2,
            r2_z2_row: z2_row.r2,
            fits: Fits {
                z1_row,
                z1_column: z1_col,
                z2_row,
                z2_column: z2_col,
            },
            codes_for: vec![sentence1.clone(), sentence2.clone()],
            hidden_units,
            target_encoding,
            samples: (0..data.len())
                .map(|i| BarSample {
                    row: positions[i].0,
                    column: positions[i].1,
                    z1: z1[i],
                    z2: z2[i],
                })
                .collect(),
        },
    )?;
    if part.common.save_weights {
        run.add_weights(outputs, Path::new(""))?;
    }
    Ok(vec![
        format!(
            "Exercise 2d: bars, 25 -> {HIDDEN} -> 2 sigmoid network, {} ({} sampling, seed {})",
            exercise_harness::cli::count(config.iterations(), "iteration"),
            config.sampling(),
            config.seed()
        ),
        format!("  final data-set cost {final_cost:.3e}, largest |y - y*| {max_abs_error:.2e}"),
        format!("  {sentence1}"),
        format!("  {sentence2}"),
    ])
}

/// What a hidden unit with the 5 x 5 input weights `weights` (row-major)
/// reads: how much its input varies with the row of the horizontal bar and
/// with the column of the vertical bar.
fn hidden_unit(weights: &[f64], output_weights: [f64; 2]) -> HiddenUnit {
    let row_sums: Vec<f64> = (0..5).map(|h| weights[5 * h..5 * h + 5].iter().sum()).collect();
    let column_sums: Vec<f64> = (0..5).map(|c| (0..5).map(|r| weights[5 * r + c]).sum()).collect();
    let variance = |x: &[f64]| {
        let m = mlp::stats::mean(x);
        x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64
    };
    let (row_variance, column_variance) = (variance(&row_sums), variance(&column_sums));
    let total = row_variance + column_variance;
    // Over the 25 images (h, c), one per pixel in row-major order: the
    // crossing pixel's weight V_(h,c), which the row and column sums count
    // twice, against the unit's whole input without its bias,
    // R_h + C_c - V_(h,c).
    let input: Vec<f64> = (0..25)
        .map(|p| row_sums[p / 5] + column_sums[p % 5] - weights[p])
        .collect();
    let input_variance = variance(&input);
    HiddenUnit {
        row_variance,
        column_variance,
        row_share: if total > 0.0 { row_variance / total } else { 0.5 },
        crossing_share: if input_variance > 0.0 {
            variance(weights) / input_variance
        } else {
            0.0
        },
        output_weights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_that_weighs_one_row_reads_the_row() {
        let mut w = vec![0.0; 25];
        w[10..15].copy_from_slice(&[1.0; 5]); // row 2
        let u = hidden_unit(&w, [0.5, -0.25]);
        // row sums 0, 0, 5, 0, 0: variance 4; column sums all 1: variance 0
        assert_eq!((u.row_variance, u.column_variance, u.row_share), (4.0, 0.0, 1.0));
        assert_eq!(u.output_weights, [0.5, -0.25]);
        // crossing weight 1 on the 5 images with h = 2, else 0: variance
        // 0.2 * 0.8 = 0.16; input 5 + 1 - 1 = 5 there, else 0 + 1 - 0 = 1:
        // variance 0.16 * 4^2
        assert!((u.crossing_share - 1.0 / 16.0).abs() < 1e-15, "{}", u.crossing_share);
        let transposed: Vec<f64> = (0..25).map(|i| w[(i % 5) * 5 + i / 5]).collect();
        assert_eq!(hidden_unit(&transposed, [0.0, 0.0]).row_share, 0.0);
        assert_eq!(hidden_unit(&[0.0; 25], [0.0, 0.0]).row_share, 0.5);
    }
}

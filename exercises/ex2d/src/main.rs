//! Exercise 2d: the bars problem, `25 -> 10 -> 2` with sigmoid hidden units.

mod bars;

use anyhow::{Result, anyhow};
use clap::Parser;
use mlp::cli::{CommonArgs, run};
use mlp::experiment::{Run, default_data, load_data};
use mlp::network::Network;
use mlp::output::{Outputs, prepare_out_dir};
use mlp::plot::{Curve, ImageScale, cost_over_time, format_count, image_grid, labelled_scatter};
use mlp::stats::{LinearFit, linear_fit};
use mlp::train::{TrainConfig, predict};
use mlp::{Activation, Dataset};
use serde_json::json;
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

fn main() -> ExitCode {
    run(|args: Args| {
        let out = args.common.out_dir("ex2d");
        let data_path = args.data.clone().unwrap_or_else(|| default_data("bar_data.npy"));
        let data = load_data(&data_path, 25, 2)?;
        let positions: Vec<(usize, usize)> = (0..data.len())
            .map(|i| {
                bars::decode(data.input(i))
                    .map_err(|e| anyhow!("{}: sample {i} is not a bars image: {e}", data_path.display()))
            })
            .collect::<Result<_>>()?;
        let config = args.common.train_config(HIDDEN, ITERATIONS)?;
        prepare_out_dir(&out)?;
        let mut rng = config.rng();
        let mut start = Network::sheet(25, HIDDEN, 2, Activation::Sigmoid)?;
        start.randomize_normal(&mut rng);
        let run = Run::train_alone(format!("seed{}", config.seed()), &start, &data, &config, &mut rng, "2d")?;
        report(&args, &out, &data_path, &data, &positions, &config, &run)
    })
}

/// What an output unit codes for, judged by R².
fn codes_for(name: &str, row: &LinearFit, col: &LinearFit) -> String {
    let (what, fit, other, other_fit) = if row.r2 >= col.r2 {
        ("the row of the horizontal bar", row, "the column", col)
    } else {
        ("the column of the vertical bar", col, "the row", row)
    };
    if fit.r2 >= 0.9 {
        format!(
            "{name} codes for {what}: it is a linear function of it (slope {:.3} per position, R² = {:.4}) \
             and ignores {other} (R² = {:.4}).",
            fit.slope, fit.r2, other_fit.r2
        )
    } else {
        format!(
            "{name} codes for neither bar clearly (R² = {:.4} against the row, {:.4} against the column).",
            row.r2, col.r2
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    args: &Args,
    out: &Path,
    data_path: &Path,
    data: &Dataset,
    positions: &[(usize, usize)],
    config: &TrainConfig,
    run: &Run,
) -> Result<()> {
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
    let sentence1 = codes_for("Output 1 (z1)", &z1_row, &z1_col);
    let sentence2 = codes_for("Output 2 (z2)", &z2_row, &z2_col);

    let mut outputs = Outputs::new();
    let curve = Curve::from_trace("per-sample cost, mean per bin", &run.trace, true);
    outputs.add(
        out.join("cost_over_time.svg"),
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
                format!("row {}, column {}", positions[i].0, positions[i].1),
                data.input(i).to_vec(),
            )
        })
        .collect();
    outputs.add(
        out.join("inputs.svg"),
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
        out.join("outputs.svg"),
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
        .map(|k| (format!("unit {k}, b = {:+.2}", b[k]), v[k * 25..(k + 1) * 25].to_vec()))
        .collect();
    let max_w = v.iter().fold(0.0f64, |a, &x| a.max(x.abs()));
    outputs.add(
        out.join("hidden_weights.svg"),
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
    let fit = |f: &LinearFit| json!({"slope": f.slope, "intercept": f.intercept, "r2": f.r2});
    let metrics = json!({
        "exercise": "2d",
        "data": data_path.display().to_string(),
        "iterations": config.iterations(),
        "hidden": HIDDEN,
        "learning_rate": config.learning_rate(),
        "momentum": config.momentum(),
        "sampling": config.sampling(),
        "seed": config.seed(),
        "final_cost": final_cost,
        "max_abs_error": max_abs_error,
        "r2_z1_row": z1_row.r2,
        "r2_z2_column": z2_col.r2,
        "r2_z1_column": z1_col.r2,
        "r2_z2_row": z2_row.r2,
        "fits": {"z1_row": fit(&z1_row), "z1_column": fit(&z1_col), "z2_row": fit(&z2_row), "z2_column": fit(&z2_col)},
        "codes_for": [sentence1, sentence2],
        "samples": (0..data.len()).map(|i| json!({"row": positions[i].0, "column": positions[i].1, "z1": z1[i], "z2": z2[i]})).collect::<Vec<_>>(),
    });
    outputs.add_json(out.join("metrics.json"), &metrics)?;
    if args.common.save_weights {
        run.add_weights(&mut outputs, out)?;
    }
    outputs.commit()?;
    println!(
        "Exercise 2d: bars, 25 -> {HIDDEN} -> 2 sigmoid network, {} iterations ({} sampling, seed {})",
        config.iterations(),
        config.sampling(),
        config.seed()
    );
    println!("  final data-set cost {final_cost:.3e}, largest |y - y*| {max_abs_error:.2e}");
    println!("  {sentence1}");
    println!("  {sentence2}");
    println!(
        "  wrote metrics.json, cost_over_time.svg, inputs.svg, outputs.svg, hidden_weights.svg into {}",
        out.display()
    );
    Ok(())
}

//! Exercise 2a: with a correct backprop, the course's perfect XOR start does
//! not move.

use anyhow::Result;
use clap::Parser;
use mlp::cli::{CommonArgs, run};
use mlp::experiment::{Run, default_data, load_data};
use mlp::output::{Outputs, prepare_out_dir};
use mlp::plot::{Curve, cost_over_time};
use mlp::sheet::xor_start;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exercise 2a: train the XOR network (2 -> 3 ReLU -> 1, linear output) from
/// the course's start V = [[1,0],[1,1],[0,1]], b = [0,-1,0], W = [[1,-2,1]].
///
/// That start already solves XOR exactly, so a correct backprop computes a
/// zero gradient for every sample and changes no parameter at all. Writes
/// metrics.json (iterations, max_abs_weight_change, final_cost, ...) and
/// cost_over_time.svg into --out.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    /// XOR data: .npz with inp/out (or X/Y), or .npy with the target in the
    /// last column [default: data/xor_data.npz]
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,
}

const ITERATIONS: u64 = 10_000;

fn main() -> ExitCode {
    run(|args: Args| {
        let out = args.common.out_dir("ex2a");
        let data_path = args.data.clone().unwrap_or_else(|| default_data("xor_data.npz"));
        let data = load_data(&data_path, 2, 1)?;
        let config = args.common.train_config(3, ITERATIONS)?;
        prepare_out_dir(&out)?;
        let start = xor_start();
        let run = Run::train_alone(
            format!("xor-seed{}", config.seed()),
            &start,
            &data,
            &config,
            &mut config.rng(),
            "2a",
        )?;
        report(&args, &out, &data_path, &run, &data, &config)
    })
}

fn report(
    args: &Args,
    out: &std::path::Path,
    data_path: &std::path::Path,
    run: &Run,
    data: &mlp::Dataset,
    config: &mlp::TrainConfig,
) -> Result<()> {
    let change = run.max_abs_change();
    let initial_cost = mlp::train::dataset_cost(&run.initial, data);
    let final_cost = run.final_cost(data);
    let max_sample_cost = run.trace.bins().map(|b| b.max).fold(0.0, f64::max);
    let metrics = json!({
        "exercise": "2a",
        "data": data_path.display().to_string(),
        "iterations": config.iterations(),
        "learning_rate": config.learning_rate(),
        "momentum": config.momentum(),
        "sampling": config.sampling(),
        "seed": config.seed(),
        "max_abs_weight_change": change,
        "initial_cost": initial_cost,
        "final_cost": final_cost,
        "max_sample_cost_during_training": max_sample_cost,
        "final_weights": mlp::output::weights_json(&run.trained)?,
    });
    let mut outputs = Outputs::new();
    outputs.add_json(out.join("metrics.json"), &metrics)?;
    let curve = Curve::from_trace("per-sample cost, mean per bin", &run.trace, false);
    let title = format!(
        "2a: XOR from the perfect start, {} iterations",
        mlp::plot::format_count(config.iterations() as f64)
    );
    outputs.add(
        out.join("cost_over_time.svg"),
        cost_over_time(
            &title,
            &format!("iteration (bins of {})", run.trace.bin_size()),
            &[curve],
        )?,
    );
    if args.common.save_weights {
        run.add_weights(&mut outputs, out)?;
    }
    let written: Vec<String> = outputs.paths().map(|p| p.display().to_string()).collect();
    outputs.commit()?;
    println!(
        "Exercise 2a: XOR from the perfect start, {} iterations ({} sampling, seed {})",
        config.iterations(),
        config.sampling(),
        config.seed()
    );
    println!("  largest parameter change |final - initial|: {change}");
    println!(
        "  data-set cost before: {initial_cost}, after: {final_cost}; largest per-sample cost seen: {max_sample_cost}"
    );
    if change == 0.0 {
        println!("  backprop computes a zero gradient at the perfect start: no parameter changed.");
    } else {
        println!("  the parameters moved: the start is not a stationary point of this backprop.");
    }
    println!("  wrote {}", written.join(", "));
    Ok(())
}

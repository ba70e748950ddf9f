//! Exercise 2d: the bars problem, `25 -> 10 -> 2` with sigmoid hidden units.

// The doc comments of the flags are their `--help` text, written for a
// terminal: `<out>` and `[default: ...]` there are not HTML or links.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

mod bars;

use anyhow::Result;
use bars::Property;
use clap::Parser;
use exercise_harness::cli::CommonArgs;
use exercise_harness::data::{default_data, load_data};
use exercise_harness::flow::{self, Exercise};
use exercise_harness::metrics::Header;
use exercise_harness::metrics::ex2d::{
    BarSample, CODES_FOR_R2, Follows, HiddenUnit, IGNORES_R2, Metrics, Property as PropertyValues, PropertyFit,
};
use exercise_harness::output::OutputSet;
use exercise_harness::plot::{Curve, ImageScale, cost_over_time, format_count, image_grid, labelled_scatter};
use exercise_harness::run::Run;
use mlp::stats::linear_fit;
use mlp::train::{TrainConfig, predict};
use mlp::{Activation, Dataset, Network};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exercise 2d: train a 25 -> 10 -> 2 network (sigmoid hidden layer with
/// bias, linear output) on the bars data and find out what each output unit
/// codes for.
///
/// Each input is a 5 x 5 image (in the sheet's data, one horizontal and one
/// vertical bar). Properties are read off the images themselves (the bars'
/// row and column where an image has one full row and one full column, the
/// lit pixels' mean row and column, their number), and each target and each
/// trained output is tested against every one by the coefficient of
/// determination R². Writes metrics.json, cost_over_time.svg, inputs.svg,
/// outputs.svg and hidden_weights.svg.
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

/// The bars data with the properties read off each image.
struct Bars {
    common: CommonArgs,
    data_path: PathBuf,
    data: Dataset,
    /// (row of the horizontal bar, column of the vertical bar) per sample,
    /// each where the image has one full row, one full column.
    bars: Vec<(Option<usize>, Option<usize>)>,
    /// The same where the image has both.
    positions: Vec<Option<(usize, usize)>>,
    /// The candidates defined on every image and not the same on all, with
    /// their values.
    properties: Vec<(Property, Vec<f64>)>,
    config: TrainConfig,
}

impl Exercise for Bars {
    const NAME: &'static str = "ex2d";
    type Args = Args;
    type Trained = Run;

    fn prepare(args: Args) -> Result<Self> {
        let data_path = args.data.map_or_else(|| default_data("bar_data.npy", "--data"), Ok)?;
        let data = load_data(&data_path, 25, 2)?;
        let bars: Vec<(Option<usize>, Option<usize>)> = (0..data.len())
            .map(|i| {
                let at = |p: Property| p.of(data.input(i)).map(|v| v as usize);
                (at(Property::BarRow), at(Property::BarColumn))
            })
            .collect();
        let positions = bars.iter().map(|&(r, c)| r.zip(c)).collect();
        let properties = Property::ALL
            .into_iter()
            .filter_map(|p| {
                let values: Option<Vec<f64>> = (0..data.len()).map(|i| p.of(data.input(i))).collect();
                let values = values?;
                values.iter().any(|&v| v != values[0]).then_some((p, values))
            })
            .collect();
        Ok(Bars {
            config: args.common.train_config(HIDDEN, ITERATIONS)?,
            common: args.common,
            data_path,
            data,
            bars,
            positions,
            properties,
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

/// `series` against every property: the lines, and the property it
/// follows (the best line if its R² is above [`CODES_FOR_R2`]; the first of
/// equally good ones, so that the bar positions win over the quantities
/// that move with them).
fn follows(series: &str, values: &[f64], properties: &[(Property, Vec<f64>)]) -> Follows {
    let fits: Vec<PropertyFit> = properties
        .iter()
        .map(|(p, x)| PropertyFit {
            property: p.key().to_owned(),
            fit: linear_fit(x, values),
        })
        .collect();
    let mut best: Option<&PropertyFit> = None;
    for f in &fits {
        if best.is_none_or(|b| f.fit.r2 > b.fit.r2 + 1e-12) {
            best = Some(f);
        }
    }
    Follows {
        series: series.to_owned(),
        best: best.filter(|b| b.fit.r2 > CODES_FOR_R2).map(|b| b.property.clone()),
        fits,
    }
}

/// The property with `key`, by name.
fn name_of(key: &str) -> &'static str {
    Property::ALL.iter().find(|p| p.key() == key).map_or("?", |p| p.name())
}

/// What an output codes for, in words: the property it follows, and how it
/// stands to the one the other output follows.
fn codes_for(name: &str, mine: &Follows, other: &Follows) -> String {
    let Some(best) = mine.best_fit() else {
        let top = mine.fits.iter().max_by(|a, b| a.fit.r2.total_cmp(&b.fit.r2));
        return match top {
            Some(t) => format!(
                "{name} follows none of the properties read off the images (closest: {}, R² = {:.4}).",
                name_of(&t.property),
                t.fit.r2
            ),
            None => format!("{name} follows no property: no candidate varies over these images."),
        };
    };
    let what = name_of(&best.property);
    let head = format!(
        "{name} codes for {what}: it is a linear function of it (slope {:.3}, R² = {:.4})",
        best.fit.slope, best.fit.r2
    );
    match other.best.as_deref().filter(|o| *o != best.property) {
        Some(o) => {
            let r2 = mine.fit(o).map_or(0.0, |f| f.r2);
            if r2 < IGNORES_R2 {
                format!("{head} and ignores {} (R² = {r2:.4}).", name_of(o))
            } else {
                format!("{head}, but follows {} too (R² = {r2:.4}).", name_of(o))
            }
        }
        None => format!("{head}."),
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
    let z1: Vec<f64> = outputs_z.iter().map(|z| z[0]).collect();
    let z2: Vec<f64> = outputs_z.iter().map(|z| z[1]).collect();
    let target = |j: usize| (0..data.len()).map(|i| data.target(i)[j]).collect::<Vec<f64>>();
    let props = &part.properties;
    let follows = vec![
        follows("z1*", &target(0), props),
        follows("z2*", &target(1), props),
        follows("z1", &z1, props),
        follows("z2", &z2, props),
    ];
    let sentence1 = codes_for("Output 1 (z1)", &follows[2], &follows[3]);
    let sentence2 = codes_for("Output 2 (z2)", &follows[3], &follows[2]);
    let all_bars = positions.iter().all(Option::is_some);
    let label = |i: usize| match positions[i] {
        Some((r, c)) => format!("({r},{c})"),
        None => format!("#{i}"),
    };

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
            let caption = match positions[i] {
                Some((r, c)) => format!("({r}, {c})"),
                None => format!("#{i}"),
            };
            (caption, data.input(i).to_vec())
        })
        .collect();
    outputs.add(
        "inputs.svg",
        image_grid(
            "2d: the input images, reshape(x, 5, 5)",
            &images,
            5,
            5,
            7,
            ImageScale::Gray,
            if all_bars {
                "black: 1, white: 0; captions: (row of the horizontal bar, column of the vertical bar), 0-based"
            } else {
                "black: 1, white: 0; captions: (bar row, bar column) where an image has both, else #sample"
            },
        )?,
    );
    let points: Vec<(f64, f64, String)> = (0..data.len())
        .map(|i| (z1[i], z2[i], format!(" {}", label(i))))
        .collect();
    let (title, classes) = if all_bars {
        (
            "2d: outputs (z1, z2) per sample, labelled (bar row, bar column)",
            (0..5)
                .map(|h| (h, format!("horizontal bar in row {h}")))
                .collect::<Vec<_>>(),
        )
    } else {
        (
            "2d: outputs (z1, z2) per sample, labelled (bar row, bar column) or #sample",
            vec![(0, "sample".to_owned())],
        )
    };
    outputs.add(
        "outputs.svg",
        labelled_scatter(
            title,
            "z1 (output 1)",
            "z2 (output 2)",
            &points,
            |i| positions[i].map_or(0, |p| p.0),
            &classes,
        )?,
    );
    let v = run.trained.weights(1);
    let b = run.trained.bias(1).expect("the hidden layer has a bias");
    let w = run.trained.weights(2);
    let hidden: Vec<(String, Vec<f64>)> = (0..HIDDEN)
        .map(|k| {
            (
                format!("unit {k}: b {:+.2}\nW {:+.2}, {:+.2}", b[k], w[k], w[HIDDEN + k]).replace('-', "−"),
                v[k * 25..(k + 1) * 25].to_vec(),
            )
        })
        .collect();
    let hidden_units: Vec<HiddenUnit> = if all_bars {
        // Each unit's activity z_k on every image, as the trained network
        // computes it.
        let mut tape = run.trained.tape();
        let activities: Vec<Vec<f64>> = (0..data.len())
            .map(|i| {
                run.trained.forward(data.input(i), &mut tape);
                tape.z(1).to_vec()
            })
            .collect();
        (0..HIDDEN)
            .map(|k| {
                let activity: Vec<f64> = activities.iter().map(|z| z[k]).collect();
                hidden_unit(&v[k * 25..(k + 1) * 25], [w[k], w[HIDDEN + k]], &activity)
            })
            .collect()
    } else {
        Vec::new()
    };
    outputs.add(
        "hidden_weights.svg",
        image_grid(
            "2d: each hidden unit's input weights V[k, :] as a 5 x 5 image",
            &hidden,
            5,
            5,
            5,
            ImageScale::Diverging,
            "red: positive, blue: negative, white: 0; captions: the unit's bias b and its weights W into z1, z2",
        )?,
    );
    outputs.add_json(
        "metrics.json",
        &Metrics {
            header: Header::new("2d", &part.data_path, config),
            hidden: HIDDEN,
            final_cost,
            max_abs_error,
            properties: props
                .iter()
                .map(|(p, values)| PropertyValues {
                    key: p.key().to_owned(),
                    name: p.name().to_owned(),
                    values: values.clone(),
                })
                .collect(),
            follows,
            codes_for: vec![sentence1.clone(), sentence2.clone()],
            hidden_units,
            samples: (0..data.len())
                .map(|i| BarSample {
                    row: part.bars[i].0,
                    column: part.bars[i].1,
                    z1: z1[i],
                    z2: z2[i],
                })
                .collect(),
            final_weights: exercise_harness::metrics::SheetWeights::of(&run.trained)?,
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
/// with the column of the vertical bar; and how much its `activity` over
/// the images varies.
fn hidden_unit(weights: &[f64], output_weights: [f64; 2], activity: &[f64]) -> HiddenUnit {
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
        activity_mean: mlp::stats::mean(activity),
        activity_std: variance(activity).sqrt(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_that_weighs_one_row_reads_the_row() {
        let mut w = vec![0.0; 25];
        w[10..15].copy_from_slice(&[1.0; 5]); // row 2
        let u = hidden_unit(&w, [0.5, -0.25], &[0.0, 1.0]);
        // row sums 0, 0, 5, 0, 0: variance 4; column sums all 1: variance 0
        assert_eq!((u.row_variance, u.column_variance, u.row_share), (4.0, 0.0, 1.0));
        assert_eq!(u.output_weights, [0.5, -0.25]);
        assert_eq!((u.activity_mean, u.activity_std), (0.5, 0.5));
        // crossing weight 1 on the 5 images with h = 2, else 0: variance
        // 0.2 * 0.8 = 0.16; input 5 + 1 - 1 = 5 there, else 0 + 1 - 0 = 1:
        // variance 0.16 * 4^2
        assert!((u.crossing_share - 1.0 / 16.0).abs() < 1e-15, "{}", u.crossing_share);
        let transposed: Vec<f64> = (0..25).map(|i| w[(i % 5) * 5 + i / 5]).collect();
        assert_eq!(hidden_unit(&transposed, [0.0, 0.0], &[0.5]).row_share, 0.0);
        assert_eq!(hidden_unit(&[0.0; 25], [0.0, 0.0], &[0.5]).row_share, 0.5);
    }
}

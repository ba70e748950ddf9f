//! The report renders from fixed metrics: every section and figure is there,
//! every formula became MathML, no raw math or template syntax is left, the
//! prose follows the numbers, and data reaching the HTML is escaped.

use exercise_harness::metrics::ex2b::FailureReason;
use mlp::Generator;
use report::document::{generated_figures, render};
use report::{Findings, Metrics, Provenance, Timing, load_metrics};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    testkit::cli::root()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report")
}

fn provenance() -> Provenance {
    Provenance {
        profile: "dev".into(),
        commit: "0123456789abcdef".into(),
        rustc: "rustc 1.95.0".into(),
        timings: vec![Timing {
            part: "2c".into(),
            seconds: "2.50".into(),
        }],
    }
}

/// The report rendered from the fixture's metrics after `edit`, with the
/// data files found in `report` (else the project's).
fn rendered_with_data(report: &Path, edit: impl FnOnce(&mut Metrics)) -> (String, String) {
    let mut metrics = load_metrics(&fixtures()).unwrap();
    edit(&mut metrics);
    let data = report::findings::data::Data::of(&root(), report, &metrics).unwrap();
    let ctx = Findings::new(&root(), &metrics, &provenance(), data).unwrap();
    let generated = generated_figures(&metrics).unwrap();
    both(render(&root(), &fixtures(), &ctx, &generated).unwrap())
}

/// The fixture's submission and companion page, apart.
fn documents() -> report::document::Rendered {
    let metrics = load_metrics(&fixtures()).unwrap();
    let data = report::findings::data::Data::of(&root(), &fixtures(), &metrics).unwrap();
    let ctx = Findings::new(&root(), &metrics, &provenance(), data).unwrap();
    render(&root(), &fixtures(), &ctx, &generated_figures(&metrics).unwrap()).unwrap()
}

/// The submission and the companion page, one after the other: most
/// claims are checked wherever they are printed.
fn both(r: report::document::Rendered) -> (String, String) {
    (r.md + "\n" + &r.beyond_md, r.html + &r.beyond_html)
}

fn rendered(edit: impl FnOnce(&mut Metrics)) -> (String, String) {
    let mut metrics = load_metrics(&fixtures()).unwrap();
    edit(&mut metrics);
    let ctx = Findings::new(
        &root(),
        &metrics,
        &provenance(),
        report::findings::data::Data::of(&root(), &fixtures(), &metrics).unwrap(),
    )
    .unwrap();
    let generated = generated_figures(&metrics).unwrap();
    both(render(&root(), &fixtures(), &ctx, &generated).unwrap())
}

/// The HTML without code listings and MathML annotations (which keep the
/// LaTeX source on purpose).
fn prose(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    loop {
        let next = [
            ("<pre", "</pre>"),
            ("<annotation", "</annotation>"),
            ("<code", "</code>"),
        ]
        .iter()
        .filter_map(|(open, close)| rest.find(open).map(|i| (i, *close)))
        .min_by_key(|x| x.0);
        match next {
            None => {
                out.push_str(rest);
                return out;
            }
            Some((i, close)) => {
                out.push_str(&rest[..i]);
                let end = rest[i..].find(close).map(|j| i + j + close.len()).unwrap_or(rest.len());
                rest = &rest[end..];
            }
        }
    }
}

#[test]
fn every_section_figure_and_formula_is_there() {
    let (md, html) = rendered(|_| {});
    for heading in testkit::report::sections() {
        assert!(md.contains(heading), "submission.md lacks {heading}");
        assert!(html.contains(heading), "index.html lacks {heading}");
    }
    // every figure of every part, linked in Markdown and inlined in HTML
    let figures = [
        "ex2a/cost_over_time.svg",
        "ex2b/cost_over_time.svg",
        "ex2b/perturbation_sweep.svg",
        "ex2c/cost_over_time.svg",
        "ex2c/response.svg",
        "ex2c/test_cost_per_seed.svg",
        "ex2c/capacity.svg",
        "ex2c/snapshots.svg",
        "ex2d/cost_over_time.svg",
        "ex2d/inputs.svg",
        "ex2d/outputs.svg",
        "ex2d/hidden_weights.svg",
    ];
    for f in figures {
        assert!(md.contains(&format!("]({f})")), "submission.md does not link {f}");
        let name = f.rsplit('/').next().unwrap();
        assert!(
            html.contains(&format!("placeholder for {name}")),
            "index.html does not inline {f}"
        );
    }
    // and the figure the report draws itself
    assert!(md.contains("](backprop_at_work.svg)"));
    assert!(html.contains("Backprop at work: the 2b network"));
    assert_eq!(html.matches("<figure>").count(), figures.len() + 1);
    // formulas: many, all MathML, none failed, no raw math left
    assert!(
        html.matches("<math").count() > 100,
        "{} formulas",
        html.matches("<math").count()
    );
    assert!(!html.contains("merror"));
    let text = prose(&html);
    assert!(!text.contains('$'), "raw $ math left in the HTML");
    for syntax in ["{{", "}}", "{%", "%}", "{#"] {
        assert!(!text.contains(syntax), "template syntax {syntax} left in the HTML");
    }
    // (LaTeX closes nested groups with "}}", so the Markdown is checked for openers)
    for syntax in ["{{", "{%", "{#"] {
        assert!(
            !prose(&md).contains(syntax),
            "template syntax {syntax} left in the Markdown"
        );
    }
    // self-contained: no scripts, no external resources
    for external in ["<script", "<link", "src=\"http", "href=\"http", "@import"] {
        assert!(!html.contains(external), "{external}");
    }
    // the backward pass listing is the real source
    assert!(md.contains("pub fn deltas(") && md.contains("pub fn gradient_from_deltas("));
    // every ex1 row, every layer
    for part in ["(a)", "(b)", "(c)", "(d)", "(e)", "(f)"] {
        assert!(md.contains(&format!("| {part} |")), "ex1 table lacks {part}");
    }
}

#[test]
fn numbers_come_from_the_metrics() {
    let (md, _) = rendered(|_| {});
    let m = load_metrics(&fixtures()).unwrap();
    let k5 = m.ex2c.summary[0].test_cost_mean;
    assert!(md.contains(&format!("{k5:.5} for $K = 5$")), "2c answer lacks {k5:.5}");
    assert!(md.contains("`0123456789abcdef`"));
    assert!(md.contains("| time for 2c | 2.50 s |"));
    assert!(md.contains(
        "(dev build; each part run with its default flags, and `ex2c --capacity --snapshots` for the figures beyond the sheet)"
    ));
}

#[test]
fn answers_follow_the_data() {
    // As committed: K = 40 has the lower mean test cost.
    let (md, _) = rendered(|_| {});
    assert!(md.contains("$K = 40$ is lower, by a factor"));
    // Swap the means: the prose must swap too.
    let (md, _) = rendered(|m| {
        let s = &mut m.ex2c.summary;
        let (a, b) = (s[0].test_cost_mean, s[1].test_cost_mean);
        s[0].test_cost_mean = b;
        s[1].test_cost_mean = a;
    });
    assert!(md.contains("$K = 5$ is lower, by a factor") || md.contains("$K = 5$ has the lower mean"));
    // A 2a run whose weights moved is not reported as unchanged.
    let (md, _) = rendered(|m| m.ex2a.max_abs_weight_change = 0.25);
    assert!(md.contains("The parameters moved by up to 2.5e-1"));
    assert!(!md.contains("No parameter moves"));
    // 2b that did not recover says so.
    let (md, _) = rendered(|m| m.ex2b.final_cost = 0.125);
    assert!(md.contains("**Answer.** Not within these iterations"));
    // What the bars outputs code for is the run's own sentence.
    let (md, _) = rendered(|m| m.ex2d.codes_for[0] = "Output 1 (z1) codes for neither bar clearly.".into());
    assert!(md.contains("Output 1 (z1) codes for neither bar clearly."));
}

/// The test costs of the 2c runs of `k` hidden units at `eta`, for editing.
fn set_costs(m: &mut Metrics, k: usize, eta: f64, f: impl Fn(u64) -> f64) {
    for r in m
        .ex2c
        .runs
        .iter_mut()
        .filter(|r| r.hidden == k && r.learning_rate == eta)
    {
        r.test_cost = f(r.seed);
    }
    let costs: Vec<f64> = m
        .ex2c
        .runs
        .iter()
        .filter(|r| r.hidden == k && r.learning_rate == eta)
        .map(|r| r.test_cost)
        .collect();
    let s = m
        .ex2c
        .summary
        .iter_mut()
        .chain(m.ex2c.other_rates.iter_mut())
        .find(|s| s.hidden == k && s.learning_rate == eta)
        .unwrap();
    s.test_cost_mean = mlp::stats::mean(&costs);
    s.test_cost_std = mlp::stats::std_dev(&costs);
}

#[test]
fn the_2c_comparison_says_what_the_seeds_show() {
    // As committed: significant, and yet the seeds overlap.
    let (md, _) = rendered(|_| {});
    assert!(md.contains("$K = 40$ is lower, by a factor"));
    assert!(md.contains("the difference is significant at the 5 % level"), "{md}");
    assert!(md.contains("The seeds overlap: a $K = 40$ seed is below a $K = 5$ seed in"));
    // Nearly the same seeds: not significant.
    let (md, _) = rendered(|m| {
        set_costs(m, 5, 0.04, |seed| 0.0125 + (seed % 3) as f64 * 1e-3);
        set_costs(m, 40, 0.005, |seed| 0.0124 + (seed % 3) as f64 * 1e-3);
    });
    assert!(md.contains("these runs do not tell the two sizes apart"));
    assert!(md.contains("the difference is not significant at the 5 % level"));
    // Pulled apart: significant, and no overlap.
    let (md, _) = rendered(|m| {
        set_costs(m, 5, 0.04, |seed| 0.05 + seed as f64 * 1e-4);
        set_costs(m, 40, 0.005, |seed| 0.01 + seed as f64 * 1e-4);
    });
    assert!(md.contains("the difference is significant at the 5 % level"));
    assert!(!md.contains("do not tell the two sizes apart"));
    assert!(md.contains("$p$ below 0.001"));
    assert!(md.contains("The seeds do not overlap: every $K = 40$ seed is below every $K = 5$ seed."));
    assert!(!md.contains("The medians order the two the other way"));
    // Two outlying K = 5 seeds lift its mean above K = 40's while its
    // median stays below: the text says so.
    let (md, _) = rendered(|m| {
        set_costs(m, 5, 0.04, |seed| if seed < 2 { 0.05 } else { 0.010 });
        set_costs(m, 40, 0.005, |_| 0.012);
    });
    assert!(md.contains("$K = 40$ is lower") || md.contains("$K = 40$ has the lower mean"));
    assert!(md.contains("The medians order the two the other way (0.01000 for $K = 5$ against 0.01200 for $K = 40$)"));
}

#[test]
fn the_2c_noise_and_learning_rate_claims_follow_the_data() {
    let (md, _) = rendered(|_| {});
    assert!(md.contains("the networks fit part of the training samples' noise"));
    let (md, _) = rendered(|m| m.ex2c.train_cost_of_sin_pi_x = Some(1e-4));
    assert!(md.contains("on this evidence the networks do not fit the training samples' noise"));
    assert!(!md.contains("the networks fit part of the training samples' noise"));
    // The data recipe is stated from its constants.
    assert!(md.contains("inputs $x$ uniform on $[-2, 2]$"));
    assert!(md.contains("This report ran on the project's own data files"));
    // As committed, only the comparison at 0.005 is significant, and K = 5
    // is under-trained there.
    let (md, _) = rendered(|_| {});
    assert!(md.contains("Only at $\\eta = 0.005$ is the difference significant, with $K = 40$ lower"));
    assert!(md.contains("At the other rate the test does not find one; that is not evidence that there is none"));
    assert!(md.contains("would be found 80 % of the time"));
    assert!(md.contains("$K = 5$ at $\\eta = 0.005$ ends with a mean training cost of 0.00600"));
    assert!(md.contains("4 of its 10 seeds end above it, so at that rate some runs fit the training data worse"));
    assert!(!md.contains("under-trained"));
    // K = 5 clearly lower at 0.04: significant differences either way.
    let (md, _) = rendered(|m| set_costs(m, 5, 0.04, |seed| 0.001 + seed as f64 * 1e-5));
    assert!(md.contains("The significant differences point different ways at different rates."));
    // K = 40 clearly lower at 0.04 too: lower at every rate.
    let (md, _) = rendered(|m| set_costs(m, 40, 0.04, |seed| 0.001 + seed as f64 * 1e-5));
    assert!(md.contains("At every rate $K = 40$ is significantly lower."));
    // Nothing apart at either rate.
    let (md, _) = rendered(|m| {
        for (k, eta) in [(5, 0.04), (40, 0.04), (5, 0.005), (40, 0.005)] {
            set_costs(m, k, eta, |seed| {
                0.012 + (seed % 4) as f64 * 1e-3 + if k == 5 { 1e-5 } else { 0.0 }
            });
        }
    });
    assert!(md.contains("At neither rate is the difference significant: these seeds cannot rule out"));
    assert!(!md.contains("that is not evidence that there is none"));
    // Without the runs at the other rates there is no such section.
    let (md, _) = rendered(|m| m.ex2c.other_rates.clear());
    assert!(!md.contains("the two sizes at the same learning rate"));
}

#[test]
fn the_2b_sweep_reports_rates_and_what_failed_runs_show() {
    let (md, _) = rendered(|_| {});
    let sw = load_metrics(&fixtures()).unwrap().ex2b.sweep.unwrap();
    assert!(md.contains("(288 perturbations)"));
    assert!(md.contains(&format!("{} runs", sw.runs.to_string().replace("5760", "5,760"))));
    assert!(md.contains("depends on the sample order, not only on the perturbation"));
    // The gradient norm of every failed run, as recorded.
    let flat = sw.failures.iter().filter(|f| f.gradient_norm < 1e-6).count();
    assert_eq!(flat, 383);
    assert!(
        md.contains("has a norm below $10^{-6}$ in 383 of the 511 failed runs (75 %"),
        "{md}"
    );
    assert!(!md.contains("stopped where the gradient over the data set is zero"));
    // Mirror pairs pooled, with intervals; ranked only where they separate.
    assert!(md.contains("their runs are pooled"));
    assert!(md.contains("| V[0,0] and V[2,1] |"));
    assert!(md.contains("| W[0,1] |"));
    assert!(md.contains(" to ") && md.contains("95 % Wilson interval"));
    assert!(md.contains("pairs of rows the intervals do not overlap"));
    let (md, _) = rendered(|m| m.ex2b.sweep.as_mut().unwrap().mirror_pairs.clear());
    assert!(md.contains("each parameter stands alone"));
    assert!(md.contains("| V[2,1] |"));
    // Every failed run with a large gradient: none counted as flat.
    let (md, _) = rendered(|m| {
        for f in &mut m.ex2b.sweep.as_mut().unwrap().failures {
            f.gradient_norm = 0.5;
        }
    });
    assert!(md.contains("has a norm below $10^{-6}$ in 0 of the 511 failed runs"));
    // Inputs no hidden unit responds to, and the plateau at cost 1/8.
    let (md, _) = rendered(|m| {
        for f in &mut m.ex2b.sweep.as_mut().unwrap().failures {
            f.silent_inputs.clear();
        }
    });
    assert!(!md.contains("every hidden unit has $v \\le 0$"));
    // A run still falling at the end is called so.
    let (md, _) = rendered(|m| {
        let f = &mut m.ex2b.sweep.as_mut().unwrap().failures[0];
        f.diagnosis = FailureReason::StillDescending { from: 0.1, to: 0.01 };
    });
    assert!(md.contains("1 run was still descending when training stopped"));
    // Every failing perturbation failing from every order: no claim about
    // sample orders.
    let (md, _) = rendered(|m| {
        let sw = m.ex2b.sweep.as_mut().unwrap();
        for n in sw.failed.iter_mut().flatten() {
            if *n > 0 {
                *n = sw.seeds.count;
            }
        }
    });
    assert!(md.contains("Each perturbation recovers from every sample order or from none"));
    assert!(!md.contains("depends on the sample order"));
    let (md, _) = rendered(|m| {
        for f in &mut m.ex2b.sweep.as_mut().unwrap().failures {
            f.diagnosis = FailureReason::Stationary { gradient_norm: 1e-9 };
        }
    });
    assert!(md.contains("0 of the 511 failed runs (0 %) have at least one dead hidden unit"));
    assert!(md.contains("511 runs have neither a dead unit nor a falling cost"));
    assert!(!md.contains("only one unit is dead"));
}

#[test]
fn the_2b_answer_shows_the_parameters_before_and_after() {
    let (md, _) = rendered(|_| {});
    let m = load_metrics(&fixtures()).unwrap();
    let w01 = m.ex2b.final_weights.W[0][1];
    assert!((w01 + 2.0).abs() > 0.01, "the fixture's run found another solution");
    // one column per parameter, the perturbed one in bold: -2 at the
    // course's start, 0 at the perturbed start
    let row = |label: &str| -> Vec<String> {
        let line = md
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no row {label}"));
        line.split('|').map(|c| c.trim().to_owned()).collect()
    };
    let column = row("| | V[0,0]")
        .iter()
        .position(|c| c == "**W[0,1]**")
        .expect("W[0,1] in bold");
    assert_eq!(row("| course's start")[column], "−2");
    assert_eq!(row("| perturbed start")[column], "0");
    assert_eq!(row("| after training").len(), row("| | V[0,0]").len());
    assert!(md.contains("reaches zero cost through a different solution"));
    let (md, _) = rendered(|m| m.ex2b.final_weights.W[0][1] = -2.0);
    assert!(md.contains("The perturbed parameter returns to its old value"));
    assert!(!md.contains("through a different solution"));
}

#[test]
fn the_2d_text_reads_what_targets_and_outputs_follow() {
    let (md, _) = rendered(|_| {});
    assert!(
        md.contains(
            "$z_1^*$ follows the row of the horizontal bar: $z_1^*$ = (the row of the horizontal bar) / 4 exactly"
        ),
        "{md}"
    );
    assert!(md.contains("the 25 samples form a grid"));
    assert!(md.contains("each output follows what its target follows"));
    assert!(md.contains("The bars file is the project's own"));
    assert!(md.contains("| the row of the horizontal bar | 1.0000 | 0.0000 | 1.0000 | 0.0000 |"));
    // Targets swapped (column, then row): the text swaps.
    let (md, _) = rendered(|m| {
        let f = &mut m.ex2d.follows;
        f.swap(0, 1);
        f.swap(2, 3);
        m.ex2d.codes_for.swap(0, 1);
    });
    assert!(md.contains("$z_1^*$ follows the column of the vertical bar"));
    assert!(md.contains("$z_2^*$ follows the row of the horizontal bar"));
    // An output that follows nothing: no grid, and the outputs do not follow the targets.
    let (md, _) = rendered(|m| m.ex2d.follows[2].best = None);
    assert!(!md.contains("the 25 samples form a grid"));
    assert!(md.contains("The outputs do not follow what their targets follow."));
    // Targets that follow nothing read off the images.
    let (md, _) = rendered(|m| {
        m.ex2d.follows[0].best = None;
        m.ex2d.follows[1].best = None;
    });
    assert!(md.contains("No property read off the images explains the targets"));
    assert!(md.contains("follows none of them (closest:"));
    // The hidden units: silent ones are named, the activity decides.
    let (md, _) = rendered(|m| {
        for u in &mut m.ex2d.hidden_units {
            u.activity_std = 0.001;
        }
    });
    assert!(md.contains("10 of the 10 units are nearly silent"));
    assert!(md.contains("Of the 0 active units"));
    let (md, _) = rendered(|m| {
        for u in &mut m.ex2d.hidden_units {
            u.activity_std = 0.2;
        }
        m.ex2d.hidden_units[3].activity_std = 0.001;
    });
    assert!(md.contains("1 of the 10 units is nearly silent (the activity varies by less than 0.1): it passes"));
    let (md, _) = rendered(|m| {
        for u in &mut m.ex2d.hidden_units {
            u.row_share = 1.0;
            u.output_weights = [1.0, 0.0];
            u.crossing_share = 0.01;
            u.activity_std = 0.2;
        }
    });
    assert!(md.contains("Of the 10 active units, 10 get at least 75 % of that variation from the row"));
    assert!(md.contains("Most active units get their input from one bar only."));
    assert!(!md.contains("nearly silent"));
    // Without bars in every image there is no such section.
    let (md, _) = rendered(|m| m.ex2d.hidden_units.clear());
    assert!(!md.contains("what the hidden units read"));
}

/// Each document numbers its own figures: the submission the sheet's 7,
/// the companion page its 6.
#[test]
fn figures_are_numbered_and_referred_to() {
    let r = documents();
    for (md, html, count) in [(&r.md, &r.html, 7), (&r.beyond_md, &r.beyond_html, 6)] {
        assert!(!md.contains("[[fig:"));
        for n in 1..=count {
            assert!(md.contains(&format!("![Figure {n}: ")), "no Figure {n}");
            assert!(html.contains(&format!("<figcaption>Figure {n}: ")), "no caption {n}");
        }
        assert!(!md.contains(&format!("![Figure {}", count + 1)));
        // every figure is referred to from the text
        for n in 1..=count {
            let refs = md.matches(&format!("Figure {n}")).count();
            assert!(refs >= 2, "Figure {n} is not referred to");
        }
    }
}

#[test]
fn the_report_says_which_generator_and_how_numpy_reproduces_a_run() {
    // The fixtures were made with ChaCha8, which NumPy cannot reproduce.
    let (md, _) = rendered(|_| {});
    assert!(md.contains("| random generator | ChaCha8 (`--rng chacha8`) |"));
    assert!(md.contains("whose stream NumPy does not reproduce"));
    assert!(!md.contains("np.random.seed("));
    // With NumPy's generator: the lines for the median seed of the first K.
    let (md, _) = rendered(|m| {
        m.ex2c.rng = Generator::Numpy;
        m.ex2c.summary[0].representative_seed = 7;
        m.ex2c.train_samples = 25;
    });
    let k = 5;
    assert!(md.contains("(`--rng numpy`)"));
    for line in [
        "np.random.seed(7)".to_owned(),
        format!("V = np.random.normal(0., 1., ({k}, 1))"),
        format!("W = np.random.normal(0., 1., (1, {k}))"),
        format!("b = np.random.normal(0., 1., {k})"),
        "T = np.random.randint(0, 25, 1000000)".to_owned(),
    ] {
        assert!(md.contains(&format!("{line}\n")), "no `{line}` in the report");
    }
    assert!(md.contains("weights/k5-seed7-initial.npz"));
}

#[test]
fn data_reaching_the_html_is_escaped() {
    let (_, html) = rendered(|m| {
        let sweep = m.ex2b.sweep.as_mut().expect("the fixture has a sweep");
        sweep.parameters[0] = "<script>alert('x')</script> & <b>bold</b>".into();
        sweep.mirror_pairs[0][0] = sweep.parameters[0].clone();
        sweep.failed[0][0] = 1;
        m.ex2d.codes_for[1] = "<img src=x onerror=alert(1)>".into();
    });
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("&lt;script&gt;alert"));
}

#[test]
fn the_capacity_paragraph_follows_the_runs() {
    // As committed, the lowest mean test cost is at the largest size.
    let (md, _) = rendered(|_| {});
    assert!(md.contains("The test cost is lowest at $K = 100$"));
    assert!(md.contains("That is the largest size tried: these runs show no rise for large $K$."));
    assert!(md.contains("was picked as the lowest after the fact, among"));
    assert!(md.contains("so larger networks also took smaller steps"));
    assert!(md.contains("The training cost lies below the test cost at every size"));
    let set = |m: &mut Metrics, k: usize, f: &dyn Fn(u64) -> f64| {
        let cap = m.ex2c.capacity.as_mut().unwrap();
        for r in cap.runs.iter_mut().filter(|r| r.hidden == k) {
            r.test_cost = f(r.seed);
        }
        let costs: Vec<f64> = cap.runs.iter().filter(|r| r.hidden == k).map(|r| r.test_cost).collect();
        let s = cap.summary.iter_mut().find(|s| s.hidden == k).unwrap();
        s.test_cost_mean = mlp::stats::mean(&costs);
        s.test_cost_std = mlp::stats::std_dev(&costs);
    };
    // K = 100 clearly worse than the best: it rises again.
    let (md, _) = rendered(|m| set(m, 100, &|seed| 0.05 + seed as f64 * 1e-4));
    assert!(md.contains("The test cost is lowest at $K = 40$"));
    assert!(md.contains("It rises again for larger $K$"));
    // K = 100 a hair worse than K = 40, with the same spread: no clear rise.
    let (md, _) = rendered(|m| {
        set(m, 40, &|seed| 0.0100 + (seed % 5) as f64 * 1e-3);
        set(m, 100, &|seed| 0.0101 + (seed % 5) as f64 * 1e-3);
    });
    assert!(md.contains("not significantly higher than at $K = 40$"));
    assert!(md.contains("these runs show no clear rise for large $K$"));
    // A size whose training cost is above its test cost.
    let (md, _) = rendered(|m| m.ex2c.capacity.as_mut().unwrap().summary[0].train_cost_mean = 1.0);
    assert!(md.contains("The training cost lies below the test cost at every size except $K$ = 1."));
    // Without the capacity runs there is no such paragraph, nor figure.
    let (md, _) = rendered(|m| m.ex2c.capacity = None);
    assert!(!md.contains("### 2c: capacity"));
    assert!(!md.contains("capacity.svg"));
}

#[test]
fn the_snapshots_table_is_the_watched_runs() {
    let (md, _) = rendered(|_| {});
    let m = load_metrics(&fixtures()).unwrap();
    let k5 = &m.ex2c.snapshots[0];
    let cells: Vec<String> = k5.after.iter().map(|a| format!("{:.4}", a.test_cost)).collect();
    assert!(
        md.contains(&format!("| 5 ({}) | {} |", k5.seed, cells.join(" | "))),
        "{md}"
    );
    assert!(md.contains("| $K$ (seed) | 10 | 100 | 1,000 | 10,000 | 100,000 | 1,000,000 |"));
    let (md, _) = rendered(|m| m.ex2c.snapshots.clear());
    assert!(!md.contains("training snapshots"));
}

#[test]
fn backprop_at_work_says_where_the_perturbed_weight_goes() {
    // W[0,1] = 0 (was -2) gets dL/dW = -2: the step leads back towards -2.
    let (md, _) = rendered(|_| {});
    assert!(md.contains("The perturbed parameter, now 0, gets $d\\mathcal{L}/dP = −2$"));
    assert!(md.contains("back towards its old value −2"));
    // b[1] = -3 switches hidden unit 1 off for this input: no gradient.
    let (md, _) = rendered(|m| m.ex2b.perturbation = "b[1]=-3".into());
    assert!(md.contains("gets $d\\mathcal{L}/dP = 0$"));
    assert!(md.contains(": not at all."));
}

/// Every condition of every section template, with two letters appended to
/// its name, fails the check that runs before every render: a misspelled
/// name can no longer print the opposite claim, reached or not.
#[test]
fn a_misspelled_condition_fails_whichever_branch_it_is_in() {
    use report::templates::{check, load, sections};
    let metrics = load_metrics(&fixtures()).unwrap();
    let findings = serde_json::to_value(
        Findings::new(
            &root(),
            &metrics,
            &provenance(),
            report::findings::data::Data::of(&root(), &fixtures(), &metrics).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    // Complete findings: every option present, so that no name is left
    // unchecked behind an absent one.
    assert_eq!(findings["ex2b"]["has_sweep"], true);
    for has in ["has_compare", "has_rates", "has_capacity", "has_snapshots"] {
        assert_eq!(findings["ex2c"][has], true, "{has}");
    }
    let tera = load(&root().join("templates")).unwrap();
    check(&tera, &findings).unwrap();
    let mut conditions = 0;
    for name in sections() {
        let text = std::fs::read_to_string(root().join(format!("templates/report/{name}.md.tera"))).unwrap();
        for (at, _) in text.match_indices("{% if ").chain(text.match_indices("{% elif ")) {
            let start = at + text[at..].find("if ").unwrap() + 3;
            let start = if text[start..].starts_with("not ") {
                start + 4
            } else {
                start
            };
            let end = start + text[start..].find([' ', '%']).unwrap();
            let misspelled = format!("{}xx{}", &text[..end], &text[end..]);
            let mut broken = tera.clone();
            broken.add_raw_template(&format!("{name}.md"), &misspelled).unwrap();
            let e = check(&broken, &findings).expect_err(&format!("{name}: {}xx passed", &text[start..end]));
            assert!(e.to_string().contains(&format!("{}xx", &text[start..end])), "{e}");
            conditions += 1;
        }
    }
    assert!(conditions > 50, "only {conditions} conditions");
}

/// Every source file the report names exists where it says.
#[test]
fn the_files_the_report_names_exist() {
    let (md, _) = rendered(|_| {});
    let mut named = 0;
    for piece in md.split('`').skip(1).step_by(2) {
        let looks_like_source = piece.contains('/')
            && !piece.contains(' ')
            && [".rs", ".md", ".py", ".toml"].iter().any(|ext| piece.ends_with(ext));
        if looks_like_source {
            assert!(
                root().join(piece).exists(),
                "the report names {piece}, which does not exist"
            );
            named += 1;
        }
    }
    assert!(named >= 2, "only {named} source files named");
}

/// The course's own files (here: another 2c function and bars whose targets
/// are the column, then the row) are named by SHA-256, and the report
/// speaks of sin(πx) and the recipe only for the project's files.
#[test]
fn the_report_follows_the_data_it_ran_on() {
    use exercise_harness::data::file_sha256;
    let dir = tempfile::tempdir().unwrap();
    // Another function: cos(x) on the same inputs.
    for name in ["func_approx_training.npz", "func_approx_test.npz"] {
        let (x, _) = testkit::replay::load_data(&root().join("data").join(name), 1);
        let y = x.mapv(f64::cos);
        let mut npz = ndarray_npy::NpzWriter::new(std::fs::File::create(dir.path().join(name)).unwrap());
        npz.add_array("X", &x.column(0).to_owned()).unwrap();
        npz.add_array("Y", &y.column(0).to_owned()).unwrap();
        npz.finish().unwrap();
    }
    // Bars whose targets are the column, then the row.
    let (x, y) = testkit::replay::load_data(&root().join("data/bar_data.npy"), 2);
    let swapped = ndarray::concatenate![
        ndarray::Axis(1),
        x,
        y.slice(ndarray::s![.., 1..2]),
        y.slice(ndarray::s![.., 0..1])
    ];
    ndarray_npy::write_npy(dir.path().join("bar_data.npy"), &swapped).unwrap();
    // What ex2c and ex2d write for such data: no sin(πx) costs; the
    // targets and outputs follow the column first.
    let (md, html) = rendered_with_data(dir.path(), |m| {
        m.ex2c.test_cost_of_sin_pi_x = None;
        m.ex2c.train_cost_of_sin_pi_x = None;
        let f = &mut m.ex2d.follows;
        f.swap(0, 1);
        f.swap(2, 3);
        m.ex2d.codes_for.swap(0, 1);
    });
    for name in ["func_approx_training.npz", "func_approx_test.npz", "bar_data.npy"] {
        let sha = file_sha256(&dir.path().join(name)).unwrap();
        assert!(
            md.contains(&format!("| `{name}` | ")) && md.contains(&format!("| supplied | `{sha}` |")),
            "{name}"
        );
    }
    let xor_sha = file_sha256(&root().join("data/xor_data.npz")).unwrap();
    assert!(md.contains(&format!("| project's | `{xor_sha}` |")));
    for absent in ["sin(", "\\sin", "not public", "recipes.rs", "noise-free"] {
        assert!(
            !md.contains(absent),
            "the report mentions {absent} for the course's data"
        );
        assert!(!html.contains(absent), "the page mentions {absent}");
    }
    assert!(md.contains("`func_approx_training.npz` (2c) is supplied; `func_approx_test.npz` (2c) is supplied"));
    assert!(md.contains("`xor_data.npz` (2a and 2b) is the project's own"));
    assert!(md.contains("$z_1^*$ follows the column of the vertical bar"));
    assert!(md.contains("$z_2^*$ follows the row of the horizontal bar"));
    assert!(md.contains("Output 2 (z2) codes for the row") || md.contains("codes for the column"));
    // Long hashes wrap by CSS, never by inserted characters.
    assert!(html.contains(&xor_sha));
    let css = std::fs::read_to_string(root().join("templates/report.css")).unwrap();
    assert!(css.contains("overflow-wrap: anywhere"));
}

/// Mirror pairs: the most different pair is tested and the verdict follows
/// its p-value; plateau runs say how many have a flat gradient; capacity
/// says where the training cost is lowest when that is below the largest
/// size.
#[test]
fn the_appendix_claims_flip_with_the_runs() {
    let (md, _) = rendered(|_| {});
    let sw = load_metrics(&fixtures()).unwrap().ex2b.sweep.unwrap();
    let total = |p: &str| -> u64 {
        sw.failed[sw.parameters.iter().position(|x| x == p).unwrap()]
            .iter()
            .sum()
    };
    assert_eq!((total("V[1,0]"), total("V[1,1]")), (56, 37));
    assert!(md.contains("at 5 % alone the counts differ for V[0,1] and V[2,0] (16 and 30 of 480, $p$ = 0.048); V[1,0] and V[1,1] (56 and 37 of 480, $p$ = 0.049); after Bonferroni's correction for the 5 tests for none"), "{md}");
    // One pair far apart: the pooling is questioned.
    let (md, _) = rendered(|m| {
        let sw = m.ex2b.sweep.as_mut().unwrap();
        let i = sw.parameters.iter().position(|x| x == "b[2]").unwrap();
        sw.failed[i][0] = 20;
        sw.failed[i][1] = 20;
    });
    assert!(
        md.contains("b[0] and b[2] (4 and 40 of 480, $p$ below 0.001)")
            && md.contains("the pooling is questionable there")
    );
    // Plateau runs: all flat, or some not.
    assert!(!md.contains("in all of them the full-batch gradient norm"));
    let (md, _) = rendered(|m| {
        for f in &mut m.ex2b.sweep.as_mut().unwrap().failures {
            f.gradient_norm = 0.0;
        }
    });
    assert!(md.contains("in all of them the full-batch gradient norm is below"));
    // Capacity: the training cost lowest below the largest size.
    // As committed: lowest at K = 60, but K = 100 not significantly higher.
    assert!(!md.contains("at their smaller steps the largest networks"));
    let (md, _) = rendered(|m| {
        let cap = m.ex2c.capacity.as_mut().unwrap();
        let last = cap.summary.len() - 1;
        let k = cap.summary[last].hidden;
        cap.summary[last].train_cost_mean = 1.0;
        for r in cap.runs.iter_mut().filter(|r| r.hidden == k) {
            r.train_cost = 1.0 + r.seed as f64 * 1e-3;
        }
    });
    assert!(md.contains("at their smaller steps the largest networks fit the training data less closely"));
    assert!(md.contains("and higher at $K = 100$ (1.00000; permutation test over the seeds, $p$ below 0.001)"));
}

/// Where the report names the learning rate and momentum, Exercise 1's index
/// convention, and what reproduces a run in NumPy.
#[test]
fn attributions_conventions_and_the_numpy_claim_are_stated_as_they_hold() {
    let (md, _) = rendered(|_| {});
    assert!(md.contains(
        "We use $\\eta = 0.2/K$ and $\\mu = 0.5$, the values of the course's example script, which the notebook \
         starts from."
    ));
    assert!(!md.contains("docs/DESIGN.md"));
    // Exercise 1 never counts units from 0 beside inputs counted from 1.
    let ex1 = &md[md.find("## Exercise 1").unwrap()..md.find("## Exercise 2").unwrap()];
    assert!(
        !ex1.contains("0-based") && !ex1.contains("unit 0"),
        "Exercise 1 mixes index conventions"
    );
    // With NumPy's generator: what reproduces the runs, and the one-line
    // move that makes the course's template do so.
    let (md, _) = rendered(|m| m.ex2c.rng = Generator::Numpy);
    assert!(md.contains(
        "A NumPy program that seeds, then draws $V$, $W$, $b$, then the indices, starts from the same weights and \
         trains on the same samples in the same order, bit for bit."
    ));
    assert!(md.contains("The training that follows agrees to rounding, not to the bit"));
    assert!(md.contains("draws the indices `T` before `np.random.seed`, so they are unseeded there"));
    let (md, _) = rendered(|_| {});
    assert!(!md.contains("before `np.random.seed`, so they are unseeded"));
}

/// The submission holds the sheet's answers and stands alone: it names
/// nothing a tutor lacks (no repository paths, no names from the Rust code,
/// no commands or flags), makes no claim of bit-equal runs, and links to
/// the companion page, which links back.
#[test]
fn the_submission_stands_alone_and_links_to_the_companion_page() {
    let r = documents();
    for (name, text) in [("submission.md", r.md.clone()), ("index.html", prose(&r.html))] {
        for needle in [
            "crates/",
            "cargo",
            "xtask",
            "public copies",
            "bit for bit",
            "Rust",
            "::",
            "`--",
        ] {
            assert!(!text.contains(needle), "{name} names {needle}");
        }
        let rs = text
            .match_indices(".rs")
            .any(|(i, _)| !text[i + 3..].starts_with(|c: char| c.is_alphanumeric() || c == '_'));
        assert!(!rs, "{name} names a .rs file");
    }
    for heading in [
        "Beyond the sheet",
        "Exercise 1 checked by numbers",
        "Provenance",
        "SHA-256 |",
    ] {
        assert!(!r.md.contains(heading), "{heading} in the submission");
    }
    assert!(r.md.contains("[beyond.html](beyond.html)") && r.html.contains("href=\"beyond.html\""));
    assert!(r.beyond_html.contains("href=\"index.html\""));
    assert!(r.beyond_md.contains("### Provenance") && r.beyond_md.contains("### Exercise 1 checked by numbers"));
    // The ReLU's kink is discussed where it matters, in 2a.
    let ex1 = &r.md[r.md.find("## Exercise 1").unwrap()..r.md.find("## Exercise 2").unwrap()];
    assert!(!ex1.contains("kink") && !ex1.contains("course's start"));
    assert!(r.md[r.md.find("### 2a").unwrap()..].contains("at $v = 0$ it has no derivative"));
}

//! `NumpyRng` draws exactly what NumPy's legacy global generator draws after
//! `np.random.seed(seed)`: raw MT19937 words, uniforms, normals (with the
//! cached second Gaussian), `randint` for every bound, and the start of a
//! training run. The expected values are fixtures that
//! `tools/numpy_reference.py` wrote with NumPy; floats are compared by their
//! bit patterns, so no test here needs Python or tolerates any difference.

use std::path::PathBuf;

use mlp::numpy_rng::NumpyRng;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/numpy_rng")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn draws() -> Value {
    fixture("draws.json")
}

fn seeds(doc: &Value) -> &[Value] {
    doc["seeds"].as_array().expect("seeds")
}

fn seed_of(entry: &Value) -> u32 {
    u32::try_from(entry["seed"].as_u64().expect("seed")).expect("seed fits in u32")
}

fn uint(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not an unsigned integer: {v}"))
}

fn size(v: &Value) -> usize {
    usize::try_from(uint(v)).expect("fits in usize")
}

fn uints(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(uint)
        .collect()
}

/// The bit patterns of a `{shape, values, bits}` float array, checked
/// against the human-readable `values` (which a JSON parser need not round
/// exactly, hence the tolerance there; the comparisons use the bits).
fn float_bits(v: &Value) -> Vec<u64> {
    let bits: Vec<u64> = v["bits"]
        .as_array()
        .expect("bits")
        .iter()
        .map(|b| {
            let s = b.as_str().expect("bit pattern string");
            u64::from_str_radix(s.strip_prefix("0x").expect("0x prefix"), 16).expect("hex bit pattern")
        })
        .collect();
    let values = v["values"].as_array().expect("values");
    assert_eq!(bits.len(), values.len());
    for (b, x) in bits.iter().zip(values) {
        let (from_bits, parsed) = (f64::from_bits(*b), x.as_f64().expect("float value"));
        assert!(
            (from_bits - parsed).abs() <= 1e-15 * from_bits.abs(),
            "fixture inconsistent: {parsed} vs bits {b:#018x}"
        );
    }
    let len: u64 = v["shape"].as_array().expect("shape").iter().map(uint).product();
    assert_eq!(u64::try_from(bits.len()).unwrap(), len, "shape and length disagree");
    bits
}

/// Bit-for-bit equality, reporting the first differing element.
fn assert_bits(what: &str, expected: &[u64], got: &[f64]) {
    assert_eq!(expected.len(), got.len(), "{what}: length");
    for (i, (e, g)) in expected.iter().zip(got).enumerate() {
        assert_eq!(
            *e,
            g.to_bits(),
            "{what}[{i}]: NumPy {:e} ({e:#018x}), NumpyRng {g:e} ({:#018x})",
            f64::from_bits(*e),
            g.to_bits()
        );
    }
}

fn assert_ints(what: &str, expected: &[u64], got: &[usize]) {
    let got: Vec<u64> = got.iter().map(|&x| u64::try_from(x).unwrap()).collect();
    assert_eq!(expected.len(), got.len(), "{what}: length");
    if let Some(i) = expected.iter().zip(&got).position(|(e, g)| e != g) {
        panic!("{what}[{i}]: NumPy {}, NumpyRng {}", expected[i], got[i]);
    }
}

fn normals(rng: &mut NumpyRng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.normal(0.0, 1.0)).collect()
}

fn randints(rng: &mut NumpyRng, bound: u64, n: usize) -> Vec<usize> {
    let bound = usize::try_from(bound).expect("bound fits in usize");
    (0..n).map(|_| rng.randint(bound)).collect()
}

#[test]
fn the_fixtures_cover_the_required_seeds_and_name_their_numpy() {
    let doc = draws();
    assert!(doc["numpy_version"].as_str().is_some_and(|v| !v.is_empty()));
    let have: Vec<u32> = seeds(&doc).iter().map(seed_of).collect();
    for seed in [0, 1, 42, 12345, u32::MAX] {
        assert!(have.contains(&seed), "no fixture for seed {seed}");
    }
}

#[test]
fn raw_words_are_mt19937_seeded_by_init_genrand() {
    for entry in seeds(&draws()) {
        let seed = seed_of(entry);
        for window in entry["raw_u32"].as_array().unwrap() {
            let start = uint(&window["start"]);
            let expected = uints(&window["values"]);
            let mut rng = NumpyRng::new(seed);
            for _ in 0..start {
                rng.next_u32();
            }
            let got: Vec<u64> = expected.iter().map(|_| u64::from(rng.next_u32())).collect();
            assert_eq!(got, expected, "seed {seed}, raw words from {start}");
        }
    }
}

#[test]
fn uniforms_are_random_sample() {
    for entry in seeds(&draws()) {
        let seed = seed_of(entry);
        let expected = float_bits(&entry["uniform"]);
        let mut rng = NumpyRng::new(seed);
        let got: Vec<f64> = expected.iter().map(|_| rng.standard_uniform()).collect();
        assert_bits(&format!("seed {seed}, random_sample"), &expected, &got);
    }
}

#[test]
fn normals_are_legacy_gauss_pairs() {
    for entry in seeds(&draws()) {
        let seed = seed_of(entry);
        let expected = float_bits(&entry["normal"]);
        let got = normals(&mut NumpyRng::new(seed), expected.len());
        assert_bits(&format!("seed {seed}, normal(0, 1, 64)"), &expected, &got);
    }
}

#[test]
fn randint_matches_for_every_bound() {
    for entry in seeds(&draws()) {
        let seed = seed_of(entry);
        let cases = entry["randint"].as_array().unwrap();
        assert!(cases.len() >= 6, "seed {seed}: too few randint bounds");
        for case in cases {
            let bound = uint(&case["N"]);
            let expected = uints(&case["values"]);
            let got = randints(&mut NumpyRng::new(seed), bound, expected.len());
            assert_ints(&format!("seed {seed}, randint(0, {bound})"), &expected, &got);
        }
    }
}

#[test]
fn the_cached_gaussian_survives_other_draws() {
    for entry in seeds(&draws()) {
        let seed = seed_of(entry);
        let mut rng = NumpyRng::new(seed);
        for (k, step) in entry["interleaved"].as_array().unwrap().iter().enumerate() {
            let n = size(&step["n"]);
            let what = format!("seed {seed}, step {k} ({})", step["op"]);
            match step["op"].as_str().unwrap() {
                "normal" => assert_bits(&what, &float_bits(&step["result"]), &normals(&mut rng, n)),
                "uniform" => {
                    let got: Vec<f64> = (0..n).map(|_| rng.standard_uniform()).collect();
                    assert_bits(&what, &float_bits(&step["result"]), &got);
                }
                "randint" => {
                    let got = randints(&mut rng, uint(&step["bound"]), n);
                    assert_ints(&what, &uints(&step["result"]), &got);
                }
                op => panic!("unknown op {op}"),
            }
        }
    }
}

/// A run's start: V (K x n_in), W (n_out x K), b (K) as `normal(0, 1, shape)`
/// in that order, then 100 sample indices. With an odd number of normals the
/// last pair's second value stays cached and unused: the indices come from
/// the words after the pair.
#[test]
fn a_runs_start_and_sample_order_match() {
    for entry in seeds(&draws()) {
        let seed = seed_of(entry);
        for case in entry["mixed"].as_array().unwrap() {
            let (k, n_in, n_out) = (size(&case["K"]), size(&case["n_in"]), size(&case["n_out"]));
            let what = format!("seed {seed}, K={k}, {n_in} -> {n_out}");
            let mut rng = NumpyRng::new(seed);
            assert_bits(
                &format!("{what}: V"),
                &float_bits(&case["V"]),
                &normals(&mut rng, k * n_in),
            );
            assert_bits(
                &format!("{what}: W"),
                &float_bits(&case["W"]),
                &normals(&mut rng, n_out * k),
            );
            assert_bits(&format!("{what}: b"), &float_bits(&case["b"]), &normals(&mut rng, k));
            let expected = uints(&case["T"]);
            let got = randints(&mut rng, uint(&case["N"]), expected.len());
            assert_ints(&format!("{what}: sample indices"), &expected, &got);
        }
    }
}

/// training.json's starts and first sample indices are NumPy draws too:
/// `NumpyRng` reproduces them, so a `--rng numpy` run starts where the
/// reference loop started (its final weights are for the trainer's tests).
#[test]
fn the_reference_training_runs_start_from_these_draws() {
    let doc = fixture("training.json");
    let runs = doc["runs"].as_array().expect("runs");
    assert!(!runs.is_empty());
    for run in runs {
        let seed = u32::try_from(uint(&run["seed"])).unwrap();
        let (k, n_in, n_out) = (size(&run["K"]), size(&run["n_in"]), size(&run["n_out"]));
        let what = format!("{} seed {seed} K={k}", run["part"]);
        let mut rng = NumpyRng::new(seed);
        if run["start"] != "fixed" {
            let start = &run["initial"];
            assert_bits(
                &format!("{what}: V"),
                &float_bits(&start["V"]),
                &normals(&mut rng, k * n_in),
            );
            assert_bits(
                &format!("{what}: W"),
                &float_bits(&start["W"]),
                &normals(&mut rng, n_out * k),
            );
            assert_bits(&format!("{what}: b"), &float_bits(&start["b"]), &normals(&mut rng, k));
        }
        let expected = uints(&run["first_indices"]);
        let got = randints(&mut rng, uint(&run["N"]), expected.len());
        assert_ints(&format!("{what}: first sample indices"), &expected, &got);
        // The remaining indices of the 20,000 iterations, by their sum.
        let rest = size(&run["iterations"]) - expected.len();
        let sum: u64 = got
            .iter()
            .chain(&randints(&mut rng, uint(&run["N"]), rest))
            .map(|&i| u64::try_from(i).unwrap())
            .sum();
        assert_eq!(sum, uint(&run["index_sum"]), "{what}: sum of all sample indices");
    }
}

//! The loader reads every file NumPy wrote in `fixtures/numpy` (copied from
//! the shared fixtures) and refuses the bad ones with a clear error.

use numpy_data::Samples;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/numpy")
        .join(name)
}

fn load(name: &str, npy_targets: usize) -> Result<Samples, String> {
    Samples::load(&fixture(name), npy_targets).map_err(|e| e.to_string())
}

const XOR_IN: [f64; 8] = [0., 0., 0., 1., 1., 0., 1., 1.];
const XOR_OUT: [f64; 4] = [0., 1., 1., 0.];

#[test]
fn reads_the_float64_xor_table() {
    let d = load("xor_f64.npz", 1).unwrap();
    assert_eq!((d.len(), d.n_in, d.n_out), (4, 2, 1));
    assert_eq!(&d.inputs[..], XOR_IN);
    assert_eq!(&d.targets[..], XOR_OUT);
}

#[test]
fn reads_compressed_float32_exactly() {
    let d = load("xor_f32_compressed.npz", 1).unwrap();
    assert_eq!(&d.inputs[..], XOR_IN);
    assert_eq!(&d.targets[..], XOR_OUT);
}

#[test]
fn reads_integer_x_y_with_one_dimensional_targets() {
    let d = load("xor_i64_XY.npz", 1).unwrap();
    assert_eq!((d.len(), d.n_in, d.n_out), (4, 2, 1));
    assert_eq!(&d.inputs[..], XOR_IN);
    assert_eq!(&d.targets[..], XOR_OUT);
}

fn zero_to_eleven_split(d: &Samples, targets: usize) {
    let all: Vec<f64> = (0..12).map(f64::from).collect();
    let inputs: Vec<f64> = all.chunks(4).flat_map(|r| r[..4 - targets].to_vec()).collect();
    let outs: Vec<f64> = all.chunks(4).flat_map(|r| r[4 - targets..].to_vec()).collect();
    assert_eq!(&d.inputs[..], &inputs[..]);
    assert_eq!(&d.targets[..], &outs[..]);
}

#[test]
fn fortran_order_reads_as_the_same_logical_matrix() {
    let d = load("matrix_f64_fortran.npy", 1).unwrap();
    assert_eq!((d.len(), d.n_in, d.n_out), (3, 3, 1));
    zero_to_eleven_split(&d, 1);
}

#[test]
fn reads_float32_and_big_endian_int32_matrices() {
    zero_to_eleven_split(&load("matrix_f32.npy", 2).unwrap(), 2);
    zero_to_eleven_split(&load("matrix_i32_bigendian.npy", 1).unwrap(), 1);
}

#[test]
fn a_vector_is_one_column() {
    // One column cannot hold inputs and a target ...
    let e = load("vector_f64.npy", 1).unwrap_err();
    assert!(e.contains("vector_f64.npy") && e.contains("found 1 column(s)"), "{e}");
}

fn assert_refused(name: &str, needles: &[&str]) {
    let e = load(name, 1).unwrap_err();
    assert!(e.contains(name), "the error should name the file: {e}");
    for n in needles {
        assert!(e.contains(n), "expected '{n}' in: {e}");
    }
    assert!(!e.contains('\n'), "one line: {e}");
}

#[test]
fn refuses_pickled_object_arrays() {
    assert_refused("object_array.npy", &["object (pickled)", "numeric dtype"]);
}

#[test]
fn names_the_missing_key_and_the_keys_present() {
    assert_refused("xor_missing_out.npz", &["'out'", "keys 'inp'"]);
}

#[test]
fn refuses_nan_and_says_where() {
    assert_refused("xor_nan.npz", &["array 'inp'", "NaN", "row", "finite"]);
}

#[test]
fn refuses_complex_numbers_by_dtype_name() {
    assert_refused("complex128.npy", &["complex128", "unsupported dtype"]);
}

#[test]
fn refuses_a_truncated_archive() {
    assert_refused("truncated.npz", &["damaged"]);
}

#[test]
fn refuses_missing_empty_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = Samples::load(&dir.path().join("nope.npz"), 1).unwrap_err().to_string();
    assert!(e.contains("nope.npz") && e.contains("cannot read"), "{e}");
    let empty = dir.path().join("empty.npy");
    std::fs::write(&empty, b"").unwrap();
    let e = Samples::load(&empty, 1).unwrap_err().to_string();
    assert!(e.contains("empty.npy") && e.contains("empty"), "{e}");
    let text = dir.path().join("data.csv");
    std::fs::write(&text, b"1,2,3\n").unwrap();
    let e = Samples::load(&text, 1).unwrap_err().to_string();
    assert!(e.contains("data.csv") && e.contains("not a NumPy file"), "{e}");
}

#[test]
fn refuses_a_header_that_promises_more_than_the_file_holds() {
    // A valid header claiming 10^12 float64 values, followed by 16 bytes.
    let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }";
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    let pad = 64 - (10 + header.len() + 1) % 64;
    let text = format!("{header}{}\n", " ".repeat(pad));
    bytes.extend_from_slice(&(text.len() as u16).to_le_bytes());
    bytes.extend_from_slice(text.as_bytes());
    bytes.extend_from_slice(&[0u8; 16]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.npy");
    std::fs::write(&path, &bytes).unwrap();
    let e = Samples::load(&path, 1).unwrap_err().to_string();
    assert!(e.contains("huge.npy") && e.contains("larger than"), "{e}");
    // ... and a small lie is named as truncation.
    let small = text.replace("(1000000, 1000000)", "(3, 2)");
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(small.len() as u16).to_le_bytes());
    bytes.extend_from_slice(small.as_bytes());
    bytes.extend_from_slice(&[0u8; 16]);
    std::fs::write(&path, &bytes).unwrap();
    let e = Samples::load(&path, 1).unwrap_err().to_string();
    assert!(e.contains("promises 48 bytes") && e.contains("holds 16"), "{e}");
}

#[test]
fn refuses_inputs_and_targets_of_different_lengths() {
    use ndarray::{Array1, Array2};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mismatch.npz");
    let mut npz = ndarray_npy::NpzWriter::new(std::fs::File::create(&path).unwrap());
    npz.add_array("inp", &Array2::<f64>::zeros((4, 2))).unwrap();
    npz.add_array("out", &Array1::<f64>::zeros(3)).unwrap();
    npz.finish().unwrap();
    let e = Samples::load(&path, 1).unwrap_err().to_string();
    assert!(
        e.contains("mismatch.npz") && e.contains("4 rows") && e.contains("3"),
        "{e}"
    );
}

#[test]
fn checks_the_columns_an_exercise_needs() {
    let path = fixture("xor_f64.npz");
    let d = Samples::load(&path, 1).unwrap();
    assert!(d.expect_columns(&path, 2, 1).is_ok());
    let e = d.expect_columns(&path, 25, 2).unwrap_err().to_string();
    assert!(
        e.contains("expected 25 input column(s) for this exercise, found 2"),
        "{e}"
    );
}

/// An `.npy` image with `header` (a dict literal) and `data` after it.
fn npy_with(header: &str, data: &[u8]) -> Vec<u8> {
    let pad = 64 - (10 + header.len() + 1) % 64;
    let text = format!("{header}{}\n", " ".repeat(pad % 64));
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(text.len() as u16).to_le_bytes());
    bytes.extend_from_slice(text.as_bytes());
    bytes.extend_from_slice(data);
    bytes
}

#[test]
fn a_file_longer_than_its_header_says_is_called_too_long_and_a_missing_shape_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.npy");
    let data: Vec<u8> = [0.5f64; 6 + 13].iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(
        &path,
        npy_with("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", &data),
    )
    .unwrap();
    let e = Samples::load(&path, 1).unwrap_err().to_string();
    assert!(
        e.contains("long.npy") && e.contains("104 bytes more") && !e.contains("truncated"),
        "{e}"
    );
    let path = dir.path().join("noshape.npy");
    std::fs::write(
        &path,
        npy_with("{'descr': '<f8', 'fortran_order': False, }", &data[..48]),
    )
    .unwrap();
    let e = Samples::load(&path, 1).unwrap_err().to_string();
    assert!(e.contains("no 'shape' entry") && !e.contains("shaper"), "{e}");
}

#[test]
fn an_npz_with_both_pairs_of_keys_is_refused_as_ambiguous() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("both.npz");
    let arr = |rows: usize, cols: usize| {
        let data: Vec<u8> = vec![0.5f64; rows * cols].iter().flat_map(|v| v.to_le_bytes()).collect();
        npy_with(
            &format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}"),
            &data,
        )
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, rows, cols) in [("inp", 4, 2), ("out", 4, 1), ("X", 4, 2), ("Y", 4, 1)] {
        zip.start_file(format!("{name}.npy"), options).unwrap();
        zip.write_all(&arr(rows, cols)).unwrap();
    }
    std::fs::write(&path, zip.finish().unwrap().into_inner()).unwrap();
    let e = Samples::load(&path, 1).unwrap_err().to_string();
    assert!(
        e.contains("both.npz") && e.contains("'inp'/'out'") && e.contains("'X'/'Y'"),
        "{e}"
    );
}

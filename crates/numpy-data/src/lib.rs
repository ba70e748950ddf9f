//! Reads data sets from the NumPy `.npy` and `.npz` files that users of
//! the course hand us (docs/DESIGN.md section 3). Knows nothing of networks:
//! it hands out [`Samples`], row-major inputs and targets, which the
//! exercise harness turns into the core crate's data set.
//!
//! Accepted: `.npz` with input/target keys `inp`/`out` or `X`/`Y`, and `.npy`
//! as one 2-D array whose last `n_out` columns are the targets; any float or
//! integer dtype, either byte order, C or Fortran order; a 1-D array is one
//! column. Refused, with an error naming the file, the key and what was
//! expected: object (pickled) arrays, NaN or infinite values, mismatched or
//! wrong shapes, unsupported dtypes, damaged files.
//!
//! Every array is checked against its header before any data is read, so a
//! header that claims far more data than the file holds is refused without
//! allocating for it.

use ndarray::ArrayD;
use ndarray_npy::ReadNpyExt;
use ndarray_npy::npy::header::Header;
use py_literal::Value as PyValue;
use std::fmt;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

/// The largest array (in bytes of data) the loader reads.
pub const MAX_ARRAY_BYTES: u64 = 256 << 20;

/// Samples with their inputs and targets, row-major, as a file held them.
#[derive(Clone, Debug, PartialEq)]
pub struct Samples {
    /// The inputs, `len() x n_in`, row-major.
    pub inputs: Vec<f64>,
    /// The targets, `len() x n_out`, row-major.
    pub targets: Vec<f64>,
    /// Input columns (at least 1).
    pub n_in: usize,
    /// Target columns (at least 1).
    pub n_out: usize,
}

/// Why a data set could not be made or loaded. Every message names the file
/// (and the array's key inside an `.npz`) and says what was expected.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {kind}", key.as_ref().map(|k| format!(" (array '{k}')")).unwrap_or_default())]
pub struct DataError {
    /// The file.
    pub path: DisplayPath,
    /// The array inside an `.npz`, if the error is about one.
    pub key: Option<String>,
    /// What went wrong.
    pub kind: DataErrorKind,
}

/// A path as it appears in messages.
#[derive(Debug, Clone)]
pub struct DisplayPath(pub PathBuf);

impl fmt::Display for DisplayPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.display())
    }
}

/// The kinds of [`DataError`].
#[derive(Debug, thiserror::Error)]
pub enum DataErrorKind {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is empty; expected a NumPy .npy or .npz file")]
    Empty,
    #[error("not a NumPy file: expected a .npy (starts with \\x93NUMPY) or an .npz (a zip archive)")]
    NotNumpy,
    #[error("damaged or unreadable .npz archive ({0})")]
    Zip(String),
    #[error("damaged .npy header ({0})")]
    Header(String),
    #[error("damaged array data ({0})")]
    Data(String),
    #[error(
        "holds a Python object (pickled) array, which is never loaded; save the data with a numeric dtype such as float64"
    )]
    Object,
    #[error("unsupported dtype {0}; expected a real float (float32, float64) or integer dtype")]
    Dtype(String),
    #[error(
        "the header promises {claimed} bytes of data but the file holds {actual}; the file is truncated or damaged"
    )]
    Size { claimed: String, actual: u64 },
    #[error(
        "the file holds {extra} bytes more than the {claimed} of data its header promises; it is damaged, or its \
         header describes another array"
    )]
    TooLong { claimed: u64, extra: u64 },
    #[error("the file holds both 'inp'/'out' and 'X'/'Y'; expected one pair of input and target arrays, not two")]
    AmbiguousKeys,
    #[error("the array is larger than the {} MiB this tool reads", MAX_ARRAY_BYTES >> 20)]
    TooLarge,
    #[error("expected a 1-D or 2-D array, found shape {0:?}")]
    Ndim(Vec<usize>),
    #[error("no input and target arrays: expected keys 'inp' and 'out' (or 'X' and 'Y'); the file has {0}")]
    MissingKey(String),
    #[error("value {value} at row {row}, column {column}; every value must be finite")]
    NonFinite { value: f64, row: usize, column: usize },
    #[error("the inputs have {inputs} rows but the targets have {targets}; expected one target row per input row")]
    Rows { inputs: usize, targets: usize },
    #[error("holds no samples")]
    NoSamples,
    #[error(
        "a .npy data set is one 2-D array of input columns followed by {n_out} target column(s); found {columns} column(s)"
    )]
    NpyColumns { n_out: usize, columns: usize },
    #[error("expected {expected} {what} column(s) for this exercise, found {found}")]
    Columns {
        what: &'static str,
        expected: usize,
        found: usize,
    },
}

impl Samples {
    fn new(inputs: Vec<f64>, targets: Vec<f64>, n_in: usize, n_out: usize) -> Self {
        let rows = inputs.len() / n_in.max(1);
        assert!(
            n_in > 0 && n_out > 0 && inputs.len() == rows * n_in && targets.len() == rows * n_out,
            "the loader checks the shapes before it makes samples"
        );
        Samples {
            inputs,
            targets,
            n_in,
            n_out,
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.inputs.len() / self.n_in
    }

    /// Whether there are no samples (never, for a loaded file).
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Loads a data set from a `.npy` or `.npz` file. For `.npy`, the last
    /// `npy_targets` columns are the targets.
    pub fn load(path: &Path, npy_targets: usize) -> Result<Self, DataError> {
        let bytes = read_file(path).map_err(|kind| DataError {
            path: DisplayPath(path.to_path_buf()),
            key: None,
            kind,
        })?;
        Self::from_bytes(&bytes, path, npy_targets)
    }

    /// Parses the bytes of a `.npy` or `.npz` file; `path` only names it in
    /// errors. Never panics and never allocates more than the bytes justify,
    /// whatever they hold.
    pub fn from_bytes(bytes: &[u8], path: &Path, npy_targets: usize) -> Result<Self, DataError> {
        let err = |key: Option<&str>, kind: DataErrorKind| DataError {
            path: DisplayPath(path.to_path_buf()),
            key: key.map(str::to_owned),
            kind,
        };
        if bytes.is_empty() {
            return Err(err(None, DataErrorKind::Empty));
        }
        if bytes.starts_with(b"\x93NUMPY") {
            let (shape, values) = parse_npy(bytes).map_err(|k| err(None, k))?;
            let (rows, cols) = as_matrix(&shape);
            if cols <= npy_targets {
                return Err(err(
                    None,
                    DataErrorKind::NpyColumns {
                        n_out: npy_targets,
                        columns: cols,
                    },
                ));
            }
            check_finite(&values, cols).map_err(|k| err(None, k))?;
            let n_in = cols - npy_targets;
            let mut inputs = Vec::with_capacity(rows * n_in);
            let mut targets = Vec::with_capacity(rows * npy_targets);
            for row in values.chunks_exact(cols) {
                inputs.extend_from_slice(&row[..n_in]);
                targets.extend_from_slice(&row[n_in..]);
            }
            let data = Samples::new(inputs, targets, n_in, npy_targets);
            if data.is_empty() {
                return Err(err(None, DataErrorKind::NoSamples));
            }
            Ok(data)
        } else if bytes.starts_with(b"PK") {
            load_npz(bytes, &err)
        } else {
            Err(err(None, DataErrorKind::NotNumpy))
        }
    }

    /// Checks that the data set has `n_in` input and `n_out` target columns.
    pub fn expect_columns(&self, path: &Path, n_in: usize, n_out: usize) -> Result<(), DataError> {
        let check = |what, expected, found| {
            if expected == found {
                Ok(())
            } else {
                Err(DataError {
                    path: DisplayPath(path.to_path_buf()),
                    key: None,
                    kind: DataErrorKind::Columns { what, expected, found },
                })
            }
        };
        check("input", n_in, self.n_in)?;
        check("target", n_out, self.n_out)
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, DataErrorKind> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if file.metadata()?.is_dir() {
        return Err(std::io::Error::other("it is a directory").into());
    }
    if len > MAX_ARRAY_BYTES + (1 << 20) {
        return Err(DataErrorKind::TooLarge);
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_ARRAY_BYTES + (1 << 20)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `(rows, columns)` of a 1-D (one column) or 2-D array.
fn as_matrix(shape: &[usize]) -> (usize, usize) {
    match *shape {
        [n] => (n, 1),
        [r, c] => (r, c),
        _ => unreachable!("parse_npy only returns 1-D or 2-D arrays"),
    }
}

fn check_finite(values: &[f64], cols: usize) -> Result<(), DataErrorKind> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(DataErrorKind::NonFinite {
            value: values[i],
            row: i / cols,
            column: i % cols,
        }),
    }
}

/// The zip crate reserves room for as many entries as an archive's
/// end-of-central-directory record claims before it reads them, so a damaged
/// record can make a few hundred bytes ask for megabytes. Every central
/// directory entry takes at least 46 bytes before the record, so a record
/// claiming more entries than fit is refused here, looking at the records
/// in the order the zip crate tries them (from the end) until one is
/// plausible. Zip64 counts (0xFFFF) are left to the zip crate.
fn check_entry_count(bytes: &[u8]) -> Result<(), String> {
    const SIGNATURE: [u8; 4] = *b"PK\x05\x06";
    const RECORD: usize = 22;
    const ENTRY: usize = 46;
    let earliest = bytes.len().saturating_sub(RECORD + usize::from(u16::MAX));
    for pos in (earliest..bytes.len().saturating_sub(RECORD - 1)).rev() {
        if bytes[pos..pos + 4] != SIGNATURE {
            continue;
        }
        let count = |at: usize| usize::from(u16::from_le_bytes([bytes[pos + at], bytes[pos + at + 1]]));
        let (on_disk, total) = (count(8), count(10));
        if on_disk == usize::from(u16::MAX) || total == usize::from(u16::MAX) {
            return Ok(());
        }
        let claimed = on_disk.max(total);
        if claimed * ENTRY <= pos {
            return Ok(());
        }
        return Err(format!(
            "damaged archive: its directory claims {claimed} entries, more than its {} bytes can hold",
            bytes.len()
        ));
    }
    Ok(())
}

fn load_npz(bytes: &[u8], err: &dyn Fn(Option<&str>, DataErrorKind) -> DataError) -> Result<Samples, DataError> {
    check_entry_count(bytes).map_err(|e| err(None, DataErrorKind::Zip(e)))?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| err(None, DataErrorKind::Zip(e.to_string())))?;
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    let has = |k: &str| names.iter().any(|n| n == &format!("{k}.npy"));
    if has("inp") && has("out") && has("X") && has("Y") {
        return Err(err(None, DataErrorKind::AmbiguousKeys));
    }
    let (ki, ko) = if has("inp") && has("out") {
        ("inp", "out")
    } else if has("X") && has("Y") {
        ("X", "Y")
    } else {
        let mut keys: Vec<&str> = names.iter().map(|n| n.strip_suffix(".npy").unwrap_or(n)).collect();
        keys.sort_unstable();
        let listed = if keys.is_empty() {
            "no arrays".to_owned()
        } else {
            format!(
                "keys {}",
                keys.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ")
            )
        };
        return Err(err(None, DataErrorKind::MissingKey(listed)));
    };
    let mut read = |key: &str| -> Result<(usize, usize, Vec<f64>), DataError> {
        let e = |k| err(Some(key), k);
        let entry = zip
            .by_name(&format!("{key}.npy"))
            .map_err(|z| e(DataErrorKind::Zip(z.to_string())))?;
        if entry.size() > MAX_ARRAY_BYTES + (1 << 20) {
            return Err(e(DataErrorKind::TooLarge));
        }
        // no capacity from the declared size: a damaged archive may lie
        let mut member = Vec::new();
        entry
            .take(MAX_ARRAY_BYTES + (1 << 20))
            .read_to_end(&mut member)
            .map_err(|z| e(DataErrorKind::Zip(z.to_string())))?;
        let (shape, values) = parse_npy(&member).map_err(e)?;
        let (rows, cols) = as_matrix(&shape);
        check_finite(&values, cols).map_err(e)?;
        Ok((rows, cols, values))
    };
    let (rows_in, cols_in, inputs) = read(ki)?;
    let (rows_out, cols_out, targets) = read(ko)?;
    if rows_in != rows_out {
        return Err(err(
            None,
            DataErrorKind::Rows {
                inputs: rows_in,
                targets: rows_out,
            },
        ));
    }
    if rows_in == 0 || cols_in == 0 || cols_out == 0 {
        return Err(err(None, DataErrorKind::NoSamples));
    }
    Ok(Samples::new(inputs, targets, cols_in, cols_out))
}

/// The element types we read, by NumPy's dtype character and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Elem {
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    Bool,
}

/// A header the `.npy` reader refused, said in this loader's words (the
/// reader names a missing `shape` as `shaper`).
fn header_error(e: ndarray_npy::npy::header::ReadHeaderError) -> DataErrorKind {
    use ndarray_npy::npy::header::{ParseHeaderError, ReadHeaderError};
    match e {
        ReadHeaderError::Parse(ParseHeaderError::MissingKey(key)) => {
            let key = if key == "shaper" { "shape".to_owned() } else { key };
            DataErrorKind::Header(format!("the header has no '{key}' entry"))
        }
        other => DataErrorKind::Header(other.to_string()),
    }
}

/// Parses one `.npy` image into its shape (1-D or 2-D) and its values in
/// logical row-major order, as `f64`.
pub(crate) fn parse_npy(bytes: &[u8]) -> Result<(Vec<usize>, Vec<f64>), DataErrorKind> {
    check_preamble(bytes)?;
    let mut cursor = Cursor::new(bytes);
    let header = Header::from_reader(&mut cursor).map_err(header_error)?;
    let descr = match &header.type_descriptor {
        PyValue::String(s) => s.clone(),
        other => {
            return Err(DataErrorKind::Dtype(format!("{other} (a structured dtype)")));
        }
    };
    let (elem, size) = element_type(&descr)?;
    if header.shape.len() != 1 && header.shape.len() != 2 {
        return Err(DataErrorKind::Ndim(header.shape.clone()));
    }
    let available = (bytes.len() as u64).saturating_sub(cursor.position());
    let claimed = header
        .shape
        .iter()
        .try_fold(size as u64, |acc, &d| acc.checked_mul(d as u64));
    match claimed {
        Some(c) if c == available => {}
        Some(c) if c > MAX_ARRAY_BYTES => return Err(DataErrorKind::TooLarge),
        Some(c) if c < available => {
            return Err(DataErrorKind::TooLong {
                claimed: c,
                extra: available - c,
            });
        }
        Some(c) => {
            return Err(DataErrorKind::Size {
                claimed: c.to_string(),
                actual: available,
            });
        }
        None => {
            return Err(DataErrorKind::Size {
                claimed: "more than 2^64".to_owned(),
                actual: available,
            });
        }
    }
    let shape = header.shape.clone();
    // Fortran order is handled by read_npy: the values come out in logical
    // (row-major) order either way.
    let data = Cursor::new(bytes);
    fn conv<T: ndarray_npy::ReadableElement + Copy>(
        data: Cursor<&[u8]>,
        f: impl Fn(T) -> f64,
    ) -> Result<Vec<f64>, DataErrorKind> {
        let a = ArrayD::<T>::read_npy(data).map_err(|e| DataErrorKind::Data(e.to_string()))?;
        Ok(a.iter().map(|&v| f(v)).collect())
    }
    let values = match elem {
        Elem::F64 => conv::<f64>(data, |v| v)?,
        Elem::F32 => conv::<f32>(data, f64::from)?,
        Elem::I8 => conv::<i8>(data, f64::from)?,
        Elem::I16 => conv::<i16>(data, f64::from)?,
        Elem::I32 => conv::<i32>(data, f64::from)?,
        Elem::I64 => conv::<i64>(data, |v| v as f64)?,
        Elem::U8 => conv::<u8>(data, f64::from)?,
        Elem::U16 => conv::<u16>(data, f64::from)?,
        Elem::U32 => conv::<u32>(data, f64::from)?,
        Elem::U64 => conv::<u64>(data, |v| v as f64)?,
        Elem::Bool => conv::<bool>(data, |v| if v { 1.0 } else { 0.0 })?,
    };
    Ok((shape, values))
}

/// NumPy's own limit on the length of a `.npy` header (`np.load`'s
/// `max_header_size`).
const MAX_HEADER: usize = 10_000;

/// Checks the fixed part of a `.npy` file before anything is parsed: the
/// version, a header length within NumPy's limit and within the file, and a
/// header that does not nest deeper than any real one, so that a hostile
/// header can neither make the parser allocate for it nor recurse deeply.
fn check_preamble(bytes: &[u8]) -> Result<(), DataErrorKind> {
    let bad = |what: String| Err(DataErrorKind::Header(what));
    if bytes.len() < 10 {
        return bad("the file ends inside the .npy preamble".into());
    }
    let (start, len) = match bytes[6] {
        1 => (10, u16::from_le_bytes([bytes[8], bytes[9]]) as usize),
        2 | 3 if bytes.len() >= 12 => (
            12,
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
        ),
        2 | 3 => return bad("the file ends inside the .npy preamble".into()),
        v => return bad(format!("unknown .npy format version {v}; expected 1, 2 or 3")),
    };
    if len > MAX_HEADER {
        return bad(format!(
            "a header of {len} bytes, longer than NumPy's limit of {MAX_HEADER}"
        ));
    }
    let Some(header) = bytes.get(start..start + len) else {
        return bad(format!("the file ends inside its {len}-byte header"));
    };
    let mut depth = 0i32;
    for &b in header {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ => {}
        }
        if depth > 8 {
            return bad("the header nests deeper than any array description".into());
        }
    }
    Ok(())
}

/// Maps a NumPy type descriptor such as `<f8` or `>i4` to an element type and
/// its size in bytes.
fn element_type(descr: &str) -> Result<(Elem, usize), DataErrorKind> {
    let body = descr.trim_start_matches(['<', '>', '|', '=']);
    let (kind, size) = body.split_at(body.len().min(1));
    if kind == "O" {
        return Err(DataErrorKind::Object);
    }
    let size: usize = size.parse().unwrap_or(0);
    let elem = match (kind, size) {
        ("f", 8) => Elem::F64,
        ("f", 4) => Elem::F32,
        ("i", 1) => Elem::I8,
        ("i", 2) => Elem::I16,
        ("i", 4) => Elem::I32,
        ("i", 8) => Elem::I64,
        ("u", 1) => Elem::U8,
        ("u", 2) => Elem::U16,
        ("u", 4) => Elem::U32,
        ("u", 8) => Elem::U64,
        ("b", 1) => Elem::Bool,
        _ => return Err(DataErrorKind::Dtype(dtype_name(descr))),
    };
    Ok((elem, size))
}

/// NumPy's name for a type descriptor, for messages (`<c16` -> `complex128 ('<c16')`).
fn dtype_name(descr: &str) -> String {
    let body = descr.trim_start_matches(['<', '>', '|', '=']);
    let (kind, size) = body.split_at(body.len().min(1));
    let bits = size.parse::<usize>().map(|s| s * 8).ok();
    let name = match (kind, bits) {
        ("c", Some(b)) => format!("complex{b}"),
        ("f", Some(b)) => format!("float{b}"),
        ("U", _) => "str (unicode)".to_owned(),
        ("S", _) => "bytes".to_owned(),
        ("V", _) => "void (raw bytes)".to_owned(),
        ("M", _) => "datetime64".to_owned(),
        ("m", _) => "timedelta64".to_owned(),
        _ => "unknown".to_owned(),
    };
    format!("{name} ('{descr}')")
}

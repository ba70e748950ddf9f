//! Property test: the loader on random and mutated NumPy files may refuse
//! them, but never panics and never asks for an allocation out of proportion
//! to the bytes it was given (a counting allocator records the largest single
//! request).

use numpy_data::Samples;
use proptest::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};

struct Largest;

thread_local! {
    // Per thread, so that tests running side by side do not mix their counts.
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Largest = Largest;

fn fixtures() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/numpy");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "npy" || e == "npz"))
        .collect();
    files.sort();
    files.into_iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// Loads `bytes`; returns the largest single allocation it asked for.
fn load(bytes: &[u8]) -> usize {
    LARGEST.with(|l| l.set(0));
    for targets in 1..=2 {
        let _ = Samples::from_bytes(bytes, Path::new("input.npy"), targets);
    }
    LARGEST.with(|l| l.get())
}

/// What a loader may reasonably allocate for an input: a generous multiple
/// of its size (float32 and smaller types widen to float64, a compressed
/// archive inflates) plus a fixed allowance, and never gigabytes.
fn allowance(len: usize) -> usize {
    64 * len + (1 << 20)
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Shape(u64, u64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<u64>(), any::<u64>()).prop_map(|(a, b)| Mutation::Shape(a, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    match m {
        Mutation::Flip(i, x) if !bytes.is_empty() => {
            let n = bytes.len();
            bytes[i % n] ^= x;
        }
        Mutation::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
        Mutation::Insert(i, v) => {
            let at = i % (bytes.len() + 1);
            bytes.splice(at..at, v.iter().copied());
        }
        Mutation::Shape(a, b) => {
            // rewrite the shape in a .npy header to something else
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if let (Some(start), Some(end)) = (text.find("'shape': ("), text.find("), }"))
                && start < end
                && bytes.len() == text.len()
            {
                let new = format!("'shape': ({}, {}", a % 1_000_000_000_000, b % 10);
                bytes.splice(start..end, new.bytes());
            }
        }
        _ => {}
    }
    bytes
}

#[test]
fn good_fixtures_still_load() {
    let ok = fixtures()
        .iter()
        .filter(|b| Samples::from_bytes(b, Path::new("x"), 1).is_ok())
        .count();
    assert!(ok >= 6, "only {ok} fixtures loaded");
}

#[test]
fn hostile_lengths_do_not_turn_into_allocations() {
    // a version-2 header that claims to be 4 GB long, in a 40-byte file
    let mut v2 = b"\x93NUMPY\x02\x00".to_vec();
    v2.extend_from_slice(&u32::MAX.to_le_bytes());
    v2.extend_from_slice(&[b' '; 28]);
    // a valid header that promises 10^12 doubles
    let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }";
    let mut big = b"\x93NUMPY\x01\x00".to_vec();
    big.extend_from_slice(&((header.len() + 1) as u16).to_le_bytes());
    big.extend_from_slice(header.as_bytes());
    big.push(b'\n');
    for bytes in [v2, big] {
        let largest = load(&bytes);
        assert!(
            largest <= allowance(bytes.len()),
            "asked for {largest} bytes for a {}-byte input",
            bytes.len()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(prefix in 0usize..3, tail in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut bytes = match prefix {
            0 => Vec::new(),
            1 => b"\x93NUMPY".to_vec(),
            _ => b"PK\x03\x04".to_vec(),
        };
        bytes.extend(tail);
        let largest = load(&bytes);
        prop_assert!(largest <= allowance(bytes.len()), "asked for {} bytes for a {}-byte input", largest, bytes.len());
    }

    #[test]
    fn mutated_numpy_files_never_panic(which in any::<usize>(), muts in prop::collection::vec(mutation(), 1..4)) {
        let all = fixtures();
        let mut bytes = all[which % all.len()].clone();
        for m in &muts {
            bytes = apply(bytes, m);
        }
        let largest = load(&bytes);
        prop_assert!(largest <= allowance(bytes.len()), "asked for {} bytes for a {}-byte input", largest, bytes.len());
    }
}

/// A case the random search found: two bytes inserted into a fixture.
#[test]
fn found_case_inserted_bytes() {
    let all = fixtures();
    let which = 13154017423339049386usize;
    let bytes = apply(
        all[which % all.len()].clone(),
        &Mutation::Insert(10510508841050869286, vec![20, 0]),
    );
    let largest = load(&bytes);
    assert!(
        largest <= allowance(bytes.len()),
        "asked for {largest} bytes for a {}-byte input (fixture {})",
        bytes.len(),
        which % all.len()
    );
}

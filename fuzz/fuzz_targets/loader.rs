//! The data loader on arbitrary bytes: it may refuse them, it may never
//! panic, abort or allocate without bound (libFuzzer's -malloc_limit_mb
//! turns a large allocation into a failure).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    for targets in 1..=2 {
        let _ = numpy_data::Samples::from_bytes(data, Path::new("fuzz-input"), targets);
    }
});

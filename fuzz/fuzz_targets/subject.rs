//! Subject input bytes → `parse_line`, `SubjectReader`, `CsvReader` → decisions under the
//! three shipped policies. The invariants are in `fuzz/invariants.rs`, shared with
//! `tests/fuzz_regressions.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../invariants.rs"]
mod invariants;

fuzz_target!(|data: &[u8]| invariants::subject(data));

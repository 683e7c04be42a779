//! Policy text → parser, checker, diagnostics, formatter, decisions. The invariants are in
//! `fuzz/invariants.rs`, shared with `tests/fuzz_regressions.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../invariants.rs"]
mod invariants;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        invariants::policy(text);
    }
});

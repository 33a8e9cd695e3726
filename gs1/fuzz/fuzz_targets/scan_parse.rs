//! Fuzzes the barcode parser: any bytes (read as lossy UTF-8) must parse or fail cleanly,
//! never panic, and a successful parse must turn into a JSON object with `"ok": true` (the
//! check itself is in `checks/scan_parse.rs`, which `cargo test -p runsheet-gs1` runs too).
//!
//! Run from `gs1/` with `cargo +nightly fuzz run scan_parse`.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/scan_parse.rs"]
mod scan_parse;

fuzz_target!(|data: &[u8]| scan_parse::check(data));

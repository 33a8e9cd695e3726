//! Fuzzes the barcode parser: any bytes (read as lossy UTF-8) must parse or fail cleanly,
//! never panic, and a successful parse must turn into a JSON object with `"ok": true`.
//!
//! Run from `core/` with `cargo +nightly fuzz run scan_parse`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use runsheet_core::scan::{self, Symbology};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for result in [
        scan::parse(&text),
        scan::parse_with_symbology(&text, Symbology::Gs1_128),
    ] {
        match result {
            Ok(code) => {
                let json = code.to_json(None);
                assert_eq!(json["ok"], true, "{json}");
                assert!(json["kind"].is_string(), "{json}");
                assert!(json.as_object().is_some_and(|o| o.values().all(|v| !v.is_null())));
            }
            Err(e) => {
                let json = scan::error_json(&e);
                assert_eq!(json["ok"], false);
                assert_eq!(json["code"], e.code());
            }
        }
    }
});

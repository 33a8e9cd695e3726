//! The check behind the `scan_parse` fuzz target, in a file of its own so that the target
//! (`fuzz_targets/scan_parse.rs`) and a plain test of the crate (`gs1/tests/fuzz_inputs.rs`)
//! run the same code: any bytes, read as lossy UTF-8, must parse or fail cleanly (never
//! panic), a successful parse must turn into a JSON object with `"ok": true`, a `kind` and no
//! nulls, and an error into `{"ok": false, "code": …}` with its stable code.

use runsheet_gs1::{error_json, parse, parse_with_symbology, Symbology};

/// Runs the check on `data`; panics (which the fuzzer reports) when a property fails.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for result in [
        parse(&text),
        parse_with_symbology(&text, Symbology::Gs1_128),
        parse_with_symbology(&text, Symbology::UpcE),
    ] {
        match result {
            Ok(code) => {
                let json = code.to_json(None);
                assert_eq!(json["ok"], true, "{json}");
                assert!(json["kind"].is_string(), "{json}");
                assert!(
                    json.as_object()
                        .is_some_and(|o| o.values().all(|v| !v.is_null())),
                    "{json}"
                );
                assert!(code.elements_json().is_object());
            }
            Err(e) => {
                let json = error_json(&e);
                assert_eq!(json["ok"], false);
                assert_eq!(json["code"], e.code());
                assert!(!e.to_string().is_empty());
            }
        }
    }
}

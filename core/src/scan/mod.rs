//! Barcode scans at a handoff: confirming each scanned code against the task's manifest
//! ([`confirm`]) and checking the customer's handoff code ([`handoff`]).
//!
//! Reading the codes themselves (GTIN, SSCC, GS1 element strings, GS1 Digital Link URIs and the
//! platform's order labels) is the `runsheet-gs1` crate's work; its API is re-exported here so
//! the rest of the core, the FFI crate and the tests reach it as `runsheet_core::scan::…`.

pub mod confirm;
pub mod handoff;

pub use runsheet_gs1::{
    check_digit, error_json, full_year, label, order_label, parse, parse_at, parse_with_symbology,
    parse_with_symbology_at, CodeKind, Element, ParsedCode, ScanError, Symbology, LABEL_VERSION,
    MAX_INPUT_LEN, PREDEFINED_LENGTHS,
};

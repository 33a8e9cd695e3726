//! Barcode parsing for couriers: GS1 codes (GTIN, SSCC, element strings, GS1 Digital Link
//! URIs) and the platform's own order labels, with no I/O, no async and no dependency on the
//! rest of Runsheet, so any platform (a phone's core, a dispatch server, a label printer's
//! check) can use it on its own.
//!
//! [`parse`] takes whatever a scanner (ML Kit, VisionKit, a Bluetooth wedge) returned and tells
//! what it is: a plain GTIN or SSCC, a GS1 element string (GS1-128, GS1 DataMatrix, GS1 QR
//! Code, GS1 DataBar), a GS1 Digital Link URI or one of the platform's order labels ([`label`]
//! describes their format). [`parse_with_symbology`] does the same when the scanner says which
//! [`Symbology`] it read; [`parse_at`] and [`parse_with_symbology_at`] take "today" instead of
//! reading the device's date. Every failure is a [`ScanError`] with a stable
//! [`ScanError::code`] for the shell and a human message; no input makes the parser panic
//! (property tests and a cargo-fuzz target in `gs1/fuzz/` check that).
//!
//! ```
//! use chrono::NaiveDate;
//! use runsheet_gs1::{parse_at, CodeKind};
//!
//! let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
//! let milk = parse_at("(01)09506000134352(17)261231(10)ABC123", today)?;
//! assert_eq!(milk.kind, CodeKind::Gs1ElementString);
//! assert_eq!(milk.gtin.as_deref(), Some("09506000134352"));
//! assert_eq!(milk.batch.as_deref(), Some("ABC123"));
//! assert_eq!(milk.expiry, NaiveDate::from_ymd_opt(2026, 12, 31));
//! assert!(!milk.is_expired(today));
//!
//! // A mistyped digit fails the GTIN's check digit.
//! let e = parse_at("4006381333932", today).unwrap_err();
//! assert_eq!(e.code(), "bad_check_digit");
//!
//! // The platform's order label: parcel 2 of 3 of order ORD-4711.
//! let label = runsheet_gs1::order_label("ORD-4711", 2, 3)?;
//! let parcel = parse_at(&label, today)?;
//! assert_eq!((parcel.order_id.as_deref(), parcel.parcel), (Some("ORD-4711"), Some(2)));
//! # Ok::<(), runsheet_gs1::ScanError>(())
//! ```
//!
//! # Standards
//!
//! - GS1 General Specifications: the application identifier table, predefined-length AIs
//!   (figure 7.8.5-2), the mod-10 check digit (7.9.1), the date century window (7.12), the
//!   GS1 AI encodable character sets 82, 39 and 64; and GS1's Syntax Dictionary for the AIs'
//!   formats ([`element_string`] says what is checked).
//! - GS1 Digital Link URI syntax 1.x: primary keys, key qualifiers and data attributes in the
//!   path and query, short names such as `gtin` ([`digital_link`]).
//! - ISO/IEC 15424 AIM symbology identifiers (`]C1`, `]d2`, `]Q3`, `]e0`, `]E0`, …).
//! - EAN/UPC (ISO/IEC 15420), UPC-E zero suppression; ITF-14.
//! - ISO/IEC 7064 MOD 37-2, the check character of the platform's order labels ([`label`]).
//!
//! # How the content is recognised
//!
//! When no symbology says otherwise:
//!
//! 1. Spaces, tabs, CR, LF and NUL around the data are dropped (never GS, which is FNC1).
//! 2. An AIM symbology identifier (`]C1` GS1-128, `]d2` GS1 DataMatrix, `]Q3` GS1 QR Code,
//!    `]e0` GS1 DataBar, `]E0` EAN-13/UPC-A, `]E4` EAN-8, …) is removed and decides: the GS1
//!    ones mean an element string.
//! 3. Data starting with FNC1 (GS) is an element string; starting with `(` it is the
//!    bracketed human-readable form; `http://` or `https://` is a GS1 Digital Link;
//!    `RS<digits>:` is an order label.
//! 4. Digits only: 8, 12, 13 or 14 digits are a GTIN, 18 an SSCC (their check digit must
//!    match: `bad_check_digit`). Longer digit strings that start with a known AI are element
//!    strings (errors inside them are reported as such); a shorter one that parses cleanly as
//!    an element string (`0109506000134352`) is one too; anything else is `bad_length`.
//! 5. A GTIN/SSCC length (8, 12, 13, 14, 18) with exactly one non-digit is a numeric code with
//!    a stray character: `bad_character`, pointing at it.
//! 6. Data containing GS, or starting with a known AI, is an element string
//!    (`01095060001343521726123110ABC`).
//! 7. Otherwise six or more characters with a single non-digit are `bad_character`, and
//!    everything else is `malformed`.
//!
//! Dates in GS1 data are two-digit years; their century is chosen relative to "today" (the
//! device's local date, or the one given to [`parse_at`]).

#![deny(missing_docs)]

// The scanner's symbology crosses the FFI as it is (Kotlin package `app.runsheet.gs1`, see
// uniffi.toml); runsheet-core's `uniffi` feature turns it on.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

mod ai;
mod check_digit;
mod code;
mod date;
pub mod digital_link;
pub mod element_string;
mod error;
pub mod label;
mod parse;
mod symbology;

pub use ai::PREDEFINED_LENGTHS;
pub use check_digit::check_digit;
pub use code::{CodeKind, Element, ParsedCode};
pub use date::full_year;
pub use error::{error_json, ScanError};
pub use label::{order_label, LABEL_VERSION};
pub use parse::{parse, parse_at, parse_with_symbology, parse_with_symbology_at, MAX_INPUT_LEN};
pub use symbology::Symbology;

//! The parse entry points: what a scan is, worked out from its content and symbology (see the
//! crate docs for the rules), and the plain codes (GTIN, SSCC, UPC-E).

use chrono::NaiveDate;

use crate::check_digit::verify_check_digit;
use crate::date::Ctx;
use crate::element_string::{self, GS};
use crate::error::first_bad;
use crate::{ai, digital_link, label, CodeKind, ParsedCode, ScanError, Symbology};

/// Longest input accepted (bytes). The largest symbols (QR Code, DataMatrix) hold about 7,000
/// characters; anything longer is no scan.
pub const MAX_INPUT_LEN: usize = 8192;

/// The device's local date.
pub(crate) fn system_today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Parses a scan, working out what it is from its content (see the crate docs). Two-digit
/// years are read relative to the device's date.
pub fn parse(raw: &str) -> Result<ParsedCode, ScanError> {
    parse_impl(raw, Symbology::Unknown, None)
}

/// [`parse`], with two-digit years read relative to `today` (the GS1 century window).
pub fn parse_at(raw: &str, today: NaiveDate) -> Result<ParsedCode, ScanError> {
    parse_impl(raw, Symbology::Unknown, Some(today))
}

/// Parses a scan whose symbology the scanner reported. GS1 symbologies (GS1-128, GS1
/// DataMatrix, GS1 QR, GS1 DataBar) always hold an element string; EAN-8, EAN-13, UPC-A and
/// UPC-E hold a GTIN of their own length; the others are read like [`parse`]. An AIM
/// identifier at the start of the data takes precedence over `symbology`.
pub fn parse_with_symbology(raw: &str, symbology: Symbology) -> Result<ParsedCode, ScanError> {
    parse_impl(raw, symbology, None)
}

/// [`parse_with_symbology`], with two-digit years read relative to `today`.
pub fn parse_with_symbology_at(
    raw: &str,
    symbology: Symbology,
    today: NaiveDate,
) -> Result<ParsedCode, ScanError> {
    parse_impl(raw, symbology, Some(today))
}

fn parse_impl(
    raw: &str,
    given: Symbology,
    today: Option<NaiveDate>,
) -> Result<ParsedCode, ScanError> {
    if raw.len() > MAX_INPUT_LEN {
        return Err(ScanError::BadLength {
            field: "scan".into(),
            found: raw.chars().count(),
            expected: format!("at most {MAX_INPUT_LEN}"),
        });
    }
    let s = raw.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n' | '\0'));
    if s.is_empty() {
        return Err(ScanError::Empty);
    }
    let (symbology, content) = match s.strip_prefix(']') {
        Some(rest) => {
            let b = rest.as_bytes();
            match (b.first(), b.get(1)) {
                (Some(&c), Some(&m)) if c.is_ascii_alphabetic() && m.is_ascii_alphanumeric() => {
                    (Symbology::from_aim(c, m), rest.get(2..).unwrap_or_default())
                }
                _ => {
                    return Err(ScanError::Malformed {
                        reason: "broken symbology identifier (expected ']' letter modifier)".into(),
                    })
                }
            }
        }
        None => (given, s),
    };
    if content.is_empty() {
        return Err(ScanError::Empty);
    }
    let mut ctx = Ctx::new(today);
    let mut code = ParsedCode::blank(CodeKind::Gs1ElementString, symbology, raw);
    match symbology {
        sym if sym.is_gs1() => element_string(content, &mut code, &mut ctx)?,
        Symbology::Ean8 => plain_gtin(content, &[8], "EAN-8", &mut code)?,
        Symbology::Ean13 => {
            let ean = match content.len() {
                // EAN-13 with a 2- or 5-digit add-on: the add-on is no part of the GTIN.
                15 | 18 if content.bytes().all(|b| b.is_ascii_digit()) => {
                    content.get(..13).unwrap_or(content)
                }
                _ => content,
            };
            plain_gtin(ean, &[13], "EAN-13", &mut code)?
        }
        Symbology::UpcA => {
            let upc = match content.strip_prefix('0') {
                Some(rest) if content.len() == 13 => rest,
                _ => content,
            };
            plain_gtin(upc, &[12], "UPC-A", &mut code)?
        }
        Symbology::UpcE => upc_e(content, &mut code)?,
        _ => infer(content, &mut code, &mut ctx)?,
    }
    Ok(code)
}

/// An element string in any of its spellings.
fn element_string(s: &str, code: &mut ParsedCode, ctx: &mut Ctx) -> Result<(), ScanError> {
    code.kind = CodeKind::Gs1ElementString;
    if s.starts_with('(') {
        element_string::parse_bracketed(s, code, ctx)
    } else {
        element_string::parse_raw(s, code, ctx)
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Works out what `s` (symbology identifier removed, non-empty) is.
fn infer(s: &str, code: &mut ParsedCode, ctx: &mut Ctx) -> Result<(), ScanError> {
    let b = s.as_bytes();
    if b.first() == Some(&GS) || s.starts_with('(') {
        return element_string(s, code, ctx);
    }
    if starts_with_ignore_case(s, "https://") || starts_with_ignore_case(s, "http://") {
        code.kind = CodeKind::Gs1DigitalLink;
        return digital_link::parse(s, code, ctx);
    }
    if s.starts_with("RS") && b.get(2).is_some_and(u8::is_ascii_digit) {
        code.kind = CodeKind::OrderLabel;
        return label::parse(s, code);
    }
    if b.iter().all(u8::is_ascii_digit) {
        return plain_digits(s, code, ctx);
    }
    let chars = s.chars().count();
    let non_digits = s.chars().filter(|c| !c.is_ascii_digit()).count();
    if non_digits == 1 && matches!(chars, 8 | 12 | 13 | 14 | 18) {
        let field = if chars == 18 { "SSCC" } else { "GTIN" };
        return Err(first_bad(field, s, |c| c.is_ascii_digit()));
    }
    if b.contains(&GS) || ai::starts_with_known_ai(s) {
        return element_string(s, code, ctx);
    }
    if non_digits == 1 && chars >= 6 {
        return Err(first_bad("code", s, |c| c.is_ascii_digit()));
    }
    Err(ScanError::Malformed {
        reason: "not a GTIN, SSCC, GS1 element string, GS1 Digital Link or order label".into(),
    })
}

/// An all-digit scan.
fn plain_digits(s: &str, code: &mut ParsedCode, ctx: &mut Ctx) -> Result<(), ScanError> {
    match s.len() {
        8 | 12 | 13 | 14 => plain_gtin(s, &[8, 12, 13, 14], "GTIN", code),
        18 => {
            verify_check_digit(|| "SSCC".into(), s)?;
            code.kind = CodeKind::Sscc;
            code.sscc = Some(s.to_owned());
            Ok(())
        }
        n => {
            if ai::starts_with_known_ai(s) {
                if n > 18 {
                    return element_string(s, code, ctx);
                }
                if element_string(s, code, ctx).is_ok() {
                    return Ok(());
                }
            }
            Err(ScanError::BadLength {
                field: "code".into(),
                found: n,
                expected: "8, 12, 13, 14 or 18 digits, or a GS1 element string".into(),
            })
        }
    }
}

/// `digits` (at most 14) left-padded with zeros to 14.
pub(crate) fn gtin14(digits: &str) -> String {
    let mut g = String::with_capacity(14);
    for _ in digits.len()..14 {
        g.push('0');
    }
    g.push_str(digits);
    g
}

/// A GTIN of one of `lengths`, zero-padded to 14 digits.
fn plain_gtin(
    s: &str,
    lengths: &[usize],
    name: &str,
    code: &mut ParsedCode,
) -> Result<(), ScanError> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(first_bad(name, s, |c| c.is_ascii_digit()));
    }
    if !lengths.contains(&s.len()) {
        let expected = match lengths {
            [one] => format!("{one} digits"),
            _ => "8, 12, 13 or 14 digits".into(),
        };
        return Err(ScanError::BadLength {
            field: name.into(),
            found: s.len(),
            expected,
        });
    }
    let field = || {
        if name == "GTIN" {
            format!("GTIN-{}", s.len())
        } else {
            name.to_owned()
        }
    };
    verify_check_digit(field, s)?;
    code.kind = CodeKind::Gtin;
    code.gtin = Some(gtin14(s));
    Ok(())
}

/// A UPC-E code (8 digits: number system 0 or 1, six digits, check digit) expanded to its
/// GTIN-12; 12 or 13 digits (already expanded) are accepted too.
fn upc_e(s: &str, code: &mut ParsedCode) -> Result<(), ScanError> {
    if s.len() == 12 || s.len() == 13 {
        return plain_gtin(s, &[12, 13], "UPC-E", code);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(first_bad("UPC-E", s, |c| c.is_ascii_digit()));
    }
    let d = s.as_bytes();
    if d.len() != 8 {
        return Err(ScanError::BadLength {
            field: "UPC-E".into(),
            found: d.len(),
            expected: "8 digits".into(),
        });
    }
    let (ns, x) = match (d.first(), d.get(1..7)) {
        (Some(&ns @ (b'0' | b'1')), Some(x)) => (ns, x),
        _ => {
            return Err(ScanError::Malformed {
                reason: "UPC-E number system must be 0 or 1".into(),
            })
        }
    };
    let g = |k: usize| x.get(k).copied().unwrap_or(b'0');
    let mut upc = Vec::with_capacity(12);
    upc.push(ns);
    match g(5) {
        b'0'..=b'2' => {
            upc.extend_from_slice(&[g(0), g(1), g(5), b'0', b'0', b'0', b'0', g(2), g(3), g(4)])
        }
        b'3' => {
            upc.extend_from_slice(&[g(0), g(1), g(2), b'0', b'0', b'0', b'0', b'0', g(3), g(4)])
        }
        b'4' => {
            upc.extend_from_slice(&[g(0), g(1), g(2), g(3), b'0', b'0', b'0', b'0', b'0', g(4)])
        }
        _ => upc.extend_from_slice(&[g(0), g(1), g(2), g(3), g(4), b'0', b'0', b'0', b'0', g(5)]),
    }
    upc.push(d.get(7).copied().unwrap_or(b'0'));
    let upc = String::from_utf8(upc).unwrap_or_default();
    verify_check_digit(|| "UPC-E".into(), &upc)?;
    code.kind = CodeKind::Gtin;
    code.gtin = Some(gtin14(&upc));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check_digit, error_json, order_label};
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
    }

    fn ok(raw: &str) -> ParsedCode {
        parse_at(raw, today()).unwrap_or_else(|e| panic!("{raw:?}: {e}"))
    }

    fn err(raw: &str) -> &'static str {
        match parse_at(raw, today()) {
            Ok(p) => panic!("{raw:?} parsed: {p:?}"),
            Err(e) => e.code(),
        }
    }

    fn with_check(payload: &str) -> String {
        format!("{payload}{}", check_digit(payload).unwrap())
    }

    #[test]
    fn known_gs1_examples() {
        let p = ok("09506000134352");
        assert_eq!(p.kind, CodeKind::Gtin);
        assert_eq!(p.gtin.as_deref(), Some("09506000134352"));
        let p = ok("4006381333931");
        assert_eq!(p.kind, CodeKind::Gtin);
        assert_eq!(p.gtin.as_deref(), Some("04006381333931"));
        let p = ok("106141411234567897");
        assert_eq!(p.kind, CodeKind::Sscc);
        assert_eq!(p.sscc.as_deref(), Some("106141411234567897"));
        // GTIN-8 and GTIN-12 are padded to 14.
        assert_eq!(ok("96385074").gtin.as_deref(), Some("00000096385074"));
        assert_eq!(ok("036000291452").gtin.as_deref(), Some("00036000291452"));
    }

    #[test]
    fn plain_code_errors() {
        assert_eq!(err("09506000134353"), "bad_check_digit");
        assert_eq!(err("4006381333932"), "bad_check_digit");
        assert_eq!(err("106141411234567898"), "bad_check_digit");
        assert_eq!(err("12345"), "bad_length");
        assert_eq!(err("123456789"), "bad_length");
        assert_eq!(err("1234567890"), "bad_length");
        assert_eq!(err("123456789012345"), "bad_length");
        assert_eq!(err("0109506000134353"), "bad_length");
        assert_eq!(err("40063813339X1"), "bad_character");
        assert_eq!(err("X006381333931"), "bad_character");
        assert_eq!(err("5012345X"), "bad_character");
        assert_eq!(err("hello world"), "malformed");
        assert_eq!(err("ABC"), "malformed");
        assert_eq!(err(""), "empty");
        assert_eq!(err("  \r\n"), "empty");
        assert_eq!(err("]C1"), "empty");
        assert_eq!(err("]"), "malformed");
        let e = parse_at("40063813339X1", today()).unwrap_err();
        assert_eq!(
            e,
            ScanError::BadCharacter {
                field: "GTIN".into(),
                position: 12,
                ch: 'X'
            }
        );
        let e = parse_at("4006381333932", today()).unwrap_err();
        assert_eq!(
            e,
            ScanError::BadCheckDigit {
                field: "GTIN-13".into(),
                found: '2',
                expected: '1'
            }
        );
    }

    #[test]
    fn every_error_code_has_a_message() {
        let samples = [
            "",
            "123",
            "40063813339X1",
            "4006381333932",
            "(17)261301",
            "(01)09506000134352(23)1",
            "(17)26",
            "hello",
        ];
        let mut codes: Vec<&str> = samples
            .iter()
            .map(|s| {
                let e = parse_at(s, today()).unwrap_err();
                assert!(!e.to_string().is_empty());
                let j = error_json(&e);
                assert_eq!(j["ok"], false);
                assert_eq!(j["code"], e.code());
                assert_eq!(j["message"], e.to_string());
                e.code()
            })
            .collect();
        codes.sort_unstable();
        assert_eq!(
            codes,
            [
                "bad_character",
                "bad_check_digit",
                "bad_date",
                "bad_length",
                "empty",
                "malformed",
                "truncated",
                "unknown_ai"
            ]
        );
    }

    #[test]
    fn trailing_newline_and_spaces() {
        assert_eq!(
            ok(" 4006381333931\r\n").gtin.as_deref(),
            Some("04006381333931")
        );
        // GS is FNC1, never trimmed as whitespace.
        assert_eq!(
            ok("\u{1d}0109506000134352\u{1d}").kind,
            CodeKind::Gs1ElementString
        );
    }

    #[test]
    fn long_digit_strings_are_element_strings() {
        let p = ok("01095060001343521726123110ABC");
        assert_eq!(p.kind, CodeKind::Gs1ElementString);
        assert_eq!(p.gtin.as_deref(), Some("09506000134352"));
        assert_eq!(p.batch.as_deref(), Some("ABC"));
        assert_eq!(p.expiry, NaiveDate::from_ymd_opt(2026, 12, 31));
        let p = ok("00106141411234567897");
        assert_eq!(p.kind, CodeKind::Gs1ElementString);
        assert_eq!(p.sscc.as_deref(), Some("106141411234567897"));
        let p = ok("0109506000134352");
        assert_eq!(p.kind, CodeKind::Gs1ElementString);
        // Longer than 18, starting with an AI: errors inside are reported.
        assert_eq!(err("0109506000134353172612"), "bad_check_digit");
        assert_eq!(err("010950600013435217261301"), "bad_date");
        // Not starting with a known AI.
        assert_eq!(err("2612345678901234567890"), "bad_length");
    }

    #[test]
    fn symbologies() {
        let t = today();
        let p = parse_with_symbology_at("0109506000134352", Symbology::Gs1DataBar, t).unwrap();
        assert_eq!(p.kind, CodeKind::Gs1ElementString);
        assert_eq!(p.symbology, Symbology::Gs1DataBar);
        let p = parse_with_symbology_at("4006381333931", Symbology::Ean13, t).unwrap();
        assert_eq!(p.gtin.as_deref(), Some("04006381333931"));
        let p = parse_with_symbology_at("400638133393112", Symbology::Ean13, t).unwrap();
        assert_eq!(p.gtin.as_deref(), Some("04006381333931"), "add-on dropped");
        let e = parse_with_symbology_at("96385074", Symbology::Ean13, t).unwrap_err();
        assert_eq!(e.code(), "bad_length");
        assert!(parse_with_symbology_at("96385074", Symbology::Ean8, t).is_ok());
        let p = parse_with_symbology_at("0036000291452", Symbology::UpcA, t).unwrap();
        assert_eq!(p.gtin.as_deref(), Some("00036000291452"));
        // UPC-E 01234565 is UPC-A 012345000065.
        let p = parse_with_symbology_at("01234565", Symbology::UpcE, t).unwrap();
        assert_eq!(p.gtin.as_deref(), Some("00012345000065"));
        let e = parse_with_symbology_at("01234566", Symbology::UpcE, t).unwrap_err();
        assert_eq!(e.code(), "bad_check_digit");
        let p = parse_with_symbology_at("04252614", Symbology::UpcE, t).unwrap();
        assert_eq!(p.gtin.as_deref(), Some("00042100005264"));
        // Non-GS1 symbologies: the content decides.
        let label = order_label("A", 1, 1).unwrap();
        let p = parse_with_symbology_at(&label, Symbology::QrCode, t).unwrap();
        assert_eq!(p.kind, CodeKind::OrderLabel);
        let p = parse_with_symbology_at("4006381333931", Symbology::Code128, t).unwrap();
        assert_eq!(p.kind, CodeKind::Gtin);
        // AIM identifiers in the data win.
        let p = parse_with_symbology_at("]E04006381333931", Symbology::QrCode, t).unwrap();
        assert_eq!(p.symbology, Symbology::Ean13);
        let p = ok("]E496385074");
        assert_eq!(p.symbology, Symbology::Ean8);
        let p = ok("]Q1https://id.gs1.org/01/09506000134352");
        assert_eq!(p.kind, CodeKind::Gs1DigitalLink);
        assert_eq!(p.symbology, Symbology::QrCode);
        let p = ok("]C0106141411234567897");
        assert_eq!(p.kind, CodeKind::Sscc);
        // Serde names match as_str.
        for s in [
            Symbology::Unknown,
            Symbology::Ean8,
            Symbology::Ean13,
            Symbology::UpcA,
            Symbology::UpcE,
            Symbology::Itf,
            Symbology::Code128,
            Symbology::Gs1_128,
            Symbology::Code39,
            Symbology::DataMatrix,
            Symbology::Gs1DataMatrix,
            Symbology::QrCode,
            Symbology::Gs1Qr,
            Symbology::Gs1DataBar,
            Symbology::Pdf417,
            Symbology::Aztec,
            Symbology::Other,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for k in [
            CodeKind::Gtin,
            CodeKind::Sscc,
            CodeKind::Gs1ElementString,
            CodeKind::Gs1DigitalLink,
            CodeKind::OrderLabel,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }

    #[test]
    fn json_has_only_present_fields() {
        let p = ok("(01)09506000134352(17)260101(10)ABC(3102)001500");
        let j = p.to_json(Some(today()));
        assert_eq!(j["ok"], true);
        assert_eq!(j["kind"], "gs1");
        assert_eq!(j["gtin"], "09506000134352");
        assert_eq!(j["batch"], "ABC");
        assert_eq!(j["expiry"], "2026-01-01");
        assert_eq!(j["expired"], true);
        assert_eq!(j["net_weight_kg"], 15.0);
        assert_eq!(p.elements_json()["10"], "ABC");
        assert_eq!(p.elements_json()["3102"], "001500");
        let o = j.as_object().unwrap();
        assert!(o.values().all(|v| !v.is_null()));
        for absent in [
            "sscc",
            "serial",
            "best_before",
            "order_id",
            "parcel",
            "raw",
            "elements",
        ] {
            assert!(!o.contains_key(absent), "{absent}");
        }
        let not_yet = p.to_json(NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(not_yet["expired"], false, "good on its expiry date");
        assert!(p.to_json(None).get("expired").is_some());
        // No expiry: no "expired".
        let j = ok("4006381333931").to_json(None);
        assert_eq!(
            j,
            json!({"ok": true, "kind": "gtin", "gtin": "04006381333931"})
        );
        let j = ok("106141411234567897").to_json(None);
        assert_eq!(j["kind"], "sscc");
        assert_eq!(j["sscc"], "106141411234567897");
    }

    #[test]
    fn is_expired_is_strict() {
        let p = ok("(17)260615");
        assert!(!p.is_expired(today()));
        assert!(p.is_expired(today().succ_opt().unwrap()));
        assert!(!ok("4006381333931").is_expired(today()));
    }

    #[test]
    fn oversized_input() {
        let big = "1".repeat(MAX_INPUT_LEN + 1);
        assert_eq!(err(&big), "bad_length");
    }

    /// Digits of a GTIN-8/12/13/14 or SSCC payload.
    fn payload() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{7}",
            "[0-9]{11}",
            "[0-9]{12}",
            "[0-9]{13}",
            "[0-9]{17}"
        ]
    }

    /// A random AI and a valid value for it.
    fn element() -> impl Strategy<Value = (String, String)> {
        prop_oneof![
            "[0-9]{13}".prop_map(|p| ("01".to_string(), with_check(&p))),
            "[0-9]{17}".prop_map(|p| ("00".to_string(), with_check(&p))),
            "[!\"%-/0-9:-?A-Z_a-z]{1,20}".prop_map(|v| ("10".to_string(), v)),
            "[A-Za-z0-9/.-]{1,20}".prop_map(|v| ("21".to_string(), v)),
            (0u32..100, 1u32..=12, 1u32..=28)
                .prop_map(|(y, m, d)| ("17".to_string(), format!("{y:02}{m:02}{d:02}"))),
            (0u32..100, 1u32..=12).prop_map(|(y, m)| ("15".to_string(), format!("{y:02}{m:02}00"))),
            (0u32..100, 1u32..=12, 1u32..=28)
                .prop_map(|(y, m, d)| ("11".to_string(), format!("{y:02}{m:02}{d:02}"))),
            (0u32..6, 0u32..1_000_000).prop_map(|(n, v)| (format!("310{n}"), format!("{v:06}"))),
            "[0-9]{1,8}".prop_map(|v| ("30".to_string(), v)),
            "[0-9]{1,8}".prop_map(|v| ("37".to_string(), v)),
            "[A-Z0-9-]{1,30}".prop_map(|v| ("400".to_string(), v)),
            "[0-9]{12}".prop_map(|p| ("414".to_string(), with_check(&p))),
            "[A-Z0-9]{1,20}".prop_map(|v| ("420".to_string(), v)),
            "[A-Za-z0-9]{1,30}".prop_map(|v| ("91".to_string(), v)),
            "[0-9]{2}".prop_map(|v| ("20".to_string(), v)),
        ]
    }

    fn elements() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::vec(element(), 1..6).prop_map(|v| {
            let mut seen = std::collections::HashSet::new();
            v.into_iter()
                .filter(|(ai, _)| seen.insert(ai.clone()))
                .collect()
        })
    }

    fn raw_form(els: &[(String, String)]) -> String {
        let mut s = String::from("]C1");
        for (ai, v) in els {
            s.push_str(ai);
            s.push_str(v);
            let fixed = matches!(
                ai.get(..2).and_then(|p| p.parse::<u8>().ok()),
                Some(0..=4 | 11..=20 | 31..=36 | 41)
            );
            if !fixed {
                s.push('\u{1d}');
            }
        }
        s
    }

    fn bracketed_form(els: &[(String, String)]) -> String {
        els.iter()
            .map(|(ai, v)| format!("({ai}){}", v.replace('(', "\\(")))
            .collect()
    }

    fn same_elements(p: &ParsedCode, els: &[(String, String)]) -> Result<(), TestCaseError> {
        prop_assert_eq!(p.elements.len(), els.len());
        for (ai, v) in els {
            prop_assert_eq!(p.element(ai), Some(v.as_str()), "AI {}", ai);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn valid_gtins_and_ssccs_round_trip(p in payload()) {
            let code = with_check(&p);
            let parsed = parse_at(&code, today()).unwrap();
            if code.len() == 18 {
                prop_assert_eq!(parsed.kind, CodeKind::Sscc);
                prop_assert_eq!(parsed.sscc.as_deref(), Some(code.as_str()));
            } else {
                prop_assert_eq!(parsed.kind, CodeKind::Gtin);
                prop_assert_eq!(parsed.gtin, Some(format!("{code:0>14}")));
            }
            prop_assert_eq!(parsed.raw, code);
        }

        #[test]
        fn single_digit_substitutions_are_caught(p in payload(), pos in 0usize..18, d in 1u8..10) {
            let code = with_check(&p);
            let pos = pos % code.len();
            let mut bytes = code.clone().into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + d) % 10;
            let bad = String::from_utf8(bytes).unwrap();
            let e = parse_at(&bad, today()).unwrap_err();
            prop_assert_eq!(e.code(), "bad_check_digit");
        }

        #[test]
        fn element_strings_round_trip(els in elements()) {
            let raw = raw_form(&els);
            let p = parse_at(&raw, today()).unwrap();
            prop_assert_eq!(p.kind, CodeKind::Gs1ElementString);
            same_elements(&p, &els)?;

            let bracketed = bracketed_form(&els);
            let q = parse_at(&bracketed, today()).unwrap();
            same_elements(&q, &els)?;
            prop_assert_eq!(&p.elements, &q.elements);
            prop_assert_eq!(p.expiry, q.expiry);
            prop_assert_eq!(p.net_weight_kg, q.net_weight_kg);
        }

        #[test]
        fn parse_never_panics_on_text(s in "\\PC{0,80}") {
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_on_scanner_like_text(
            s in "[\u{1d}()\\]0-9A-Za-z:/?=&%.#-]{0,60}"
        ) {
            if let Ok(p) = parse(&s) {
                prop_assert_eq!(&p.to_json(None)["ok"], &Value::Bool(true));
            }
        }

        #[test]
        fn parse_never_panics_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..100)) {
            let s = String::from_utf8_lossy(&b);
            let _ = parse(&s);
            let _ = parse_with_symbology(&s, Symbology::Gs1_128);
            let _ = parse_with_symbology(&s, Symbology::UpcE);
        }

        #[test]
        fn prefixes_of_valid_codes_never_panic(els in elements(), cut in 0usize..200) {
            let raw = raw_form(&els);
            let cut = cut.min(raw.len());
            let _ = parse(raw.get(..cut).unwrap_or(""));
            let b = bracketed_form(&els);
            let _ = parse(b.get(..cut.min(b.len())).unwrap_or(""));
        }
    }
}

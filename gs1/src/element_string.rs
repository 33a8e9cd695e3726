//! GS1 element strings: runs of application identifiers (AIs) and their data, each value
//! validated against the AI table.
//!
//! An element string is a run of `AI + data` fields, as carried by GS1-128, GS1 DataMatrix,
//! GS1 QR Code and GS1 DataBar. Three spellings are accepted:
//!
//! - **raw**, as a scanner transmits it: `0109506000134352172612311`+`0ABC`. A field whose
//!   AI starts with one of the *predefined-length* prefixes of the GS1 General Specifications
//!   (figure 7.8.5-2: `00`-`04`, `11`-`20`, `31`-`36`, `41`) has a fixed length and is followed
//!   directly by the next AI; any other field runs to the next FNC1, transmitted as the GS
//!   character (`\u{1d}`), or to the end of the data. A leading FNC1, a GS after a
//!   predefined-length field and a trailing GS are tolerated.
//! - **bracketed**, the human-readable interpretation: `(01)09506000134352(17)261231(10)ABC123`.
//!   A literal `(` inside a value is written `\(`; spaces around values are ignored (no GS1
//!   character set contains a space).
//! - **GS1 Digital Link** URIs, handled by [`crate::digital_link`] with the same AI table.
//!
//! Each value is checked against its AI's format: length, character set (`n` digits, `an`
//! GS1 character set 82, character set 39 or 64), check digits (GTIN, SSCC, GLN, GSIN, …) and
//! dates. Dates are `YYMMDD` with the century chosen by the GS1 sliding window (GS1 General
//! Specifications 7.12, relative to the year of "today"), and day `00` (allowed for AIs 11-17)
//! meaning the last day of the month.
//!
//! The AI table follows the GS1 General Specifications (and GS1's Syntax Dictionary); the
//! cross-AI rules (mandatory and invalid pairings) are not enforced, only that an AI repeated
//! with a different value is an error.

use chrono::NaiveDate;

use crate::ai::{lookup, lookup_exact, Lint, Lookup, Spec};
use crate::check_digit::verify_check_digit;
use crate::date::{bad_date, digits_value, yymmdd, yyyymmdd, Ctx};
use crate::error::first_bad;
use crate::{Element, ParsedCode, ScanError};

/// The GS (group separator) character, how scanners transmit FNC1 inside the data.
pub(crate) const GS: u8 = 0x1d;

fn ai_field(ai: &str) -> String {
    format!("AI ({ai})")
}

/// Checks `value` against AI `ai`'s format; returns the first date it holds, if any.
fn validate(
    ai: &str,
    spec: Spec,
    value: &str,
    ctx: &mut Ctx,
) -> Result<Option<NaiveDate>, ScanError> {
    if !value.is_ascii() {
        return Err(first_bad(&ai_field(ai), value, |c| c.is_ascii()));
    }
    let v = value.as_bytes();
    let (min, max) = spec.bounds();
    if v.len() < min {
        return Err(ScanError::Truncated {
            field: ai_field(ai),
            needed: min,
            found: v.len(),
        });
    }
    if v.len() > max {
        return Err(ScanError::BadLength {
            field: ai_field(ai),
            found: v.len(),
            expected: if min == max {
                format!("exactly {max}")
            } else {
                format!("at most {max}")
            },
        });
    }
    let mut pos = 0usize;
    let mut date = None;
    for c in spec.comps {
        let rest = v.len().saturating_sub(pos);
        if c.optional && rest == 0 {
            break;
        }
        let take = if c.min == c.max {
            usize::from(c.min)
        } else {
            rest.min(usize::from(c.max))
        };
        if rest < take || take < usize::from(c.min) {
            return Err(ScanError::Truncated {
                field: ai_field(ai),
                needed: pos + usize::from(c.min),
                found: v.len(),
            });
        }
        let part = v.get(pos..pos + take).unwrap_or_default();
        if let Some(k) = part.iter().position(|&b| !c.cset.allows(b)) {
            return Err(ScanError::BadCharacter {
                field: ai_field(ai),
                position: pos + k + 1,
                ch: part.get(k).map_or('?', |&b| char::from(b)),
            });
        }
        lint(ai, c.lint, part, pos, ctx, &mut date)?;
        pos += take;
    }
    if pos < v.len() {
        return Err(ScanError::BadLength {
            field: ai_field(ai),
            found: v.len(),
            expected: format!("at most {pos}"),
        });
    }
    Ok(date)
}

fn lint(
    ai: &str,
    lint: Lint,
    part: &[u8],
    pos: usize,
    ctx: &mut Ctx,
    date: &mut Option<NaiveDate>,
) -> Result<(), ScanError> {
    let field = || ai_field(ai);
    let text = || String::from_utf8_lossy(part).into_owned();
    let bad_char = |k: usize| ScanError::BadCharacter {
        field: ai_field(ai),
        position: pos + k + 1,
        ch: part.get(k).map_or('?', |&b| char::from(b)),
    };
    let two = |k: usize| digits_value(part.get(k..k + 2).unwrap_or_default());
    match lint {
        Lint::None => {}
        Lint::Csum => verify_check_digit(field, std::str::from_utf8(part).unwrap_or_default())?,
        Lint::Yymmd0 | Lint::Yymmdd => {
            let d = yymmdd(ai, part, lint == Lint::Yymmd0, ctx)?;
            date.get_or_insert(d);
        }
        Lint::Yyyymmdd => {
            let d = yyyymmdd(ai, part)?;
            date.get_or_insert(d);
        }
        Lint::Hh => {
            if two(0) > 23 {
                return Err(bad_date(&field(), part, format!("hour {:02}", two(0))));
            }
        }
        Lint::Hhmm => {
            if two(0) > 23 || two(2) > 59 {
                return Err(bad_date(&field(), part, "not a time of day (HHMM)".into()));
            }
        }
        Lint::Mmoptss => {
            if part.len() != 2 && part.len() != 4 {
                return Err(ScanError::BadLength {
                    field: field(),
                    found: pos + part.len(),
                    expected: format!("{} or {}", pos + 2, pos + 4),
                });
            }
            if two(0) > 59 || (part.len() == 4 && two(2) > 59) {
                return Err(bad_date(&field(), part, "not minutes (and seconds)".into()));
            }
        }
        Lint::Zero => {
            if part != b"0" {
                return Err(bad_char(0));
            }
        }
        Lint::NonZero => {
            if part.iter().all(|&b| b == b'0') {
                return Err(ScanError::Malformed {
                    reason: format!("{}: {} must not be zero", field(), text()),
                });
            }
        }
        Lint::YesNo => {
            if part != b"0" && part != b"1" {
                return Err(bad_char(0));
            }
        }
        Lint::PieceOfTotal => {
            let (piece, total) = (two(0), two(2));
            if piece == 0 || total == 0 || piece > total {
                return Err(ScanError::Malformed {
                    reason: format!("{}: piece {piece} of {total} is impossible", field()),
                });
            }
        }
        Lint::Hyphen => {
            if part != b"-" {
                return Err(bad_char(0));
            }
        }
        Lint::Slash => {
            if part != b"/" {
                return Err(bad_char(0));
            }
        }
    }
    Ok(())
}

/// Validates one element and records it in `code` (and in its typed fields).
pub(crate) fn add(
    code: &mut ParsedCode,
    ai: &str,
    num: u16,
    spec: Spec,
    value: &str,
    ctx: &mut Ctx,
) -> Result<(), ScanError> {
    let date = validate(ai, spec, value, ctx)?;
    if let Some(e) = code.elements.iter().find(|e| e.ai == ai) {
        if e.value == value {
            return Ok(());
        }
        return Err(ScanError::Malformed {
            reason: format!("AI ({ai}) appears twice with different values"),
        });
    }
    apply(code, num, value, date);
    code.elements.push(Element {
        ai: ai.to_owned(),
        value: value.to_owned(),
    });
    Ok(())
}

/// Copies a validated element into the typed fields of `code`.
fn apply(code: &mut ParsedCode, num: u16, value: &str, date: Option<NaiveDate>) {
    let decimal =
        |decimals: u16| f64::from(digits_value(value.as_bytes())) / 10f64.powi(i32::from(decimals));
    match num {
        0 => code.sscc = Some(value.to_owned()),
        1 => code.gtin = Some(value.to_owned()),
        10 => code.batch = Some(value.to_owned()),
        21 => code.serial = Some(value.to_owned()),
        11 => code.production_date = date,
        15 => code.best_before = date,
        17 => code.expiry = date,
        // Expiry date and time: the date counts as the expiry unless (17) says otherwise.
        7003 if !code.elements.iter().any(|e| e.ai == "17") => code.expiry = date,
        3100..=3105 => code.net_weight_kg = Some(decimal(num - 3100)),
        3200..=3205 => code.net_weight_lb = Some(decimal(num - 3200)),
        _ => {}
    }
}

/// Parses a raw element string (FNC1 as GS) into `code`.
pub(crate) fn parse_raw(data: &str, code: &mut ParsedCode, ctx: &mut Ctx) -> Result<(), ScanError> {
    let b = data.as_bytes();
    let mut i = 0usize;
    let mut fields = 0usize;
    while let Some(&first) = b.get(i) {
        if first == GS {
            i += 1;
            continue;
        }
        let rest = b.get(i..).unwrap_or_default();
        let (len, num, spec) = match lookup(rest) {
            Lookup::Found { len, num, spec } => (len, num, spec),
            Lookup::Unknown { len } => {
                let ai = data.get(i..i + len).unwrap_or_default();
                return Err(ScanError::UnknownAi { ai: ai.to_owned() });
            }
            Lookup::NotDigit { index } => {
                let after = data.get(i..).unwrap_or_default();
                let ch = after.chars().nth(index).unwrap_or('?');
                return Err(ScanError::Malformed {
                    reason: format!(
                        "expected an application identifier at position {}, found {ch:?}",
                        data.get(..i).map_or(0, |p| p.chars().count()) + index + 1
                    ),
                });
            }
            Lookup::Short { len } => {
                return Err(ScanError::Truncated {
                    field: "application identifier".into(),
                    needed: len,
                    found: rest.len(),
                })
            }
        };
        // The AI is ASCII digits, so these are char boundaries.
        let ai = data.get(i..i + len).unwrap_or_default();
        i += len;
        let end = if spec.predefined {
            let (n, _) = spec.bounds();
            let avail = b.len().saturating_sub(i);
            for k in 0..n.min(avail) {
                let c = b.get(i + k).copied().unwrap_or(GS);
                if c == GS {
                    return Err(ScanError::Truncated {
                        field: ai_field(ai),
                        needed: n,
                        found: k,
                    });
                }
                if !c.is_ascii() {
                    let ch = data
                        .get(i + k..)
                        .and_then(|s| s.chars().next())
                        .unwrap_or('?');
                    return Err(ScanError::BadCharacter {
                        field: ai_field(ai),
                        position: k + 1,
                        ch,
                    });
                }
            }
            if avail < n {
                return Err(ScanError::Truncated {
                    field: ai_field(ai),
                    needed: n,
                    found: avail,
                });
            }
            i + n
        } else {
            b.get(i..)
                .and_then(|r| r.iter().position(|&c| c == GS))
                .map_or(b.len(), |p| i + p)
        };
        let value = data.get(i..end).unwrap_or_default();
        add(code, ai, num, spec, value, ctx)?;
        fields += 1;
        i = end;
    }
    if fields == 0 {
        return Err(ScanError::Empty);
    }
    Ok(())
}

/// Parses the bracketed form `(01)09506000134352(10)ABC` into `code`.
pub(crate) fn parse_bracketed(
    data: &str,
    code: &mut ParsedCode,
    ctx: &mut Ctx,
) -> Result<(), ScanError> {
    let b = data.as_bytes();
    let mut i = 0usize;
    let mut fields = 0usize;
    loop {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let Some(&open) = b.get(i) else { break };
        if open != b'(' {
            return Err(ScanError::Malformed {
                reason: format!(
                    "expected '(' at position {}",
                    data.get(..i).map_or(0, |p| p.chars().count()) + 1
                ),
            });
        }
        let close = b
            .get(i + 1..)
            .and_then(|r| r.iter().position(|&c| c == b')'))
            .map(|p| i + 1 + p)
            .ok_or_else(|| ScanError::Malformed {
                reason: "'(' without a closing ')'".into(),
            })?;
        let ai = data.get(i + 1..close).unwrap_or_default().trim_matches(' ');
        let (num, spec) = lookup_exact(ai)?;
        let start = close + 1;
        let mut k = start;
        let mut escaped = false;
        while let Some(&c) = b.get(k) {
            if c == b'\\' && b.get(k + 1) == Some(&b'(') {
                escaped = true;
                k += 2;
                continue;
            }
            if c == b'(' {
                break;
            }
            k += 1;
        }
        // '(' and '\\' are ASCII, so `start` and `k` are char boundaries.
        let value = data.get(start..k).unwrap_or_default().trim_matches(' ');
        if escaped {
            add(code, ai, num, spec, &value.replace("\\(", "("), ctx)?;
        } else {
            add(code, ai, num, spec, value, ctx)?;
        }
        fields += 1;
        i = k;
    }
    if fields == 0 {
        return Err(ScanError::Empty);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_at, CodeKind};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn code_of(raw: &str) -> &'static str {
        parse_at(raw, today()).unwrap_err().code()
    }

    #[test]
    fn every_common_ai_kind() {
        let p = parse_at(
            "(00)106141411234567897(02)09506000134352(37)12(400)PO-77(420)10115\
             (421)276D-10115(422)276(410)4000001000005(8004)ASSET-9(90)X1(99)ZZ",
            today(),
        )
        .unwrap();
        assert_eq!(p.kind, CodeKind::Gs1ElementString);
        assert_eq!(p.sscc.as_deref(), Some("106141411234567897"));
        assert_eq!(p.gtin, None, "(02) is the content, not the item");
        let get = |ai: &str| {
            p.elements
                .iter()
                .find(|e| e.ai == ai)
                .map(|e| e.value.as_str())
        };
        assert_eq!(get("02"), Some("09506000134352"));
        assert_eq!(get("37"), Some("12"));
        assert_eq!(get("400"), Some("PO-77"));
        assert_eq!(get("420"), Some("10115"));
        assert_eq!(get("421"), Some("276D-10115"));
        assert_eq!(get("422"), Some("276"));
        assert_eq!(get("410"), Some("4000001000005"));
        assert_eq!(get("8004"), Some("ASSET-9"));
        assert_eq!(get("90"), Some("X1"));
        assert_eq!(get("99"), Some("ZZ"));

        let p = parse_at(
            "(01)09506000134352(10)LOT 1(21)SER/1(11)250101(12)260101(13)250102(15)260301\
             (16)260302(17)260303(20)07(22)CPV(30)5(240)ADD(241)CUST(250)S2(251)REF\
             (3103)001250(7003)2603031200(8020)REF-1(7001)1234567890123",
            today(),
        );
        // "LOT 1" has a space inside: not in character set 82.
        assert_eq!(p.unwrap_err().code(), "bad_character");
        let p = parse_at(
            "(01)09506000134352(10)LOT1(21)SER/1(11)250101(12)260101(13)250102(15)260301\
             (16)260302(17)260303(20)07(22)CPV(30)5(240)ADD(241)CUST(250)S2(251)REF\
             (3103)001250(7003)2603031200(8020)REF-1(7001)1234567890123",
            today(),
        )
        .unwrap();
        assert_eq!(p.gtin.as_deref(), Some("09506000134352"));
        assert_eq!(p.batch.as_deref(), Some("LOT1"));
        assert_eq!(p.serial.as_deref(), Some("SER/1"));
        assert_eq!(p.production_date, Some(ymd(2025, 1, 1)));
        assert_eq!(p.best_before, Some(ymd(2026, 3, 1)));
        assert_eq!(p.expiry, Some(ymd(2026, 3, 3)), "(17) wins over (7003)");
        assert_eq!(p.net_weight_kg, Some(1.25));
        assert_eq!(p.elements.len(), 20);
    }

    #[test]
    fn net_weights() {
        for (raw, kg) in [
            ("(3100)000125", 125.0),
            ("(3101)000125", 12.5),
            ("(3102)000125", 1.25),
            ("(3105)123456", 1.23456),
        ] {
            let p = parse_at(&format!("(01)09506000134352{raw}"), today()).unwrap();
            assert_eq!(p.net_weight_kg, Some(kg), "{raw}");
        }
        let p = parse_at("(01)09506000134352(3202)000150", today()).unwrap();
        assert_eq!(p.net_weight_lb, Some(1.5));
        assert_eq!(p.net_weight_kg, None);
        assert_eq!(code_of("(01)09506000134352(3106)000125"), "unknown_ai");
    }

    #[test]
    fn expiry_time_sets_the_expiry_date() {
        let p = parse_at("(01)09506000134352(7003)2603312359", today()).unwrap();
        assert_eq!(p.expiry, Some(ymd(2026, 3, 31)));
    }

    #[test]
    fn raw_form_with_and_without_separators() {
        let gs = '\u{1d}';
        let p = parse_at(
            &format!("]C101095060001343521726123110ABC123{gs}21XYZ"),
            today(),
        )
        .unwrap();
        assert_eq!(p.gtin.as_deref(), Some("09506000134352"));
        assert_eq!(p.expiry, Some(ymd(2026, 12, 31)));
        assert_eq!(p.batch.as_deref(), Some("ABC123"));
        assert_eq!(p.serial.as_deref(), Some("XYZ"));
        // Leading FNC1, a GS after a fixed field, a trailing GS.
        let p = parse_at(&format!("{gs}0109506000134352{gs}10B1{gs}"), today()).unwrap();
        assert_eq!(p.batch.as_deref(), Some("B1"));
        // Without a separator the variable field runs to the end.
        let p = parse_at("010950600013435210ABC21XYZ", today()).unwrap();
        assert_eq!(p.batch.as_deref(), Some("ABC21XYZ"));
        assert_eq!(p.serial, None);
        // A fixed-length AI that is not predefined needs FNC1.
        let p = parse_at(&format!("]C1422276{gs}0109506000134352"), today()).unwrap();
        assert_eq!(p.gtin.as_deref(), Some("09506000134352"));
        assert_eq!(code_of("]C14222760109506000134352"), "bad_length");
    }

    #[test]
    fn symbology_prefixes() {
        for prefix in ["]C1", "]d2", "]Q3", "]e0"] {
            let p = parse_at(&format!("{prefix}0109506000134352"), today()).unwrap();
            assert_eq!(p.kind, CodeKind::Gs1ElementString, "{prefix}");
            assert_eq!(p.gtin.as_deref(), Some("09506000134352"));
        }
    }

    #[test]
    fn bracketed_form() {
        let p = parse_at("(01)09506000134352(17)261231(10)ABC123", today()).unwrap();
        assert_eq!(p.kind, CodeKind::Gs1ElementString);
        assert_eq!(p.gtin.as_deref(), Some("09506000134352"));
        assert_eq!(p.expiry, Some(ymd(2026, 12, 31)));
        assert_eq!(p.batch.as_deref(), Some("ABC123"));
        // Spaces around values (printed HRI) are fine; escaped '(' is data.
        let p = parse_at("(01) 09506000134352 (10) A\\(B)", today()).unwrap();
        assert_eq!(p.batch.as_deref(), Some("A(B)"));
        assert_eq!(code_of("(01)0950600013435"), "truncated");
        assert_eq!(code_of("(01)095060001343521"), "bad_length");
        assert_eq!(code_of("(01)09506000134352(10"), "malformed");
        assert_eq!(code_of("(0A)09506000134352"), "malformed");
        assert_eq!(code_of("(01)09506000134352x"), "bad_length");
        assert_eq!(code_of("()"), "malformed");
    }

    #[test]
    fn error_codes_in_element_strings() {
        let gs = '\u{1d}';
        // Check digits: GTIN, SSCC, GLN, GSIN.
        assert_eq!(code_of("(01)09506000134353"), "bad_check_digit");
        assert_eq!(code_of("(00)106141411234567898"), "bad_check_digit");
        assert_eq!(code_of("(410)4000001000006"), "bad_check_digit");
        assert_eq!(code_of("(402)12345678901234567"), "bad_check_digit");
        // Unknown AIs, named in the message.
        let e = parse_at("(01)09506000134352(23)1", today()).unwrap_err();
        assert_eq!(e.code(), "unknown_ai");
        let e = parse_at(&format!("0109506000134352{gs}2391X"), today()).unwrap_err();
        assert_eq!(e, ScanError::UnknownAi { ai: "239".into() });
        assert!(e.to_string().contains("(239)"));
        // Too few characters for a fixed field, in the middle or at the end.
        assert_eq!(code_of("]C1010950600013435"), "truncated");
        assert_eq!(
            code_of(&format!("]C1010950600013435217261{gs}10A")),
            "truncated"
        );
        assert_eq!(code_of("]C101095060001343521"), "truncated");
        assert_eq!(
            code_of(&format!("]C10109506000134352{gs}10{gs}")),
            "truncated"
        );
        // Non-digit in a numeric field; character outside set 82.
        assert_eq!(code_of("]C1010950600013435X"), "bad_character");
        assert_eq!(code_of("(01)09506000134352(10)AB#C"), "bad_character");
        assert_eq!(code_of("(01)09506000134352(10)ABé"), "bad_character");
        assert_eq!(code_of("(37)1A"), "bad_character");
        // Too long a variable field.
        assert_eq!(
            code_of("(01)09506000134352(10)ABCDEFGHIJKLMNOPQRSTU"),
            "bad_length"
        );
        // Same AI twice with different values.
        assert_eq!(code_of("(10)A(10)B"), "malformed");
        assert!(parse_at("(10)A(10)A", today()).is_ok());
        // Linted components.
        assert_eq!(code_of("(8006)095060001343520302"), "malformed");
        assert!(parse_at("(8006)095060001343520203", today()).is_ok());
        assert_eq!(code_of("(8003)195060001343521"), "bad_character");
        assert!(parse_at("(8003)09506000134352AB", today()).is_ok());
        assert_eq!(code_of("(4321)2"), "bad_character");
        assert_eq!(code_of("(8008)26123125"), "bad_date");
        assert!(parse_at("(8008)2612312359", today()).is_ok());
        assert_eq!(code_of("(8008)261231235"), "bad_length");
    }
}

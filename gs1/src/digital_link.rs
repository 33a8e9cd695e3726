//! GS1 Digital Link URIs: `https://id.gs1.org/01/09506000134352/10/ABC123/21/12345?17=261231`.
//!
//! Any scheme-`http(s)` URI on any domain is read: the path may start with any stem
//! (`https://example.com/products/01/…`); the first path segment that is a primary-key AI
//! (`00`, `01`, `253`, `255`, `401`, `402`, `414`, `415`, `417`, `8003`, `8004`, `8006`,
//! `8010`, `8013`, `8017`, `8018`, or its short name such as `gtin`) followed by key
//! qualifiers in GS1's order (for a GTIN: `22`, `10`, `21`, or `235`) begins the GS1 part.
//! Query parameters whose names are all digits are data attributes (`17=261231`) and must be
//! known AIs; other parameters (`linkType=…`) are ignored, as is the fragment. Segments and
//! values are percent-decoded; GTIN-8/12/13 under `01` are zero-padded to 14 digits. Every
//! value is validated exactly like in an element string (check digits, dates, …).

use std::borrow::Cow;

use crate::ai::lookup_exact;
use crate::date::Ctx;
use crate::element_string;
use crate::parse::gtin14;
use crate::{ParsedCode, ScanError};

/// The AI for a path segment: digits as they are, or a Digital Link short name.
fn ai_name(seg: &str) -> &str {
    match seg {
        "gtin" => "01",
        "itip" => "8006",
        "cpv" => "22",
        "lot" => "10",
        "ser" => "21",
        "tpx" => "235",
        "sscc" => "00",
        "gln" => "414",
        "glnx" => "254",
        "party" => "417",
        "payto" => "415",
        "refno" => "8020",
        "gdti" => "253",
        "gcn" => "255",
        "ginc" => "401",
        "gsin" => "402",
        "grai" => "8003",
        "giai" => "8004",
        "cpid" => "8010",
        "cpsn" => "8011",
        "gmn" => "8013",
        "gsrnp" => "8017",
        "gsrn" => "8018",
        "srin" => "8019",
        other => other,
    }
}

/// The qualifier sequences a primary key allows in the path (each in this order, any of them
/// may be left out), or `None` if the AI is no primary key.
fn qualifiers(key: u16) -> Option<&'static [&'static [u16]]> {
    Some(match key {
        1 => &[&[22, 10, 21], &[235]],
        8006 => &[&[22, 10, 21]],
        414 => &[&[254], &[7040]],
        415 => &[&[8020]],
        417 | 8004 => &[&[7040]],
        8010 => &[&[8011]],
        8017 | 8018 => &[&[8019]],
        0 | 253 | 255 | 401 | 402 | 8003 | 8013 => &[&[]],
        _ => return None,
    })
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes `s` (borrowing when there is nothing to decode).
fn decode(s: &str) -> Result<Cow<'_, str>, ScanError> {
    if !s.contains('%') {
        return Ok(Cow::Borrowed(s));
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            match (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => {
                    return Err(ScanError::Malformed {
                        reason: format!("bad percent-encoding in Digital Link segment {s:?}"),
                    })
                }
            }
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| ScanError::Malformed {
            reason: format!("Digital Link segment {s:?} does not decode to UTF-8 text"),
        })
}

/// Adds AI `ai` with raw (percent-encoded) value `raw_value`.
fn add(code: &mut ParsedCode, ai: &str, raw_value: &str, ctx: &mut Ctx) -> Result<u16, ScanError> {
    let (num, spec) = lookup_exact(ai)?;
    let value = decode(raw_value)?;
    let padded;
    let value: &str = if num == 1
        && matches!(value.len(), 8 | 12 | 13)
        && value.bytes().all(|b| b.is_ascii_digit())
    {
        padded = gtin14(&value);
        &padded
    } else {
        &value
    };
    element_string::add(code, ai, num, spec, value, ctx)?;
    Ok(num)
}

/// Parses a Digital Link URI (`s` starts with `http://` or `https://`, any case) into `code`.
pub(crate) fn parse(s: &str, code: &mut ParsedCode, ctx: &mut Ctx) -> Result<(), ScanError> {
    let after_scheme = s.split_once("://").map_or("", |(_, rest)| rest);
    let without_fragment = after_scheme
        .split_once('#')
        .map_or(after_scheme, |(a, _)| a);
    let (location, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    let path = location.split_once('/').map_or("", |(_host, path)| path);
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();

    // The GS1 part: the first primary key from which the rest of the path is AI/value pairs.
    let start = (0..segs.len())
        .find(|&k| {
            (segs.len() - k) & 1 == 0
                && segs.get(k).is_some_and(|seg| {
                    let ai = ai_name(seg);
                    ai.bytes().all(|b| b.is_ascii_digit())
                        && matches!(lookup_exact(ai), Ok((num, _)) if qualifiers(num).is_some())
                })
        })
        .ok_or_else(|| ScanError::Malformed {
            reason: "URI has no GS1 Digital Link primary key (such as /01/<GTIN>) in its path"
                .into(),
        })?;
    let mut pairs = segs.get(start..).unwrap_or_default().chunks_exact(2);
    let Some(&[key_seg, key_value]) = pairs.next() else {
        return Err(ScanError::Malformed {
            reason: "Digital Link primary key without a value".into(),
        });
    };
    let key = add(code, ai_name(key_seg), key_value, ctx)?;
    let allowed = qualifiers(key).unwrap_or(&[]);
    let mut path_quals: Vec<u16> = Vec::new();
    for pair in pairs {
        let &[q_seg, q_value] = pair else { break };
        let q_ai = ai_name(q_seg);
        let num = add(code, q_ai, q_value, ctx)?;
        path_quals.push(num);
        let in_order = allowed.iter().any(|seq| {
            let mut it = seq.iter();
            path_quals.iter().all(|q| it.any(|s| s == q))
        });
        if !in_order {
            return Err(ScanError::Malformed {
                reason: format!(
                    "AI ({q_ai}) is not a key qualifier of ({}) in this place of a Digital Link path",
                    ai_name(key_seg)
                ),
            });
        }
    }

    for param in query.split(['&', ';']) {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
            continue; // not an AI: GS1 allows other parameters
        }
        add(code, name, value, ctx)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{check_digit, parse_at, CodeKind};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
    }

    fn err(raw: &str) -> &'static str {
        parse_at(raw, today()).unwrap_err().code()
    }

    #[test]
    fn full_example() {
        let p = parse_at(
            "https://id.gs1.org/01/09506000134352/10/ABC123/21/12345?17=261231",
            today(),
        )
        .unwrap();
        assert_eq!(p.kind, CodeKind::Gs1DigitalLink);
        assert_eq!(p.gtin.as_deref(), Some("09506000134352"));
        assert_eq!(p.batch.as_deref(), Some("ABC123"));
        assert_eq!(p.serial.as_deref(), Some("12345"));
        assert_eq!(p.expiry, NaiveDate::from_ymd_opt(2026, 12, 31));
        let j = p.to_json(Some(today()));
        assert_eq!(j["kind"], "gs1_digital_link");
        assert_eq!(j["expired"], false);
    }

    #[test]
    fn any_domain_stems_short_gtins_and_encoding() {
        let p = parse_at(
            "HTTPS://Example.COM/shop/p/01/4006381333931/10/A%2FB%20?linkType=all&3103=000500#x",
            today(),
        );
        // "%20" decodes to a space, which is not in character set 82.
        assert_eq!(p.unwrap_err().code(), "bad_character");
        let p = parse_at(
            "http://example.com/shop/p/01/4006381333931/10/A%2FB?linkType=all&3103=000500#x",
            today(),
        )
        .unwrap();
        assert_eq!(p.gtin.as_deref(), Some("04006381333931"));
        assert_eq!(p.batch.as_deref(), Some("A/B"));
        assert_eq!(p.net_weight_kg, Some(0.5));
        let p = parse_at("https://d.example/01/96385074/", today()).unwrap();
        assert_eq!(p.gtin.as_deref(), Some("00000096385074"));
        let p = parse_at("https://d.example/00/106141411234567897", today()).unwrap();
        assert_eq!(p.sscc.as_deref(), Some("106141411234567897"));
        let p = parse_at("https://d.example/gtin/09506000134352/lot/L1", today()).unwrap();
        assert_eq!(p.batch.as_deref(), Some("L1"));
        let p = parse_at("https://d.example/414/9520123456788/254/32a%2Fb", today()).unwrap();
        assert_eq!(p.element("254"), Some("32a/b"));
        let p = parse_at(
            "https://d.example/01/09506000134352/22/2A/10/B/21/C",
            today(),
        )
        .unwrap();
        assert_eq!(p.element("22"), Some("2A"));
    }

    #[test]
    fn digital_link_errors() {
        assert_eq!(
            err("https://id.gs1.org/01/09506000134353"),
            "bad_check_digit"
        );
        assert_eq!(
            err("https://id.gs1.org/01/4006381333932"),
            "bad_check_digit"
        );
        assert_eq!(err("https://example.com/about"), "malformed");
        assert_eq!(err("https://example.com/"), "malformed");
        assert_eq!(err("https://"), "malformed");
        assert_eq!(
            err("https://id.gs1.org/01/09506000134352?17=261301"),
            "bad_date"
        );
        assert_eq!(
            err("https://id.gs1.org/01/09506000134352?2399=1"),
            "unknown_ai"
        );
        assert_eq!(err("https://id.gs1.org/01/09506000134352?17="), "truncated");
        assert_eq!(
            err("https://id.gs1.org/01/09506000134352/10/A%2"),
            "malformed"
        );
        assert_eq!(
            err("https://id.gs1.org/01/09506000134352/10/%FF"),
            "malformed"
        );
        assert_eq!(err("https://id.gs1.org/01/09506000134/10/A"), "truncated");
        assert_eq!(
            err("https://id.gs1.org/01/0950600013435/10/A"),
            "bad_check_digit"
        );
        // Qualifiers out of GS1's order, or not qualifiers of this key.
        assert_eq!(
            err("https://id.gs1.org/01/09506000134352/21/S/10/L"),
            "malformed"
        );
        assert_eq!(
            err("https://id.gs1.org/01/09506000134352/17/261231"),
            "malformed"
        );
        assert_eq!(
            err("https://id.gs1.org/00/106141411234567897/10/L"),
            "malformed"
        );
        // Query value contradicting the path.
        assert_eq!(
            err("https://id.gs1.org/01/09506000134352/10/L?10=M"),
            "malformed"
        );
    }

    fn encode(v: &str) -> String {
        v.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_' {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    fn with_check(payload: &str) -> String {
        format!("{payload}{}", check_digit(payload).unwrap())
    }

    proptest! {
        #[test]
        fn digital_links_round_trip(
            gtin in "[0-9]{13}",
            lot in proptest::option::of("[!\"%-/0-9:-?A-Z_a-z]{1,20}"),
            ser in proptest::option::of("[!\"%-/0-9:-?A-Z_a-z]{1,20}"),
            expiry in proptest::option::of((0u32..100, 1u32..=12, 0u32..=28)),
            count in proptest::option::of("[0-9]{1,8}"),
        ) {
            let gtin = with_check(&gtin);
            let mut uri = format!("https://id.example.com/01/{gtin}");
            let mut bracketed = format!("(01){gtin}");
            if let Some(l) = &lot {
                uri.push_str(&format!("/10/{}", encode(l)));
                bracketed.push_str(&format!("(10){}", l.replace('(', "\\(")));
            }
            if let Some(s) = &ser {
                uri.push_str(&format!("/21/{}", encode(s)));
                bracketed.push_str(&format!("(21){}", s.replace('(', "\\(")));
            }
            let mut sep = '?';
            if let Some((y, m, d)) = expiry {
                let v = format!("{y:02}{m:02}{d:02}");
                uri.push_str(&format!("{sep}17={v}"));
                bracketed.push_str(&format!("(17){v}"));
                sep = '&';
            }
            if let Some(c) = &count {
                uri.push_str(&format!("{sep}linkType=all&30={c}"));
                bracketed.push_str(&format!("(30){c}"));
            }
            let dl = parse_at(&uri, today()).unwrap();
            let es = parse_at(&bracketed, today()).unwrap();
            prop_assert_eq!(dl.kind, CodeKind::Gs1DigitalLink);
            prop_assert_eq!(&dl.elements, &es.elements);
            prop_assert_eq!(dl.gtin, es.gtin);
            prop_assert_eq!(dl.batch, lot);
            prop_assert_eq!(dl.serial, ser);
            prop_assert_eq!(dl.expiry, es.expiry);
        }

        #[test]
        fn never_panics_on_uris(tail in "[0-9A-Za-z/%?&=#;.-]{0,60}") {
            let _ = parse_at(&format!("https://id.gs1.org/{tail}"), today());
            let _ = parse_at(&format!("https://id.gs1.org/01/09506000134352/{tail}"), today());
        }
    }
}

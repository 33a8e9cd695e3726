//! The platform's order label, printed on every parcel of an order.
//!
//! ```text
//! RS1:<order_id>:<parcel>/<total>:<check>        e.g.  RS1:ORD-4711:2/3:U
//! ```
//!
//! - `RS1` names the format and its version (`RS` then the version number, now `1`). A
//!   label of another version (`RS9:…`) is refused as `malformed`, naming the version.
//! - `order_id`: 1 to 32 characters of `A`-`Z`, `0`-`9` and `-`.
//! - `parcel/total`: this parcel's number, 1-based, and the order's parcel count; decimal
//!   without leading zeros, `1 <= parcel <= total <= 99`.
//! - `check`: one character computed over everything before the last colon
//!   (`RS1:ORD-4711:2/3`) with ISO/IEC 7064 MOD 37-2 (pure system, modulus 37, radix 2).
//!   Characters count as `0`-`9` → 0-9, `A`-`Z` → 10-35, and `-`, `:`, `/` → 36; the check
//!   character is `0`-`9`, `A`-`Z`, or `*` for 36.
//!
//! Any single-character misread in the order id or the parcel numbers (to another letter,
//! digit, `-`, `:` or `/`) or of the check character (to another letter, digit or `*`), and
//! any swap of two adjacent characters there that differ in value, is refused as
//! `bad_check_digit`: the check is verified before the fields
//! are read, so a misread parcel number never yields a wrong parcel. What the check cannot
//! tell apart (one punctuation mark for another) breaks the label's structure and is refused
//! as `malformed`; so is a damaged `RS1:` prefix or last colon, which no longer reads as a
//! label of this version.
//!
//! Labels are upper case; text fit for Code 128 and the QR Code alphanumeric mode.

use crate::{CodeKind, ParsedCode, ScanError};

/// The label format version this crate writes and reads.
pub const LABEL_VERSION: u32 = 1;

/// Longest order id on a label.
pub const MAX_ORDER_ID_LEN: usize = 32;

/// Most parcels one order can have.
pub const MAX_PARCELS: u32 = 99;

const FIELD: &str = "order label";

/// The MOD 37-2 value of a label character, if it may appear before the check.
fn value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        b'-' | b':' | b'/' => Some(36),
        _ => None,
    }
}

/// The check character for `body` (all of whose characters have a [`value`]).
fn check_char(body: &[u8]) -> char {
    let p = body
        .iter()
        .fold(0u32, |p, &b| ((p + value(b).unwrap_or(0)) * 2) % 37);
    let c = (38 - p) % 37;
    match c {
        0..=9 => char::from(b'0' + c as u8),
        10..=35 => char::from(b'A' + (c - 10) as u8),
        _ => '*',
    }
}

fn check_order_id(order_id: &str) -> Result<(), ScanError> {
    if let Some((i, ch)) = order_id
        .chars()
        .enumerate()
        .find(|&(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'))
    {
        return Err(ScanError::BadCharacter {
            field: "order id".into(),
            position: i + 1,
            ch,
        });
    }
    if order_id.is_empty() || order_id.len() > MAX_ORDER_ID_LEN {
        return Err(ScanError::BadLength {
            field: "order id".into(),
            found: order_id.len(),
            expected: format!("1 to {MAX_ORDER_ID_LEN}"),
        });
    }
    Ok(())
}

fn check_counts(parcel: u32, total: u32) -> Result<(), ScanError> {
    if parcel == 0 || parcel > total || total > MAX_PARCELS {
        return Err(ScanError::Malformed {
            reason: format!(
                "parcel {parcel} of {total} is impossible (1 <= parcel <= total <= {MAX_PARCELS})"
            ),
        });
    }
    Ok(())
}

/// The label text for parcel `parcel` (1-based) of `total` of order `order_id`, e.g.
/// `order_label("ORD-4711", 2, 3)` is `"RS1:ORD-4711:2/3:U"`.
///
/// Fails with `bad_character` or `bad_length` for an order id outside `[A-Z0-9-]{1,32}`, and
/// `malformed` unless `1 <= parcel <= total <= 99`.
pub fn order_label(order_id: &str, parcel: u32, total: u32) -> Result<String, ScanError> {
    check_order_id(order_id)?;
    check_counts(parcel, total)?;
    let body = format!("RS{LABEL_VERSION}:{order_id}:{parcel}/{total}");
    let check = check_char(body.as_bytes());
    Ok(format!("{body}:{check}"))
}

/// A count on a label: 1 or 2 digits, no leading zero.
fn count(s: &str) -> Option<u32> {
    let ok =
        matches!(s.len(), 1 | 2) && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0');
    if ok {
        s.parse().ok()
    } else {
        None
    }
}

/// Parses a label (`s` starts with `RS` and a digit) into `code`.
pub(crate) fn parse(s: &str, code: &mut ParsedCode) -> Result<(), ScanError> {
    let after = s.get(2..).unwrap_or_default();
    let Some((version, _)) = after.split_once(':') else {
        return Err(ScanError::Malformed {
            reason: "order label without ':' separators".into(),
        });
    };
    if version.parse::<u32>().ok() != Some(LABEL_VERSION) || version.starts_with(['0', '+']) {
        return Err(ScanError::Malformed {
            reason: format!(
                "order label version RS{version} is not supported (this app reads RS{LABEL_VERSION})"
            ),
        });
    }
    let (body, check) = s.rsplit_once(':').unwrap_or((s, ""));
    let mut check_chars = check.chars();
    let found = match (check_chars.next(), check_chars.next()) {
        (Some(c), None) => c,
        (None, _) => {
            return Err(ScanError::Truncated {
                field: "order label check character".into(),
                needed: 1,
                found: 0,
            })
        }
        (Some(_), Some(_)) => {
            return Err(ScanError::BadLength {
                field: "order label check character".into(),
                found: check.chars().count(),
                expected: "exactly 1".into(),
            })
        }
    };
    if let Some((i, ch)) = body
        .chars()
        .enumerate()
        .find(|&(_, c)| !u8::try_from(c).is_ok_and(|b| value(b).is_some()))
    {
        return Err(ScanError::BadCharacter {
            field: FIELD.into(),
            position: i + 1,
            ch,
        });
    }
    if !(found.is_ascii_uppercase() || found.is_ascii_digit() || found == '*') {
        return Err(ScanError::BadCharacter {
            field: FIELD.into(),
            position: body.chars().count() + 2,
            ch: found,
        });
    }
    let expected = check_char(body.as_bytes());
    if found != expected {
        return Err(ScanError::BadCheckDigit {
            field: FIELD.into(),
            found,
            expected,
        });
    }
    let mut fields = body.split(':');
    let (Some(_rs), Some(order_id), Some(counts), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(ScanError::Malformed {
            reason: "order label is not RS1:<order>:<parcel>/<total>:<check>".into(),
        });
    };
    check_order_id(order_id).map_err(|_| ScanError::Malformed {
        reason: format!("order label order id {order_id:?} is not 1-32 of A-Z, 0-9, '-'"),
    })?;
    let (parcel, total) = counts
        .split_once('/')
        .and_then(|(p, t)| Some((count(p)?, count(t)?)))
        .ok_or_else(|| ScanError::Malformed {
            reason: format!("order label parcel {counts:?} is not <parcel>/<total>"),
        })?;
    check_counts(parcel, total)?;
    code.kind = CodeKind::OrderLabel;
    code.order_id = Some(order_id.to_owned());
    code.parcel = Some(parcel);
    code.parcel_count = Some(total);
    code.label_version = Some(LABEL_VERSION);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse as parse_scan, parse_with_symbology, Symbology};
    use proptest::prelude::*;

    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-";

    #[test]
    fn encodes_and_reads_back() {
        let label = order_label("ORD-4711", 2, 3).unwrap();
        assert_eq!(label, "RS1:ORD-4711:2/3:U");
        let p = parse_scan(&label).unwrap();
        assert_eq!(p.kind, CodeKind::OrderLabel);
        assert_eq!(p.order_id.as_deref(), Some("ORD-4711"));
        assert_eq!(p.parcel, Some(2));
        assert_eq!(p.parcel_count, Some(3));
        assert_eq!(p.label_version, Some(1));
        let j = p.to_json(None);
        assert_eq!(j["kind"], "order_label");
        assert_eq!(j["order_id"], "ORD-4711");
        assert_eq!(j["parcel"], 2);
        assert_eq!(j["parcel_count"], 3);
        assert_eq!(j["label_version"], 1);
        assert!(j.get("gtin").is_none());
        let p = parse_with_symbology(&format!("{label}\r\n"), Symbology::QrCode).unwrap();
        assert_eq!(p.order_id.as_deref(), Some("ORD-4711"));
    }

    #[test]
    fn iso_7064_mod_37_2() {
        // The pure system's defining property: the weighted sum including the check is 1.
        for body in [
            "RS1:A:1/1",
            "RS1:ORD-4711:2/3",
            "RS1:0:9/99",
            "RS1:ZZZZ:1/2",
        ] {
            let c = check_char(body.as_bytes());
            let v = if c == '*' {
                36
            } else {
                value(c as u8).unwrap()
            };
            let p = body
                .bytes()
                .fold(0u32, |p, b| ((p + value(b).unwrap()) * 2) % 37);
            assert_eq!((p + v) % 37, 1, "{body}");
        }
        // Some body has '*' as its check.
        let star = (0..2000)
            .map(|n| format!("RS1:N{n}:1/1"))
            .any(|b| check_char(b.as_bytes()) == '*');
        assert!(star);
        let label = (0..2000)
            .map(|n| order_label(&format!("N{n}"), 1, 1).unwrap())
            .find(|l| l.ends_with('*'))
            .unwrap();
        assert!(parse_scan(&label).is_ok());
    }

    #[test]
    fn encode_refuses_bad_input() {
        assert_eq!(
            order_label("ord-1", 1, 1).unwrap_err().code(),
            "bad_character"
        );
        assert_eq!(
            order_label("A:B", 1, 1).unwrap_err().code(),
            "bad_character"
        );
        assert_eq!(order_label("", 1, 1).unwrap_err().code(), "bad_length");
        assert_eq!(
            order_label(&"A".repeat(33), 1, 1).unwrap_err().code(),
            "bad_length"
        );
        assert!(order_label(&"A".repeat(32), 99, 99).is_ok());
        assert_eq!(order_label("A", 0, 1).unwrap_err().code(), "malformed");
        assert_eq!(order_label("A", 3, 2).unwrap_err().code(), "malformed");
        assert_eq!(order_label("A", 1, 100).unwrap_err().code(), "malformed");
    }

    #[test]
    fn label_errors() {
        let code = |s: &str| parse_scan(s).unwrap_err().code();
        let e = parse_scan("RS9:ORD-4711:2/3:8").unwrap_err();
        assert_eq!(e.code(), "malformed");
        assert!(e.to_string().contains("RS9"), "{e}");
        assert!(parse_scan("RS12:ORD-4711:2/3:8")
            .unwrap_err()
            .to_string()
            .contains("RS12"));
        assert_eq!(code("RS1"), "malformed");
        assert_eq!(code("RS1:ORD-4711:2/3:"), "truncated");
        assert_eq!(code("RS1:ORD-4711:2/3:88"), "bad_length");
        assert_eq!(code("RS1:ORD-4711:2/3:9"), "bad_check_digit");
        assert_eq!(code("RS1:ORD-4711:3/2:U"), "bad_check_digit");
        assert_eq!(code("RS1:ord-4711:2/3:8"), "bad_character");
        assert_eq!(code("RS1:ORD-4711:2/3:a"), "bad_character");
        assert_eq!(code("RS1:ORD 4711:2/3:8"), "bad_character");
        // Valid check, broken structure.
        for (body, why) in [
            ("RS1:ORD:4711:2/3", "too many fields"),
            ("RS1:ORD-4711:3/2", "parcel > total"),
            ("RS1:ORD-4711:0/2", "parcel 0"),
            ("RS1:ORD-4711:02/3", "leading zero"),
            ("RS1:ORD-4711:2-3", "no slash"),
            ("RS1::1/1", "empty order id"),
            ("RS1:A/B:1/1", "slash in order id"),
            ("RS1:ORD-4711:100/100", "too many parcels"),
        ] {
            let label = format!("{body}:{}", check_char(body.as_bytes()));
            assert_eq!(code(&label), "malformed", "{why}");
        }
    }

    #[test]
    fn every_single_substitution_and_transposition_is_caught() {
        for (id, parcel, total) in [("ORD-4711", 2, 3), ("A", 1, 1), ("X-Y-Z-09", 12, 99)] {
            let label = order_label(id, parcel, total).unwrap();
            let b = label.as_bytes();
            // Everything after "RS1:" (the version is checked on its own: RS9 is malformed).
            for pos in 4..b.len() {
                let last = pos == b.len() - 1;
                for &c in ALPHABET
                    .iter()
                    .chain(if last { &b"*"[..] } else { &b":/"[..] })
                {
                    if c == b[pos] || (last && c == b'-') {
                        continue;
                    }
                    let mut m = b.to_vec();
                    m[pos] = c;
                    let m = String::from_utf8(m).unwrap();
                    let e = parse_scan(&m).unwrap_err();
                    let punct = |x: u8| matches!(x, b'-' | b':' | b'/');
                    if pos == b.len() - 2 {
                        // The colon before the check: the label loses its shape.
                        continue;
                    }
                    if punct(c) && punct(b[pos]) {
                        assert!(
                            matches!(e.code(), "malformed" | "bad_check_digit"),
                            "{m}: {e}"
                        );
                    } else {
                        assert_eq!(e.code(), "bad_check_digit", "{m}: {e}");
                    }
                }
            }
            for pos in 4..b.len() - 1 {
                if b[pos] == b[pos + 1] {
                    continue;
                }
                let mut m = b.to_vec();
                m.swap(pos, pos + 1);
                let m = String::from_utf8(m).unwrap();
                let e = parse_scan(&m).unwrap_err();
                // Both inside the part the check covers, and different in value.
                if pos + 1 < b.len() - 2 && value(b[pos]) != value(b[pos + 1]) {
                    assert_eq!(e.code(), "bad_check_digit", "{m}: {e}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn labels_round_trip(id in "[A-Z0-9-]{1,32}", total in 1u32..=99, p in 1u32..=99) {
            let parcel = p.min(total);
            let label = order_label(&id, parcel, total).unwrap();
            let parsed = parse_scan(&label).unwrap();
            prop_assert_eq!(parsed.kind, CodeKind::OrderLabel);
            prop_assert_eq!(parsed.order_id, Some(id));
            prop_assert_eq!(parsed.parcel, Some(parcel));
            prop_assert_eq!(parsed.parcel_count, Some(total));
        }

        #[test]
        fn misreads_of_order_id_fail_the_check(
            id in "[A-Z0-9-]{1,32}", pos in 0usize..32, c in 0usize..37, total in 1u32..=99
        ) {
            let label = order_label(&id, 1, total).unwrap();
            let pos = 4 + pos % id.len();
            let mut m = label.into_bytes();
            let new = ALPHABET[c];
            prop_assume!(m[pos] != new);
            m[pos] = new;
            let m = String::from_utf8(m).unwrap();
            prop_assert_eq!(parse_scan(&m).unwrap_err().code(), "bad_check_digit");
        }
    }
}

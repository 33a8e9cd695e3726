//! The application identifier (AI) table: which AIs exist, how many digits each has, and the
//! format of each one's data (components, character sets, checks), after the GS1 General
//! Specifications and GS1's Syntax Dictionary.

use crate::ScanError;

/// The predefined-length AI prefixes of the GS1 General Specifications (figure 7.8.5-2): the
/// first two digits of the AI and the length of the element string (AI included). Fields
/// with these prefixes never need an FNC1 separator.
pub const PREDEFINED_LENGTHS: [(u8, usize); 22] = [
    (0, 20),
    (1, 16),
    (2, 16),
    (3, 16),
    (4, 18),
    (11, 8),
    (12, 8),
    (13, 8),
    (14, 8),
    (15, 8),
    (16, 8),
    (17, 8),
    (18, 8),
    (19, 8),
    (20, 4),
    (31, 10),
    (32, 10),
    (33, 10),
    (34, 10),
    (35, 10),
    (36, 10),
    (41, 16),
];

/// Whether AIs starting with these two digits have a predefined length (no FNC1 needed).
fn predefined(prefix: u8) -> bool {
    PREDEFINED_LENGTHS.iter().any(|&(p, _)| p == prefix)
}

/// Which characters a component allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cset {
    /// Digits.
    N,
    /// GS1 AI encodable character set 82.
    X,
    /// GS1 AI encodable character set 39.
    Y,
    /// GS1 AI encodable character set 64 (base64url and `=`).
    Z,
}

impl Cset {
    pub(crate) fn allows(self, b: u8) -> bool {
        match self {
            Cset::N => b.is_ascii_digit(),
            Cset::X => matches!(b,
                b'!' | b'"' | b'%'..=b'/' | b'0'..=b'9' | b':'..=b'?' | b'A'..=b'Z' | b'_'
                | b'a'..=b'z'),
            Cset::Y => matches!(b, b'#' | b'-' | b'/' | b'0'..=b'9' | b'A'..=b'Z'),
            Cset::Z => matches!(b, b'-' | b'_' | b'=' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z'),
        }
    }
}

/// Content checks beyond the character set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lint {
    None,
    /// GS1 mod-10 check digit over the component.
    Csum,
    /// `YYMMDD`, day 00 allowed.
    Yymmd0,
    /// `YYMMDD`.
    Yymmdd,
    /// `YYYYMMDD`.
    Yyyymmdd,
    /// `HH`.
    Hh,
    /// `HHMM`.
    Hhmm,
    /// `MM` or `MMSS`.
    Mmoptss,
    /// The digit 0.
    Zero,
    /// Not all zeros.
    NonZero,
    /// 0 or 1.
    YesNo,
    /// `PPTT`: piece PP of TT.
    PieceOfTotal,
    /// A hyphen.
    Hyphen,
    /// A slash.
    Slash,
}

/// One component of an AI's data field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Comp {
    pub(crate) cset: Cset,
    pub(crate) min: u8,
    pub(crate) max: u8,
    pub(crate) optional: bool,
    pub(crate) lint: Lint,
}

const fn fixed(cset: Cset, len: u8) -> Comp {
    Comp {
        cset,
        min: len,
        max: len,
        optional: false,
        lint: Lint::None,
    }
}

const fn var(cset: Cset, max: u8) -> Comp {
    Comp {
        cset,
        min: 1,
        max,
        optional: false,
        lint: Lint::None,
    }
}

impl Comp {
    const fn lint(mut self, lint: Lint) -> Comp {
        self.lint = lint;
        self
    }

    const fn opt(mut self) -> Comp {
        self.optional = true;
        self
    }
}

/// The format of one AI's data field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    pub(crate) comps: &'static [Comp],
    pub(crate) predefined: bool,
}

impl Spec {
    /// Shortest and longest valid data.
    pub(crate) fn bounds(&self) -> (usize, usize) {
        self.comps.iter().fold((0, 0), |(lo, hi), c| {
            let min = if c.optional { 0 } else { usize::from(c.min) };
            (lo + min, hi + usize::from(c.max))
        })
    }
}

use Cset::{N, X, Y, Z};

const N1: &[Comp] = &[fixed(N, 1)];
const N2: &[Comp] = &[fixed(N, 2)];
const N4: &[Comp] = &[fixed(N, 4)];
const N6: &[Comp] = &[fixed(N, 6)];
const N13: &[Comp] = &[fixed(N, 13)];
const N13C: &[Comp] = &[fixed(N, 13).lint(Lint::Csum)];
const N14C: &[Comp] = &[fixed(N, 14).lint(Lint::Csum)];
const N17C: &[Comp] = &[fixed(N, 17).lint(Lint::Csum)];
const N18C: &[Comp] = &[fixed(N, 18).lint(Lint::Csum)];
const NV4: &[Comp] = &[var(N, 4)];
const NV6: &[Comp] = &[var(N, 6)];
const NV8: &[Comp] = &[var(N, 8)];
const NV10: &[Comp] = &[var(N, 10)];
const NV12: &[Comp] = &[var(N, 12)];
const NV15: &[Comp] = &[var(N, 15)];
const N3: &[Comp] = &[fixed(N, 3)];
const N3NV15: &[Comp] = &[fixed(N, 3), var(N, 15)];
const N3XV9: &[Comp] = &[fixed(N, 3), var(X, 9)];
const N3XV27: &[Comp] = &[fixed(N, 3), var(X, 27)];
const DATE0: &[Comp] = &[fixed(N, 6).lint(Lint::Yymmd0)];
const DATE: &[Comp] = &[fixed(N, 6).lint(Lint::Yymmdd)];
const DATE0_TIME: &[Comp] = &[fixed(N, 6).lint(Lint::Yymmd0), fixed(N, 4).lint(Lint::Hhmm)];
const DATE_TIME: &[Comp] = &[fixed(N, 6).lint(Lint::Yymmdd), fixed(N, 4).lint(Lint::Hhmm)];
const DATE_OPT_DATE: &[Comp] = &[
    fixed(N, 6).lint(Lint::Yymmdd),
    fixed(N, 6).lint(Lint::Yymmdd).opt(),
];
const DATE_OPT_TIME: &[Comp] = &[
    fixed(N, 6).lint(Lint::Yymmdd),
    fixed(N, 4).lint(Lint::Hhmm).opt(),
];
const PROD_TIME: &[Comp] = &[
    fixed(N, 6).lint(Lint::Yymmdd),
    fixed(N, 2).lint(Lint::Hh),
    var(N, 4).lint(Lint::Mmoptss).opt(),
];
const TEMP: &[Comp] = &[fixed(N, 6), fixed(X, 1).lint(Lint::Hyphen).opt()];
const YES_NO: &[Comp] = &[fixed(N, 1).lint(Lint::YesNo)];
const X2: &[Comp] = &[fixed(X, 2)];
const XV2: &[Comp] = &[var(X, 2)];
const XV3: &[Comp] = &[var(X, 3)];
const XV10: &[Comp] = &[var(X, 10)];
const XV12: &[Comp] = &[var(X, 12)];
const XV20: &[Comp] = &[var(X, 20)];
const XV25: &[Comp] = &[var(X, 25)];
const XV28: &[Comp] = &[var(X, 28)];
const XV30: &[Comp] = &[var(X, 30)];
const XV34: &[Comp] = &[var(X, 34)];
const XV35: &[Comp] = &[var(X, 35)];
const XV40: &[Comp] = &[var(X, 40)];
const XV50: &[Comp] = &[var(X, 50)];
const XV70: &[Comp] = &[var(X, 70)];
const XV90: &[Comp] = &[var(X, 90)];
const X2XV28: &[Comp] = &[fixed(X, 2), var(X, 28)];
const GDTI: &[Comp] = &[fixed(N, 13).lint(Lint::Csum), var(X, 17).opt()];
const GCN: &[Comp] = &[fixed(N, 13).lint(Lint::Csum), var(N, 12).opt()];
const GRAI: &[Comp] = &[
    fixed(N, 1).lint(Lint::Zero),
    fixed(N, 13).lint(Lint::Csum),
    var(X, 16).opt(),
];
const ITIP: &[Comp] = &[
    fixed(N, 14).lint(Lint::Csum),
    fixed(N, 4).lint(Lint::PieceOfTotal),
];
const DIMENSIONS: &[Comp] = &[
    fixed(N, 4).lint(Lint::NonZero),
    fixed(N, 5).lint(Lint::NonZero),
    fixed(N, 3).lint(Lint::NonZero),
    fixed(N, 1),
    fixed(N, 1),
];
const GEO: &[Comp] = &[fixed(N, 10), fixed(N, 10)];
const UIC_EXT: &[Comp] = &[fixed(N, 1), fixed(X, 1), fixed(X, 1), fixed(X, 1)];
const DOB: &[Comp] = &[fixed(N, 8).lint(Lint::Yyyymmdd)];
const DOB_TIME: &[Comp] = &[
    fixed(N, 8).lint(Lint::Yyyymmdd),
    fixed(N, 4).lint(Lint::Hhmm),
];
const BIRTH_SEQ: &[Comp] = &[fixed(N, 1), fixed(X, 1).lint(Lint::Slash), fixed(N, 1)];
const YV30: &[Comp] = &[var(Y, 30)];
const ZV90: &[Comp] = &[var(Z, 90)];

/// Whether a 4-digit AI is one of the measures `31nn`-`36nn` (the last digit, 0-5, being the
/// position of the decimal point).
fn is_measure(ai: u16) -> bool {
    ai % 10 <= 5
        && matches!(ai / 10, 310..=316 | 320..=329 | 330..=337 | 340..=349 | 350..=357 | 360..=369)
}

/// The format of AI `ai` (its digits read as a number; the AI's length follows from its first
/// two digits, see [`ai_len`]), or `None` for an AI this parser doesn't know.
pub(crate) fn spec(ai: u16) -> Option<Spec> {
    let comps: &'static [Comp] = match ai {
        0 => N18C,
        1 | 2 => N14C,
        10 | 21 | 22 => XV20,
        11 | 12 | 13 | 15 | 16 | 17 => DATE0,
        20 => N2,
        30 | 37 => NV8,
        90 => XV30,
        91..=99 => XV90,
        235 => XV28,
        240 | 241 | 250 | 251 => XV30,
        242 => NV6,
        243 | 254 => XV20,
        253 => GDTI,
        255 => GCN,
        3100..=3695 if is_measure(ai) => N6,
        3900..=3909 | 3920..=3929 => NV15,
        3910..=3919 | 3930..=3939 => N3NV15,
        3940..=3943 => N4,
        3950..=3955 => N6,
        400 | 401 | 403 => XV30,
        402 => N17C,
        410..=417 => N13C,
        420 => XV20,
        421 => N3XV9,
        422 | 424 | 426 => N3,
        423 | 425 => NV15,
        427 => XV3,
        4300 | 4301 | 4310 | 4311 | 4320 => XV35,
        4302..=4306 | 4312..=4316 => XV70,
        4307 | 4317 => X2,
        4308 | 4319 => XV30,
        4318 => XV20,
        4309 => GEO,
        4321..=4323 => YES_NO,
        4324 | 4325 => DATE0_TIME,
        4326 => DATE,
        4330..=4333 => TEMP,
        7001 => N13,
        7002 => XV30,
        7003 => DATE_TIME,
        7004 => NV4,
        7005 => XV12,
        7006 => DATE,
        7007 => DATE_OPT_DATE,
        7008 => XV3,
        7009 => XV10,
        7010 => XV2,
        7011 => DATE_OPT_TIME,
        7020..=7022 | 7240 => XV20,
        7023 => XV30,
        7030..=7039 => N3XV27,
        7040 => UIC_EXT,
        710..=716 => XV20,
        7230..=7239 => X2XV28,
        7241 => N2,
        7242 => XV25,
        7250 => DOB,
        7251 => DOB_TIME,
        7252 => N1,
        7253 | 7254 | 7259 => XV40,
        7255 => XV10,
        7256 => XV90,
        7257 => XV70,
        7258 => BIRTH_SEQ,
        8001 => DIMENSIONS,
        8002 | 8012 => XV20,
        8003 => GRAI,
        8004 => XV30,
        8005 => N6,
        8006 | 8026 => ITIP,
        8007 => XV34,
        8008 => PROD_TIME,
        8009 => XV50,
        8010 => YV30,
        8011 => NV12,
        8013 | 8020 => XV25,
        8017 | 8018 => N18C,
        8019 => NV10,
        8030 => ZV90,
        8110 | 8112 | 8200 => XV70,
        8111 => N4,
        _ => return None,
    };
    let prefix = if ai < 100 {
        ai
    } else if ai < 1000 {
        ai / 10
    } else {
        ai / 100
    };
    Some(Spec {
        comps,
        predefined: u8::try_from(prefix).is_ok_and(predefined),
    })
}

/// How many digits an AI starting with these two digits has (GS1 General Specifications'
/// table of AI lengths; unassigned ranges get a best guess, used only in error messages).
fn ai_len(prefix: u8) -> usize {
    match prefix {
        0..=22 | 26..=30 | 37 | 50..=69 | 90..=99 => 2,
        23..=25 | 40..=42 | 71 => 3,
        _ => 4,
    }
}

/// What the start of some data says about the AI there.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lookup {
    /// A known AI of `len` digits.
    Found { len: usize, num: u16, spec: Spec },
    /// `len` digits that are no AI this parser knows.
    Unknown { len: usize },
    /// A non-digit where the AI's digit `index` (0-based) should be.
    NotDigit { index: usize },
    /// The data ends inside the AI, which needs `len` digits.
    Short { len: usize },
}

/// Reads the AI at the start of `s`.
pub(crate) fn lookup(s: &[u8]) -> Lookup {
    let digit = |k: usize| s.get(k).filter(|b| b.is_ascii_digit()).map(|b| b - b'0');
    let (d0, d1) = match (s.first(), s.get(1)) {
        (Some(b), _) if !b.is_ascii_digit() => return Lookup::NotDigit { index: 0 },
        (_, None) => return Lookup::Short { len: 2 },
        _ => match (digit(0), digit(1)) {
            (Some(a), Some(b)) => (a, b),
            _ => return Lookup::NotDigit { index: 1 },
        },
    };
    let len = ai_len(d0 * 10 + d1);
    let mut num: u16 = 0;
    for k in 0..len {
        match s.get(k) {
            None => return Lookup::Short { len },
            Some(b) if b.is_ascii_digit() => num = num * 10 + u16::from(b - b'0'),
            Some(_) => return Lookup::NotDigit { index: k },
        }
    }
    match spec(num) {
        Some(spec) => Lookup::Found { len, num, spec },
        None => Lookup::Unknown { len },
    }
}

/// Looks up an AI given on its own (bracketed or Digital Link form): it must be exactly the
/// digits of a known AI.
pub(crate) fn lookup_exact(ai: &str) -> Result<(u16, Spec), ScanError> {
    if ai.is_empty() || !ai.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScanError::Malformed {
            reason: format!("{ai:?} is not an application identifier (2 to 4 digits)"),
        });
    }
    match lookup(ai.as_bytes()) {
        Lookup::Found { len, num, spec } if len == ai.len() => Ok((num, spec)),
        _ => Err(ScanError::UnknownAi { ai: ai.to_owned() }),
    }
}

/// Whether `s` starts with a known AI.
pub(crate) fn starts_with_known_ai(s: &str) -> bool {
    matches!(lookup(s.as_bytes()), Lookup::Found { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_table_matches_the_ai_table() {
        // Every known AI with a predefined prefix has an all-fixed format whose length is the
        // table's (AI included); every other AI is variable or needs FNC1.
        for num in 0..10_000u16 {
            let Some(spec) = spec(num) else { continue };
            let (ai_digits, prefix) = if num < 100 {
                (2, num)
            } else if num < 1000 {
                (3, num / 10)
            } else {
                (4, num / 100)
            };
            let p = u8::try_from(prefix).unwrap();
            assert_eq!(ai_len(p), ai_digits, "AI {num}: length by prefix");
            let (min, max) = spec.bounds();
            if let Some(&(_, total)) = PREDEFINED_LENGTHS.iter().find(|&&(q, _)| q == p) {
                assert!(spec.predefined);
                assert_eq!(min, max, "AI {num} is predefined, so fixed");
                assert_eq!(ai_digits + min, total, "AI {num}");
            } else {
                assert!(!spec.predefined, "AI {num}");
            }
        }
    }

    #[test]
    fn character_sets() {
        for b in 0u8..=127 {
            let in82 = Cset::X.allows(b);
            let expected = b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
                .contains(&b);
            assert_eq!(in82, expected, "{b}");
        }
        let count = (0u8..=127).filter(|&b| Cset::X.allows(b)).count();
        assert_eq!(count, 82);
        assert_eq!((0u8..=127).filter(|&b| Cset::Y.allows(b)).count(), 39);
        assert_eq!((0u8..=127).filter(|&b| Cset::Z.allows(b)).count(), 65);
    }
}

//! GS1 element strings: application identifiers (AIs), their formats, check digits and dates.
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
//! - **GS1 Digital Link** URIs, handled by [`super::digital_link`] with the same AI table.
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

use chrono::{Datelike, NaiveDate};

use super::{Element, ParsedCode, ScanError};

/// The GS (group separator) character, how scanners transmit FNC1 inside the data.
pub(crate) const GS: u8 = 0x1d;

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

/// The GS1 mod-10 check digit of `payload` (the digits before the check digit): weights 3
/// and 1 alternate from the rightmost payload digit, which weighs 3. Used by GTIN, SSCC,
/// GLN, GSIN, GSRN and friends. `None` if `payload` has a non-digit.
///
/// ```
/// assert_eq!(runsheet_core::scan::check_digit("0950600013435"), Some(2));
/// ```
pub fn check_digit(payload: &str) -> Option<u8> {
    let mut sum: u32 = 0;
    for (i, b) in payload.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = u32::from(b - b'0');
        let w = if i % 2 == 0 { 3 } else { 1 };
        sum = (sum + w * d) % 10;
    }
    // `sum` < 10, so this is a single digit.
    Some(((10 - sum) % 10) as u8)
}

/// Checks the last digit of `digits` (ASCII digits, at least two) against the others;
/// `field` names the code in an error (built only then).
pub(crate) fn verify_check_digit(
    field: impl Fn() -> String,
    digits: &str,
) -> Result<(), ScanError> {
    let Some(split) = digits.len().checked_sub(1) else {
        return Err(ScanError::Truncated {
            field: field(),
            needed: 2,
            found: 0,
        });
    };
    let (payload, last) = digits.split_at_checked(split).unwrap_or((digits, ""));
    let found = last.chars().next().unwrap_or('?');
    match check_digit(payload) {
        Some(d) if last.len() == 1 && found == char::from(b'0' + d) => Ok(()),
        Some(d) => Err(ScanError::BadCheckDigit {
            field: field(),
            found,
            expected: char::from(b'0' + d),
        }),
        None => Err(first_bad(&field(), digits, |c| c.is_ascii_digit())),
    }
}

/// A bad-character error for the first character of `s` that fails `ok`.
pub(crate) fn first_bad(field: &str, s: &str, ok: impl Fn(char) -> bool) -> ScanError {
    let (position, ch) = s
        .chars()
        .enumerate()
        .find(|&(_, c)| !ok(c))
        .map_or((0, '?'), |(i, c)| (i + 1, c));
    ScanError::BadCharacter {
        field: field.to_owned(),
        position,
        ch,
    }
}

/// The caller's idea of today, asked for at most once and only when a date needs a century.
pub(crate) struct Ctx {
    today: Option<NaiveDate>,
}

impl Ctx {
    /// A context; `None` means the device's local date, read when first needed.
    pub(crate) fn new(today: Option<NaiveDate>) -> Self {
        Ctx { today }
    }

    fn year(&mut self) -> i32 {
        self.today.get_or_insert_with(super::system_today).year()
    }
}

/// The four-digit year of a two-digit `yy`, by the GS1 sliding window (General
/// Specifications 7.12) relative to `current_year`: a difference `yy - current yy` of 51 to 99
/// means the previous century, -99 to -50 the next one, anything else the current one.
pub fn full_year(yy: u32, current_year: i32) -> i32 {
    let yy = i32::try_from(yy % 100).unwrap_or(0);
    let cur_yy = current_year.rem_euclid(100);
    let century = current_year - cur_yy;
    match yy - cur_yy {
        51..=99 => century - 100 + yy,
        -99..=-50 => century + 100 + yy,
        _ => century + yy,
    }
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    (28..=31)
        .rev()
        .find_map(|d| NaiveDate::from_ymd_opt(year, month, d))
}

/// Value of the ASCII digits `s` (at most 9 of them; non-digits count as 0).
fn digits_value(s: &[u8]) -> u32 {
    s.iter().fold(0u32, |acc, &b| {
        acc.wrapping_mul(10)
            .wrapping_add(u32::from(b.wrapping_sub(b'0') % 10))
    })
}

/// Names AI `.0` in an error message, `AI (17)`, without allocating until then.
struct AiField<'a>(&'a str);

impl std::fmt::Display for AiField<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AI ({})", self.0)
    }
}

fn bad_date(field: &impl std::fmt::Display, value: &[u8], reason: String) -> ScanError {
    ScanError::BadDate {
        field: field.to_string(),
        value: String::from_utf8_lossy(value).into_owned(),
        reason,
    }
}

/// Parses a `YYMMDD` date (six ASCII digits); `day_zero` allows day `00`, read as the last
/// day of the month.
fn yymmdd(ai: &str, v: &[u8], day_zero: bool, ctx: &mut Ctx) -> Result<NaiveDate, ScanError> {
    let field = &AiField(ai);
    let yy = digits_value(v.get(0..2).unwrap_or_default());
    let mm = digits_value(v.get(2..4).unwrap_or_default());
    let dd = digits_value(v.get(4..6).unwrap_or_default());
    if !(1..=12).contains(&mm) {
        return Err(bad_date(field, v, format!("month {mm:02} does not exist")));
    }
    let year = full_year(yy, ctx.year());
    let date = if dd == 0 {
        if !day_zero {
            return Err(bad_date(field, v, "day 00 is not allowed here".into()));
        }
        last_day_of_month(year, mm)
    } else {
        NaiveDate::from_ymd_opt(year, mm, dd)
    };
    date.ok_or_else(|| bad_date(field, v, format!("{year}-{mm:02} has no day {dd:02}")))
}

/// Parses a `YYYYMMDD` date (eight ASCII digits, day 00 not allowed).
fn yyyymmdd(ai: &str, v: &[u8]) -> Result<NaiveDate, ScanError> {
    let field = &AiField(ai);
    let year = i32::try_from(digits_value(v.get(0..4).unwrap_or_default())).unwrap_or(0);
    let mm = digits_value(v.get(4..6).unwrap_or_default());
    let dd = digits_value(v.get(6..8).unwrap_or_default());
    NaiveDate::from_ymd_opt(year, mm, dd)
        .ok_or_else(|| bad_date(field, v, format!("{year}-{mm:02}-{dd:02} does not exist")))
}

/// Which characters a component allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cset {
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
    fn allows(self, b: u8) -> bool {
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
enum Lint {
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
struct Comp {
    cset: Cset,
    min: u8,
    max: u8,
    optional: bool,
    lint: Lint,
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
    comps: &'static [Comp],
    predefined: bool,
}

impl Spec {
    /// Shortest and longest valid data.
    fn bounds(&self) -> (usize, usize) {
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
    use crate::scan::{parse_at, CodeKind};

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
    fn check_digits_of_known_codes() {
        assert_eq!(check_digit("0950600013435"), Some(2));
        assert_eq!(check_digit("400638133393"), Some(1));
        assert_eq!(check_digit("10614141123456789"), Some(7));
        assert_eq!(check_digit("1234567"), Some(0));
        assert_eq!(check_digit("12a"), None);
        assert_eq!(check_digit(""), Some(0));
    }

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
    fn sliding_window_century() {
        assert_eq!(full_year(26, 2026), 2026);
        assert_eq!(full_year(76, 2026), 2076); // diff 50: current century
        assert_eq!(full_year(77, 2026), 1977); // diff 51: previous
        assert_eq!(full_year(0, 2026), 2000);
        assert_eq!(full_year(99, 2026), 1999);
        assert_eq!(full_year(29, 2080), 2129); // diff -51: next
        assert_eq!(full_year(30, 2080), 2130); // diff -50: next
        assert_eq!(full_year(31, 2080), 2031); // diff -49: current
        assert_eq!(full_year(49, 1999), 2049);
        assert_eq!(full_year(48, 1999), 2048);
        assert_eq!(full_year(50, 1999), 1950);
        // The window follows the caller's "today".
        let old = parse_at("(17)800101", ymd(1990, 1, 1)).unwrap();
        assert_eq!(old.expiry, Some(ymd(1980, 1, 1)));
        let new = parse_at("(17)800101", ymd(2040, 1, 1)).unwrap();
        assert_eq!(new.expiry, Some(ymd(2080, 1, 1)));
        let parsed = parse_at("(17)770101", today()).unwrap();
        assert_eq!(parsed.expiry, Some(ymd(1977, 1, 1)));
    }

    #[test]
    fn day_zero_is_the_last_day_of_the_month() {
        let p = parse_at("(01)09506000134352(17)260200", today()).unwrap();
        assert_eq!(p.expiry, Some(ymd(2026, 2, 28)));
        let p = parse_at("(01)09506000134352(17)240200", today()).unwrap();
        assert_eq!(p.expiry, Some(ymd(2024, 2, 29)));
        let p = parse_at("(01)09506000134352(15)261200(11)250400", today()).unwrap();
        assert_eq!(p.best_before, Some(ymd(2026, 12, 31)));
        assert_eq!(p.production_date, Some(ymd(2025, 4, 30)));
        // Day 00 is not allowed for YYMMDD-only AIs such as first freeze date (7006).
        assert_eq!(code_of("(01)09506000134352(7006)260200"), "bad_date");
    }

    #[test]
    fn impossible_dates() {
        for raw in [
            "(17)310231",
            "(17)261301",
            "(17)260001",
            "(17)250229",
            "(11)261232",
            "(7003)2612312460",
            "(7003)2612312359(17)991399",
        ] {
            assert_eq!(code_of(raw), "bad_date", "{raw}");
        }
        let e = parse_at("(17)310231", today()).unwrap_err();
        assert!(e.to_string().contains("310231"), "{e}");
        assert!(parse_at("(17)240229", today()).is_ok());
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

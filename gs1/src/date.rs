//! GS1 dates: `YYMMDD` with the century from the GS1 sliding window (GS1 General
//! Specifications 7.12) and day `00` meaning the month's last day, and `YYYYMMDD`.

use chrono::{Datelike, NaiveDate};

use crate::ScanError;

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
        self.today
            .get_or_insert_with(crate::parse::system_today)
            .year()
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
pub(crate) fn digits_value(s: &[u8]) -> u32 {
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

pub(crate) fn bad_date(field: &impl std::fmt::Display, value: &[u8], reason: String) -> ScanError {
    ScanError::BadDate {
        field: field.to_string(),
        value: String::from_utf8_lossy(value).into_owned(),
        reason,
    }
}

/// Parses a `YYMMDD` date (six ASCII digits); `day_zero` allows day `00`, read as the last
/// day of the month.
pub(crate) fn yymmdd(
    ai: &str,
    v: &[u8],
    day_zero: bool,
    ctx: &mut Ctx,
) -> Result<NaiveDate, ScanError> {
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
pub(crate) fn yyyymmdd(ai: &str, v: &[u8]) -> Result<NaiveDate, ScanError> {
    let field = &AiField(ai);
    let year = i32::try_from(digits_value(v.get(0..4).unwrap_or_default())).unwrap_or(0);
    let mm = digits_value(v.get(4..6).unwrap_or_default());
    let dd = digits_value(v.get(6..8).unwrap_or_default());
    NaiveDate::from_ymd_opt(year, mm, dd)
        .ok_or_else(|| bad_date(field, v, format!("{year}-{mm:02}-{dd:02} does not exist")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_at;

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
}

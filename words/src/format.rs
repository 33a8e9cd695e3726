//! Numbers, distances, durations, times and dates in the courier's language, from CLDR data:
//! ICU4X for digits, grouping, times of day and dates; Fluent's CLDR plural rules for the unit
//! words (ICU4X's duration and unit formatters are still experimental).

use std::sync::OnceLock;

use fixed_decimal::Decimal;
use icu_calendar::cal::{Gregorian, Iso};
use icu_datetime::fieldsets;
use icu_datetime::input::{UtcOffset, ZonedDateTime};
use icu_datetime::{FixedCalendarDateTimeFormatter, NoCalendarFormatter};
use icu_decimal::DecimalFormatter;
use icu_list::options::{ListFormatterOptions, ListLength};
use icu_list::ListFormatter;

use crate::{Args, Language, Words};

fn formatter(language: Language) -> Option<&'static DecimalFormatter> {
    static ZH: OnceLock<Option<DecimalFormatter>> = OnceLock::new();
    static EN: OnceLock<Option<DecimalFormatter>> = OnceLock::new();
    let cell = match language {
        Language::ZhCn => &ZH,
        Language::En => &EN,
    };
    cell.get_or_init(|| {
        let locale: icu_locale_core::Locale = language.tag().parse().ok()?;
        DecimalFormatter::try_new(locale.into(), Default::default()).ok()
    })
    .as_ref()
}

/// `value / 10^scale` with exactly `scale` fraction digits, grouped for the language.
pub(crate) fn decimal(language: Language, value: i64, scale: i16) -> String {
    let mut d = Decimal::from(value);
    d.multiply_pow10(-scale);
    match formatter(language) {
        Some(f) => f.format(&d).to_string(),
        None => d.to_string(),
    }
}

pub(crate) fn integer(language: Language, n: i64) -> String {
    decimal(language, n, 0)
}

pub(crate) fn distance(w: &Words, metres: f64) -> String {
    let m = if metres.is_finite() {
        metres.max(0.0)
    } else {
        0.0
    };
    if m >= 1000.0 {
        let tenths = (m / 100.0).round() as i64;
        let value = decimal(w.language(), tenths, 1);
        w.text("unit-km", &Args::new().str("value", value))
    } else {
        let whole = m.round() as i64;
        w.text(
            "unit-m",
            &Args::new()
                .str("value", integer(w.language(), whole))
                .num("n", whole),
        )
    }
}

pub(crate) fn duration(w: &Words, seconds: i64) -> String {
    let s = seconds.max(0);
    if s < 60 {
        return w.text("unit-seconds", &Args::new().num("n", s));
    }
    let minutes = s.saturating_add(59) / 60;
    if minutes < 120 {
        return w.text("unit-minutes", &Args::new().num("n", minutes));
    }
    w.text(
        "unit-hours-minutes",
        &Args::new().num("h", minutes / 60).num("m", minutes % 60),
    )
}

pub(crate) fn percent(w: &Words, share: f64) -> String {
    let tenths = if share.is_finite() {
        (share * 1000.0).round() as i64
    } else {
        0
    };
    w.text(
        "unit-percent",
        &Args::new().str("value", decimal(w.language(), tenths, 1)),
    )
}

fn offset(utc_offset_min: i32) -> UtcOffset {
    // CLDR offsets run from UTC-12 to UTC+14; anything beyond is clamped, never refused.
    let seconds = utc_offset_min.clamp(-12 * 60, 14 * 60) * 60;
    UtcOffset::try_from_seconds(seconds).unwrap_or_else(|_| UtcOffset::zero())
}

fn local(unix_seconds: i64, utc_offset_min: i32) -> ZonedDateTime<Iso, UtcOffset> {
    ZonedDateTime::from_epoch_milliseconds_and_utc_offset(
        unix_seconds.saturating_mul(1000),
        offset(utc_offset_min),
    )
}

fn time_formatter(language: Language) -> Option<&'static NoCalendarFormatter<fieldsets::T>> {
    static ZH: OnceLock<Option<NoCalendarFormatter<fieldsets::T>>> = OnceLock::new();
    static EN: OnceLock<Option<NoCalendarFormatter<fieldsets::T>>> = OnceLock::new();
    let cell = match language {
        Language::ZhCn => &ZH,
        Language::En => &EN,
    };
    cell.get_or_init(|| {
        let locale: icu_locale_core::Locale = language.tag().parse().ok()?;
        NoCalendarFormatter::try_new(locale.into(), fieldsets::T::hm()).ok()
    })
    .as_ref()
}

type DateFormatter = FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YMD>;

fn date_formatter(language: Language) -> Option<&'static DateFormatter> {
    static ZH: OnceLock<Option<DateFormatter>> = OnceLock::new();
    static EN: OnceLock<Option<DateFormatter>> = OnceLock::new();
    let cell = match language {
        Language::ZhCn => &ZH,
        Language::En => &EN,
    };
    cell.get_or_init(|| {
        let locale: icu_locale_core::Locale = language.tag().parse().ok()?;
        FixedCalendarDateTimeFormatter::try_new(locale.into(), fieldsets::YMD::medium()).ok()
    })
    .as_ref()
}

pub(crate) fn clock_time(language: Language, unix_seconds: i64, utc_offset_min: i32) -> String {
    let at = local(unix_seconds, utc_offset_min);
    match time_formatter(language) {
        Some(f) => f.format(&at.time).to_string(),
        // Only if the compiled CLDR data lacked the language: ISO 8601, never a panic.
        None => format!(
            "{:02}:{:02}",
            at.time.hour.number(),
            at.time.minute.number()
        ),
    }
}

pub(crate) fn date(language: Language, unix_seconds: i64, utc_offset_min: i32) -> String {
    let at = local(unix_seconds, utc_offset_min);
    let day = at.date.to_calendar(Gregorian);
    match date_formatter(language) {
        Some(f) => f.format(&day).to_string(),
        None => format!(
            "{}-{:02}-{:02}",
            at.date.era_year().year,
            at.date.month().ordinal,
            at.date.day_of_month().0
        ),
    }
}

fn list_formatter(language: Language) -> Option<&'static ListFormatter> {
    static ZH: OnceLock<Option<ListFormatter>> = OnceLock::new();
    static EN: OnceLock<Option<ListFormatter>> = OnceLock::new();
    let cell = match language {
        Language::ZhCn => &ZH,
        Language::En => &EN,
    };
    cell.get_or_init(|| {
        let locale: icu_locale_core::Locale = language.tag().parse().ok()?;
        let options = ListFormatterOptions::default().with_length(ListLength::Wide);
        ListFormatter::try_new_and(locale.into(), options).ok()
    })
    .as_ref()
}

pub(crate) fn list<S: AsRef<str>>(language: Language, items: &[S]) -> String {
    let items = items.iter().map(|s| s.as_ref());
    match list_formatter(language) {
        Some(f) => f.format(items).to_string(),
        None => items.collect::<Vec<_>>().join(", "),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Language, Words};

    #[test]
    fn units_read_right_in_both_languages() {
        let en = Words::of(Language::En);
        let zh = Words::of(Language::ZhCn);
        assert_eq!(en.distance(1840.0), "1.8 km");
        assert_eq!(zh.distance(1840.0), "1.8公里");
        assert_eq!(en.distance(12.4), "12 m");
        assert_eq!(zh.distance(12.4), "12米");
        assert_eq!(en.duration(125), "3 min");
        assert_eq!(zh.duration(125), "3分钟");
        assert_eq!(en.duration(30), "30 s");
        assert_eq!(en.duration(3 * 3600 + 60), "3 h 1 min");
        assert_eq!(zh.duration(3 * 3600 + 60), "3小时1分钟");
        assert_eq!(en.percent(0.955), "95.5%");
        assert_eq!(en.number(12345), "12,345");
        assert_eq!(
            en.list(&["gloves", "helmet", "box"]),
            "gloves, helmet, and box"
        );
        assert_eq!(zh.list(&["手套", "头盔", "餐箱"]), "手套、头盔和餐箱");
        assert_eq!(zh.list(&["头盔"]), "头盔");
        assert_eq!(en.list::<&str>(&[]), "");
        assert_eq!(zh.clock_time(0, 480), "08:00");
        assert_eq!(en.clock_time(0, 480), "8:00\u{202f}AM");
        assert_eq!(zh.clock_time(13 * 3600 + 5 * 60, 0), "13:05");
        assert_eq!(en.clock_time(13 * 3600 + 5 * 60, 0), "1:05\u{202f}PM");
        // 2026-12-05 23:30 UTC is already the 6th in Beijing.
        let t = 1_796_513_400;
        assert_eq!(zh.date(t, 480), "2026年12月6日");
        assert_eq!(en.date(t, 0), "Dec 5, 2026");
        assert_eq!(zh.clock_time(t, 480), "07:30");
        // Offsets beyond CLDR's range are clamped, and huge times saturate: no panic.
        assert_eq!(zh.clock_time(0, 100_000), "14:00");
        let _ = en.date(i64::MAX, 0);
        let _ = en.clock_time(i64::MIN, -100_000);
        assert_eq!(en.distance(f64::NAN), "0 m");
    }
}

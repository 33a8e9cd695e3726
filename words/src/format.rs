//! Numbers, distances, durations and times in the courier's language, from CLDR data (ICU4X
//! for digits and grouping, Fluent's CLDR plural rules for the unit words).

use fixed_decimal::Decimal;
use icu_decimal::DecimalFormatter;

use crate::{Args, Language, Words};

fn formatter(language: Language) -> Option<&'static DecimalFormatter> {
    use std::sync::OnceLock;
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
fn decimal(language: Language, value: i64, scale: i16) -> String {
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
    let minutes = (s + 59) / 60;
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

pub(crate) fn clock_time(w: &Words, unix_seconds: i64, utc_offset_min: i32) -> String {
    let local = unix_seconds.saturating_add(i64::from(utc_offset_min) * 60);
    let of_day = local.rem_euclid(86_400);
    let h = of_day / 3600;
    let m = (of_day % 3600) / 60;
    w.text(
        "clock-time",
        &Args::new()
            .str("h", format!("{h:02}"))
            .str("m", format!("{m:02}")),
    )
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
        assert_eq!(en.clock_time(0, 480), "08:00");
        assert_eq!(en.distance(f64::NAN), "0 m");
    }
}

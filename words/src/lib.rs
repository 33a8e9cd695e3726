//! Every word a courier reads, decided once: Project Fluent messages in zh-CN and en (the files
//! under `locales/`, syntax-checked and embedded by `build.rs`), and numbers, distances,
//! durations, times of day, dates and lists through CLDR data (ICU4X; plurals by Fluent's CLDR
//! rules). See docs/i18n.md.
//!
//! A shell passes the device's locale tag; the courier can switch it. Unknown or malformed tags
//! fall back to English, and a message missing from Chinese falls back to the English one with a
//! log line naming the message (never its arguments).
//!
//! ```
//! use runsheet_words::{Args, Words};
//! let zh = Words::new("zh-Hans-CN");
//! assert_eq!(zh.text("step-deliver", &Args::new()), "确认送达");
//! let en = Words::new("not a tag!");
//! assert_eq!(en.text("step-deliver", &Args::new()), "Delivered");
//! ```

#![deny(missing_docs)]

// The language enum crosses the FFI (Kotlin package `app.runsheet.words`); runsheet-ffi
// enables the feature.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

mod catalogue;
mod format;
mod language;
mod money;

pub use catalogue::{sources, Args, LOCALES};
pub use language::Language;

/// The words of one language: messages and formatters. Cheap to clone and to share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    language: Language,
}

impl Words {
    /// The words for a BCP 47 locale tag ("zh-CN", "zh-Hans", "en-GB"); anything else, malformed
    /// tags included, gets English.
    pub fn new(locale_tag: &str) -> Words {
        Words {
            language: Language::negotiate(locale_tag),
        }
    }

    /// The words of `language`.
    pub fn of(language: Language) -> Words {
        Words { language }
    }

    /// The language these words are in.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The message `id` with `args`, in this language, else in English (logged), else the id
    /// itself (logged as an error: a test keeps that from shipping).
    pub fn text(&self, id: &str, args: &Args) -> String {
        catalogue::format(self.language, id, args)
    }

    /// A plain number with the locale's grouping ("1,234").
    pub fn number(&self, n: i64) -> String {
        format::integer(self.language, n)
    }

    /// A distance: metres below a kilometre, kilometres with one decimal above.
    pub fn distance(&self, metres: f64) -> String {
        format::distance(self, metres)
    }

    /// A duration rounded to what a courier needs: seconds under a minute, whole minutes (up)
    /// under two hours, hours and minutes beyond.
    pub fn duration(&self, seconds: i64) -> String {
        format::duration(self, seconds)
    }

    /// Items joined as the language joins a list ("a, b, and c"; "a、b和c").
    pub fn list<S: AsRef<str>>(&self, items: &[S]) -> String {
        format::list(self.language, items)
    }

    /// A share as a percentage with one decimal ("95.5%").
    pub fn percent(&self, share: f64) -> String {
        format::percent(self, share)
    }

    /// The local time of day of `unix_seconds` at `utc_offset_min` minutes east of UTC, in the
    /// language's CLDR pattern ("14:05"; English "2:05 PM"). Offsets beyond UTC-12..UTC+14 are
    /// clamped.
    pub fn clock_time(&self, unix_seconds: i64, utc_offset_min: i32) -> String {
        format::clock_time(self.language, unix_seconds, utc_offset_min)
    }

    /// The local date of `unix_seconds` at `utc_offset_min` minutes east of UTC, in the
    /// language's CLDR medium pattern ("2026年12月6日"; English "Dec 6, 2026").
    pub fn date(&self, unix_seconds: i64, utc_offset_min: i32) -> String {
        format::date(self.language, unix_seconds, utc_offset_min)
    }
}

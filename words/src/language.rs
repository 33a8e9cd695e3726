//! The languages the courier app speaks, and how a device's locale tag picks one.

use fluent_langneg::LanguageIdentifier;

/// A language the app speaks. English is the fallback for everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Language {
    /// Simplified Chinese (mainland China): `zh-CN`.
    ZhCn,
    /// English: `en`.
    En,
}

impl Language {
    /// Every language, the fallback last.
    pub const ALL: [Language; 2] = [Language::ZhCn, Language::En];

    /// The BCP 47 tag of the message files (`zh-CN`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }

    /// The language for a device locale tag: any Chinese in simplified script or from the
    /// mainland ("zh", "zh-CN", "zh-Hans-CN", "zh_CN") is Chinese; everything else, malformed
    /// tags included, is English.
    pub fn negotiate(tag: &str) -> Language {
        let cleaned = tag.trim().replace('_', "-");
        let Ok(id) = cleaned.parse::<LanguageIdentifier>() else {
            return Language::En;
        };
        let requested = [id];
        let available: Vec<LanguageIdentifier> = Language::ALL
            .iter()
            .filter_map(|l| l.tag().parse().ok())
            .collect();
        let default: LanguageIdentifier = match "en".parse() {
            Ok(d) => d,
            Err(_) => return Language::En,
        };
        let chosen = fluent_langneg::negotiate_languages(
            &requested,
            &available,
            Some(&default),
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        match chosen.first().map(|l| l.language.as_str()) {
            // Traditional script (Taiwan, Hong Kong) is not simplified Chinese: English until a
            // zh-TW catalogue exists.
            Some("zh") if !is_traditional(&requested[0]) => Language::ZhCn,
            _ => Language::En,
        }
    }
}

fn is_traditional(id: &LanguageIdentifier) -> bool {
    match id.script.as_ref().map(|s| s.as_str()) {
        Some("Hant") => true,
        Some(_) => false,
        None => matches!(
            id.region.as_ref().map(|r| r.as_str()),
            Some("TW" | "HK" | "MO")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_tags_pick_a_language() {
        for t in ["zh-CN", "zh", "zh-Hans", "zh-Hans-CN", "zh_CN", "zh-SG"] {
            assert_eq!(Language::negotiate(t), Language::ZhCn, "{t}");
        }
        for t in [
            "en",
            "en-GB",
            "fr-FR",
            "zh-TW",
            "zh-Hant-HK",
            "",
            "!!",
            "zh-CN-x-",
            "12",
        ] {
            assert_eq!(Language::negotiate(t), Language::En, "{t}");
        }
    }
}

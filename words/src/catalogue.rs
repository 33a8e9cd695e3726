//! The message files, parsed once per process into one Fluent bundle per language.

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::bundle::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use intl_memoizer::concurrent::IntlLangMemoizer;

use crate::Language;

type Bundle = FluentBundle<FluentResource, IntlLangMemoizer>;

// `LOCALES`, written by build.rs from `locales/<tag>/*.ftl` (syntax checked there).
include!(concat!(env!("OUT_DIR"), "/locales.rs"));

/// The message files of `language`: (file name, Fluent source).
pub fn sources(language: Language) -> &'static [(&'static str, &'static str)] {
    LOCALES
        .iter()
        .find(|(tag, _)| *tag == language.tag())
        .map(|(_, files)| *files)
        .unwrap_or(&[])
}

/// Arguments of a message: names to strings or numbers.
#[derive(Debug, Default)]
pub struct Args(FluentArgs<'static>);

impl Args {
    /// No arguments.
    pub fn new() -> Args {
        Args(FluentArgs::new())
    }

    /// Adds a string argument (already formatted, or a name, an id).
    pub fn str(mut self, name: &'static str, value: impl Into<String>) -> Args {
        self.0.set(name, FluentValue::String(Cow::Owned(value.into())));
        self
    }

    /// Adds a number argument (a count for plural selection).
    pub fn num(mut self, name: &'static str, value: i64) -> Args {
        self.0.set(name, FluentValue::from(value));
        self
    }
}

fn bundle(language: Language) -> &'static Bundle {
    static ZH: OnceLock<Bundle> = OnceLock::new();
    static EN: OnceLock<Bundle> = OnceLock::new();
    let cell = match language {
        Language::ZhCn => &ZH,
        Language::En => &EN,
    };
    cell.get_or_init(|| build(language))
}

fn build(language: Language) -> Bundle {
    let id = language
        .tag()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Our languages are both left-to-right; isolation marks would show in terminals and tests.
    bundle.set_use_isolating(false);
    for (name, source) in sources(language) {
        // The build refuses a file that does not parse; a phone keeps what did parse.
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(r) => r,
            Err((r, _)) => {
                tracing::error!(resource = name, lang = language.tag(), "message file has errors");
                r
            }
        };
        if bundle.add_resource(resource).is_err() {
            tracing::error!(resource = name, lang = language.tag(), "duplicate message ids");
        }
    }
    bundle
}

/// Formats message `id`, falling back to English, then to the id.
pub(crate) fn format(language: Language, id: &str, args: &Args) -> String {
    if let Some(s) = format_in(language, id, args) {
        return s;
    }
    if language != Language::En {
        tracing::warn!(message = id, lang = language.tag(), "message missing; English used");
        if let Some(s) = format_in(Language::En, id, args) {
            return s;
        }
    }
    tracing::error!(message = id, "message missing in every language");
    id.to_owned()
}

fn format_in(language: Language, id: &str, args: &Args) -> Option<String> {
    let bundle = bundle(language);
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let out = bundle.format_pattern(pattern, Some(&args.0), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(message = id, lang = language.tag(), errors = errors.len(), "message formatted with errors");
    }
    Some(out.into_owned())
}

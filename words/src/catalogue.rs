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
        self.0
            .set(name, FluentValue::String(Cow::Owned(value.into())));
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
    cell.get_or_init(|| build(language, sources(language)))
}

fn build(language: Language, files: &[(&str, &str)]) -> Bundle {
    let id = language
        .tag()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Our languages are both left-to-right, and a courier's screen or a terminal shows Unicode
    // isolation marks around arguments as stray boxes (see docs/i18n.md).
    bundle.set_use_isolating(false);
    for (name, source) in files {
        // The build refuses a file that does not parse; a phone keeps what did parse.
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(r) => r,
            Err((r, _)) => {
                tracing::error!(
                    resource = name,
                    lang = language.tag(),
                    "message file has errors"
                );
                r
            }
        };
        if bundle.add_resource(resource).is_err() {
            tracing::error!(
                resource = name,
                lang = language.tag(),
                "duplicate message ids"
            );
        }
    }
    bundle
}

/// Formats message `id`, falling back to English, then to the id.
pub(crate) fn format(language: Language, id: &str, args: &Args) -> String {
    format_from((language, bundle(language)), bundle(Language::En), id, args)
}

/// Message `id` from `primary`, else from `english` with a warning naming the message and the
/// language (never the arguments: they can hold a customer's data), else the id itself.
fn format_from(primary: (Language, &Bundle), english: &Bundle, id: &str, args: &Args) -> String {
    let (language, bundle) = primary;
    if let Some(s) = format_in(language, bundle, id, args) {
        return s;
    }
    if language != Language::En {
        tracing::warn!(
            message = id,
            lang = language.tag(),
            "message missing; English used"
        );
        if let Some(s) = format_in(Language::En, english, id, args) {
            return s;
        }
    }
    tracing::error!(message = id, "message missing in every language");
    id.to_owned()
}

fn format_in(language: Language, bundle: &Bundle, id: &str, args: &Args) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let out = bundle.format_pattern(pattern, Some(&args.0), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(
            message = id,
            lang = language.tag(),
            errors = errors.len(),
            "message formatted with errors"
        );
    }
    Some(out.into_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use fluent_syntax::ast;

    use super::*;

    /// Message id -> the variables it uses (in its value, attributes and selectors).
    fn messages(language: Language) -> BTreeMap<String, BTreeSet<String>> {
        let mut out = BTreeMap::new();
        for (file, source) in sources(language) {
            let resource = fluent_syntax::parser::parse(*source)
                .unwrap_or_else(|_| panic!("{}/{file}.ftl does not parse", language.tag()));
            for entry in resource.body {
                if let ast::Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    if let Some(p) = &m.value {
                        pattern_vars(p, &mut vars);
                    }
                    for a in &m.attributes {
                        pattern_vars(&a.value, &mut vars);
                    }
                    let id = m.id.name.to_owned();
                    assert!(
                        out.insert(id.clone(), vars).is_none(),
                        "{}: message {id} is defined twice",
                        language.tag()
                    );
                }
            }
        }
        out
    }

    fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
        for element in &p.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_vars(expression, vars);
            }
        }
    }

    fn expression_vars(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, vars);
                for v in variants {
                    pattern_vars(&v.value, vars);
                }
            }
            ast::Expression::Inline(i) => inline_vars(i, vars),
        }
    }

    fn inline_vars(i: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                vars.insert(id.name.to_owned());
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, vars);
                }
                for n in &arguments.named {
                    inline_vars(&n.value, vars);
                }
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
            _ => {}
        }
    }

    #[test]
    fn every_message_is_in_every_language_with_the_same_placeables() {
        let english = messages(Language::En);
        assert!(!english.is_empty());
        for language in Language::ALL {
            let other = messages(language);
            for (id, vars) in &english {
                let Some(theirs) = other.get(id) else {
                    panic!("{} lacks message {id}", language.tag());
                };
                assert_eq!(
                    vars,
                    theirs,
                    "message {id}: en uses {vars:?}, {} uses {theirs:?}",
                    language.tag()
                );
            }
            for id in other.keys() {
                assert!(
                    english.contains_key(id),
                    "en lacks message {id} ({})",
                    language.tag()
                );
            }
        }
    }

    #[test]
    fn every_message_formats_without_errors() {
        for language in Language::ALL {
            let bundle = bundle(language);
            for (id, vars) in messages(language) {
                // Numbers and strings both: plural selectors need numbers, and a string in a
                // number's place must still format.
                for numeric in [true, false] {
                    let mut args = Args::new();
                    for v in &vars {
                        let name: &'static str = Box::leak(v.clone().into_boxed_str());
                        args = if numeric {
                            args.num(name, 2)
                        } else {
                            args.str(name, "x")
                        };
                    }
                    let message = bundle.get_message(&id);
                    let pattern = message.and_then(|m| m.value());
                    let Some(pattern) = pattern else {
                        panic!("{}: message {id} has no value", language.tag());
                    };
                    let mut errors = Vec::new();
                    let out = bundle.format_pattern(pattern, Some(&args.0), &mut errors);
                    assert!(errors.is_empty(), "{} {id}: {errors:?}", language.tag());
                    assert!(!out.trim().is_empty(), "{} {id} is empty", language.tag());
                }
            }
        }
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut b) = self.0.lock() {
                b.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn captured<T>(f: impl FnOnce() -> T) -> (T, String) {
        let sink = Captured::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let out = tracing::subscriber::with_default(subscriber, f);
        let log = sink
            .0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        (out, log.unwrap_or_default())
    }

    #[test]
    fn a_missing_message_falls_back_to_english_with_a_log_line_without_arguments() {
        let zh = build(Language::ZhCn, &[("t", "only-zh = 只有中文\n")]);
        let en = build(
            Language::En,
            &[("t", "only-zh = Chinese only\ngreet = Call { $name } now\n")],
        );
        let args = Args::new().str("name", "Wang Fang 13800138000");
        let (text, log) = captured(|| format_from((Language::ZhCn, &zh), &en, "greet", &args));
        assert_eq!(text, "Call Wang Fang 13800138000 now");
        assert!(log.contains("WARN"), "{log}");
        assert!(log.contains("greet"), "{log}");
        assert!(log.contains("zh-CN"), "{log}");
        assert!(
            !log.contains("Wang") && !log.contains("13800138000"),
            "{log}"
        );

        let (text, log) = captured(|| format_from((Language::ZhCn, &zh), &en, "only-zh", &args));
        assert_eq!(text, "只有中文");
        assert!(log.is_empty(), "{log}");

        let (text, log) = captured(|| format_from((Language::ZhCn, &zh), &en, "nowhere", &args));
        assert_eq!(text, "nowhere");
        assert!(log.contains("ERROR") && log.contains("nowhere"), "{log}");
    }

    #[test]
    fn words_are_shared_across_threads() {
        fn is_send_sync_copy<T: Send + Sync + Copy>() {}
        is_send_sync_copy::<crate::Words>();
        let handles: Vec<_> = Language::ALL
            .into_iter()
            .map(|l| {
                std::thread::spawn(move || crate::Words::of(l).text("step-deliver", &Args::new()))
            })
            .collect();
        let texts: Vec<String> = handles.into_iter().filter_map(|h| h.join().ok()).collect();
        assert_eq!(texts, ["确认送达", "Delivered"]);
    }
}

//! The domain's nouns in the courier's language: each enum value has a message whose id is
//! derived from its wire name (`status-at-dropoff`, `kind-food`, ...).

pub use runsheet_core::wording::{
    checklist_stage as stage, id_check_outcome, id_document, money, reason, status,
    stop_role as role, task_kind as kind, template_name as template,
};
use runsheet_core::{Blocker, Group};
use runsheet_protocol::{RatingSource, TemperatureClass};
use runsheet_route::map_link::MapApp;
use runsheet_words::{Args, Words};

fn id(prefix: &str, wire: &str) -> String {
    format!("{prefix}-{}", wire.replace('_', "-"))
}

/// A message without arguments.
pub fn t(w: &Words, id: &str) -> String {
    w.text(id, &Args::new())
}

/// The task list's group.
pub fn group(w: &Words, g: Group) -> String {
    t(
        w,
        match g {
            Group::Now => "group-now",
            Group::Next => "group-next",
            Group::Later => "group-later",
            Group::DoneToday => "group-done-today",
        },
    )
}

/// How goods are kept.
pub fn temperature(w: &Words, c: TemperatureClass) -> String {
    t(w, &id("temperature", c.as_str()))
}

/// Who gave a rating.
pub fn rating_source(w: &Words, s: RatingSource) -> String {
    let wire = match s {
        RatingSource::Customer => "customer",
        RatingSource::Merchant => "merchant",
        RatingSource::Platform => "platform",
    };
    t(w, &id("rating-source", wire))
}

/// Who holds a task's goods ("mine", "incoming", "handed over"), in the courier's language.
pub fn custody(w: &Words, c: runsheet_core::Custody) -> String {
    t(w, &id("custody", c.as_str()))
}

/// A maps app's name.
pub fn map_app(w: &Words, a: MapApp) -> String {
    t(w, &id("map-app", a.name()))
}

/// What a timeline event was.
pub fn event(w: &Words, kind: &str) -> String {
    let key = id("event", kind);
    // Every action the core records has an `event-*` message (the timeline's past tense).
    if runsheet_core::wording::KNOWN_ACTIONS.contains(&kind) {
        t(w, &key)
    } else {
        w.text("event-other", &Args::new().str("kind", kind))
    }
}

/// A blocker as a sentence.
pub fn blocker(w: &Words, b: &Blocker) -> String {
    b.sentence(w)
}

/// A core error as a sentence for the courier.
pub fn error(w: &Words, e: &runsheet_core::Error) -> String {
    e.sentence(w)
}

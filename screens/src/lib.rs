//! What the courier sees and may tap, decided once for both apps and the terminal shell.
//!
//! The core computes every screen the apps have ([`Screen`]: header, shift bar, sync banner
//! and the open page), in the courier's language (zh-CN or en, from `runsheet-words`), with
//! every action it offers and, when an action cannot be taken yet, the rulebook's blockers as
//! sentences. A shell renders the screen, sends back the [`Tap`]s it offers, and carries out
//! the [`Effect`]s the core asks for (notifications, permissions, location mode, photos,
//! links), answering with [`EffectResult`]s. This is the core/shell split of redbadger/crux;
//! the listener gets the whole screen first, then what changed (matrix-rust-sdk's style).
//!
//! ```no_run
//! # fn demo(core: std::sync::Arc<runsheet_core::Runsheet>) -> Result<(), Box<dyn std::error::Error>> {
//! use runsheet_screens::{CourierApp, Tap};
//! let app = CourierApp::new(core, "zh-CN", true)?;
//! let screen = app.screen()?;
//! if let Some(start) = &screen.shift_bar.primary {
//!     app.tap(start.tap.clone())?;
//! }
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub mod app;
pub mod cases_page;
pub mod checklist_page;
pub mod diff;
pub mod door;
pub mod earnings_page;
pub mod effect;
pub mod handover_page;
pub mod kpi_page;
pub mod nearby_handovers_page;
pub mod offer;
pub mod problem_page;
pub mod ratings_page;
pub mod scan_page;
pub mod screen;
pub mod shift_bar;
pub mod sync_banner;
pub mod task_list;
pub mod task_offer_page;
pub mod task_page;
pub mod training_page;
pub mod view;
pub mod wording;

pub use app::{CourierApp, ScreenListener, TapError};
pub use diff::{RowDiff, ScreenChange, ScreenUpdate};
pub use effect::{Channel, Effect, EffectResult, Permission, PermissionState, PhotoPurpose};
pub use offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
pub use screen::*;
pub use view::Page;

/// Calls a shell's callback so that one that panics cannot take the core down with it.
pub(crate) fn guard(what: &str, f: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
        tracing::error!(callback = what, "a shell callback failed; ignored");
    }
}

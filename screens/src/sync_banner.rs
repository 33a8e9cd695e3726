//! The sync banner: offline, actions waiting to be sent and for how long, sign-in needed.

use runsheet_core::Result;
use runsheet_words::Args;

use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::screen::{SyncBanner, Tone};
use crate::view::View;
use crate::wording::t;

/// Pending actions older than this make the banner a warning.
pub const STALE_AFTER_S: i64 = 10 * 60;

/// The sign-in offer (its input: the token).
pub fn sign_in_offer(w: &runsheet_words::Words) -> Offer {
    Offer::new(
        Tap::SignIn {
            token: String::new(),
        },
        t(w, "offer-sign-in"),
        OfferStyle::Primary,
    )
    .with_inputs(vec![InputSpec {
        field: "token".into(),
        label: t(w, "input-token"),
        kind: InputKind::Secret,
        required: true,
        min: None,
        max: None,
    }])
}

/// The banner.
pub fn build(v: &View<'_>) -> Result<SyncBanner> {
    let mut banner = state(v)?;
    // Evidence lost before it could be sent is said, whatever the sync state.
    let missing = v
        .core
        .attachments()?
        .iter()
        .filter(|a| a.state == runsheet_core::UploadState::Missing)
        .count();
    if missing > 0 {
        let lost = v.words.text(
            "banner-photos-missing",
            &Args::new().num("n", missing as i64),
        );
        banner.text = if banner.visible {
            format!("{}{}{}", banner.text, t(v.words, "list-separator"), lost)
        } else {
            lost
        };
        banner.visible = true;
        if banner.tone != Tone::Bad {
            banner.tone = Tone::Warning;
        }
    }
    Ok(banner)
}

fn state(v: &View<'_>) -> Result<SyncBanner> {
    let w = v.words;
    let s = v.core.sync_status()?;
    let pending = s.pending + s.pending_uploads;
    let oldest = s.oldest_pending_at.map(|at| (v.now - at).max(0));
    let offline = s.online == Some(false);
    if !v.state.signed_in {
        return Ok(SyncBanner {
            visible: true,
            text: w.text(
                "banner-sign-in",
                &Args::new().num("pending", pending as i64),
            ),
            tone: Tone::Bad,
            sign_in_needed: true,
            offers: vec![sign_in_offer(w)],
        });
    }
    if pending == 0 && !offline {
        return Ok(SyncBanner {
            visible: false,
            text: t(w, "banner-synced"),
            tone: Tone::Good,
            sign_in_needed: false,
            offers: Vec::new(),
        });
    }
    let text = match (offline, oldest) {
        (true, Some(age)) => w.text(
            "banner-offline-pending",
            &Args::new()
                .num("pending", pending as i64)
                .str("age", w.duration(age)),
        ),
        (true, None) => t(w, "banner-offline"),
        (false, Some(age)) => w.text(
            "banner-pending",
            &Args::new()
                .num("pending", pending as i64)
                .str("age", w.duration(age)),
        ),
        (false, None) => w.text(
            "banner-uploading",
            &Args::new().num("pending", pending as i64),
        ),
    };
    let stale = oldest.is_some_and(|a| a >= STALE_AFTER_S);
    Ok(SyncBanner {
        visible: true,
        text,
        tone: if stale { Tone::Warning } else { Tone::Neutral },
        sign_in_needed: false,
        offers: vec![Offer::new(
            Tap::SyncNow,
            t(w, "offer-sync-now"),
            OfferStyle::Secondary,
        )],
    })
}

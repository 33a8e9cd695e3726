//! Scanning a handoff: progress, every item's state, the last verdict as a sentence, and the
//! camera as far as its permission allows.

use runsheet_core::scan::confirm::ScanOutcome;
use runsheet_core::Result;
use runsheet_words::{Args, Words};

use crate::effect::{Permission, PermissionState};
use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::screen::{CameraState, ScanPage, Tone, Verdict};
use crate::task_list::reason_input;
use crate::task_page::item_view;
use crate::view::View;
use crate::wording::{self, t};

/// The page of `task_id`.
pub fn build(v: &View<'_>, task_id: &str) -> Result<ScanPage> {
    let w = v.words;
    let task = v.core.task(task_id)?;
    let p = v.core.scan_progress(task_id)?;
    let camera = match v.state.permission(Permission::Camera) {
        PermissionState::Denied => CameraState::Denied,
        PermissionState::Asking => CameraState::AskingPermission,
        _ if v.state.camera_on.iter().any(|t| t == task_id) => CameraState::On,
        _ => CameraState::Off,
    };
    let recalled = v.core.recalled_items(task_id)?;
    let aside = v.core.set_aside_items(task_id)?;
    let items = runsheet_core::scan::confirm::handoff_items(&task, p.stage)
        .into_iter()
        .map(|i| {
            let pending = p.missing.iter().any(|m| m.code == i.code);
            let is_recalled = recalled.iter().any(|r| r.item_code == i.code);
            let mut view = item_view(w, i, !pending);
            crate::task_page::recall_state(w, &mut view, task_id, &recalled, &aside, true);
            if pending && !is_recalled {
                let key = (task_id.to_owned(), i.code.clone());
                let photos = v.state.item_photos.get(&key).map_or(0, Vec::len);
                view.offers.push(Offer::new(
                    Tap::TakeItemPhoto {
                        task_id: task_id.to_owned(),
                        item_code: i.code.clone(),
                    },
                    t(w, "offer-item-photo"),
                    OfferStyle::Secondary,
                ));
                let mut confirm = Offer::new(
                    Tap::ConfirmItemByHand {
                        task_id: task_id.to_owned(),
                        item_code: i.code.clone(),
                        reason: String::new(),
                    },
                    t(w, "offer-confirm-by-hand"),
                    OfferStyle::Secondary,
                )
                .with_inputs(vec![reason_input(w)]);
                if photos == 0 {
                    confirm =
                        confirm.blocked_by(vec![runsheet_core::Blocker::PhotoOfItemRequired], w);
                }
                view.offers.push(confirm);
            }
            view
        })
        .collect();
    let mut offers = Vec::new();
    if camera != CameraState::On && camera != CameraState::Denied {
        offers.push(Offer::new(
            Tap::StartCamera {
                task_id: task_id.to_owned(),
            },
            t(w, "offer-start-camera"),
            OfferStyle::Primary,
        ));
    }
    offers.push(
        Offer::new(
            Tap::Scan {
                task_id: task_id.to_owned(),
                code: String::new(),
                symbology: runsheet_gs1::Symbology::Unknown,
            },
            t(w, "offer-type-code"),
            OfferStyle::Secondary,
        )
        .with_inputs(vec![InputSpec {
            field: "code".into(),
            label: t(w, "input-code"),
            kind: InputKind::Text,
            required: true,
            min: None,
            max: None,
        }]),
    );
    offers.push(Offer::new(
        Tap::ShowTask {
            task_id: task_id.to_owned(),
        },
        t(w, "offer-done-scanning"),
        OfferStyle::Navigation,
    ));
    Ok(ScanPage {
        task_id: task_id.to_owned(),
        progress: w.text(
            "scan-progress",
            &Args::new()
                .str("stage", wording::role(w, p.stage))
                .num("confirmed", i64::from(p.confirmed))
                .num("expected", i64::from(p.expected)),
        ),
        confirmed: p.confirmed,
        expected: p.expected,
        items,
        last_verdict: v.state.verdicts.get(task_id).cloned(),
        camera,
        camera_text: (camera == CameraState::Denied).then(|| t(w, "camera-denied")),
        offers,
    })
}

/// A scan's outcome as a sentence with a tone.
pub fn verdict(w: &Words, o: &ScanOutcome) -> Verdict {
    let (text, tone) = match o {
        ScanOutcome::Confirmed { .. } => (t(w, "verdict-confirmed"), Tone::Good),
        ScanOutcome::Duplicate { .. } | ScanOutcome::Repeat => {
            (t(w, "verdict-duplicate"), Tone::Neutral)
        }
        ScanOutcome::OtherTask { task_id, .. } => (
            w.text(
                "verdict-other-task",
                &Args::new().str("task", task_id.clone()),
            ),
            Tone::Bad,
        ),
        ScanOutcome::NotMine => (t(w, "verdict-not-mine"), Tone::Bad),
        ScanOutcome::Unreadable { .. } => (t(w, "verdict-unreadable"), Tone::Warning),
        ScanOutcome::Expired { expiry, .. } => (
            w.text(
                "verdict-expired",
                &Args::new().str("date", expiry.to_string()),
            ),
            Tone::Bad,
        ),
        ScanOutcome::WrongTemperature {
            expected, found, ..
        } => (
            w.text(
                "verdict-wrong-temperature",
                &Args::new()
                    .str("expected", wording::temperature(w, *expected))
                    .str("found", wording::temperature(w, *found)),
            ),
            Tone::Bad,
        ),
        ScanOutcome::Recalled { reason, .. } => (
            w.text(
                "verdict-recalled",
                &Args::new().str("reason", reason.clone()),
            ),
            Tone::Bad,
        ),
    };
    Verdict { text, tone }
}

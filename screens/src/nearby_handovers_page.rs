//! Handovers nearby: other couriers' open handover requests (asked for, no receiving courier
//! named) within 3 km of this courier, nearest first, and the take, which makes this courier the
//! receiving courier. The list needs the network: the app fetches it from the courier's last
//! position when the page opens and on "Refresh", holds it ([`crate::view::NearbyState`]) and
//! shows it with the time it was fetched. Offline the last list stays on the page, "as of" its
//! time, and taking is disabled with the reason. Each request shows how far, how many bags, the
//! reason and how long ago it was asked for; there is no customer data in it to show.

use runsheet_core::{Blocker, Result, ShiftState};
use runsheet_protocol::{NearbyHandover, NEARBY_HANDOVER_RADIUS_M};
use runsheet_words::Args;

use crate::effect::{Permission, PermissionState};
use crate::offer::{Offer, OfferStyle, Tap};
use crate::screen::{Tone, Verdict};
use crate::view::{NearbyFetch, View};
use crate::wording::t;

/// One open handover request near the courier.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NearbyHandoverView {
    /// The task to be handed over.
    pub task_id: String,
    /// "Task F1 · 400 m away".
    pub title: String,
    /// "400 m", "1.2 km": from this courier to the courier handing over, as the crow flies.
    pub distance: String,
    /// "2 bags".
    pub bags: String,
    /// "Reason: Vehicle breakdown".
    pub reason: String,
    /// "Note: flat tyre", the courier's note, if any.
    pub note: Option<String>,
    /// "Asked for 5 min ago".
    pub asked: String,
    /// Take it over; disabled with the reason offline, off duty, on a break, or while a take
    /// is with the server.
    pub take: Offer,
}

/// The nearby handovers page.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NearbyHandoversPage {
    /// What the page lists ("Other couriers' handover requests within 3.0 km, nearest first").
    pub summary: String,
    /// "As of 12:31": when the list shown was fetched, once one was.
    pub as_of: Option<String>,
    /// Where things stand, when it needs saying: looking, taking, offline, the fetch failed, no
    /// position yet.
    pub status: Option<Verdict>,
    /// A fetch or a take is with the server: the page changes by itself when it answers (a
    /// shell may show a spinner).
    pub busy: bool,
    /// The requests, nearest first.
    pub entries: Vec<NearbyHandoverView>,
    /// What an empty list says (once one was fetched).
    pub empty_text: Option<String>,
    /// Refresh; turn location on (when no position is known).
    pub offers: Vec<Offer>,
}

/// What keeps the courier from taking a handover by their shift: off duty, on a break.
fn shift_blockers(v: &View<'_>) -> Result<Vec<Blocker>> {
    Ok(match v.core.shift_state()? {
        ShiftState::OffDuty => vec![Blocker::ShiftNotStarted],
        ShiftState::OnBreak => vec![Blocker::OnBreak],
        ShiftState::OnDuty => Vec::new(),
    })
}

/// The offer that opens the page (on the offers page): disabled off duty and on a break.
pub fn open_offer(v: &View<'_>) -> Result<Offer> {
    Ok(Offer::new(
        Tap::OpenNearbyHandovers,
        t(v.words, "offer-open-nearby-handovers"),
        OfferStyle::Navigation,
    )
    .blocked_by(shift_blockers(v)?, v.words))
}

/// Whether the page counts the phone as offline: the core's last sync found no network, or the
/// last fetch of the list did not.
pub fn offline(v: &View<'_>) -> Result<bool> {
    Ok(v.core.sync_status()?.online == Some(false)
        || matches!(
            v.state.nearby.fetch,
            NearbyFetch::Failed { offline: true, .. }
        ))
}

/// The page.
pub fn build(v: &View<'_>) -> Result<NearbyHandoversPage> {
    let w = v.words;
    let n = &v.state.nearby;
    let offline = offline(v)?;
    let fetching = n.fetch == NearbyFetch::Fetching;
    let position = v.core.last_position();
    let as_of = n
        .list
        .as_ref()
        .map(|l| w.text("nearby-as-of", &Args::new().str("time", v.time(l.at))));
    let say = |text: String, tone: Tone| Some(Verdict { text, tone });
    let status = if let Some(task) = &n.taking {
        say(
            w.text("nearby-taking", &Args::new().str("task", task.clone())),
            Tone::Neutral,
        )
    } else if fetching {
        say(t(w, "nearby-fetching"), Tone::Neutral)
    } else if offline {
        match &n.list {
            Some(l) => say(
                w.text("nearby-offline", &Args::new().str("time", v.time(l.at))),
                Tone::Warning,
            ),
            None => say(t(w, "nearby-offline-no-list"), Tone::Warning),
        }
    } else if let NearbyFetch::Failed { sentence, .. } = &n.fetch {
        say(
            w.text(
                "nearby-failed",
                &Args::new().str("reason", sentence.clone()),
            ),
            Tone::Bad,
        )
    } else if position.is_none() {
        let granted = v.state.permission(Permission::Location) == PermissionState::Granted;
        say(
            t(
                w,
                if granted {
                    "nearby-waiting-position"
                } else {
                    "nearby-no-position"
                },
            ),
            Tone::Warning,
        )
    } else {
        None
    };
    let blockers = shift_blockers(v)?;
    let server_now = v.core.server_now()?;
    let entries: Vec<NearbyHandoverView> = n
        .list
        .iter()
        .flat_map(|l| l.entries.iter())
        .map(|e| {
            let mut take = Offer::new(
                Tap::TakeHandover {
                    task_id: e.task_id.clone(),
                },
                t(w, "offer-take-handover"),
                OfferStyle::Primary,
            )
            .blocked_by(blockers.clone(), w);
            if offline {
                take.enabled = false;
                take.why.push(t(w, "nearby-needs-connection"));
            }
            if n.taking.is_some() {
                take.enabled = false;
                take.why.push(t(w, "nearby-take-under-way"));
            }
            entry(v, e, server_now, take)
        })
        .collect();
    let empty_text = (n.list.is_some() && entries.is_empty()).then(|| t(w, "nearby-empty"));
    let mut refresh = Offer::new(
        Tap::RefreshNearbyHandovers,
        t(w, "offer-refresh-nearby-handovers"),
        OfferStyle::Secondary,
    );
    // Without a position it stays offered (the screen a shell holds may predate the first
    // fix): tapped then, it fetches nothing and the page still says why.
    if fetching {
        refresh.enabled = false;
        refresh.why.push(t(w, "nearby-fetching"));
    }
    let mut offers = vec![refresh];
    if position.is_none() && v.state.permission(Permission::Location) != PermissionState::Granted {
        offers.push(Offer::new(
            Tap::AllowLocation,
            t(w, "offer-allow-location"),
            OfferStyle::Primary,
        ));
    }
    Ok(NearbyHandoversPage {
        summary: w.text(
            "nearby-summary",
            &Args::new().str("radius", w.distance(f64::from(NEARBY_HANDOVER_RADIUS_M))),
        ),
        as_of,
        status,
        busy: fetching || n.taking.is_some(),
        entries,
        empty_text,
        offers,
    })
}

fn entry(v: &View<'_>, e: &NearbyHandover, server_now: i64, take: Offer) -> NearbyHandoverView {
    let w = v.words;
    let distance = w.distance(f64::from(e.distance_m));
    NearbyHandoverView {
        task_id: e.task_id.clone(),
        title: w.text(
            "nearby-entry-title",
            &Args::new()
                .str("task", e.task_id.clone())
                .str("distance", distance.clone()),
        ),
        distance,
        bags: w.text("nearby-bags", &Args::new().num("n", i64::from(e.bags))),
        reason: w.text(
            "handover-reason-line",
            &Args::new().str(
                "reason",
                runsheet_core::wording::handover_reason(w, e.reason),
            ),
        ),
        note: e
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| w.text("nearby-note", &Args::new().str("note", n))),
        asked: w.text(
            "nearby-asked",
            &Args::new().str("age", w.duration((server_now - e.requested_at).max(0))),
        ),
        take,
    }
}

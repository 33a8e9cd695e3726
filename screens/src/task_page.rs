//! One task: its stops, items with their scan state, contact and maps, timeline, and what the
//! courier can do now.

use runsheet_core::{Result, Step, Task};
use runsheet_protocol::{MessageTemplate, ProofPolicy, StopRole, TaskStatus};
use runsheet_route::map_link::{navigation_links, MapApp};
use runsheet_words::{Args, Words};

use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::screen::{ItemState, ItemView, Lateness, StopView, TaskPage, TimelineLine};
use crate::task_list::{lateness, primary_offer, title};
use crate::view::View;
use crate::wording::{self, t};

/// The page of `task_id`.
pub fn build(v: &View<'_>, task_id: &str) -> Result<TaskPage> {
    let w = v.words;
    let task = v.core.task(task_id)?;
    let proof = v.state.proof.get(task_id).cloned().unwrap_or_default();
    let next = v.core.next_action_given(task_id, &proof)?;
    let route = v.core.route()?;
    let (drop_lateness, _) = lateness(v, &route, &task);
    let mut stops = Vec::new();
    if let Some(p) = &task.pickup {
        let mut times = Vec::new();
        if let Some(r) = p.ready_at {
            times.push(w.text("stop-ready", &Args::new().str("time", v.time(r))));
        }
        stops.push(stop_view(
            w,
            &task,
            StopRole::Pickup,
            p,
            times,
            Lateness::Unknown,
        ));
    }
    let mut times = Vec::new();
    if let Some(d) = task.dropoff.due_by {
        times.push(w.text("stop-due", &Args::new().str("time", v.time(d))));
    }
    if let Some(s) = route
        .stops
        .iter()
        .find(|s| s.task_id == task.id && s.role == StopRole::Dropoff)
    {
        times.push(w.text("stop-eta", &Args::new().str("time", v.time(s.eta))));
    }
    stops.push(stop_view(
        w,
        &task,
        StopRole::Dropoff,
        &task.dropoff,
        times,
        drop_lateness,
    ));
    if task.status == TaskStatus::Failed {
        if let Some(r) = task.return_stop() {
            stops.push(stop_view(
                w,
                &task,
                StopRole::Return,
                r,
                Vec::new(),
                Lateness::Unknown,
            ));
        }
    }
    let progress = v.core.scan_progress(task_id)?;
    let recalled = v.core.recalled_items(task_id)?;
    let aside = v.core.set_aside_items(task_id)?;
    let items = task
        .items
        .iter()
        .map(|i| {
            let pending = progress.missing.iter().any(|m| m.code == i.code);
            let mut view = item_view(w, i, !pending || task.status.is_final());
            recall_state(
                w,
                &mut view,
                task_id,
                &recalled,
                &aside,
                !task.status.is_final(),
            );
            view
        })
        .collect();
    let take_back = task
        .take_back
        .iter()
        .map(|i| {
            let pending = progress.missing.iter().any(|m| m.code == i.code);
            item_view(w, i, !pending || task.status.is_final())
        })
        .collect();
    let open = !task.is_done();
    let mut contact = Vec::new();
    let reachable = open && !task.customer_data_purged;
    if reachable && task.dropoff.phone.is_some() {
        contact.push(Offer::new(
            Tap::CallCustomer {
                task_id: task_id.to_owned(),
            },
            t(w, "offer-call-customer"),
            OfferStyle::Secondary,
        ));
        contact.push(Offer::new(
            Tap::RecordCall {
                task_id: task_id.to_owned(),
                answered: false,
            },
            t(w, "offer-record-call"),
            OfferStyle::Secondary,
        ));
    }
    if reachable {
        for template in [
            MessageTemplate::ArrivingIn,
            MessageTemplate::AtTheDoor,
            MessageTemplate::LeftAtReception,
            MessageTemplate::LeftAtDoor,
        ] {
            contact.push(Offer::new(
                Tap::MessageCustomer {
                    task_id: task_id.to_owned(),
                    template,
                },
                wording::template(w, template),
                OfferStyle::Secondary,
            ));
        }
    }
    let maps = match task.current_stop() {
        Some((_, stop)) if !task.customer_data_purged => map_offers(w, task_id, stop.lat, stop.lon),
        _ => Vec::new(),
    };
    let timeline = v
        .core
        .timeline(task_id)?
        .iter()
        .map(|e| TimelineLine {
            time: v.time(e.at),
            text: wording::event(w, &e.kind),
        })
        .collect();
    let mut secondary = Vec::new();
    let step = next.as_ref().map(|n| n.step);
    if matches!(step, Some(Step::PickUp | Step::Deliver)) && !task.items.is_empty() {
        secondary.push(Offer::new(
            Tap::ShowScan {
                task_id: task_id.to_owned(),
            },
            t(w, "offer-scan-items"),
            OfferStyle::Navigation,
        ));
    }
    if open {
        let stage = runsheet_core::workflow::checklist_stage(&task);
        if v.core.checklist(Some(task_id), stage)?.is_some() {
            secondary.push(Offer::new(
                Tap::ShowChecklist {
                    task_id: Some(task_id.to_owned()),
                    stage,
                },
                w.text(
                    "offer-checklist",
                    &Args::new().str("stage", wording::stage(w, stage)),
                ),
                OfferStyle::Navigation,
            ));
        }
    }
    if step == Some(Step::Deliver) {
        match task.proof {
            ProofPolicy::Photo => secondary.push(Offer::new(
                Tap::TakeProofPhoto {
                    task_id: task_id.to_owned(),
                },
                t(w, "offer-proof-photo"),
                OfferStyle::Secondary,
            )),
            ProofPolicy::Signature => secondary.push(Offer::new(
                Tap::TakeSignature {
                    task_id: task_id.to_owned(),
                },
                t(w, "offer-signature"),
                OfferStyle::Secondary,
            )),
            _ => {}
        }
        if task.handoff_code_required && !task.handoff_verified {
            secondary.push(
                Offer::new(
                    Tap::EnterHandoffCode {
                        task_id: task_id.to_owned(),
                        code: String::new(),
                    },
                    t(w, "offer-handoff-code"),
                    OfferStyle::Secondary,
                )
                .with_inputs(vec![InputSpec {
                    field: "code".into(),
                    label: t(w, "input-handoff-code"),
                    kind: InputKind::Text,
                    required: true,
                    min: None,
                    max: None,
                }]),
            );
        }
    }
    if step == Some(Step::Deliver) {
        secondary.extend(crate::door::offers(w, &task));
    }
    if open && task.status != TaskStatus::Failed {
        secondary.push(Offer::new(
            Tap::ShowProblem {
                task_id: task_id.to_owned(),
            },
            t(w, "offer-report-problem"),
            OfferStyle::Navigation,
        ));
    }
    let handover = v.core.handover(task_id)?;
    let handover_label = match task.custody {
        runsheet_core::Custody::Incoming => Some("offer-receive-handover"),
        runsheet_core::Custody::Mine if open && task.goods_on_board() => {
            Some("offer-request-handover")
        }
        _ if handover.handover.is_some() => Some("offer-show-handover"),
        _ => None,
    };
    if let Some(label) = handover_label {
        secondary.push(Offer::new(
            Tap::ShowHandover {
                task_id: task_id.to_owned(),
            },
            t(w, label),
            OfferStyle::Navigation,
        ));
    }
    let mut notes = Vec::new();
    let no_location = v.state.permission(crate::effect::Permission::Location)
        == crate::effect::PermissionState::Denied;
    if no_location && matches!(step, Some(Step::Arrive(_))) {
        notes.push(t(w, "note-no-location"));
    }
    if task.contactless {
        notes.push(t(w, "note-contactless"));
    }
    if task.handoff_code_required {
        notes.push(t(
            w,
            if task.handoff_verified {
                "note-handoff-code-verified"
            } else {
                "note-handoff-code"
            },
        ));
    }
    if !proof.is_empty() {
        notes.push(w.text(
            "note-proof-taken",
            &Args::new().num("n", proof.len() as i64),
        ));
    }
    if task.customer_data_purged {
        notes.push(t(w, "customer-removed"));
    }
    if task.custody != runsheet_core::Custody::Mine {
        notes.push(crate::wording::custody(w, task.custody));
    } else if let Some(h) = handover.handover.as_ref().filter(|h| h.status.is_open()) {
        notes.push(runsheet_core::wording::handover_status(w, h.status));
    }
    notes.extend(crate::door::notes(v, &task)?);
    let (cases, case_notes) = crate::cases_page::task_links(v, &task)?;
    notes.extend(case_notes);
    if !task.take_back.is_empty() {
        let names: Vec<String> = task.take_back.iter().map(|i| i.name.clone()).collect();
        notes.push(w.text("note-take-back", &Args::new().str("items", w.list(&names))));
    }
    if task.pending_actions > 0 {
        notes.push(w.text(
            "row-unsent",
            &Args::new().num("n", i64::from(task.pending_actions)),
        ));
    }
    Ok(TaskPage {
        task_id: task_id.to_owned(),
        title: title(w, &task),
        kind: wording::kind(w, task.kind),
        status: wording::status(w, task.status),
        notes,
        stops,
        items,
        contact,
        maps,
        timeline,
        primary: next.as_ref().map(|n| primary_offer(w, n)),
        secondary,
        cases,
        take_back,
    })
}

/// Marks an item a recall covers (with the offer to set it aside while the task is open) and
/// an item already set aside: the core's recall rule, shown on the task and scan pages.
pub fn recall_state(
    w: &Words,
    view: &mut ItemView,
    task_id: &str,
    recalled: &[runsheet_core::RecalledItem],
    aside: &[String],
    open: bool,
) {
    if aside.contains(&view.code) {
        view.state_text = t(w, "item-set-aside");
    } else if recalled.iter().any(|r| r.item_code == view.code) {
        view.state = ItemState::Pending;
        view.state_text = t(w, "item-recalled");
        if open {
            view.offers.push(Offer::new(
                Tap::SetAside {
                    task_id: task_id.to_owned(),
                    item_code: view.code.clone(),
                },
                t(w, "offer-set-aside"),
                OfferStyle::Destructive,
            ));
        }
    }
}

fn stop_view(
    w: &Words,
    task: &Task,
    role: StopRole,
    stop: &runsheet_core::Stop,
    times: Vec<String>,
    lateness: Lateness,
) -> StopView {
    let personal = role != StopRole::Dropoff || !task.customer_data_purged;
    StopView {
        role: wording::role(w, role),
        name: if personal {
            stop.name.clone()
        } else {
            t(w, "customer-removed")
        },
        address: if personal {
            stop.address.clone()
        } else {
            String::new()
        },
        times,
        lateness,
        lat: stop.lat,
        lon: stop.lon,
    }
}

/// An item with its state at the current handoff.
pub fn item_view(w: &Words, i: &runsheet_protocol::ItemDoc, confirmed: bool) -> ItemView {
    ItemView {
        code: i.code.clone(),
        name: w.text(
            "item-name",
            &Args::new()
                .str("name", i.name.clone())
                .num("quantity", i64::from(i.quantity)),
        ),
        temperature: wording::temperature(w, i.temperature),
        state: if confirmed {
            ItemState::Confirmed
        } else {
            ItemState::Pending
        },
        state_text: t(
            w,
            if confirmed {
                "item-confirmed"
            } else {
                "item-pending"
            },
        ),
        offers: Vec::new(),
    }
}

/// The maps apps, those the region uses first (Amap and Baidu in mainland China).
pub fn map_offers(w: &Words, task_id: &str, lat: f64, lon: f64) -> Vec<Offer> {
    let china = runsheet_route::border::in_mainland_china(lat, lon);
    let mut links = navigation_links(lat, lon, "");
    let rank = |a: MapApp| match (china, a) {
        (true, MapApp::Amap) => 0,
        (true, MapApp::Baidu) => 1,
        (true, MapApp::Apple) => 2,
        (false, MapApp::Google) => 0,
        (false, MapApp::Apple) => 1,
        (false, MapApp::Waze) => 2,
        _ => 3,
    };
    links.sort_by_key(|l| rank(l.app));
    links
        .into_iter()
        .map(|l| {
            Offer::new(
                Tap::OpenMap {
                    task_id: task_id.to_owned(),
                    app: l.app,
                },
                w.text(
                    "offer-open-map",
                    &Args::new().str("app", wording::map_app(w, l.app)),
                ),
                OfferStyle::Secondary,
            )
        })
        .collect()
}

//! The courier's side of a handover between couriers. The courier holding a task asks to hand
//! it over with a reason ([`request`], queued offline like every action); dispatch names the
//! receiving courier, whose phone then holds the task as incoming ([`Custody::Incoming`]): the
//! goods are still with the first courier. They meet, and the receiving courier scans every bag
//! ([`scan_bag`], classified against the task's manifest by the handoff scan machinery); the
//! scan of the last bag queues `receive_handover`, and custody passes when the server applies
//! it. Until then the task stays the first courier's, who may still deliver it (the handover is
//! then void).

use runsheet_protocol::{Action, HandoverDoc, HandoverReason, ItemDoc, MAX_HANDOVER_NOTE_CHARS};

use crate::custody::{self, Custody};
use crate::device::Device;
use crate::error::{Error, Result};
use crate::scan::confirm::{classify_code, Manifest, ScanOutcome};
use crate::scan::Symbology;

/// One bag of a task handed over, and whether the receiving courier scanned it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HandoverBag {
    /// The item as the manifest gives it.
    pub item: ItemDoc,
    /// Scanned by the receiving courier.
    pub scanned: bool,
}

/// A task's handover as this courier sees it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HandoverProgress {
    /// The task.
    pub task_id: String,
    /// Who holds the goods.
    pub custody: Custody,
    /// The latest handover (`None` when the task was never handed over nor asked to be).
    pub handover: Option<HandoverDoc>,
    /// True while this courier's request or receiving scan is not yet on the server.
    pub pending: bool,
    /// The bags, in manifest order, with the receiving courier's scans (empty unless the
    /// handover is incoming to this courier or was received by them).
    pub bags: Vec<HandoverBag>,
    /// Bags scanned so far.
    pub scanned: u32,
    /// Bags of the task.
    pub expected: u32,
}

impl HandoverProgress {
    /// True when every bag is scanned.
    pub fn complete(&self) -> bool {
        self.scanned >= self.expected
    }
}

/// Asks to hand the task over. Refused with blockers when a handover is already asked for, or
/// for the reason "other" without a note; refused outright when the goods are not on board or
/// the task is not this courier's.
pub(crate) fn request(
    dev: &Device,
    task_id: &str,
    reason: HandoverReason,
    note: Option<String>,
) -> Result<i64> {
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_HANDOVER_NOTE_CHARS)
    {
        return Err(Error::InvalidArgument(format!(
            "the handover note can have at most {MAX_HANDOVER_NOTE_CHARS} characters"
        )));
    }
    dev.act(Action::RequestHandover {
        task_id: task_id.to_owned(),
        reason,
        note,
    })
}

/// The task's handover with the receiving courier's bag scans.
pub(crate) fn progress(dev: &Device, task_id: &str) -> Result<HandoverProgress> {
    let task = dev.task(task_id)?;
    dev.store.read(|c| {
        let latest = custody::latest(c, task_id)?;
        let receiving = latest.as_ref().is_some_and(|(h, _)| {
            h.side == Some(runsheet_protocol::HandoverSide::Receiver)
                && h.status != runsheet_protocol::HandoverStatus::Void
        });
        let scanned = match (&latest, receiving) {
            (Some((h, _)), true) => custody::scanned_bags(c, task_id, h.seq)?,
            _ => Vec::new(),
        };
        let bags: Vec<HandoverBag> = if receiving {
            task.items
                .iter()
                .map(|i| HandoverBag {
                    item: i.clone(),
                    scanned: scanned.contains(&i.code),
                })
                .collect()
        } else {
            Vec::new()
        };
        let done = bags.iter().filter(|b| b.scanned).count() as u32;
        let (handover, pending) = match latest {
            Some((h, p)) => (Some(h), p),
            None => (None, false),
        };
        Ok(HandoverProgress {
            task_id: task_id.to_owned(),
            custody: task.custody,
            handover,
            pending,
            expected: task.items.len() as u32,
            scanned: done,
            bags,
        })
    })
}

/// Classifies a bag the receiving courier scanned against the task's manifest and keeps it;
/// the scan that completes the set queues `receive_handover` (custody passes when the server
/// applies it). Refused when the task is not incoming to this courier.
pub(crate) fn scan_bag(
    dev: &Device,
    task_id: &str,
    raw: &str,
    symbology: Symbology,
) -> Result<(ScanOutcome, HandoverProgress)> {
    let task = dev.task(task_id)?;
    if task.custody != Custody::Incoming {
        return Err(Error::InvalidTransition {
            task_id: task_id.to_owned(),
            status: task.status,
            action: "receive_handover",
        });
    }
    let Some((h, _)) = dev.store.read(|c| custody::latest(c, task_id))? else {
        return Err(Error::InvalidTransition {
            task_id: task_id.to_owned(),
            status: task.status,
            action: "receive_handover",
        });
    };
    let now = dev.now();
    // "Today" by the core's clock in the device's time zone (the QA harness moves it).
    let today = {
        use chrono::TimeZone;
        chrono::Local
            .timestamp_opt(now, 0)
            .single()
            .map(|t| t.date_naive())
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    };
    let manifest = Manifest::new(&task.items, today);
    let (outcome, key) = dev.store.read(|c| {
        let confirmed = custody::scanned_bags(c, task_id, h.seq)?;
        Ok(classify_code(
            raw,
            symbology,
            today,
            &manifest,
            &confirmed,
            &[],
            |k| custody::last_seen(c, task_id, h.seq, k).ok().flatten(),
            now,
        ))
    })?;
    if let ScanOutcome::Confirmed { item_code } = &outcome {
        dev.store
            .write(|tx| custody::record_bag(tx, task_id, h.seq, item_code, &key, now))?;
        dev.note(crate::device::change::TASKS);
    }
    tracing::info!(outcome = outcome.code(), "handover bag scanned");
    let p = progress(dev, task_id)?;
    if p.complete() && p.custody == Custody::Incoming {
        let bags = dev
            .store
            .read(|c| custody::scanned_bags(c, task_id, h.seq))?;
        dev.act(Action::ReceiveHandover {
            task_id: task_id.to_owned(),
            seq: h.seq,
            bags,
            scanned_at: now,
        })?;
        tracing::info!(seq = h.seq, "every bag scanned: handover received");
        return Ok((outcome, progress(dev, task_id)?));
    }
    Ok((outcome, p))
}

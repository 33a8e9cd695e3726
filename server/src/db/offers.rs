//! Offers in the store: dispatch offers a courier one open, unassigned task or a stack of up
//! to three for a limited time; the courier's acceptance (in time, by the server's clock)
//! makes the tasks theirs, accepted; a decline keeps its reason for the figures. An open offer
//! past its expiry counts as expired wherever it is read ([`OfferStatus::at`]); a late
//! acceptance records it.

use runsheet_protocol::{
    compute_offer_figures, Action, CourierOfferFigures, DeclineReason, Mutation, MutationOutcome,
    NewOffer, OfferDoc, OfferFact, OfferFigures, OfferRecord, OfferStatus, RejectCode, TaskDoc,
    TaskStatus, MAX_OFFER_TASKS,
};

use super::{couriers, tasks, Refusal, Row, StoreError, Tx};
use crate::params;

/// The columns [`row_to_record`] reads, in order.
pub(crate) const COLUMNS: &str = "id, tasks, offered_at, expires_at, status, decline_reason, seq, \
     courier_id, decided_at, decline_note, late_acceptances, withdraw_reason";

/// Least and most seconds an offer may stay open.
pub const EXPIRY_RANGE_S: std::ops::RangeInclusive<u32> = 5..=600;

/// An offer from a row of [`COLUMNS`], its status as stored (see [`OfferStatus::at`]).
pub(crate) fn row_to_record(r: &Row) -> Result<OfferRecord, StoreError> {
    let tasks: String = r.get(1)?;
    let status: String = r.get(4)?;
    let reason: Option<String> = r.get(5)?;
    Ok(OfferRecord {
        offer: OfferDoc {
            id: r.get(0)?,
            tasks: serde_json::from_str(&tasks).map_err(StoreError::document)?,
            offered_at: r.get(2)?,
            expires_at: r.get(3)?,
            status: OfferStatus::parse(&status)
                .ok_or_else(|| StoreError::document("bad offer status in store"))?,
            decline_reason: reason.as_deref().and_then(DeclineReason::parse),
            seq: r.get(6)?,
        },
        courier_id: r.get(7)?,
        decided_at: r.get(8)?,
        decline_note: r.get(9)?,
        late_acceptances: u32::try_from(r.get::<i64>(10)?).unwrap_or(u32::MAX),
        withdraw_reason: r.get(11)?,
    })
}

/// The record with its status as of `now`.
fn as_of(mut rec: OfferRecord, now: i64) -> OfferRecord {
    rec.offer.status = rec.offer.status.at(rec.offer.expires_at, now);
    rec
}

/// The next offer sequence number; the courier's waiting pulls are woken.
fn next_seq(tx: &mut Tx<'_>, courier: &str) -> Result<i64, StoreError> {
    tx.lock_global("offers")?;
    tx.announce(courier)?;
    tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM offers",
        params![],
        |r| r.get(0),
    )
}

/// The task as the courier sees it before accepting: where and when, without the customer's
/// name and phone (they come with the task once it is the courier's).
fn as_offered(mut doc: TaskDoc) -> TaskDoc {
    doc.dropoff.name = String::new();
    doc.dropoff.phone = None;
    if doc.kind == runsheet_protocol::TaskKind::ReturnPickup {
        if let Some(p) = doc.pickup.as_mut() {
            p.name = String::new();
            p.phone = None;
        }
    }
    doc.handoff_code = None;
    doc
}

/// Makes an offer: `offer.courier_id` must exist; every task must exist, be unassigned and
/// waiting (`assigned`, not final), on no other open offer, and of a kind the courier is
/// qualified for (else 409 `not_qualified`). Expires `expires_in_s` (else
/// `default_expiry_s`) seconds from `now`.
pub fn create(
    tx: &mut Tx<'_>,
    offer: &NewOffer,
    default_expiry_s: u32,
    now: i64,
) -> Result<OfferRecord, StoreError> {
    couriers::must_exist(tx, &offer.courier_id)?;
    if offer.task_ids.is_empty() || offer.task_ids.len() > MAX_OFFER_TASKS {
        return Err(Refusal::OfferSize.into());
    }
    let mut docs = Vec::with_capacity(offer.task_ids.len());
    for (i, id) in offer.task_ids.iter().enumerate() {
        if offer.task_ids[..i].contains(id) {
            return Err(Refusal::OfferSize.into());
        }
        // Locked: a concurrent offer or assignment of the same task waits for this one.
        let held = tx.query_opt(
            &format!("SELECT id FROM tasks WHERE id = ?1{}", tx.for_update()),
            params![id],
            |_| Ok(()),
        )?;
        held.ok_or(Refusal::NoSuchTask)?;
        let (doc, owner) = tasks::load(tx, id)?.ok_or(Refusal::NoSuchTask)?;
        if owner.is_some() || doc.status != TaskStatus::Assigned {
            return Err(Refusal::TaskNotOfferable.into());
        }
        // An offer of a kind the courier is not qualified for is never made (the one gate of
        // assignments and offers: training::missing_for).
        super::training::must_be_qualified(tx, &offer.courier_id, &doc, now)?;
        let on_offer: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM offer_tasks ot JOIN offers o ON o.id = ot.offer_id
                 WHERE ot.task_id = ?1 AND o.status = 'open' AND o.expires_at >= ?2)",
            params![id, now],
            |r| r.get(0),
        )?;
        if on_offer {
            return Err(Refusal::TaskOnOffer.into());
        }
        docs.push(as_offered(doc));
    }
    let expiry = offer.expires_in_s.unwrap_or(default_expiry_s);
    let expires_at = now.saturating_add(i64::from(expiry));
    let seq = next_seq(tx, &offer.courier_id)?;
    let body = serde_json::to_string(&docs).map_err(StoreError::document)?;
    let id: i64 = tx.query_row(
        "INSERT INTO offers (courier_id, tasks, offered_at, expires_at, status, seq)
         VALUES (?1, ?2, ?3, ?4, 'open', ?5) RETURNING id",
        params![offer.courier_id, body, now, expires_at, seq],
        |r| r.get(0),
    )?;
    for task_id in &offer.task_ids {
        tx.execute(
            "INSERT INTO offer_tasks (offer_id, task_id) VALUES (?1, ?2)",
            params![id, task_id],
        )?;
    }
    tracing::info!(
        offer_id = id,
        tasks = offer.task_ids.len(),
        expires_in_s = expiry,
        "offer made"
    );
    Ok(as_of(get(tx, id)?.ok_or(Refusal::NoSuchOffer)?, now))
}

/// One offer as stored.
fn get(tx: &mut Tx<'_>, id: i64) -> Result<Option<OfferRecord>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM offers WHERE id = ?1"),
        params![id],
        row_to_record,
    )
}

/// One offer, its status as of `now`.
pub fn find(tx: &mut Tx<'_>, id: i64, now: i64) -> Result<OfferRecord, StoreError> {
    Ok(as_of(get(tx, id)?.ok_or(Refusal::NoSuchOffer)?, now))
}

/// Dispatch withdraws an open offer at `now`, with its reason: the offer becomes
/// [`OfferStatus::Withdrawn`], its tasks free to be offered again, and the courier's next pull
/// carries it (the long-poll is woken). An acceptance of it that reaches the server later is
/// refused [`RejectCode::OfferWithdrawn`]. An offer no longer open (accepted, declined,
/// expired by now, withdrawn already) is refused with [`Refusal::OfferNotOpen`].
pub fn withdraw(
    tx: &mut Tx<'_>,
    id: i64,
    reason: &str,
    now: i64,
) -> Result<OfferRecord, StoreError> {
    let rec = tx
        .query_opt(
            &format!(
                "SELECT {COLUMNS} FROM offers WHERE id = ?1{}",
                tx.for_update()
            ),
            params![id],
            row_to_record,
        )?
        .ok_or(Refusal::NoSuchOffer)?;
    let status = rec.offer.status.at(rec.offer.expires_at, now);
    if status != OfferStatus::Open {
        return Err(Refusal::OfferNotOpen(status.as_str()).into());
    }
    set(tx, &rec, OfferStatus::Withdrawn, None, now)?;
    tx.execute(
        "UPDATE offers SET withdraw_reason = ?2 WHERE id = ?1",
        params![id, reason],
    )?;
    tracing::info!(offer_id = id, "offer withdrawn by dispatch");
    find(tx, id, now)
}

/// Offers (of one courier, or all), oldest first, their status as of `now`.
pub fn list(
    tx: &mut Tx<'_>,
    courier: Option<&str>,
    now: i64,
) -> Result<Vec<OfferRecord>, StoreError> {
    let rows = match courier {
        Some(c) => tx.query_map(
            &format!("SELECT {COLUMNS} FROM offers WHERE courier_id = ?1 ORDER BY id"),
            params![c],
            row_to_record,
        )?,
        None => tx.query_map(
            &format!("SELECT {COLUMNS} FROM offers ORDER BY id"),
            params![],
            row_to_record,
        )?,
    };
    Ok(rows.into_iter().map(|r| as_of(r, now)).collect())
}

/// The courier's offers new or changed after `seq` (what a pull carries), as stored: the
/// phone works out expiry itself with the server's clock.
pub fn after(tx: &mut Tx<'_>, courier: &str, seq: i64) -> Result<Vec<OfferDoc>, StoreError> {
    tx.query_map(
        &format!("SELECT {COLUMNS} FROM offers WHERE courier_id = ?1 AND seq > ?2 ORDER BY seq"),
        params![courier, seq],
        |r| row_to_record(r).map(|rec| rec.offer),
    )
}

fn set(
    tx: &mut Tx<'_>,
    rec: &OfferRecord,
    status: OfferStatus,
    reason: Option<(DeclineReason, Option<&str>)>,
    now: i64,
) -> Result<(), StoreError> {
    let seq = next_seq(tx, &rec.courier_id)?;
    tx.execute(
        "UPDATE offers SET status = ?2, decline_reason = ?3, decline_note = ?4, decided_at = ?5,
             seq = ?6
         WHERE id = ?1",
        params![
            rec.offer.id,
            status.as_str(),
            reason.map(|(r, _)| r.as_str()),
            reason.and_then(|(_, n)| n),
            now,
            seq
        ],
    )?;
    Ok(())
}

/// When the courier made `m` by the server's clock: the device time corrected by the offset the
/// phone measured at its last sync (the device time alone when it sent none).
fn made_at(m: &Mutation) -> i64 {
    let offset = m.context.and_then(|c| c.clock_offset_s).unwrap_or(0);
    m.device_time.saturating_add(offset)
}

/// Applies `courier`'s answer to an offer ([`Action::AcceptOffer`] or
/// [`Action::DeclineOffer`]) received at `now`. An acceptance made or received after the
/// expiry is refused with [`RejectCode::OfferExpired`] (the offer is recorded expired, the
/// tasks stay unassigned); an answer to an offer withdrawn meanwhile (by dispatch, or because
/// a task of it went elsewhere) is refused with [`RejectCode::OfferWithdrawn`]; one for an
/// offer otherwise no longer open, or whose tasks have gone to someone else meanwhile, is
/// refused with [`RejectCode::InvalidState`].
pub fn answer(
    tx: &mut Tx<'_>,
    courier: &str,
    m: &Mutation,
    now: i64,
) -> Result<MutationOutcome, StoreError> {
    let reject = |code, reason: String| MutationOutcome::Rejected { code, reason };
    let Some(offer_id) = m.action.offer() else {
        return Ok(MutationOutcome::Applied);
    };
    let Some(rec) = tx.query_opt(
        &format!(
            "SELECT {COLUMNS} FROM offers WHERE id = ?1{}",
            tx.for_update()
        ),
        params![offer_id],
        row_to_record,
    )?
    else {
        return Ok(reject(RejectCode::Invalid, "no such offer".into()));
    };
    if rec.courier_id != courier {
        return Ok(reject(
            RejectCode::Invalid,
            "the offer was made to another courier".into(),
        ));
    }
    if rec.offer.status == OfferStatus::Withdrawn {
        // Withdrawn before the answer reached the server: nothing changes.
        tracing::info!(
            offer_id,
            action = m.action.name(),
            "answer to a withdrawn offer refused"
        );
        return Ok(reject(
            RejectCode::OfferWithdrawn,
            "the offer was withdrawn before the answer reached the server".into(),
        ));
    }
    let expires_at = rec.offer.expires_at;
    let late = now > expires_at || made_at(m) > expires_at;
    match &m.action {
        Action::AcceptOffer { .. } => {
            if late && matches!(rec.offer.status, OfferStatus::Open | OfferStatus::Expired) {
                if rec.offer.status == OfferStatus::Open {
                    set(tx, &rec, OfferStatus::Expired, None, now)?;
                }
                tx.execute(
                    "UPDATE offers SET late_acceptances = late_acceptances + 1 WHERE id = ?1",
                    params![offer_id],
                )?;
                tracing::info!(
                    offer_id,
                    late_by_s = now - expires_at,
                    "late offer acceptance refused"
                );
                return Ok(reject(
                    RejectCode::OfferExpired,
                    format!(
                        "the offer expired {} s before the acceptance reached the server",
                        (now - expires_at).max(0)
                    ),
                ));
            }
            if rec.offer.status != OfferStatus::Open {
                return Ok(reject(
                    RejectCode::InvalidState,
                    format!("the offer is {}", rec.offer.status.as_str()),
                ));
            }
            // Every task must still be free: then all become the courier's, or none.
            let mut docs = Vec::with_capacity(rec.offer.tasks.len());
            for t in &rec.offer.tasks {
                tx.query_opt(
                    &format!("SELECT id FROM tasks WHERE id = ?1{}", tx.for_update()),
                    params![t.id],
                    |_| Ok(()),
                )?;
                match tasks::load(tx, &t.id)? {
                    Some((doc, None)) if doc.status == TaskStatus::Assigned => docs.push(doc),
                    _ => {
                        set(tx, &rec, OfferStatus::Withdrawn, None, now)?;
                        return Ok(reject(
                            RejectCode::InvalidState,
                            "a task of the offer went to someone else or was cancelled".into(),
                        ));
                    }
                }
            }
            for doc in &docs {
                tx.execute(
                    "UPDATE tasks SET courier_id = ?2, status = 'accepted', revision = revision + 1,
                         updated_at = ?3
                     WHERE id = ?1",
                    params![doc.id, courier, now],
                )?;
                tasks::record_change(tx, courier, &doc.id, "upsert")?;
            }
            set(tx, &rec, OfferStatus::Accepted, None, now)?;
            tracing::info!(offer_id, tasks = docs.len(), "offer accepted");
            Ok(MutationOutcome::Applied)
        }
        Action::DeclineOffer { reason, note, .. } => {
            // A decline after the expiry is still the courier's reason: it is kept.
            match rec.offer.status {
                OfferStatus::Open | OfferStatus::Expired => {
                    set(
                        tx,
                        &rec,
                        OfferStatus::Declined,
                        Some((*reason, note.as_deref())),
                        now,
                    )?;
                    tracing::info!(offer_id, reason = reason.as_str(), "offer declined");
                    Ok(MutationOutcome::Applied)
                }
                s => Ok(reject(
                    RejectCode::InvalidState,
                    format!("the offer is {}", s.as_str()),
                )),
            }
        }
        _ => Ok(MutationOutcome::Applied),
    }
}

/// Offer figures since `since` (offers made at or after it), per courier and for the platform,
/// as of `now`.
pub fn figures(tx: &mut Tx<'_>, since: i64, now: i64) -> Result<OfferFigures, StoreError> {
    let rows: Vec<(String, String, i64, Option<String>)> = tx.query_map(
        "SELECT courier_id, status, expires_at, decline_reason FROM offers
         WHERE offered_at >= ?1 ORDER BY courier_id, id",
        params![since],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let mut facts: Vec<(String, OfferFact)> = Vec::with_capacity(rows.len());
    for (courier, status, expires_at, reason) in rows {
        let status = OfferStatus::parse(&status)
            .ok_or_else(|| StoreError::document("bad offer status in store"))?;
        facts.push((
            courier,
            OfferFact {
                status: status.at(expires_at, now),
                decline_reason: reason.as_deref().and_then(DeclineReason::parse),
            },
        ));
    }
    let all: Vec<OfferFact> = facts.iter().map(|(_, f)| *f).collect();
    let mut couriers: Vec<CourierOfferFigures> = Vec::new();
    for (courier, _) in &facts {
        if couriers.last().is_some_and(|c| &c.courier_id == courier) {
            continue;
        }
        let own: Vec<OfferFact> = facts
            .iter()
            .filter(|(c, _)| c == courier)
            .map(|(_, f)| *f)
            .collect();
        couriers.push(CourierOfferFigures {
            courier_id: courier.clone(),
            counts: compute_offer_figures(&own),
        });
    }
    Ok(OfferFigures {
        since,
        platform: compute_offer_figures(&all),
        couriers,
    })
}

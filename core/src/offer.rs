//! Offers of work on the phone. Dispatch offers the courier a task, or a stack of two or three,
//! until an expiry on the server's clock; the offer arrives with a pull ([`OfferDoc`]) and is
//! kept here. The courier accepts or declines (with a reason) offline, through the outbox like
//! every action ([`Action::AcceptOffer`], [`Action::DeclineOffer`]); the offer shows the answer
//! as sent until the server's next document about it. The tasks are not added on the phone:
//! they come with the pull once the server has made them the courier's. A late acceptance is
//! refused by the server (`offer_expired`): the offer then shows as refused, and the courier is
//! told.
//!
//! Time left is counted on the server's clock (the device clock plus the offset measured at
//! the last sync); an offer past its expiry is no longer offered for an answer.

use runsheet_protocol::{Action, DeclineReason, OfferDoc, OfferStatus, StopDoc, TaskKind};
use rusqlite::{params, Connection, OptionalExtension};

use crate::device::Device;
use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set};

/// Most characters of a decline's note.
pub const MAX_NOTE_CHARS: usize = 500;

/// Where an offer stands, as the courier's phone sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum OfferState {
    /// Waiting for the courier's answer, with time left.
    Open,
    /// Accepted on this phone; the server has not confirmed it yet.
    AcceptSent,
    /// Declined on this phone; the server has not confirmed it yet.
    DeclineSent,
    /// Accepted: the tasks are the courier's.
    Accepted,
    /// Declined.
    Declined,
    /// Not answered in time.
    Expired,
    /// The acceptance reached the server after the offer expired: refused, the tasks are not
    /// the courier's.
    Refused,
    /// Withdrawn before the answer: by dispatch, or because a task of the offer went to
    /// someone else or was cancelled.
    Withdrawn,
}

impl OfferState {
    /// True while the courier can still answer.
    pub fn answerable(self) -> bool {
        self == OfferState::Open
    }
}

/// One task of an offer, as the courier sees it before accepting (no customer's name or
/// phone: they come with the task once it is the courier's).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OfferedTask {
    /// The task's id.
    pub task_id: String,
    /// What kind of work.
    pub kind: TaskKind,
    /// Where the goods are collected, if anywhere.
    pub pickup: Option<StopDoc>,
    /// Where the goods go.
    pub dropoff: StopDoc,
    /// How many items.
    pub items: u32,
    /// The units its goods take in the box and the chilled compartment
    /// ([`runsheet_protocol::order_load`]).
    pub load: runsheet_protocol::Load,
}

/// An offer on the phone.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CourierOffer {
    /// The server's offer id.
    pub offer_id: i64,
    /// The tasks offered.
    pub tasks: Vec<OfferedTask>,
    /// When it was made, by the server's clock, Unix seconds.
    pub offered_at: i64,
    /// When it expires, by the server's clock, Unix seconds.
    pub expires_at: i64,
    /// Seconds left to answer now (by the server's clock; 0 once expired).
    pub remaining_s: i64,
    /// Where it stands.
    pub state: OfferState,
    /// The courier's reason, when declined.
    pub decline_reason: Option<DeclineReason>,
    /// The server's sentence when the acceptance was refused (English, for logs and support;
    /// the screens word the refusal themselves).
    pub refusal: Option<String>,
    /// The refused acceptance's mutation id (its rejection notice).
    pub refused_mutation_id: Option<i64>,
    /// The server's code for the refused acceptance (`offer_expired`: it came too late;
    /// `offer_withdrawn`: dispatch had withdrawn the offer), when refused.
    pub refusal_code: Option<String>,
}

/// What a stored offer document means for the courier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferNews {
    /// Nothing to announce.
    Nothing,
    /// New to the phone and open: announce it.
    New,
    /// Was waiting for the courier's answer (none given) and is now withdrawn: tell them.
    Withdrawn,
}

/// The highest offer sequence the phone holds (the pull cursor for offers).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, "offers_seq")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Stores an offer the server sent (new, or changed). Says whether it is new to the phone and
/// open (the screens announce it), or withdrawn while it waited for the courier's answer (the
/// screens tell them; an answered or refused one is not announced again). The courier's
/// answer not yet confirmed and a refusal are kept.
pub fn store(conn: &Connection, o: &OfferDoc) -> Result<OfferNews> {
    let body = serde_json::to_string(o)
        .map_err(|e| Error::InvalidArgument(format!("offer cannot be encoded: {e}")))?;
    // (status, unanswered and not refused) as the phone held it.
    let before: Option<(String, bool)> = conn
        .query_row(
            "SELECT status, answer IS NULL AND refused IS NULL FROM offers WHERE id = ?1",
            [o.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let known = before.is_some();
    let news = match &before {
        None if o.status == OfferStatus::Open => OfferNews::New,
        Some((status, true))
            if status == OfferStatus::Open.as_str() && o.status == OfferStatus::Withdrawn =>
        {
            OfferNews::Withdrawn
        }
        _ => OfferNews::Nothing,
    };
    conn.execute(
        "INSERT INTO offers (id, body, status, expires_at, seq) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET body = ?2, status = ?3, expires_at = ?4, seq = ?5",
        params![o.id, body, o.status.as_str(), o.expires_at, o.seq],
    )?;
    // The server decided: the answer shown as sent gives way to its status.
    if o.status != OfferStatus::Open {
        conn.execute("UPDATE offers SET answer = NULL WHERE id = ?1", [o.id])?;
    }
    if o.seq > last_seq(conn)? {
        meta_set(conn, "offers_seq", &o.seq.to_string())?;
    }
    tracing::info!(
        offer = o.id,
        status = o.status.as_str(),
        known,
        "offer stored"
    );
    Ok(news)
}

/// Marks the offer's acceptance (mutation `mutation_id`) refused by the server as late, with
/// its sentence.
pub fn refuse(conn: &Connection, offer_id: i64, mutation_id: i64, reason: &str) -> Result<()> {
    conn.execute(
        "UPDATE offers SET answer = NULL, refused = ?2, refused_by = ?3 WHERE id = ?1",
        params![offer_id, reason, mutation_id],
    )?;
    Ok(())
}

/// Deletes the offers that expired before `cutoff` and take no answer any more (their
/// addresses are customer data), keeping the pull cursor.
pub fn purge(conn: &Connection, cutoff: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM offers WHERE expires_at <= ?1 AND answer IS NULL",
        [cutoff],
    )?;
    Ok(())
}

/// Forgets a decline the server refused (the offer was settled meanwhile).
pub fn drop_answer(conn: &Connection, offer_id: i64) -> Result<()> {
    conn.execute("UPDATE offers SET answer = NULL WHERE id = ?1", [offer_id])?;
    Ok(())
}

fn offered(t: &runsheet_protocol::TaskDoc) -> OfferedTask {
    OfferedTask {
        task_id: t.id.clone(),
        kind: t.kind,
        pickup: t.pickup.clone(),
        dropoff: t.dropoff.clone(),
        items: t.items.iter().map(|i| i.quantity).sum(),
        load: runsheet_protocol::order_load(&t.items),
    }
}

/// The offer of a row, its state and time left as of `server_now`.
fn from_row(
    body: &str,
    answer: Option<String>,
    refused: Option<(String, Option<i64>, Option<String>)>,
    server_now: i64,
) -> Option<CourierOffer> {
    let doc: OfferDoc = serde_json::from_str(body).ok()?;
    let remaining_s = (doc.expires_at - server_now).max(0);
    let state = if refused.is_some() {
        OfferState::Refused
    } else {
        match (doc.status, answer.as_deref()) {
            (OfferStatus::Open, Some("accepted")) => OfferState::AcceptSent,
            (OfferStatus::Open, Some("declined")) => OfferState::DeclineSent,
            (OfferStatus::Open, _) if server_now > doc.expires_at => OfferState::Expired,
            (OfferStatus::Open, _) => OfferState::Open,
            (OfferStatus::Accepted, _) => OfferState::Accepted,
            (OfferStatus::Declined, _) => OfferState::Declined,
            (OfferStatus::Expired, _) => OfferState::Expired,
            (OfferStatus::Withdrawn, _) => OfferState::Withdrawn,
        }
    };
    Some(CourierOffer {
        offer_id: doc.id,
        tasks: doc.tasks.iter().map(offered).collect(),
        offered_at: doc.offered_at,
        expires_at: doc.expires_at,
        remaining_s: if state == OfferState::Open {
            remaining_s
        } else {
            0
        },
        state,
        decline_reason: doc.decline_reason,
        refused_mutation_id: refused.as_ref().and_then(|r| r.1),
        refusal_code: refused.as_ref().and_then(|r| r.2.clone()),
        refusal: refused.map(|r| r.0),
    })
}

/// Every offer on the phone, newest first, as of `server_now`.
pub fn list(conn: &Connection, server_now: i64) -> Result<Vec<CourierOffer>> {
    // The refusal's code is the rejection notice's (kept in the outbox's rejections).
    let mut stmt = conn.prepare_cached(
        "SELECT o.body, o.answer, o.refused, o.decline_reason, o.refused_by, r.code
           FROM offers o LEFT JOIN rejections r ON r.mutation_id = o.refused_by
          ORDER BY o.id DESC",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(body, answer, refused, reason, by, code)| {
            let refused = refused.map(|r| (r, by, code));
            let mut o = from_row(&body, answer, refused, server_now)?;
            if o.decline_reason.is_none() {
                o.decline_reason = reason.as_deref().and_then(DeclineReason::parse);
            }
            Some(o)
        })
        .collect())
}

/// One offer, or [`Error::OfferNotFound`].
pub fn get(conn: &Connection, offer_id: i64, server_now: i64) -> Result<CourierOffer> {
    list(conn, server_now)?
        .into_iter()
        .find(|o| o.offer_id == offer_id)
        .ok_or(Error::OfferNotFound { offer_id })
}

/// The offer, which must still take an answer now.
fn answerable(dev: &Device, offer_id: i64) -> Result<CourierOffer> {
    let server_now = dev.now() + dev.clock_offset()?.unwrap_or(0);
    let offer = dev.store.read(|c| get(c, offer_id, server_now))?;
    match offer.state {
        OfferState::Open => Ok(offer),
        OfferState::Expired => Err(Error::OfferExpired { offer_id }),
        _ => Err(Error::OfferAnswered { offer_id }),
    }
}

/// Accepts an offer: queued offline, shown as sent until the server confirms (then the tasks
/// arrive with the pull) or refuses it. Refused here with [`Error::OfferExpired`] once the
/// time is up on the server's clock, and [`Error::OfferAnswered`] for an offer already
/// answered or settled.
pub(crate) fn accept(dev: &Device, offer_id: i64) -> Result<i64> {
    answerable(dev, offer_id)?;
    let id = dev.act_with(Action::AcceptOffer { offer_id }, &mut |tx| {
        tx.execute(
            "UPDATE offers SET answer = 'accepted' WHERE id = ?1",
            [offer_id],
        )?;
        Ok(())
    })?;
    tracing::info!(offer = offer_id, mutation_id = id, "offer accepted");
    Ok(id)
}

/// Declines an offer with a reason (and, for any reason, a note of at most
/// [`MAX_NOTE_CHARS`] characters). Queued offline like [`accept`].
pub(crate) fn decline(
    dev: &Device,
    offer_id: i64,
    reason: DeclineReason,
    note: Option<&str>,
) -> Result<i64> {
    answerable(dev, offer_id)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
        return Err(Error::Blocked {
            task_id: String::new(),
            action: "decline_offer",
            blockers: vec![crate::blocker::Blocker::StatementTooLong {
                max_chars: MAX_NOTE_CHARS as u32,
            }],
        });
    }
    let id = dev.act_with(
        Action::DeclineOffer {
            offer_id,
            reason,
            note: note.map(str::to_owned),
        },
        &mut |tx| {
            tx.execute(
                "UPDATE offers SET answer = 'declined', decline_reason = ?2 WHERE id = ?1",
                params![offer_id, reason.as_str()],
            )?;
            Ok(())
        },
    )?;
    tracing::info!(
        offer = offer_id,
        reason = reason.as_str(),
        mutation_id = id,
        "offer declined"
    );
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use runsheet_protocol::{StopDoc, TaskDoc, TaskStatus};

    fn doc(id: i64, status: OfferStatus, seq: i64) -> OfferDoc {
        let stop = StopDoc {
            due_by: Some(1_000),
            ..StopDoc::new("", "2 Home Rd", 30.27, 120.13)
        };
        OfferDoc {
            id,
            tasks: vec![TaskDoc {
                id: format!("T{id}"),
                kind: TaskKind::Parcel,
                status: TaskStatus::Assigned,
                pickup: None,
                dropoff: stop,
                revision: 1,
                ordered_at: None,
                items: Vec::new(),
                return_to: None,
                handoff_code: None,
                contactless: false,
                proof: Default::default(),
                customer_locale: None,
                case_id: None,
                take_back: Vec::new(),
                cash_due: None,
                handovers: Vec::new(),
                locker: None,
            }],
            offered_at: 100,
            expires_at: 130,
            status,
            decline_reason: None,
            seq,
        }
    }

    fn store_db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut conn).unwrap();
        conn
    }

    #[test]
    fn an_offers_state_follows_the_answer_the_server_and_the_clock() {
        let conn = store_db();
        assert_eq!(
            store(&conn, &doc(1, OfferStatus::Open, 1)).unwrap(),
            OfferNews::New
        );
        // Seen again: not new.
        assert_eq!(
            store(&conn, &doc(1, OfferStatus::Open, 1)).unwrap(),
            OfferNews::Nothing
        );
        assert_eq!(last_seq(&conn).unwrap(), 1);
        let at = |now| get(&conn, 1, now).unwrap();
        assert_eq!((at(100).state, at(100).remaining_s), (OfferState::Open, 30));
        // Past its expiry on the server's clock: expired, nothing left.
        assert_eq!(
            (at(131).state, at(131).remaining_s),
            (OfferState::Expired, 0)
        );
        // Accepted here: sent, until the server says otherwise.
        conn.execute("UPDATE offers SET answer = 'accepted' WHERE id = 1", [])
            .unwrap();
        assert_eq!(at(200).state, OfferState::AcceptSent);
        // The server refused it as late, then sent the offer expired: refused it stays.
        refuse(&conn, 1, 7, "the offer expired 50 s before the acceptance").unwrap();
        store(&conn, &doc(1, OfferStatus::Expired, 2)).unwrap();
        let refused = at(200);
        assert_eq!(refused.state, OfferState::Refused);
        assert_eq!(refused.refused_mutation_id, Some(7));
        assert_eq!(last_seq(&conn).unwrap(), 2);
        // Another one accepted by the server.
        store(&conn, &doc(2, OfferStatus::Open, 3)).unwrap();
        conn.execute("UPDATE offers SET answer = 'accepted' WHERE id = 2", [])
            .unwrap();
        store(&conn, &doc(2, OfferStatus::Accepted, 4)).unwrap();
        assert_eq!(get(&conn, 2, 120).unwrap().state, OfferState::Accepted);
        assert!(matches!(
            get(&conn, 9, 120),
            Err(Error::OfferNotFound { offer_id: 9 })
        ));
        // Newest first; the customer data goes with the retention, the answered ones kept.
        assert_eq!(
            list(&conn, 120)
                .unwrap()
                .iter()
                .map(|o| o.offer_id)
                .collect::<Vec<_>>(),
            [2, 1]
        );
        purge(&conn, 10_000).unwrap();
        assert!(list(&conn, 120).unwrap().is_empty());
        assert_eq!(last_seq(&conn).unwrap(), 4);
    }

    #[test]
    fn a_withdrawal_is_news_once_and_only_for_an_unanswered_offer() {
        let conn = store_db();
        // Waiting for an answer, then withdrawn by dispatch: news, once.
        store(&conn, &doc(1, OfferStatus::Open, 1)).unwrap();
        assert_eq!(
            store(&conn, &doc(1, OfferStatus::Withdrawn, 2)).unwrap(),
            OfferNews::Withdrawn
        );
        assert_eq!(
            store(&conn, &doc(1, OfferStatus::Withdrawn, 2)).unwrap(),
            OfferNews::Nothing
        );
        assert_eq!(get(&conn, 1, 110).unwrap().state, OfferState::Withdrawn);
        // Never seen open: nothing to take back.
        assert_eq!(
            store(&conn, &doc(2, OfferStatus::Withdrawn, 3)).unwrap(),
            OfferNews::Nothing
        );
        // Accepted on the phone meanwhile: the refusal tells the courier, not the withdrawal.
        store(&conn, &doc(3, OfferStatus::Open, 4)).unwrap();
        conn.execute("UPDATE offers SET answer = 'accepted' WHERE id = 3", [])
            .unwrap();
        conn.execute(
            "INSERT INTO rejections (mutation_id, task_id, action, code, reason, rejected_at)
             VALUES (9, '', 'accept_offer', 'offer_withdrawn', 'withdrawn', 120)",
            [],
        )
        .unwrap();
        refuse(&conn, 3, 9, "the offer was withdrawn").unwrap();
        assert_eq!(
            store(&conn, &doc(3, OfferStatus::Withdrawn, 5)).unwrap(),
            OfferNews::Nothing
        );
        let refused = get(&conn, 3, 120).unwrap();
        assert_eq!(refused.state, OfferState::Refused);
        assert_eq!(refused.refusal_code.as_deref(), Some("offer_withdrawn"));
    }
}

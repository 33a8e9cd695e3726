//! Who holds a task's goods, from its handovers between couriers: the server's record of each
//! handover (kept on the phone even after the task leaves it: the chain of custody) and this
//! courier's handover actions still in the outbox. Low in the core: the task, the workflow and
//! the evidence bundle read it; [`crate::handover`] is the courier's side of a handover.

use runsheet_protocol::{Action, HandoverDoc, HandoverSide, HandoverStatus, TaskDoc};
use rusqlite::{params, Connection};

use crate::error::{Error, Result};
use crate::outbox;

/// Who holds the task's goods, as this courier's phone knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Custody {
    /// This courier holds the task (no handover, or one not yet received).
    #[default]
    Mine,
    /// The task is being handed over to this courier: the goods are still with the other
    /// courier until every bag is scanned.
    Incoming,
    /// This courier handed the task over: the receiving courier scanned every bag.
    HandedOver,
}

impl Custody {
    /// The stable name (`mine`, `incoming`, `handed_over`).
    pub fn as_str(self) -> &'static str {
        match self {
            Custody::Mine => "mine",
            Custody::Incoming => "incoming",
            Custody::HandedOver => "handed_over",
        }
    }
}

/// Stores the task's handovers as the server sent them (replacing what the phone had).
pub fn store(conn: &Connection, doc: &TaskDoc) -> Result<()> {
    if doc.handovers.is_empty() {
        return Ok(());
    }
    conn.execute("DELETE FROM handovers WHERE task_id = ?1", [&doc.id])?;
    for h in &doc.handovers {
        let body = serde_json::to_string(h)
            .map_err(|e| Error::InvalidArgument(format!("handover cannot be encoded: {e}")))?;
        conn.execute(
            "INSERT INTO handovers (task_id, seq, body) VALUES (?1, ?2, ?3)",
            params![doc.id, h.seq, body],
        )?;
    }
    Ok(())
}

/// The task's handovers the server recorded, oldest first (unreadable rows are skipped: written
/// by a newer build).
pub fn recorded(conn: &Connection, task_id: &str) -> Result<Vec<HandoverDoc>> {
    let mut stmt = conn.prepare("SELECT body FROM handovers WHERE task_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([task_id], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        if let Ok(h) = serde_json::from_str::<HandoverDoc>(&body?) {
            out.push(h);
        }
    }
    Ok(out)
}

/// The latest handover of the task as the courier sees it: the server's record, or this
/// courier's request still waiting in the outbox (status `requested`, no server times yet:
/// `requested_at` is the device time it was made), with `pending` true while an action of
/// the courier's about it is not yet acknowledged.
pub fn latest(conn: &Connection, task_id: &str) -> Result<Option<(HandoverDoc, bool)>> {
    let recorded = recorded(conn, task_id)?;
    let pending = outbox::pending_for_task(conn, task_id)?;
    let open_on_server = recorded.last().filter(|h| h.status.is_open()).cloned();
    let receiving = pending
        .iter()
        .any(|a| matches!(a, Action::ReceiveHandover { .. }));
    let requesting = pending.iter().find_map(|a| match a {
        Action::RequestHandover { reason, note, .. } => Some((*reason, note.clone())),
        _ => None,
    });
    if let (None, Some((reason, note))) = (&open_on_server, requesting) {
        let requested_at = conn
            .query_row(
                "SELECT MAX(at) FROM task_events WHERE task_id = ?1 AND kind = 'request_handover'",
                [task_id],
                |r| r.get::<_, Option<i64>>(0),
            )?
            .unwrap_or(0);
        let seq = recorded.last().map_or(0, |h| h.seq) + 1;
        return Ok(Some((
            HandoverDoc {
                seq,
                from_courier: String::new(),
                to_courier: None,
                reason,
                note,
                status: HandoverStatus::Requested,
                requested_at,
                assigned_at: None,
                completed_at: None,
                scanned_at: None,
                bags: Vec::new(),
                voided_at: None,
                side: Some(HandoverSide::Giver),
            },
            true,
        )));
    }
    Ok(recorded.last().cloned().map(|h| (h, receiving)))
}

/// Who holds the task's goods: the last handover that did or may still happen decides.
pub fn of(conn: &Connection, task_id: &str) -> Result<Custody> {
    let recorded = recorded(conn, task_id)?;
    let Some(last) = recorded
        .iter()
        .rev()
        .find(|h| h.status != HandoverStatus::Void)
    else {
        return Ok(Custody::Mine);
    };
    Ok(match (last.status, last.side) {
        (HandoverStatus::Assigned, Some(HandoverSide::Receiver)) => {
            let received = outbox::pending_for_task(conn, task_id)?
                .iter()
                .any(|a| matches!(a, Action::ReceiveHandover { seq, .. } if *seq == last.seq));
            if received {
                Custody::Mine
            } else {
                Custody::Incoming
            }
        }
        (HandoverStatus::Completed, Some(HandoverSide::Giver)) => Custody::HandedOver,
        _ => Custody::Mine,
    })
}

/// Item codes the receiving courier scanned for handover `seq` of the task, in scan order.
pub fn scanned_bags(conn: &Connection, task_id: &str, seq: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT item_code FROM handover_scans WHERE task_id = ?1 AND seq = ?2
         ORDER BY scanned_at, rowid",
    )?;
    let rows = stmt.query_map(params![task_id, seq], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Records a bag the receiving courier scanned (once per item).
pub fn record_bag(
    conn: &Connection,
    task_id: &str,
    seq: i64,
    item_code: &str,
    code: &str,
    at: i64,
) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO handover_scans (task_id, seq, item_code, code, scanned_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![task_id, seq, item_code, code, at],
    )?;
    Ok(())
}

/// When the same code was last scanned for handover `seq` of the task.
pub fn last_seen(conn: &Connection, task_id: &str, seq: i64, code: &str) -> Result<Option<i64>> {
    Ok(conn.query_row(
        "SELECT MAX(scanned_at) FROM handover_scans WHERE task_id = ?1 AND seq = ?2 AND code = ?3",
        params![task_id, seq, code],
        |r| r.get(0),
    )?)
}

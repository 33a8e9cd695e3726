//! Cash on delivery on the server: what each courier collected and gave back at the door (a
//! discrepancy with the amount due opens an after-sales case), and the hand-ins at the end of a
//! shift, reconciled against the collections since the courier's previous hand-in.

use runsheet_protocol::{
    CaseActor, CaseKind, CashBalance, CashCollection, CashHandIn, CashReport, CashTaskLine, Money,
};

use super::after_sales::{self, Opening};
use super::{Row, StoreError, Tx};
use crate::params;

/// What the courier said happened at a task's door.
pub struct Collected<'a> {
    /// The courier.
    pub courier_id: &'a str,
    /// The install and mutation it came in (the case's source).
    pub source: (&'a str, i64),
    /// The task.
    pub task_id: &'a str,
    /// The amounts.
    pub collection: &'a CashCollection,
}

/// Records a collection (a later one for the same task, not yet handed in, replaces it). When
/// collected minus change is not the amount due, an after-sales case reports the discrepancy.
pub fn record(tx: &mut Tx<'_>, c: &Collected<'_>, now: i64) -> Result<(), StoreError> {
    let col = c.collection;
    tx.execute(
        "INSERT INTO cash_collections (task_id, courier_id, currency, due, collected,
             change_given, reason, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (task_id) DO UPDATE SET courier_id = excluded.courier_id,
             currency = excluded.currency, due = excluded.due, collected = excluded.collected,
             change_given = excluded.change_given, reason = excluded.reason,
             recorded_at = excluded.recorded_at",
        params![
            c.task_id,
            c.courier_id,
            col.due.currency,
            col.due.minor,
            col.collected.minor,
            col.change.minor,
            col.reason,
            now
        ],
    )?;
    let off = col.discrepancy();
    if off != 0 {
        let summary = format!(
            "collect_cash: kept {} {cur}, due {} {cur} ({}{}){}",
            Money::new(col.kept(), col.due.currency.clone()).decimal(),
            col.due.decimal(),
            if off > 0 { "over " } else { "short " },
            Money::new(off.abs(), col.due.currency.clone()).decimal(),
            col.reason
                .as_deref()
                .map(|r| format!(" - {r}"))
                .unwrap_or_default(),
            cur = col.due.currency,
        );
        after_sales::open(
            tx,
            &Opening {
                task_id: c.task_id,
                courier_id: Some(c.courier_id),
                source: Some(c.source),
                kind: CaseKind::DeliveryException,
                cause: "cash_discrepancy",
                summary: &summary,
                actor: CaseActor::System,
                recall_id: None,
            },
            now,
        )?;
        tracing::info!(
            discrepancy_minor = off,
            "cash discrepancy at the door reported"
        );
    }
    Ok(())
}

const LINE_COLUMNS: &str =
    "task_id, currency, due, collected, change_given, reason, recorded_at, hand_in_id";

fn line(r: &Row) -> Result<CashTaskLine, StoreError> {
    let currency: String = r.get(1)?;
    Ok(CashTaskLine {
        task_id: r.get(0)?,
        collection: CashCollection {
            due: Money::new(r.get(2)?, currency.clone()),
            collected: Money::new(r.get(3)?, currency.clone()),
            change: Money::new(r.get(4)?, currency),
            reason: r.get(5)?,
        },
        recorded_at: r.get(6)?,
    })
}

/// A hand-in to reconcile.
pub struct HandedIn<'a> {
    /// The courier.
    pub courier_id: &'a str,
    /// The install and mutation it came in.
    pub source: (&'a str, i64),
    /// What the phone showed as held.
    pub held_on_phone: &'a Money,
    /// What the courier handed in.
    pub handed: &'a Money,
}

/// Reconciles a hand-in: the cash held by the server's reckoning (collected minus change of
/// the courier's collections in the currency not yet handed in) against what was handed in.
/// The collections are settled by it. Returns its id and balance.
pub fn hand_in(
    tx: &mut Tx<'_>,
    h: &HandedIn<'_>,
    now: i64,
) -> Result<(i64, CashBalance), StoreError> {
    tx.lock_courier(h.courier_id)?;
    let held: i64 = tx.query_row(
        "SELECT CAST(COALESCE(SUM(collected - change_given), 0) AS BIGINT) FROM cash_collections
         WHERE courier_id = ?1 AND currency = ?2 AND hand_in_id IS NULL",
        params![h.courier_id, h.handed.currency],
        |r| r.get(0),
    )?;
    let id: i64 = tx.query_row(
        "INSERT INTO cash_hand_ins (courier_id, client_id, mutation_id, currency, held,
             held_on_phone, handed, handed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        params![
            h.courier_id,
            h.source.0,
            h.source.1,
            h.handed.currency,
            held,
            h.held_on_phone.minor,
            h.handed.minor,
            now
        ],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE cash_collections SET hand_in_id = ?1
         WHERE courier_id = ?2 AND currency = ?3 AND hand_in_id IS NULL",
        params![id, h.courier_id, h.handed.currency],
    )?;
    let balance = CashBalance::of(held, h.handed.minor);
    if balance != CashBalance::Balanced {
        tracing::warn!(
            hand_in = id,
            balance = balance.as_str(),
            difference_minor = h.handed.minor - held,
            "cash hand-in does not balance"
        );
    }
    Ok((id, balance))
}

/// A courier's cash: reconciled hand-ins (newest first), collections not handed in yet, and
/// every door discrepancy.
pub fn report(tx: &mut Tx<'_>, courier: &str) -> Result<CashReport, StoreError> {
    let all: Vec<(CashTaskLine, Option<i64>)> = tx.query_map(
        &format!(
            "SELECT {LINE_COLUMNS} FROM cash_collections WHERE courier_id = ?1
             ORDER BY recorded_at, task_id"
        ),
        params![courier],
        |r| Ok((line(r)?, r.get(7)?)),
    )?;
    let heads: Vec<(i64, String, i64, i64, i64, i64)> = tx.query_map(
        "SELECT id, currency, held, held_on_phone, handed, handed_at FROM cash_hand_ins
         WHERE courier_id = ?1 ORDER BY id DESC",
        params![courier],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )?;
    let hand_ins = heads
        .into_iter()
        .map(|(id, currency, held, on_phone, handed, at)| CashHandIn {
            id,
            courier_id: courier.to_owned(),
            held: Money::new(held, currency.clone()),
            held_on_phone: Money::new(on_phone, currency.clone()),
            handed: Money::new(handed, currency),
            difference: handed - held,
            balance: CashBalance::of(held, handed),
            tasks: all
                .iter()
                .filter(|(_, h)| *h == Some(id))
                .map(|(l, _)| l.clone())
                .collect(),
            handed_at: at,
        })
        .collect();
    Ok(CashReport {
        courier_id: courier.to_owned(),
        hand_ins,
        outstanding: all
            .iter()
            .filter(|(_, h)| h.is_none())
            .map(|(l, _)| l.clone())
            .collect(),
        door_discrepancies: all
            .iter()
            .filter(|(l, _)| l.collection.discrepancy() != 0)
            .map(|(l, _)| l.clone())
            .collect(),
    })
}

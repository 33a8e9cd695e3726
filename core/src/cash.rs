//! Cash on delivery on the phone: the amount a task asks for, what the courier collected and
//! gave back at the door (checked against the amount due; a discrepancy needs a reason and is
//! reported), the cash the courier holds, and the hand-in at the end of the shift. Amounts are
//! typed as decimals and kept as integer minor units ([`Money`]); an amount with more decimals
//! than the currency allows is refused with [`Error::InvalidAmount`] and nothing is recorded.

use runsheet_protocol::{check_collection, Action, CashBalance, CashCollection, Money};
use rusqlite::{params, Connection, OptionalExtension};

use crate::device::Device;
use crate::error::{Error, Result};

/// What the courier recorded at a task's door, if anything.
pub fn collection(conn: &Connection, task_id: &str) -> Result<Option<CashCollection>> {
    Ok(conn
        .query_row(
            "SELECT currency, due, collected, change, reason FROM cash_collections
             WHERE task_id = ?1",
            [task_id],
            |r| {
                let currency: String = r.get(0)?;
                Ok(CashCollection {
                    due: Money::new(r.get(1)?, currency.clone()),
                    collected: Money::new(r.get(2)?, currency.clone()),
                    change: Money::new(r.get(3)?, currency),
                    reason: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// The cash the courier holds: collected minus change of every collection not handed in yet,
/// one amount per currency (none when nothing is held).
pub fn held(conn: &Connection) -> Result<Vec<Money>> {
    let mut stmt = conn.prepare_cached(
        "SELECT currency, SUM(collected - change) FROM cash_collections
         WHERE hand_in_id IS NULL GROUP BY currency ORDER BY currency",
    )?;
    let rows = stmt.query_map([], |r| Ok(Money::new(r.get(1)?, r.get::<_, String>(0)?)))?;
    let mut out = Vec::new();
    for m in rows {
        let m = m?;
        if m.minor != 0 {
            out.push(m);
        }
    }
    Ok(out)
}

/// A hand-in as the phone recorded it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HandIn {
    /// What the phone counted as held.
    pub held: Money,
    /// What the courier handed in.
    pub handed: Money,
    /// Handed against held.
    pub balance: CashBalance,
    /// When, device time.
    pub at: i64,
}

/// The latest hand-in, if any.
pub fn last_hand_in(conn: &Connection) -> Result<Option<HandIn>> {
    Ok(conn
        .query_row(
            "SELECT currency, held, handed, at FROM cash_hand_ins ORDER BY id DESC LIMIT 1",
            [],
            |r| {
                let currency: String = r.get(0)?;
                let (held, handed): (i64, i64) = (r.get(1)?, r.get(2)?);
                Ok(HandIn {
                    held: Money::new(held, currency.clone()),
                    handed: Money::new(handed, currency),
                    balance: CashBalance::of(held, handed),
                    at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

fn amount(text: &str, currency: &str) -> Result<Money> {
    Money::parse(text, currency).map_err(|problem| Error::InvalidAmount { problem })
}

/// Records the cash collected at the door of a cash-on-delivery task and the change given, as
/// the courier typed them ("50", "4.50") in the amount due's currency. When collected minus
/// change is not the amount due the courier says why (`reason`); the discrepancy is recorded
/// and the server reports it. A later record replaces an earlier one (a corrected count).
pub(crate) fn collect(
    dev: &Device,
    task_id: &str,
    collected: &str,
    change: &str,
    reason: Option<String>,
) -> Result<i64> {
    let t = dev.task(task_id)?;
    let due = t
        .cash_due
        .clone()
        .ok_or_else(|| Error::InvalidArgument(format!("task {task_id} is not cash on delivery")))?;
    let collected = amount(collected, &due.currency)?;
    let change = if change.trim().is_empty() {
        Money::new(0, due.currency.clone())
    } else {
        amount(change, &due.currency)?
    };
    check_collection(&due, &collected, &change)
        .map_err(|problem| Error::InvalidAmount { problem })?;
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let now = dev.now();
    let row = (
        task_id.to_owned(),
        due.clone(),
        collected.clone(),
        change.clone(),
        reason.clone(),
    );
    let id = dev.act_with(
        Action::CollectCash {
            task_id: task_id.to_owned(),
            collected,
            change,
            reason,
        },
        &mut move |tx| {
            let (task, due, collected, change, reason) = &row;
            tx.execute(
                "INSERT OR REPLACE INTO cash_collections
                     (task_id, currency, due, collected, change, reason, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    task,
                    due.currency,
                    due.minor,
                    collected.minor,
                    change.minor,
                    reason,
                    now
                ],
            )?;
            Ok(())
        },
    )?;
    tracing::info!(mutation_id = id, "cash collected at the door");
    Ok(id)
}

/// Hands in the cash held (in its currency; the first, when the courier holds several) as the
/// courier typed it. Returns the hand-in with its balance against what the phone counted; the
/// server reconciles it against its own record of the collections.
pub(crate) fn hand_in(dev: &Device, handed: &str) -> Result<HandIn> {
    let held = dev.store.read(held)?;
    let held = held
        .into_iter()
        .next()
        .ok_or_else(|| Error::InvalidArgument("no cash is held; nothing to hand in".into()))?;
    let handed = amount(handed, &held.currency)?;
    let now = dev.now();
    let (h, g) = (held.clone(), handed.clone());
    dev.act_with(
        Action::HandInCash {
            held: held.clone(),
            handed: handed.clone(),
        },
        &mut move |tx| {
            tx.execute(
                "INSERT INTO cash_hand_ins (currency, held, handed, at) VALUES (?1, ?2, ?3, ?4)",
                params![h.currency, h.minor, g.minor, now],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "UPDATE cash_collections SET hand_in_id = ?1
                 WHERE hand_in_id IS NULL AND currency = ?2",
                params![id, h.currency],
            )?;
            Ok(())
        },
    )?;
    let balance = CashBalance::of(held.minor, handed.minor);
    tracing::info!(balance = balance.as_str(), "cash handed in");
    Ok(HandIn {
        held,
        handed,
        balance,
        at: now,
    })
}

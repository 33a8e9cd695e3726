//! Customer data on the phone is kept only while needed: a set time after a task ends (24 h by
//! default, set by the platform), its customer's name, phone and address are wiped from the
//! store. The task, its times and the courier's facts stay (they are the courier's record).

use rusqlite::{params, Connection};

use crate::device::{change, Device};
use crate::error::Result;

/// Wipes the personal data of tasks that ended at least `retention_h` hours before `now`.
/// Returns how many tasks were purged now.
pub fn purge(conn: &Connection, now: i64, retention_h: u32) -> Result<u32> {
    let cutoff = now - i64::from(retention_h) * 3600;
    conn.execute(
        "UPDATE stops SET name = '', address = '', phone = NULL
         WHERE task_id IN (SELECT id FROM tasks
                           WHERE purged_at IS NULL AND ended_at IS NOT NULL AND ended_at <= ?1)",
        [cutoff],
    )?;
    let n = conn.execute(
        "UPDATE tasks SET purged_at = ?2, return_to = NULL,
             locker = json_remove(locker, '$.pickup_code')
         WHERE purged_at IS NULL AND ended_at IS NOT NULL AND ended_at <= ?1",
        params![cutoff, now],
    )?;
    // Acknowledged mutations kept for a server rollback carry what the courier typed (notes,
    // messages): they go with the customer data.
    conn.execute(
        "DELETE FROM acked WHERE acked_at <= ?1
            OR task_id IN (SELECT id FROM tasks WHERE purged_at IS NOT NULL)",
        [cutoff],
    )?;
    // Offers carry the addresses offered: an expired or answered one goes after the same
    // time (an accepted offer's tasks are on the list, with their own retention).
    crate::offer::purge(conn, cutoff)?;
    if n > 0 {
        tracing::info!(tasks = n, "customer data purged");
    }
    Ok(n as u32)
}

/// Wipes the customer data of tasks that ended longer ago than the platform's retention
/// (24 h by default) and checkpoints the write-ahead log so the old bytes leave the disk.
/// Runs on open and after every sync; returns how many tasks were purged now.
pub(crate) fn purge_customer_data(dev: &Device) -> Result<u32> {
    let now = dev.now();
    let hours = dev.settings()?.customer_data_retention_h;
    let n = dev.store.write(|tx| {
        crate::task::mark_ended(tx, now)?;
        purge(tx, now, hours)
    })?;
    if n > 0 {
        dev.store.checkpoint()?;
        dev.note(change::TASKS);
    }
    Ok(n)
}

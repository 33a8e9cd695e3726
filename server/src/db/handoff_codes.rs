//! The server's own record of customers' handoff codes. Phones get only a slow salted hash
//! (`TaskDoc::handoff_code`); the code itself stays here and never leaves the server. When a
//! phone's check arrives at sync with the code the customer gave, the server decides: a wrong
//! code is rejected, and after [`MAX_WRONG`] wrong codes the task's code is locked (a phone that
//! tries codes online gets no further than one at the door).

use super::{StoreError, Tx};
use crate::params;

/// Wrong codes the server accepts for a task before it locks the code.
pub const MAX_WRONG: i64 = 5;

/// What the server made of a phone's check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The code is the customer's.
    Matched,
    /// It is not.
    Wrong,
    /// Too many wrong codes for this task: nothing verifies it any more.
    Locked,
    /// A wrong code, the one that locked the task's code: the handoff has failed.
    LockedNow,
    /// The check carries no code (an older phone): it cannot be confirmed.
    NoCode,
    /// The task has no handoff code on the server.
    NoRecord,
}

/// Keeps the customer's code for the task (replacing an earlier one).
pub fn remember(tx: &mut Tx<'_>, task_id: &str, code: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO handoff_codes (task_id, code, failures) VALUES (?1, ?2, 0)
         ON CONFLICT(task_id) DO UPDATE SET code = excluded.code, failures = 0,
             verified_at = NULL",
        params![task_id, code.trim()],
    )?;
    Ok(())
}

/// Checks `code` against the task's record at `now`, counting a wrong one.
pub fn check(
    tx: &mut Tx<'_>,
    task_id: &str,
    code: Option<&str>,
    now: i64,
) -> Result<Verdict, StoreError> {
    let row: Option<(String, i64)> = tx.query_opt(
        "SELECT code, failures FROM handoff_codes WHERE task_id = ?1",
        params![task_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let Some((kept, failures)) = row else {
        return Ok(Verdict::NoRecord);
    };
    if failures >= MAX_WRONG {
        return Ok(Verdict::Locked);
    }
    let Some(code) = code else {
        return Ok(Verdict::NoCode);
    };
    if same(code.trim(), &kept) {
        tx.execute(
            "UPDATE handoff_codes SET verified_at = COALESCE(verified_at, ?2) WHERE task_id = ?1",
            params![task_id, now],
        )?;
        return Ok(Verdict::Matched);
    }
    tx.execute(
        "UPDATE handoff_codes SET failures = failures + 1 WHERE task_id = ?1",
        params![task_id],
    )?;
    Ok(if failures + 1 >= MAX_WRONG {
        Verdict::LockedNow
    } else {
        Verdict::Wrong
    })
}

/// When the task's handoff was verified by the server, if it was.
pub fn verified_at(tx: &mut Tx<'_>, task_id: &str) -> Result<Option<i64>, StoreError> {
    let row: Option<Option<i64>> = tx.query_opt(
        "SELECT verified_at FROM handoff_codes WHERE task_id = ?1",
        params![task_id],
        |r| r.get(0),
    )?;
    Ok(row.flatten())
}

/// Compares every byte whatever the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

//! After-sales cases: a courier's fact the server could not apply, or a courier's exception
//! report, for a person to settle.

use serde::{Deserialize, Serialize};

use super::{StoreError, Tx};
use crate::params;

/// One after-sales case: a courier's fact the server could not apply.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AfterSalesCase {
    /// Case number.
    pub id: i64,
    /// The task.
    pub task_id: String,
    /// The courier who recorded the fact.
    pub courier_id: String,
    /// The phone it came from.
    pub client_id: String,
    /// Its mutation id.
    pub mutation_id: i64,
    /// `fact_on_closed_task`, `fact_on_reassigned_task`, or `exception:<reason>` for a
    /// courier's exception report (a failed delivery, a merchant delay, an accident...).
    pub kind: String,
    /// What the fact was and why it was not applied.
    pub detail: String,
    /// When the server opened the case.
    pub created_at: i64,
}

/// Opens a case (`id` is ignored: the store numbers cases).
pub fn open(tx: &mut Tx<'_>, case: &AfterSalesCase) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO after_sales (task_id, courier_id, client_id, mutation_id, kind, detail,
             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            case.task_id,
            case.courier_id,
            case.client_id,
            case.mutation_id,
            case.kind,
            case.detail,
            case.created_at
        ],
    )?;
    Ok(())
}

/// Appends `line` to the open case of this kind for the courier's task, if there is one;
/// false when there is none.
pub fn append(
    tx: &mut Tx<'_>,
    task_id: &str,
    courier: &str,
    kind: &str,
    line: &str,
) -> Result<bool, StoreError> {
    let appended = tx.execute(
        "UPDATE after_sales SET detail = detail || '; ' || ?4
         WHERE task_id = ?1 AND courier_id = ?2 AND kind = ?3",
        params![task_id, courier, kind, line],
    )?;
    Ok(appended > 0)
}

/// Every case, oldest first.
pub fn list(tx: &mut Tx<'_>) -> Result<Vec<AfterSalesCase>, StoreError> {
    tx.query_map(
        "SELECT id, task_id, courier_id, client_id, mutation_id, kind, detail, created_at
         FROM after_sales ORDER BY id",
        params![],
        |r| {
            Ok(AfterSalesCase {
                id: r.get(0)?,
                task_id: r.get(1)?,
                courier_id: r.get(2)?,
                client_id: r.get(3)?,
                mutation_id: r.get(4)?,
                kind: r.get(5)?,
                detail: r.get(6)?,
                created_at: r.get(7)?,
            })
        },
    )
}

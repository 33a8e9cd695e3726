//! Checklist templates dispatch publishes; each publication is numbered in commit order, and
//! phones pull them by that number.

use runsheet_protocol::ChecklistTemplate;

use super::{StoreError, Tx};
use crate::params;

/// Publishes a template as a new version of its id and wakes every waiting pull.
pub fn publish(
    tx: &mut Tx<'_>,
    template: ChecklistTemplate,
) -> Result<ChecklistTemplate, StoreError> {
    // Publications are numbered in commit order (phones pull by this number).
    tx.lock_global("checklists")?;
    tx.announce("*")?;
    let version: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM checklist_templates WHERE id = ?1",
        params![&template.id],
        |r| r.get(0),
    )?;
    let seq: i64 = tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM checklist_templates",
        params![],
        |r| r.get(0),
    )?;
    let t = ChecklistTemplate {
        version,
        seq,
        ..template
    };
    let json = serde_json::to_string(&t).map_err(StoreError::document)?;
    tx.execute(
        "INSERT INTO checklist_templates (id, version, seq, body) VALUES (?1, ?2, ?3, ?4)",
        params![t.id, version, seq, json],
    )?;
    Ok(t)
}

/// Templates published after `seq`, in publication order.
pub fn after(tx: &mut Tx<'_>, seq: i64) -> Result<Vec<ChecklistTemplate>, StoreError> {
    let rows = tx.query_map(
        "SELECT body FROM checklist_templates WHERE seq > ?1 ORDER BY seq",
        params![seq],
        |r| r.get::<String>(0),
    )?;
    rows.iter()
        .map(|body| serde_json::from_str(body).map_err(StoreError::document))
        .collect()
}

//! Recalls of a product batch: every phone gets them with its next pull (and refuses scans of
//! the batch); the server finds every delivery that carried the batch in what it stores and
//! opens a case for each customer who received it.
//!
//! What the server stores of a scan is its canonical key (`gtin:<gtin>:b:<batch>` when the
//! code carried a batch and no serial). A code with a serial number keys as
//! `gtin:<gtin>:s:<serial>` and loses its batch, so the manifest is read too: an item whose
//! code (a GS1 element string, as dispatch wrote it) names the batch is a carried one.

use runsheet_protocol::{
    gtin14, CaseActor, CaseKind, NewRecall, RecallDoc, RecallReport, RecalledDelivery, TaskStatus,
};

use super::after_sales::{self, Opening};
use super::{tasks, Refusal, Row, StoreError, Tx};
use crate::params;

/// The columns [`row_to_record`] / [`row_to_doc`] read, in order.
pub(crate) const COLUMNS: &str =
    "id, gtin, batch, expiry_from, expiry_to, reason, issued_at, lifted_at, seq";

/// A recall from a row of [`COLUMNS`].
pub(crate) fn row_to_doc(r: &Row) -> Result<RecallDoc, StoreError> {
    Ok(RecallDoc {
        id: r.get(0)?,
        gtin: r.get(1)?,
        batch: r.get(2)?,
        expiry_from: r.get(3)?,
        expiry_to: r.get(4)?,
        reason: r.get(5)?,
        issued_at: r.get(6)?,
        lifted: r.get::<Option<i64>>(7)?.is_some(),
        seq: r.get(8)?,
    })
}

/// The next recall sequence number; every courier's waiting pull is woken.
fn next_seq(tx: &mut Tx<'_>) -> Result<i64, StoreError> {
    tx.lock_global("recalls")?;
    tx.announce("*")?;
    tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM recalls",
        params![],
        |r| r.get(0),
    )
}

/// A recall.
pub fn doc(tx: &mut Tx<'_>, id: i64) -> Result<Option<RecallDoc>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM recalls WHERE id = ?1"),
        params![id],
        row_to_doc,
    )
}

/// Recalls issued or lifted after `seq`, in order (what a pull carries).
pub fn after(tx: &mut Tx<'_>, seq: i64) -> Result<Vec<RecallDoc>, StoreError> {
    tx.query_map(
        &format!("SELECT {COLUMNS} FROM recalls WHERE seq > ?1 ORDER BY seq"),
        params![seq],
        row_to_doc,
    )
}

/// Issues a recall (validated by the edge), finds the deliveries that carried the batch, and
/// opens a case for each one delivered.
pub fn create(tx: &mut Tx<'_>, r: &NewRecall, now: i64) -> Result<RecallReport, StoreError> {
    let gtin = gtin14(&r.gtin).ok_or_else(|| StoreError::document("gtin is not 8 to 14 digits"))?;
    let seq = next_seq(tx)?;
    let id: i64 = tx.query_row(
        "INSERT INTO recalls (gtin, batch, expiry_from, expiry_to, reason, issued_at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        params![
            gtin,
            r.batch.trim(),
            r.expiry_from,
            r.expiry_to,
            r.reason,
            now,
            seq
        ],
        |row| row.get(0),
    )?;
    let recall = doc(tx, id)?.ok_or_else(|| StoreError::Query("the recall vanished".into()))?;
    let summary = format!(
        "Recall {id} of batch {} of {}: {}",
        recall.batch, recall.gtin, recall.reason
    );
    for (task_id, courier, delivered) in carriers(tx, &recall)? {
        if delivered {
            after_sales::open(
                tx,
                &Opening {
                    task_id: &task_id,
                    courier_id: courier.as_deref(),
                    source: None,
                    kind: CaseKind::Recall,
                    cause: "recall",
                    summary: &summary,
                    actor: CaseActor::System,
                    recall_id: Some(id),
                },
                now,
            )?;
        }
    }
    tracing::info!(recall_id = id, "recall issued");
    report(tx, id)
}

/// A recall with every delivery that carried its batch (and the cases opened).
pub fn report(tx: &mut Tx<'_>, id: i64) -> Result<RecallReport, StoreError> {
    let recall = doc(tx, id)?.ok_or(Refusal::NoSuchRecall)?;
    let mut deliveries = Vec::new();
    for (task_id, courier_id, delivered) in carriers(tx, &recall)? {
        let case_id: Option<i64> = tx.query_opt(
            "SELECT id FROM cases WHERE recall_id = ?1 AND task_id = ?2 ORDER BY id LIMIT 1",
            params![id, task_id],
            |r| r.get(0),
        )?;
        deliveries.push(RecalledDelivery {
            task_id,
            courier_id,
            delivered,
            case_id,
        });
    }
    Ok(RecallReport { recall, deliveries })
}

/// Lifts a recall: phones accept the batch again after their next pull.
pub fn lift(tx: &mut Tx<'_>, id: i64, now: i64) -> Result<RecallDoc, StoreError> {
    let recall = doc(tx, id)?.ok_or(Refusal::NoSuchRecall)?;
    if recall.lifted {
        return Err(Refusal::RecallLifted.into());
    }
    let seq = next_seq(tx)?;
    tx.execute(
        "UPDATE recalls SET lifted_at = ?2, seq = ?3 WHERE id = ?1",
        params![id, now, seq],
    )?;
    tracing::info!(recall_id = id, "recall lifted");
    doc(tx, id)?.ok_or_else(|| StoreError::Query("the recall vanished".into()))
}

/// Whether a stored scan key names the recalled GTIN and batch.
fn key_names(key: &str, recall: &RecallDoc) -> bool {
    let Some(rest) = key.strip_prefix("gtin:") else {
        return false;
    };
    let Some((gtin, batch)) = rest.split_once(":b:") else {
        return false;
    };
    gtin14(gtin).as_deref() == Some(recall.gtin.as_str()) && batch == recall.batch
}

/// Whether a manifest item's code (as dispatch wrote it) names the recalled batch.
fn item_names(code: &str, recall: &RecallDoc) -> bool {
    let Ok(parsed) = runsheet_gs1::parse(code) else {
        return false;
    };
    let (Some(gtin), Some(batch)) = (&parsed.gtin, &parsed.batch) else {
        return false;
    };
    let expiry = parsed.expiry.map(|d| d.format("%Y-%m-%d").to_string());
    recall.covers(gtin, batch, expiry.as_deref())
}

/// Every task that carried the batch: `(task, courier, delivered)`, sorted by task.
fn carriers(
    tx: &mut Tx<'_>,
    recall: &RecallDoc,
) -> Result<Vec<(String, Option<String>, bool)>, StoreError> {
    // A lifted recall still lists what carried the batch.
    let recall = &RecallDoc {
        lifted: false,
        ..recall.clone()
    };
    let mut found = std::collections::BTreeSet::<String>::new();
    let tail = recall.gtin.get(1..).unwrap_or(&recall.gtin).to_owned();
    // The scans the phones sent (a LIKE only narrows; the key is compared exactly).
    let scans: Vec<(String, String)> = tx.query_map(
        "SELECT task_id, action FROM mutations WHERE outcome = 'applied' AND action LIKE ?1",
        params![format!("%{tail}:b:%")],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for (task_id, action) in scans {
        let v: serde_json::Value = serde_json::from_str(&action).unwrap_or_default();
        if v["type"].as_str() == Some("scan")
            && v["outcome"].as_str() == Some("confirmed")
            && v["code"].as_str().is_some_and(|k| key_names(k, recall))
        {
            found.insert(task_id);
        }
    }
    // The manifests that name the batch.
    let named: Vec<String> = tx.query_map(
        "SELECT id FROM tasks WHERE details LIKE ?1 ORDER BY id",
        params![format!("%{tail}%")],
        |r| r.get(0),
    )?;
    for task_id in named {
        if let Some((doc, _)) = tasks::load(tx, &task_id)? {
            if doc
                .items
                .iter()
                .chain(doc.take_back.iter())
                .any(|i| item_names(&i.code, recall))
            {
                found.insert(task_id);
            }
        }
    }
    let mut out = Vec::with_capacity(found.len());
    for task_id in found {
        if let Some((doc, courier)) = tasks::load(tx, &task_id)? {
            out.push((task_id, courier, doc.status == TaskStatus::Delivered));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recall() -> RecallDoc {
        RecallDoc {
            id: 1,
            gtin: "09506000134352".into(),
            batch: "L42".into(),
            expiry_from: None,
            expiry_to: None,
            reason: "listeria".into(),
            issued_at: 0,
            lifted: false,
            seq: 1,
        }
    }

    #[test]
    fn scan_keys_and_manifest_codes_name_the_batch() {
        let r = recall();
        assert!(key_names("gtin:09506000134352:b:L42", &r));
        assert!(!key_names("gtin:09506000134352:b:L43", &r));
        assert!(!key_names("gtin:09506000134352:s:L42", &r));
        assert!(!key_names("order:F1:1/1", &r));
        assert!(item_names("(01)09506000134352(10)L42", &r));
        assert!(item_names("(01)09506000134352(21)SN1(10)L42", &r));
        assert!(!item_names("(01)09506000134352(10)L43", &r));
        assert!(!item_names("milk", &r));
    }
}

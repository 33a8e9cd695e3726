//! The record of every mutation couriers' phones sent, applied or rejected.

use runsheet_protocol::{Mutation, MutationOutcome, RejectCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{StoreError, Tx};
use crate::params;

/// One mutation as the server recorded it.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct MutationRecord {
    /// Sending install.
    pub client_id: String,
    /// Its id.
    pub mutation_id: i64,
    /// The courier.
    pub courier_id: String,
    /// The task.
    pub task_id: String,
    /// The action (protocol JSON).
    pub action: serde_json::Value,
    /// `applied` or `rejected`.
    pub outcome: String,
    /// Rejection code.
    pub reject_code: Option<String>,
    /// Device clock at the action.
    pub device_time: i64,
    /// Server clock at receipt.
    pub received_at: i64,
    /// The device's clock offset and location when the courier acted.
    #[serde(default)]
    pub context: Option<serde_json::Value>,
}

/// Records a mutation received from `client_id` at `received` and what became of it.
pub fn record(
    tx: &mut Tx<'_>,
    courier: &str,
    client_id: &str,
    m: &Mutation,
    outcome: &MutationOutcome,
    received: i64,
) -> Result<(), StoreError> {
    let (o, code, reason) = match outcome {
        MutationOutcome::Rejected { code, reason } => {
            ("rejected", Some(code.as_str()), Some(reason.as_str()))
        }
        _ => ("applied", None, None),
    };
    let action_json = serde_json::to_string(&m.action).map_err(StoreError::document)?;
    let content = content_hash(m)?;
    let context_json = m
        .context
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(StoreError::document)?;
    tx.execute(
        "INSERT INTO mutations (client_id, mutation_id, courier_id, task_id, action,
             device_time, received_at, outcome, reject_code, reason, context, content_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            client_id,
            m.mutation_id,
            courier,
            m.action.task_id(),
            action_json,
            m.device_time,
            received,
            o,
            code,
            reason,
            context_json,
            content
        ],
    )?;
    Ok(())
}

/// The content hash of a mutation, which ties its id to what it says: the lowercase hex SHA-256
/// of the canonical JSON of `{"action": <action>, "device_time": <device_time>}` (object keys
/// sorted by their UTF-8 bytes at every level, no whitespace, numbers and strings as
/// serde_json writes them). The context (clock offset, location) is advice and not hashed.
pub fn content_hash(m: &Mutation) -> Result<String, StoreError> {
    let action = serde_json::to_value(&m.action).map_err(StoreError::document)?;
    let doc = serde_json::json!({ "action": action, "device_time": m.device_time });
    let mut text = String::new();
    canonical_json(&doc, &mut text)?;
    Ok(hex::encode(Sha256::digest(text.as_bytes())))
}

/// Writes `v` with every object's keys in byte order and no whitespace.
fn canonical_json(v: &serde_json::Value, out: &mut String) -> Result<(), StoreError> {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).map_err(StoreError::document)?);
                out.push(':');
                canonical_json(&map[k], out)?;
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out)?;
            }
            out.push(']');
        }
        scalar => out.push_str(&serde_json::to_string(scalar).map_err(StoreError::document)?),
    }
    Ok(())
}

/// Whether the mutation recorded from `client_id` under `m`'s id says the same as `m` (a retry):
/// false when it was recorded with other content. A record from before content hashes were
/// kept (or none at all) is taken as the same.
pub fn same_content(tx: &mut Tx<'_>, client_id: &str, m: &Mutation) -> Result<bool, StoreError> {
    let stored: Option<Option<String>> = tx.query_opt(
        "SELECT content_sha256 FROM mutations WHERE client_id = ?1 AND mutation_id = ?2",
        params![client_id, m.mutation_id],
        |r| r.get(0),
    )?;
    match stored.flatten() {
        Some(hash) => Ok(hash == content_hash(m)?),
        None => Ok(true),
    }
}

/// A pushed mutation that can never apply (not valid, or its data refused by the store), as
/// received: recorded `rejected` with code `invalid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedMutation {
    /// Its id.
    pub mutation_id: i64,
    /// Device clock at the action, as sent (0 when it was not a number).
    pub device_time: i64,
    /// The task it names (empty when none).
    pub task_id: String,
    /// The action as received (JSON, control characters replaced).
    pub action: String,
    /// Why it was refused.
    pub reason: String,
}

/// Records a refused mutation received from `client_id` at `received`.
pub fn record_refused(
    tx: &mut Tx<'_>,
    courier: &str,
    client_id: &str,
    m: &RefusedMutation,
    received: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO mutations (client_id, mutation_id, courier_id, task_id, action,
             device_time, received_at, outcome, reject_code, reason, context)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'rejected', ?8, ?9, NULL)",
        params![
            client_id,
            m.mutation_id,
            courier,
            m.task_id,
            m.action,
            m.device_time,
            received,
            RejectCode::Invalid.as_str(),
            m.reason
        ],
    )?;
    Ok(())
}

/// Every mutation recorded (only `courier`'s, only `task_id`'s when given), oldest first.
pub fn list(
    tx: &mut Tx<'_>,
    courier: Option<&str>,
    task_id: Option<&str>,
) -> Result<Vec<MutationRecord>, StoreError> {
    tx.query_map(
        "SELECT client_id, mutation_id, courier_id, task_id, action, outcome, reject_code,
                device_time, received_at, context
         FROM mutations
         WHERE (CAST(?1 AS TEXT) IS NULL OR courier_id = ?1)
           AND (CAST(?2 AS TEXT) IS NULL OR task_id = ?2)
         ORDER BY received_at, client_id, mutation_id",
        params![courier, task_id],
        |r| {
            let action: String = r.get(4)?;
            Ok(MutationRecord {
                client_id: r.get(0)?,
                mutation_id: r.get(1)?,
                courier_id: r.get(2)?,
                task_id: r.get(3)?,
                action: serde_json::from_str(&action).unwrap_or(serde_json::Value::Null),
                outcome: r.get(5)?,
                reject_code: r.get(6)?,
                device_time: r.get(7)?,
                received_at: r.get(8)?,
                context: r
                    .get::<Option<String>>(9)?
                    .and_then(|c| serde_json::from_str(&c).ok()),
            })
        },
    )
}

/// An applied mutation as the KPIs read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMutation {
    /// The task.
    pub task_id: String,
    /// Device clock at the action.
    pub device_time: i64,
    /// The device's context (clock offset, location), JSON.
    pub context: Option<String>,
    /// The action, protocol JSON.
    pub action: String,
}

/// A courier's applied mutations whose device time is at or after `since`, in the order
/// received.
pub fn applied_since(
    tx: &mut Tx<'_>,
    courier: &str,
    since: i64,
) -> Result<Vec<AppliedMutation>, StoreError> {
    tx.query_map(
        "SELECT m.task_id, m.device_time, m.context, m.action FROM mutations m
         WHERE m.courier_id = ?1 AND m.outcome = 'applied' AND m.device_time >= ?2
         ORDER BY m.received_at, m.mutation_id",
        params![courier, since],
        |r| {
            Ok(AppliedMutation {
                task_id: r.get(0)?,
                device_time: r.get(1)?,
                context: r.get(2)?,
                action: r.get(3)?,
            })
        },
    )
}

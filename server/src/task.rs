//! Tasks as the server stores them, and the per-courier change log that pull reads.

use crate::db::Tx;
use crate::params;
use runsheet_protocol::{
    HandoffCodeDoc, ItemDoc, ProofPolicy, StopDoc, TaskDoc, TaskKind, TaskStatus,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// Loads a task and the courier it is assigned to.
pub fn load_task(c: &mut Tx<'_>, id: &str) -> Result<Option<(TaskDoc, Option<String>)>, ApiError> {
    struct Row {
        kind: String,
        status: String,
        pickup: Option<String>,
        dropoff: String,
        revision: i64,
        courier: Option<String>,
        details: String,
    }
    let row = c.query_opt(
        "SELECT kind, status, pickup, dropoff, revision, courier_id, details
             FROM tasks WHERE id = ?1",
        params![id],
        |r| {
            Ok(Row {
                kind: r.get(0)?,
                status: r.get(1)?,
                pickup: r.get(2)?,
                dropoff: r.get(3)?,
                revision: r.get(4)?,
                courier: r.get(5)?,
                details: r.get(6)?,
            })
        },
    )?;
    let Some(Row {
        kind,
        status,
        pickup,
        dropoff,
        revision,
        courier,
        details,
    }) = row
    else {
        return Ok(None);
    };
    let kind = TaskKind::parse(&kind).ok_or_else(|| ApiError::internal("bad kind in store"))?;
    let status =
        TaskStatus::parse(&status).ok_or_else(|| ApiError::internal("bad status in store"))?;
    let pickup: Option<StopDoc> = match pickup {
        Some(j) => Some(serde_json::from_str(&j).map_err(ApiError::internal)?),
        None => None,
    };
    let dropoff: StopDoc = serde_json::from_str(&dropoff).map_err(ApiError::internal)?;
    let details: Details = serde_json::from_str(&details).map_err(ApiError::internal)?;
    Ok(Some((
        TaskDoc {
            id: id.to_owned(),
            kind,
            status,
            pickup,
            dropoff,
            revision,
            ordered_at: details.ordered_at,
            items: details.items,
            return_to: details.return_to,
            handoff_code: details.handoff_code,
            contactless: details.contactless,
            proof: details.proof,
        },
        courier,
    )))
}

/// The parts of a task stored as one JSON column (they are read and written whole).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Details {
    #[serde(default)]
    ordered_at: Option<i64>,
    #[serde(default)]
    items: Vec<ItemDoc>,
    #[serde(default)]
    return_to: Option<StopDoc>,
    #[serde(default)]
    handoff_code: Option<HandoffCodeDoc>,
    #[serde(default)]
    contactless: bool,
    #[serde(default)]
    proof: ProofPolicy,
}

fn details_json(doc: &TaskDoc) -> Result<String, ApiError> {
    serde_json::to_string(&Details {
        ordered_at: doc.ordered_at,
        items: doc.items.clone(),
        return_to: doc.return_to.clone(),
        handoff_code: doc.handoff_code.clone(),
        contactless: doc.contactless,
        proof: doc.proof,
    })
    .map_err(ApiError::internal)
}

/// The key under which a drop-off address's pin correction is kept: the address with case and
/// spacing folded, hashed (the key itself carries no address).
pub fn address_key(address: &str) -> String {
    use sha2::{Digest, Sha256};
    let folded: String = address
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    hex::encode(Sha256::digest(folded.as_bytes()))
}

/// Gives a new task's drop-off the pin a courier corrected for the same address, if any.
pub fn apply_pin_correction(c: &mut Tx<'_>, dropoff: &mut StopDoc) -> Result<(), ApiError> {
    let pin: Option<(f64, f64)> = c.query_opt(
        "SELECT lat, lon FROM address_pins WHERE address_key = ?1",
        params![address_key(&dropoff.address)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if let Some((lat, lon)) = pin {
        dropoff.lat = lat;
        dropoff.lon = lon;
        dropoff.pin_corrected = true;
    }
    Ok(())
}

/// Appends to a courier's change log (what their next pull returns).
pub fn record_change(
    c: &mut Tx<'_>,
    courier: &str,
    task_id: &str,
    op: &str,
) -> Result<(), ApiError> {
    // Under the courier's lock: their changes commit in sequence order, so a pull's cursor
    // never passes a change that commits later with a smaller number.
    c.lock_courier(courier)?;
    c.announce(courier)?;
    c.execute(
        "INSERT INTO changes (courier_id, task_id, op) VALUES (?1, ?2, ?3)",
        params![courier, task_id, op],
    )?;
    Ok(())
}

/// Inserts a new task (revision 1) or fails with 409 if the id exists.
pub fn insert_task(
    c: &mut Tx<'_>,
    doc: &TaskDoc,
    courier: Option<&str>,
    now: i64,
) -> Result<(), ApiError> {
    let pickup = match &doc.pickup {
        Some(p) => Some(serde_json::to_string(p).map_err(ApiError::internal)?),
        None => None,
    };
    let dropoff = serde_json::to_string(&doc.dropoff).map_err(ApiError::internal)?;
    let inserted = c.execute(
        "INSERT INTO tasks (id, courier_id, kind, status, pickup, dropoff, revision, updated_at,
             details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO NOTHING",
        params![
            doc.id,
            courier,
            doc.kind.as_str(),
            doc.status.as_str(),
            pickup,
            dropoff,
            doc.revision,
            now,
            details_json(doc)?
        ],
    )?;
    if inserted == 0 {
        return Err(ApiError::conflict(
            "task_exists",
            "a task with this id already exists",
        ));
    }
    if let Some(courier) = courier {
        record_change(c, courier, &doc.id, "upsert")?;
    }
    Ok(())
}

/// The salted hash of a customer's handoff code: the phone gets this, never the code.
pub fn hash_handoff_code(code: &str) -> HandoffCodeDoc {
    use rand::RngCore;
    use sha2::{Digest, Sha256};
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = hex::encode(salt);
    let sha256 = hex::encode(Sha256::digest(format!("{salt}{}", code.trim())));
    HandoffCodeDoc { salt, sha256 }
}

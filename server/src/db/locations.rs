//! Courier locations: fixes from phones, stored once per client and sequence number, and the
//! drops phones report when their buffer filled offline.

use runsheet_protocol::{LocationBatch, LocationFix};
use serde::{Deserialize, Serialize};

use super::{clients, StoreError, Tx};
use crate::params;

/// A courier's track for the dispatcher.
#[derive(Debug, Serialize, Deserialize)]
pub struct Track {
    /// Fixes, oldest first.
    pub fixes: Vec<LocationFix>,
    /// Fixes the courier's phones reported dropping (buffer full while offline).
    pub dropped: u64,
}

/// Stores a batch from the courier's phone; the number of fixes new to the store.
pub fn store_batch(
    tx: &mut Tx<'_>,
    courier: &str,
    batch: &LocationBatch,
    received: i64,
) -> Result<u64, StoreError> {
    clients::claim(tx, &batch.client_id, courier, received)?;
    let mut stored = 0;
    for f in &batch.fixes {
        stored += tx.execute(
            "INSERT INTO location_fixes (client_id, seq, courier_id, lat, lon, accuracy_m,
                 recorded_at, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
            params![
                batch.client_id,
                f.seq,
                courier,
                f.lat,
                f.lon,
                f.accuracy_m,
                f.recorded_at,
                received
            ],
        )?;
    }
    if batch.dropped > 0 && stored > 0 {
        tx.execute(
            "INSERT INTO location_drops (courier_id, dropped, reported_at) VALUES (?1, ?2, ?3)",
            params![
                courier,
                i64::try_from(batch.dropped).unwrap_or(i64::MAX),
                received
            ],
        )?;
    }
    Ok(stored)
}

/// The courier's fixes recorded at or after `since`, and every drop reported.
pub fn track(tx: &mut Tx<'_>, courier: &str, since: i64) -> Result<Track, StoreError> {
    let fixes = tx.query_map(
        "SELECT seq, lat, lon, accuracy_m, recorded_at FROM location_fixes
         WHERE courier_id = ?1 AND recorded_at >= ?2 ORDER BY recorded_at, client_id, seq",
        params![courier, since],
        |r| {
            Ok(LocationFix {
                seq: r.get(0)?,
                lat: r.get(1)?,
                lon: r.get(2)?,
                accuracy_m: r.get(3)?,
                recorded_at: r.get(4)?,
            })
        },
    )?;
    // Summed here, saturating, rather than by SQL's SUM, which fails on overflow (SQLite) or
    // past BIGINT (PostgreSQL's cast): a report stored before drops were bounded at the edge
    // must not turn the track into an error for good. Negative values (a u64 once stored as
    // an i64) count as none.
    let reports: Vec<i64> = tx.query_map(
        "SELECT dropped FROM location_drops WHERE courier_id = ?1 AND dropped > 0",
        params![courier],
        |r| r.get(0),
    )?;
    let dropped = reports
        .into_iter()
        .filter_map(|d| u64::try_from(d).ok())
        .fold(0u64, u64::saturating_add);
    Ok(Track { fixes, dropped })
}

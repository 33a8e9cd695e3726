//! GPS fixes on their way to dispatch: buffered on the phone, sent in batches after everything
//! else, capped so a long offline round cannot fill the phone (the oldest are dropped first and
//! the number dropped is reported to the server).

use runsheet_protocol::LocationFix;
use rusqlite::{params, Connection};

use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set};

/// Default most fixes kept on the phone (about 14 hours at one fix every 5 seconds).
pub const DEFAULT_BUFFER_CAP: u64 = 10_000;

fn meta_i64(conn: &Connection, key: &str) -> Result<i64> {
    Ok(meta_get(conn, key)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Buffers one fix; drops the oldest beyond `cap`. Returns how many were dropped now.
pub fn record(
    conn: &Connection,
    lat: f64,
    lon: f64,
    accuracy_m: f64,
    recorded_at: i64,
    cap: u64,
) -> Result<u64> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(Error::InvalidArgument(
            "location out of range (latitude -90..90, longitude -180..180)".into(),
        ));
    }
    if !accuracy_m.is_finite() || accuracy_m < 0.0 {
        return Err(Error::InvalidArgument(
            "location accuracy must be a non-negative number of metres".into(),
        ));
    }
    let seq = meta_i64(conn, "last_fix_seq")? + 1;
    conn.execute(
        "INSERT INTO location_fixes (seq, lat, lon, accuracy_m, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![seq, lat, lon, accuracy_m, recorded_at],
    )?;
    meta_set(conn, "last_fix_seq", &seq.to_string())?;
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM location_fixes", [], |r| r.get(0))?;
    let over = (count as u64).saturating_sub(cap.max(1));
    if over > 0 {
        conn.execute(
            "DELETE FROM location_fixes WHERE seq IN
                 (SELECT seq FROM location_fixes ORDER BY seq LIMIT ?1)",
            [over as i64],
        )?;
        let dropped = meta_i64(conn, "fixes_dropped")? + over as i64;
        meta_set(conn, "fixes_dropped", &dropped.to_string())?;
    }
    Ok(over)
}

/// The oldest `limit` buffered fixes and the number dropped but not yet reported.
pub fn pending(conn: &Connection, limit: usize) -> Result<(Vec<LocationFix>, u64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, lat, lon, accuracy_m, recorded_at FROM location_fixes ORDER BY seq LIMIT ?1",
    )?;
    let fixes = stmt
        .query_map([limit as i64], |r| {
            Ok(LocationFix {
                seq: r.get(0)?,
                lat: r.get(1)?,
                lon: r.get(2)?,
                accuracy_m: r.get(3)?,
                recorded_at: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((fixes, meta_i64(conn, "fixes_dropped")? as u64))
}

/// The server stored fixes up to `through`, and heard of `reported` drops.
pub fn acknowledge(conn: &Connection, through: i64, reported: u64) -> Result<()> {
    conn.execute("DELETE FROM location_fixes WHERE seq <= ?1", [through])?;
    let left = (meta_i64(conn, "fixes_dropped")? as u64).saturating_sub(reported);
    meta_set(conn, "fixes_dropped", &left.to_string())?;
    Ok(())
}

/// Buffered fixes and drops not yet reported.
pub fn stats(conn: &Connection) -> Result<(u64, u64)> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM location_fixes", [], |r| r.get(0))?;
    Ok((n as u64, meta_i64(conn, "fixes_dropped")? as u64))
}

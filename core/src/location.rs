//! GPS fixes on their way to dispatch: buffered on the phone, sent in batches after everything
//! else, capped so a long offline round cannot fill the phone (the oldest are dropped first and
//! the number dropped is reported to the server).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use runsheet_protocol::{LocationFix, StopRole, TaskStatus};
use rusqlite::{params, Connection};

use crate::error::{Error, Result};
use crate::hint::{self, ArrivalDetector, Fix, Presence};
use crate::store::{meta_get, meta_set};
use crate::task::Task;

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

/// Where the courier is, as the phone follows it between fixes: the last fix (any accuracy),
/// the odometer's last accepted fix, one arrival detector per stop the courier is heading to,
/// and the buffer cap. In memory only.
#[derive(Debug)]
pub(crate) struct Tracker {
    last_fix: Mutex<Option<Fix>>,
    odometer: Mutex<Option<Fix>>,
    detectors: Mutex<HashMap<(String, StopRole), ArrivalDetector>>,
    cap: AtomicU64,
}

impl Tracker {
    /// A tracker that has seen no fix, buffering at most `cap` fixes.
    pub fn new(cap: u64) -> Self {
        Tracker {
            last_fix: Mutex::new(None),
            odometer: Mutex::new(None),
            detectors: Mutex::new(HashMap::new()),
            cap: AtomicU64::new(cap.max(1)),
        }
    }

    /// Most GPS fixes kept on the phone.
    pub fn cap(&self) -> u64 {
        self.cap.load(Ordering::Relaxed)
    }

    /// Sets the buffer cap (at least one).
    pub fn set_cap(&self, cap: u64) {
        self.cap.store(cap.max(1), Ordering::Relaxed);
    }

    /// The last fix the shell reported.
    pub fn last_fix(&self) -> Option<Fix> {
        *self.last_fix.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The last reported position.
    pub fn last_position(&self) -> Option<(f64, f64)> {
        self.last_fix().map(|f| (f.lat, f.lon))
    }

    /// Takes a new fix; returns the metres ridden since the odometer's last fix (0 for a fix
    /// worse than [`hint::MAX_FIX_ACCURACY_M`], one out of order, or one implying more than
    /// [`hint::MAX_RIDE_SPEED_MPS`], a GPS jump).
    pub fn observe(&self, fix: Fix) -> f64 {
        *self.last_fix.lock().unwrap_or_else(|p| p.into_inner()) = Some(fix);
        if !fix.accuracy_m.is_finite() || fix.accuracy_m > hint::MAX_FIX_ACCURACY_M {
            return 0.0;
        }
        let mut last = self.odometer.lock().unwrap_or_else(|p| p.into_inner());
        let ridden = match *last {
            Some(l) if fix.at >= l.at => {
                let d = hint::distance_m((l.lat, l.lon), (fix.lat, fix.lon));
                if d / ((fix.at - l.at).max(1) as f64) > hint::MAX_RIDE_SPEED_MPS {
                    return 0.0; // a GPS jump
                }
                d
            }
            Some(_) => return 0.0,
            None => 0.0,
        };
        *last = Some(fix);
        ridden
    }

    /// Feeds a fix to the detectors of the stops the courier is heading to (made as needed,
    /// dropped when the task moves on) and returns the arrivals they complete.
    pub fn arrivals(&self, tasks: &[Task], fix: Fix) -> Vec<(String, StopRole)> {
        let mut arrived = Vec::new();
        let mut detectors = self.detectors.lock().unwrap_or_else(|p| p.into_inner());
        let mut live = HashSet::new();
        for t in tasks {
            let role = match t.status {
                TaskStatus::Accepted if t.pickup.is_some() => StopRole::Pickup,
                TaskStatus::Accepted | TaskStatus::PickedUp => StopRole::Dropoff,
                _ => continue,
            };
            let stop = if role == StopRole::Pickup {
                t.pickup.as_ref()
            } else {
                Some(&t.dropoff)
            };
            let Some(stop) = stop else { continue };
            let key = (t.id.clone(), role);
            live.insert(key.clone());
            let radius = if role == StopRole::Pickup {
                hint::PICKUP_RADIUS_M
            } else {
                hint::DROPOFF_RADIUS_M
            };
            let d = detectors
                .entry(key)
                .or_insert_with(|| ArrivalDetector::new((stop.lat, stop.lon), radius));
            if d.feed(fix) == Some(Presence::Arrived) {
                arrived.push((t.id.clone(), role));
            }
        }
        detectors.retain(|k, _| live.contains(k));
        arrived
    }
}

//! Courier locations: `POST /v1/sync/locations` (batches from phones, lowest priority, stored
//! once per client and sequence number) and `GET /v1/dispatch/couriers/{id}/locations` for
//! dispatch monitoring.

use crate::params;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use runsheet_protocol::{LocationAck, LocationBatch, LocationFix, MAX_LOCATION_BATCH};
use serde::{Deserialize, Serialize};

use crate::db::now;
use crate::error::ApiError;
use crate::{auth, ApiJson, AppState};

/// `POST /v1/sync/locations`.
pub async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(batch): ApiJson<LocationBatch>,
) -> Result<Json<LocationAck>, ApiError> {
    let courier = auth::courier(&state, &headers).await?;
    if batch.client_id.is_empty() || batch.client_id.len() > 64 {
        return Err(ApiError::bad_request(
            "client_id must be 1 to 64 characters",
        ));
    }
    if batch.fixes.len() > MAX_LOCATION_BATCH {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_LOCATION_BATCH} fixes per batch"
        )));
    }
    if let Some(f) = batch.fixes.iter().find(|f| {
        !(-90.0..=90.0).contains(&f.lat)
            || !(-180.0..=180.0).contains(&f.lon)
            || !f.accuracy_m.is_finite()
            || f.accuracy_m < 0.0
    }) {
        return Err(ApiError::bad_request(format!(
            "fix {} has coordinates or accuracy out of range",
            f.seq
        )));
    }
    let stored = state
        .db
        .run(move |c| {
            let tx = c;
            let owner: Option<String> = tx
                .query_opt(
                    "SELECT courier_id FROM clients WHERE client_id = ?1",
                    params![&batch.client_id],
                    |r| r.get(0),
                )?;
            if owner.as_deref().is_some_and(|o| o != courier) {
                return Err(ApiError::forbidden("this client id belongs to another courier"));
            }
            let received = now();
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
                    params![courier, batch.dropped as i64, received],
                )?;
            }
            Ok(stored)
        })
        .await?;
    Ok(Json(LocationAck { stored }))
}

/// Filter of the dispatch read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Since {
    /// Only fixes recorded at or after this time.
    #[serde(default)]
    pub since: i64,
}

/// A courier's track for the dispatcher.
#[derive(Debug, Serialize, Deserialize)]
pub struct Track {
    /// Fixes, oldest first.
    pub fixes: Vec<LocationFix>,
    /// Fixes the courier's phones reported dropping (buffer full while offline).
    pub dropped: u64,
}

/// `GET /v1/dispatch/couriers/{id}/locations`.
pub async fn track(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(courier): Path<String>,
    query: Result<Query<Since>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Track>, ApiError> {
    let Query(q) = query?;
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let track = state
        .db
        .run(move |c| {
            let fixes = c.query_map(
                "SELECT seq, lat, lon, accuracy_m, recorded_at FROM location_fixes
                 WHERE courier_id = ?1 AND recorded_at >= ?2 ORDER BY recorded_at, client_id, seq",
                params![courier, q.since],
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
            let dropped: i64 = c.query_row(
                "SELECT CAST(COALESCE(SUM(dropped), 0) AS BIGINT) FROM location_drops WHERE courier_id = ?1",
                params![&courier],
                |r| r.get(0),
            )?;
            Ok(Track {
                fixes,
                dropped: dropped as u64,
            })
        })
        .await?;
    Ok(Json(track))
}

//! Sync protocol v1: `POST /v1/sync/push` and `GET /v1/sync/pull`.

use crate::db::Tx;
use crate::params;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use runsheet_protocol::{
    Action, Change, MutationOutcome, MutationResult, PullResponse, PushRequest, PushResponse,
    RejectCode, ShiftEvent, MAX_PULL_PAGE, MAX_PUSH_BATCH,
};
use serde::Deserialize;

use crate::db::now;
use crate::error::ApiError;
use crate::task::{address_key, load_task, record_change};
use crate::{auth, ApiJson, AppState};

/// `POST /v1/sync/push`: applies each mutation at most once, in order.
pub async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    let courier = auth::courier(&state, &headers).await?;
    validate_push(&req)?;
    let resp = state.db.run(move |c| apply_push(c, &courier, &req)).await?;
    state.metrics.pushes.inc();
    for r in &resp.results {
        state.metrics.mutation(match r.outcome {
            MutationOutcome::Applied => "applied",
            MutationOutcome::Duplicate => "duplicate",
            MutationOutcome::Rejected { .. } => "rejected",
        });
    }
    Ok(Json(resp))
}

fn validate_push(req: &PushRequest) -> Result<(), ApiError> {
    if req.client_id.is_empty() || req.client_id.len() > 64 {
        return Err(ApiError::bad_request(
            "client_id must be 1 to 64 characters",
        ));
    }
    if req.mutations.len() > MAX_PUSH_BATCH {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_PUSH_BATCH} mutations per push"
        )));
    }
    for w in req.mutations.windows(2) {
        if w[1].mutation_id != w[0].mutation_id + 1 {
            return Err(ApiError::bad_request(
                "mutation ids in a push must be consecutive and increasing",
            ));
        }
    }
    if req.mutations.iter().any(|m| m.mutation_id < 1) {
        return Err(ApiError::bad_request("mutation ids start at 1"));
    }
    Ok(())
}

fn apply_push(c: &mut Tx<'_>, courier: &str, req: &PushRequest) -> Result<PushResponse, ApiError> {
    let tx = c;
    let received = now();
    // The install's row, locked until commit: a retry racing its original on another replica
    // waits here, then sees the original's last applied id and skips what it applied.
    let lock = format!(
        "SELECT courier_id, last_mutation_id FROM clients WHERE client_id = ?1{}",
        tx.for_update()
    );
    let read = |tx: &mut Tx<'_>| {
        tx.query_opt(&lock, params![&req.client_id], |r| {
            Ok((r.get::<String>(0)?, r.get::<i64>(1)?))
        })
    };
    let (owner, mut last) = match read(tx)? {
        Some(row) => row,
        None => {
            // A new install (two first pushes may race: one inserts, both then lock).
            tx.execute(
                "INSERT INTO clients (client_id, courier_id, last_mutation_id, created_at)
                 VALUES (?1, ?2, 0, ?3) ON CONFLICT (client_id) DO NOTHING",
                params![req.client_id, courier, received],
            )?;
            read(tx)?.ok_or_else(|| ApiError::internal("install row vanished"))?
        }
    };
    if owner != courier {
        return Err(ApiError::forbidden(
            "this client id belongs to another courier",
        ));
    }
    let mut results = Vec::with_capacity(req.mutations.len());
    for m in &req.mutations {
        if m.mutation_id <= last {
            results.push(MutationResult {
                mutation_id: m.mutation_id,
                outcome: MutationOutcome::Duplicate,
            });
            continue;
        }
        if m.mutation_id != last + 1 {
            let mut e = ApiError::conflict(
                "mutation_gap",
                format!(
                    "mutation {} arrived but {} was expected next",
                    m.mutation_id,
                    last + 1
                ),
            );
            e.expected_mutation_id = Some(last + 1);
            return Err(e);
        }
        let outcome = apply_action(tx, courier, &req.client_id, m)?;
        if let MutationOutcome::Rejected { code, reason } = &outcome {
            flag_for_after_sales(tx, courier, &req.client_id, m, *code, reason, received)?;
        }
        let (o, code, reason) = match &outcome {
            MutationOutcome::Rejected { code, reason } => {
                ("rejected", Some(code.as_str()), Some(reason.as_str()))
            }
            _ => ("applied", None, None),
        };
        let action_json = serde_json::to_string(&m.action).map_err(ApiError::internal)?;
        let context_json = match &m.context {
            Some(c) => Some(serde_json::to_string(c).map_err(ApiError::internal)?),
            None => None,
        };
        tx.execute(
            "INSERT INTO mutations (client_id, mutation_id, courier_id, task_id, action,
                 device_time, received_at, outcome, reject_code, reason, context)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                req.client_id,
                m.mutation_id,
                courier,
                m.action.task_id(),
                action_json,
                m.device_time,
                received,
                o,
                code,
                reason,
                context_json
            ],
        )?;
        last = m.mutation_id;
        results.push(MutationResult {
            mutation_id: m.mutation_id,
            outcome,
        });
    }
    tx.execute(
        "UPDATE clients SET last_mutation_id = ?2 WHERE client_id = ?1",
        params![req.client_id, last],
    )?;
    let applied = results
        .iter()
        .filter(|r| r.outcome == MutationOutcome::Applied)
        .count();
    tracing::info!(
        mutations = req.mutations.len(),
        applied,
        last,
        "push processed"
    );
    Ok(PushResponse {
        results,
        last_mutation_id: last,
    })
}

/// A physical fact the server could not apply (the task was cancelled, or reassigned away from
/// this courier, while the phone was offline) is never discarded: besides the mutation record, it
/// opens an after-sales case for a person to settle. Facts about tasks the courier never held
/// open none (they are mistakes or abuse, and are only recorded).
fn flag_for_after_sales(
    tx: &mut Tx<'_>,
    courier: &str,
    client_id: &str,
    m: &runsheet_protocol::Mutation,
    code: RejectCode,
    reason: &str,
    now: i64,
) -> Result<(), ApiError> {
    let task_id = m.action.task_id();
    let kind = match code {
        RejectCode::InvalidState => "fact_on_closed_task",
        RejectCode::NotYourTask => {
            let held: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM changes WHERE courier_id = ?1 AND task_id = ?2)",
                params![courier, task_id],
                |r| r.get(0),
            )?;
            if !held {
                return Ok(());
            }
            "fact_on_reassigned_task"
        }
        RejectCode::UnknownTask => return Ok(()),
    };
    // Several facts on the same closed task (the whole walk done offline) are one case.
    let line = format!("{}: {reason}", m.action.name());
    let appended = tx.execute(
        "UPDATE after_sales SET detail = detail || '; ' || ?4
         WHERE task_id = ?1 AND courier_id = ?2 AND kind = ?3",
        params![task_id, courier, kind, line],
    )?;
    if appended > 0 {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO after_sales (task_id, courier_id, client_id, mutation_id, kind, detail, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![task_id, courier, client_id, m.mutation_id, kind, line, now],
    )?;
    tracing::info!(mutation_id = m.mutation_id, kind, "after-sales case opened");
    Ok(())
}

fn reject(code: RejectCode, reason: impl Into<String>) -> MutationOutcome {
    MutationOutcome::Rejected {
        code,
        reason: reason.into(),
    }
}

fn apply_action(
    tx: &mut Tx<'_>,
    courier: &str,
    client_id: &str,
    m: &runsheet_protocol::Mutation,
) -> Result<MutationOutcome, ApiError> {
    let action = &m.action;
    let Some(task_id) = action.task() else {
        if let Action::Shift { event } = action {
            apply_shift(tx, courier, *event)?;
        }
        return Ok(MutationOutcome::Applied);
    };
    let Some((doc, owner)) = load_task(tx, task_id)? else {
        return Ok(reject(RejectCode::UnknownTask, "no such task"));
    };
    if owner.as_deref() != Some(courier) {
        return Ok(reject(
            RejectCode::NotYourTask,
            "the task is not assigned to this courier",
        ));
    }
    if matches!(action, Action::RateStop { .. } | Action::Appeal { .. }) {
        let window = crate::dispatch_api::load_settings(tx)?
            .unwrap_or_default()
            .kpi_targets
            .appeal_window_h;
        return Ok(
            match crate::rating_api::apply(tx, courier, action, window)? {
                Some(reason) => reject(RejectCode::InvalidState, reason),
                None => MutationOutcome::Applied,
            },
        );
    }
    let Some(next) = doc.status.after(action, doc.pickup.is_some()) else {
        return Ok(reject(
            RejectCode::InvalidState,
            format!(
                "the task is {} on the server; {} is not allowed",
                doc.status.as_str(),
                action.name()
            ),
        ));
    };
    let t = now();
    let mut changed = next != doc.status;
    match action {
        Action::Fail {
            reason,
            note,
            photos,
            ..
        }
        | Action::ReportException {
            reason,
            note,
            photos,
            ..
        } => {
            let mut detail = format!("{}: {}", action.name(), reason.as_str());
            if let Some(n) = note {
                detail.push_str(&format!(" - {n}"));
            }
            if !photos.is_empty() {
                detail.push_str(&format!(" ({} photos)", photos.len()));
            }
            tx.execute(
                "INSERT INTO after_sales (task_id, courier_id, client_id, mutation_id, kind, detail,
                     created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    doc.id,
                    courier,
                    client_id,
                    m.mutation_id,
                    format!("exception:{}", reason.as_str()),
                    detail,
                    t
                ],
            )?;
            tracing::info!(
                mutation_id = m.mutation_id,
                reason = reason.as_str(),
                "exception reported"
            );
            if let Action::ReportException {
                ready_at: Some(ready),
                ..
            } = action
            {
                if let Some(mut p) = doc.pickup.clone() {
                    p.ready_at = Some(*ready);
                    let j = serde_json::to_string(&p).map_err(ApiError::internal)?;
                    tx.execute(
                        "UPDATE tasks SET pickup = ?2 WHERE id = ?1",
                        params![doc.id, j],
                    )?;
                    changed = true;
                }
            }
        }
        Action::CorrectPin { lat, lon, .. } => {
            if !(-90.0..=90.0).contains(lat) || !(-180.0..=180.0).contains(lon) {
                return Ok(reject(
                    RejectCode::InvalidState,
                    "the corrected pin is out of range",
                ));
            }
            let mut d = doc.dropoff.clone();
            d.lat = *lat;
            d.lon = *lon;
            d.pin_corrected = true;
            let j = serde_json::to_string(&d).map_err(ApiError::internal)?;
            tx.execute(
                "UPDATE tasks SET dropoff = ?2 WHERE id = ?1",
                params![doc.id, j],
            )?;
            tx.execute(
                "INSERT INTO address_pins (address_key, lat, lon, courier_id, task_id, corrected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(address_key) DO UPDATE SET lat = excluded.lat, lon = excluded.lon,
                     courier_id = excluded.courier_id, task_id = excluded.task_id,
                     corrected_at = excluded.corrected_at",
                params![address_key(&doc.dropoff.address), lat, lon, courier, doc.id, t],
            )?;
            changed = true;
        }
        Action::SendMessage { template, text, .. } => {
            // The reference server "sends" by recording: a platform forwards the text to the
            // customer through its masked SMS or in-app channel here.
            tx.execute(
                "INSERT INTO messages (task_id, courier_id, template, body, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![doc.id, courier, template.as_str(), text, t],
            )?;
        }
        _ => {}
    }
    if changed {
        tx.execute(
            "UPDATE tasks SET status = ?3, revision = revision + 1, updated_at = ?2 WHERE id = ?1",
            params![doc.id, t, next.as_str()],
        )?;
        record_change(tx, courier, &doc.id, "upsert")?;
    }
    Ok(MutationOutcome::Applied)
}

fn apply_shift(tx: &mut Tx<'_>, courier: &str, event: ShiftEvent) -> Result<(), ApiError> {
    let state = match event {
        ShiftEvent::Start | ShiftEvent::BreakEnd => "on_duty",
        ShiftEvent::BreakStart => "on_break",
        ShiftEvent::End => "off_duty",
    };
    tx.execute(
        "INSERT INTO courier_status (courier_id, state, since) VALUES (?1, ?2, ?3)
         ON CONFLICT(courier_id) DO UPDATE SET state = excluded.state, since = excluded.since",
        params![courier, state, now()],
    )?;
    tracing::info!(event = event.as_str(), "shift event");
    Ok(())
}

/// Longest a pull may wait for a change, seconds.
pub const MAX_PULL_WAIT_S: u64 = 30;

/// Query of `GET /v1/sync/pull`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The install asking.
    pub client_id: String,
    /// The cursor from the previous pull (0 for the first).
    #[serde(default)]
    pub cursor: i64,
    /// Page size (default and maximum [`MAX_PULL_PAGE`]).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Version of the settings the client has (0: none); newer ones come with the answer.
    #[serde(default)]
    pub settings_version: i64,
    /// The highest checklist publication sequence the client holds.
    #[serde(default)]
    pub checklists_after: i64,
    /// The highest rating sequence the client holds.
    #[serde(default)]
    pub ratings_after: i64,
    /// Long-poll: when nothing is new, wait up to this many seconds (at most
    /// [`MAX_PULL_WAIT_S`]) and answer as soon as a change for the courier commits on any
    /// replica. 0 (the default) answers at once.
    #[serde(default)]
    pub wait_s: u64,
}

/// `GET /v1/sync/pull`: the courier's changes after the cursor.
pub async fn pull(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(q) = query?;
    let courier = auth::courier(&state, &headers).await?;
    if q.cursor < 0 {
        return Err(ApiError::bad_request("cursor must not be negative"));
    }
    if q.wait_s > MAX_PULL_WAIT_S {
        return Err(ApiError::bad_request(format!(
            "wait_s must be at most {MAX_PULL_WAIT_S}"
        )));
    }
    if q.wait_s == 0 || state.lifecycle.draining() {
        let page = read_page(&state, &courier, &q).await?;
        state.metrics.pulls.inc();
        return Ok(Json(page));
    }
    // Register the wait before reading, so that a change committed between the read and the
    // wait still wakes this pull.
    let watch = state.db.feed().watch(&courier);
    let changed = watch.notify().notified();
    tokio::pin!(changed);
    changed.as_mut().enable();
    let page = read_page(&state, &courier, &q).await?;
    if !is_quiet(&page) {
        state.metrics.pulls.inc();
        return Ok(Json(page));
    }
    state.metrics.long_polls.inc();
    let woke = tokio::select! {
        _ = &mut changed => true,
        _ = tokio::time::sleep(std::time::Duration::from_secs(q.wait_s)) => false,
        _ = state.lifecycle.drained() => false,
    };
    state.metrics.pulls.inc();
    if !woke {
        // Nothing was announced for this courier: the quiet page read before the wait still
        // holds (a timed-out long-poll costs no second transaction).
        let mut page = page;
        page.server_time = state.db.now();
        return Ok(Json(page));
    }
    state.metrics.long_poll_wakeups.inc();
    Ok(Json(read_page(&state, &courier, &q).await?))
}

/// Nothing new for the client in this page.
fn is_quiet(p: &PullResponse) -> bool {
    p.changes.is_empty() && p.settings.is_none() && p.checklists.is_empty() && p.ratings.is_empty()
}

async fn read_page(
    state: &AppState,
    courier: &str,
    q: &PullQuery,
) -> Result<PullResponse, ApiError> {
    let limit = q.limit.unwrap_or(MAX_PULL_PAGE).clamp(1, MAX_PULL_PAGE);
    let (courier, q) = (courier.to_owned(), q.clone());
    state
        .db
        .run(move |c| {
            let mut page = read_changes(c, &courier, &q.client_id, q.cursor, limit)?;
            page.settings =
                crate::dispatch_api::load_settings(c)?.filter(|s| s.version > q.settings_version);
            page.checklists = crate::dispatch_api::checklists_after(c, q.checklists_after)?;
            page.ratings = crate::rating_api::ratings_after(c, &courier, q.ratings_after)?;
            Ok(page)
        })
        .await
}

fn read_changes(
    c: &mut Tx<'_>,
    courier: &str,
    client_id: &str,
    cursor: i64,
    limit: usize,
) -> Result<PullResponse, ApiError> {
    let tx = c;
    let client: Option<(String, i64)> = tx.query_opt(
        "SELECT courier_id, last_mutation_id FROM clients WHERE client_id = ?1",
        params![client_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let last_mutation_id = match client {
        Some((owner, _)) if owner != courier => {
            return Err(ApiError::forbidden(
                "this client id belongs to another courier",
            ))
        }
        Some((_, last)) => last,
        None => 0,
    };
    let rows: Vec<(i64, String, String)> = {
        tx.query_map(
            "SELECT seq, task_id, op FROM changes WHERE courier_id = ?1 AND seq > ?2
             ORDER BY seq LIMIT ?3",
            params![courier, cursor, (limit + 1) as i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
    };
    let has_more = rows.len() > limit;
    let mut changes = Vec::new();
    let mut next = cursor;
    for (seq, task_id, op) in rows.into_iter().take(limit) {
        next = seq;
        if op == "remove" {
            changes.push(Change::RemoveTask { task_id });
            continue;
        }
        match load_task(tx, &task_id)? {
            Some((doc, owner)) if owner.as_deref() == Some(courier) => {
                changes.push(Change::UpsertTask {
                    task: Box::new(doc),
                })
            }
            // Reassigned since: a later 'remove' change for this courier follows.
            _ => {}
        }
    }
    Ok(PullResponse {
        changes,
        cursor: next,
        has_more,
        last_mutation_id,
        server_time: now(),
        settings: None,
        checklists: Vec::new(),
        ratings: Vec::new(),
    })
}

//! The dispatch API: what a platform's dispatcher (and the tests, the demo and QA) use to create
//! couriers, assign and cancel tasks, and read what couriers' devices sent.

use crate::params;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use runsheet_protocol::{Settings, StopDoc, TaskDoc, TaskKind, TaskStatus};
use serde::{Deserialize, Serialize};

use crate::db::{now, Tx};
use crate::error::ApiError;
use crate::task::{insert_task, load_task, record_change};
use crate::{auth, ApiJson, AppState};

/// `POST /v1/dispatch/couriers` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCourier {
    /// The courier's id (unique).
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A created courier and their bearer token (shown once; only its digest is stored).
#[derive(Serialize, Deserialize)]
pub struct CourierCreated {
    /// The courier's id.
    pub id: String,
    /// Their bearer token for the sync API.
    pub token: String,
}

/// `POST /v1/dispatch/couriers`.
pub async fn create_courier(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewCourier>,
) -> Result<(StatusCode, Json<CourierCreated>), ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    check_id("courier id", &body.id)?;
    let token = auth::new_token();
    let digest = auth::digest(&token);
    let id = body.id.clone();
    state
        .db
        .run(move |c| {
            let n = c.execute(
                "INSERT INTO couriers (id, name, token_sha256, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO NOTHING",
                params![body.id, body.name, digest, now()],
            )?;
            if n == 0 {
                return Err(ApiError::conflict(
                    "courier_exists",
                    "a courier with this id exists",
                ));
            }
            Ok(())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(CourierCreated { id, token })))
}

/// `POST /v1/dispatch/tasks` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    /// The task's id (unique).
    pub id: String,
    /// The courier to assign it to, if any.
    #[serde(default)]
    pub courier_id: Option<String>,
    /// What kind of task.
    pub kind: TaskKind,
    /// Pickup stop, absent for depot-loaded parcels.
    #[serde(default)]
    pub pickup: Option<StopDoc>,
    /// Drop-off stop.
    pub dropoff: StopDoc,
    /// When the customer ordered.
    #[serde(default)]
    pub ordered_at: Option<i64>,
    /// The goods.
    #[serde(default)]
    pub items: Vec<runsheet_protocol::ItemDoc>,
    /// Where the goods go back if the delivery fails (the pickup when absent).
    #[serde(default)]
    pub return_to: Option<StopDoc>,
    /// The code the platform gave the customer to show at the handoff (4 to 12 characters);
    /// stored and sent to the phone only as a salted hash.
    #[serde(default)]
    pub handoff_code: Option<String>,
    /// The customer asked for a contactless handover.
    #[serde(default)]
    pub contactless: bool,
    /// How the delivery must be proven (none, photo, signature, code).
    #[serde(default)]
    pub proof: runsheet_protocol::ProofPolicy,
}

fn check_id(what: &str, id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > 128 || id.chars().any(char::is_control) {
        return Err(ApiError::bad_request(format!(
            "{what} must be 1 to 128 printable characters"
        )));
    }
    Ok(())
}

fn check_stop(what: &str, s: &StopDoc) -> Result<(), ApiError> {
    if !(-90.0..=90.0).contains(&s.lat) || !(-180.0..=180.0).contains(&s.lon) {
        return Err(ApiError::bad_request(format!(
            "{what} coordinates are out of range"
        )));
    }
    Ok(())
}

/// `POST /v1/dispatch/tasks`: creates a task, assigned if `courier_id` is given.
pub async fn create_task(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewTask>,
) -> Result<(StatusCode, Json<TaskDoc>), ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    check_id("task id", &body.id)?;
    if let Some(p) = &body.pickup {
        check_stop("pickup", p)?;
    }
    check_stop("dropoff", &body.dropoff)?;
    if let Some(r) = &body.return_to {
        check_stop("return_to", r)?;
    }
    if let Some(c) = &body.handoff_code {
        let n = c.trim().chars().count();
        if !(4..=12).contains(&n) {
            return Err(ApiError::bad_request(
                "handoff_code must be 4 to 12 characters",
            ));
        }
    }
    if body.kind != TaskKind::Parcel && body.pickup.is_none() {
        return Err(ApiError::bad_request(format!(
            "a {} task needs a pickup stop",
            body.kind.as_str()
        )));
    }
    let mut doc = TaskDoc {
        id: body.id,
        kind: body.kind,
        status: TaskStatus::Assigned,
        pickup: body.pickup,
        dropoff: body.dropoff,
        revision: 1,
        ordered_at: body.ordered_at,
        items: body.items,
        return_to: body.return_to,
        handoff_code: body
            .handoff_code
            .as_deref()
            .map(crate::task::hash_handoff_code),
        contactless: body.contactless,
        proof: body.proof,
    };
    let courier = body.courier_id;
    let out = state
        .db
        .run(move |c| {
            let tx = c;
            crate::task::apply_pin_correction(tx, &mut doc.dropoff)?;
            if let Some(courier) = &courier {
                let exists: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM couriers WHERE id = ?1)",
                    params![courier],
                    |r| r.get(0),
                )?;
                if !exists {
                    return Err(ApiError::not_found("no courier with this id"));
                }
            }
            insert_task(tx, &doc, courier.as_deref(), now())?;
            Ok(doc)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// A task with its assignment, as the dispatcher sees it.
#[derive(Serialize, Deserialize)]
pub struct DispatchTask {
    /// The task.
    pub task: TaskDoc,
    /// Assigned courier.
    pub courier_id: Option<String>,
}

/// `GET /v1/dispatch/tasks/{id}`.
pub async fn get_task(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<DispatchTask>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let found = state.db.run(move |c| load_task(c, &id)).await?;
    let (task, courier_id) = found.ok_or_else(|| ApiError::not_found("no task with this id"))?;
    Ok(Json(DispatchTask { task, courier_id }))
}

/// `POST /v1/dispatch/tasks/{id}/cancel`.
pub async fn cancel_task(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<DispatchTask>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let found = state
        .db
        .run(move |c| {
            let tx = c;
            let (doc, courier) =
                load_task(tx, &id)?.ok_or_else(|| ApiError::not_found("no task with this id"))?;
            if doc.status.is_final() {
                return Err(ApiError::conflict(
                    "task_final",
                    format!("the task is already {}", doc.status.as_str()),
                ));
            }
            tx.execute(
                "UPDATE tasks SET status = 'cancelled', revision = revision + 1, updated_at = ?2
                 WHERE id = ?1",
                params![id, now()],
            )?;
            if let Some(courier) = &courier {
                record_change(tx, courier, &id, "upsert")?;
            }
            let out = load_task(tx, &id)?.ok_or_else(|| ApiError::internal("task vanished"))?;
            Ok(out)
        })
        .await?;
    Ok(Json(DispatchTask {
        task: found.0,
        courier_id: found.1,
    }))
}

/// Filter of `GET /v1/dispatch/mutations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutationFilter {
    /// Only this courier's.
    #[serde(default)]
    pub courier_id: Option<String>,
    /// Only this task's.
    #[serde(default)]
    pub task_id: Option<String>,
}

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

/// `GET /v1/dispatch/mutations`: every mutation recorded, oldest first.
pub async fn list_mutations(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<MutationFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<MutationRecord>>, ApiError> {
    let Query(f) = query?;
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let rows = state
        .db
        .run(move |c| {
            Ok(c.query_map(
                "SELECT client_id, mutation_id, courier_id, task_id, action, outcome, reject_code,
                        device_time, received_at, context
                 FROM mutations
                 WHERE (CAST(?1 AS TEXT) IS NULL OR courier_id = ?1)
                   AND (CAST(?2 AS TEXT) IS NULL OR task_id = ?2)
                 ORDER BY received_at, client_id, mutation_id",
                params![f.courier_id, f.task_id],
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
            )?)
        })
        .await?;
    Ok(Json(rows))
}

/// `POST /v1/dispatch/tasks/{id}/reassign` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reassign {
    /// The courier who takes the task over.
    pub courier_id: String,
}

/// Applies `change` to a task that is not final, bumps its revision, and returns it.
fn change_open_task(
    c: &mut Tx<'_>,
    id: &str,
    change: impl FnOnce(&mut Tx<'_>, &TaskDoc, Option<&str>) -> Result<(), ApiError>,
) -> Result<(TaskDoc, Option<String>), ApiError> {
    let tx = c;
    let (doc, courier) =
        load_task(tx, id)?.ok_or_else(|| ApiError::not_found("no task with this id"))?;
    if doc.status.is_final() {
        return Err(ApiError::conflict(
            "task_final",
            format!("the task is already {}", doc.status.as_str()),
        ));
    }
    change(tx, &doc, courier.as_deref())?;
    tx.execute(
        "UPDATE tasks SET revision = revision + 1, updated_at = ?2 WHERE id = ?1",
        params![id, now()],
    )?;
    let out = load_task(tx, id)?.ok_or_else(|| ApiError::internal("task vanished"))?;
    Ok(out)
}

/// `POST /v1/dispatch/tasks/{id}/reassign`: the old courier's next pull removes the task, the
/// new courier's adds it. A fact the old courier records meanwhile opens an after-sales case.
pub async fn reassign_task(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reassign>,
) -> Result<Json<DispatchTask>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let to = body.courier_id;
    let (task, courier_id) = state
        .db
        .run(move |c| {
            change_open_task(c, &id, |tx, doc, from| {
                let exists: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM couriers WHERE id = ?1)",
                    params![&to],
                    |r| r.get(0),
                )?;
                if !exists {
                    return Err(ApiError::not_found("no courier with this id"));
                }
                if from == Some(to.as_str()) {
                    return Err(ApiError::conflict(
                        "same_courier",
                        "the task is already assigned to this courier",
                    ));
                }
                // The new courier starts the workflow afresh: they must accept it, and arrive
                // themselves (a handover of goods is recorded as the new courier's pickup).
                tx.execute(
                    "UPDATE tasks SET courier_id = ?2, status = 'assigned' WHERE id = ?1",
                    params![doc.id, to],
                )?;
                if let Some(from) = from {
                    record_change(tx, from, &doc.id, "remove")?;
                }
                record_change(tx, &to, &doc.id, "upsert")
            })
        })
        .await?;
    Ok(Json(DispatchTask { task, courier_id }))
}

/// `PATCH /v1/dispatch/tasks/{id}` body: order details the platform owns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskUpdate {
    /// New pickup stop (ready time, merchant), if it changed.
    #[serde(default)]
    pub pickup: Option<StopDoc>,
    /// New drop-off stop (address correction, promised time), if it changed.
    #[serde(default)]
    pub dropoff: Option<StopDoc>,
}

/// `PATCH /v1/dispatch/tasks/{id}`: changes order details; the courier sees them on the next pull.
pub async fn update_task(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TaskUpdate>,
) -> Result<Json<DispatchTask>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    if body.pickup.is_none() && body.dropoff.is_none() {
        return Err(ApiError::bad_request("nothing to update"));
    }
    if let Some(p) = &body.pickup {
        check_stop("pickup", p)?;
    }
    if let Some(d) = &body.dropoff {
        check_stop("dropoff", d)?;
    }
    let (task, courier_id) = state
        .db
        .run(move |c| {
            change_open_task(c, &id, |tx, doc, courier| {
                if let Some(p) = &body.pickup {
                    let j = serde_json::to_string(p).map_err(ApiError::internal)?;
                    tx.execute(
                        "UPDATE tasks SET pickup = ?2 WHERE id = ?1",
                        params![doc.id, j],
                    )?;
                }
                if let Some(d) = &body.dropoff {
                    let j = serde_json::to_string(d).map_err(ApiError::internal)?;
                    tx.execute(
                        "UPDATE tasks SET dropoff = ?2 WHERE id = ?1",
                        params![doc.id, j],
                    )?;
                }
                match courier {
                    Some(courier) => record_change(tx, courier, &doc.id, "upsert"),
                    None => Ok(()),
                }
            })
        })
        .await?;
    Ok(Json(DispatchTask { task, courier_id }))
}

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

/// `GET /v1/dispatch/after-sales`: open cases, oldest first.
pub async fn after_sales(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<AfterSalesCase>>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let cases = state
        .db
        .run(|c| {
            Ok(c.query_map(
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
            )?)
        })
        .await?;
    Ok(Json(cases))
}

/// The published settings, if any were ever published.
pub fn load_settings(c: &mut Tx<'_>) -> Result<Option<Settings>, ApiError> {
    let row: Option<(i64, String)> = c.query_opt(
        "SELECT version, body FROM settings WHERE id = 1",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    row.map(|(version, body)| {
        let mut s: Settings = serde_json::from_str(&body).map_err(ApiError::internal)?;
        s.version = version;
        Ok(s)
    })
    .transpose()
}

/// `PUT /v1/dispatch/settings`: publishes new settings to every phone (version + 1).
pub async fn put_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Settings>,
) -> Result<Json<Settings>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    if let Some(problem) = body.problem() {
        return Err(ApiError::bad_request(problem));
    }
    let out = state
        .db
        .run(move |c| {
            let tx = c;
            tx.lock_global("settings")?;
            tx.announce("*")?;
            let version = load_settings(tx)?.map(|s| s.version).unwrap_or(0) + 1;
            let json = serde_json::to_string(&body).map_err(ApiError::internal)?;
            tx.execute(
                "INSERT INTO settings (id, version, body) VALUES (1, ?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET version = excluded.version, body = excluded.body",
                params![version, json],
            )?;
            Ok(Settings { version, ..body })
        })
        .await?;
    Ok(Json(out))
}

/// `GET /v1/dispatch/settings`: the published settings (the defaults, version 0, if none).
pub async fn get_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Settings>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let s = state.db.run(load_settings).await?;
    Ok(Json(s.unwrap_or_default()))
}

/// A courier's duty status, as dispatch monitoring sees it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CourierStatus {
    /// The courier.
    pub courier_id: String,
    /// `on_duty`, `on_break` or `off_duty`.
    pub state: String,
    /// Since when, by the server clock (0: never reported).
    pub since: i64,
}

/// `GET /v1/dispatch/couriers/{id}/status`.
pub async fn courier_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<CourierStatus>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let out = state
        .db
        .run(move |c| {
            let exists: bool = c.query_row(
                "SELECT EXISTS(SELECT 1 FROM couriers WHERE id = ?1)",
                params![&id],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(ApiError::not_found("no courier with this id"));
            }
            let row: Option<(String, i64)> = c.query_opt(
                "SELECT state, since FROM courier_status WHERE courier_id = ?1",
                params![&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let (state, since) = row.unwrap_or_else(|| ("off_duty".into(), 0));
            Ok(CourierStatus {
                courier_id: id,
                state,
                since,
            })
        })
        .await?;
    Ok(Json(out))
}

/// A message sent to a customer on a courier's behalf.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SentMessage {
    /// The task.
    pub task_id: String,
    /// The courier.
    pub courier_id: String,
    /// The template used.
    pub template: String,
    /// The text sent.
    pub body: String,
    /// When the server sent it.
    pub sent_at: i64,
}

/// `GET /v1/dispatch/tasks/{id}/messages`: messages sent to the task's customer, oldest first.
pub async fn task_messages(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Vec<SentMessage>>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let rows = state
        .db
        .run(move |c| {
            Ok(c.query_map(
                "SELECT task_id, courier_id, template, body, sent_at FROM messages
                 WHERE task_id = ?1 ORDER BY id",
                params![&id],
                |r| {
                    Ok(SentMessage {
                        task_id: r.get(0)?,
                        courier_id: r.get(1)?,
                        template: r.get(2)?,
                        body: r.get(3)?,
                        sent_at: r.get(4)?,
                    })
                },
            )?)
        })
        .await?;
    Ok(Json(rows))
}

/// `PUT /v1/dispatch/checklists`: publishes a checklist template (a new version of its id);
/// every phone gets it on its next pull. Tasks already started keep the version they began with.
pub async fn put_checklist(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<runsheet_protocol::ChecklistTemplate>,
) -> Result<Json<runsheet_protocol::ChecklistTemplate>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    if let Some(problem) = body.problem() {
        return Err(ApiError::bad_request(problem));
    }
    let out = state
        .db
        .run(move |c| {
            let tx = c;
            // Publications are numbered in commit order (phones pull by this number).
            tx.lock_global("checklists")?;
            tx.announce("*")?;
            let version: i64 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM checklist_templates WHERE id = ?1",
                params![&body.id],
                |r| r.get(0),
            )?;
            let seq: i64 = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM checklist_templates",
                params![],
                |r| r.get(0),
            )?;
            let t = runsheet_protocol::ChecklistTemplate {
                version,
                seq,
                ..body
            };
            let json = serde_json::to_string(&t).map_err(ApiError::internal)?;
            tx.execute(
                "INSERT INTO checklist_templates (id, version, seq, body) VALUES (?1, ?2, ?3, ?4)",
                params![t.id, version, seq, json],
            )?;
            Ok(t)
        })
        .await?;
    Ok(Json(out))
}

/// Templates published after `seq`, in publication order.
pub fn checklists_after(
    c: &mut Tx<'_>,
    seq: i64,
) -> Result<Vec<runsheet_protocol::ChecklistTemplate>, ApiError> {
    let rows = c.query_map(
        "SELECT body FROM checklist_templates WHERE seq > ?1 ORDER BY seq",
        params![seq],
        |r| r.get::<String>(0),
    )?;
    let mut out = Vec::new();
    for body in rows {
        out.push(serde_json::from_str(&body).map_err(ApiError::internal)?);
    }
    Ok(out)
}

//! Sync protocol v1: `POST /v1/sync/push` and `GET /v1/sync/pull`.

use axum::extract::{Query, State};
use axum::Json;
use runsheet_protocol::{
    Mutation, MutationOutcome, PullResponse, PushResponse, MAX_PULL_PAGE, MAX_PUSH_BATCH,
};
use serde::Deserialize;

use crate::auth::Courier;
use crate::db::mutations::RefusedMutation;
use crate::db::sync::{self, PullPosition, Pushed};
use crate::db::{push_batch, standby};
use crate::error::ApiError;
use crate::input::{self, Document, Invalid};
use crate::{ApiJson, AppState};

/// `POST /v1/sync/push` body as the edge reads it: the envelope is checked whole, the
/// mutations one by one ([`Pushed`]), so that one that is not valid is rejected alone.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushBody {
    /// The install's id.
    pub client_id: String,
    /// The mutations, unread.
    pub mutations: Vec<serde_json::Value>,
    /// The device clock when the push was sent (the server measures the clock offset from it).
    #[serde(default)]
    pub sent_at: Option<i64>,
    /// Where the phone's pull would start: the answer then carries the pull's first page.
    #[serde(default)]
    pub pull: Option<runsheet_protocol::PullPosition>,
}

impl Document for PushBody {
    const SCREENED_BY_ITEM: &'static [&'static str] = &["mutations"];

    fn check(&self) -> Result<(), Invalid> {
        input::id("client_id", &self.client_id)?;
        if self.client_id.chars().count() > 64 {
            return Err(Invalid::new("client_id", "must be 1 to 64 characters"));
        }
        if self.mutations.len() > MAX_PUSH_BATCH {
            return Err(Invalid::new(
                "mutations",
                format!("at most {MAX_PUSH_BATCH} mutations per push"),
            ));
        }
        if self.pull.is_some_and(|p| p.cursor < 0) {
            return Err(Invalid::new("pull.cursor", "must not be negative"));
        }
        Ok(())
    }
}

/// Longest reason recorded for a mutation that is not valid, characters.
const MAX_REASON_CHARS: usize = 500;

/// An integer, written as one or as a number with a zero fraction.
fn integral(v: &serde_json::Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// Reads the mutations of a push: each is valid, or rejected alone. Refused whole (422) only
/// when the ids cannot be read or are not consecutive, since then no mutation can be answered.
fn read_mutations(body: PushBody) -> Result<Vec<Pushed>, ApiError> {
    let mut items: Vec<Pushed> = Vec::with_capacity(body.mutations.len());
    for (i, raw) in body.mutations.into_iter().enumerate() {
        let at = format!("mutations[{i}]");
        let mutation_id = raw
            .get("mutation_id")
            .and_then(integral)
            .filter(|id| (1..=input::MAX_COUNT).contains(id))
            .ok_or_else(|| {
                Invalid::new(
                    input::under(&at, "mutation_id"),
                    format!("must be an integer, 1 to {}", input::MAX_COUNT),
                )
            })?;
        if let Some(prev) = items.last() {
            if prev.mutation_id().checked_add(1) != Some(mutation_id) {
                return Err(Invalid::new(
                    input::under(&at, "mutation_id"),
                    "mutation ids in a push must be consecutive and increasing",
                )
                .into());
            }
        }
        let pushed = match input::item::<Mutation>(raw.clone(), &at) {
            Ok(m) => Pushed::Valid(m),
            Err(problem) => {
                let task_id: String = raw
                    .pointer("/action/task_id")
                    .and_then(|t| t.as_str())
                    .map(|t| {
                        t.chars()
                            .filter(|c| !c.is_control())
                            .take(input::MAX_ID_CHARS)
                            .collect()
                    })
                    .unwrap_or_default();
                let mut action =
                    input::defang(raw.get("action").unwrap_or(&serde_json::Value::Null));
                // A customer's handoff code is never stored, even in a refused mutation.
                if let Some(a) = action.as_object_mut() {
                    if a.get("type").and_then(|t| t.as_str()) == Some("handoff_code") {
                        a.remove("code");
                    }
                }
                Pushed::Invalid(RefusedMutation {
                    mutation_id,
                    device_time: raw.get("device_time").and_then(integral).unwrap_or(0),
                    task_id,
                    action: action.to_string(),
                    reason: problem.to_string().chars().take(MAX_REASON_CHARS).collect(),
                })
            }
        };
        items.push(pushed);
    }
    Ok(items)
}

/// `POST /v1/sync/push`: applies each mutation at most once, in order.
pub async fn push(
    State(state): State<AppState>,
    Courier(courier): Courier,
    ApiJson(body): ApiJson<PushBody>,
) -> Result<Json<PushResponse>, ApiError> {
    let client_id = body.client_id.clone();
    let sent_at = body.sent_at;
    let pull_from = body.pull;
    let items = read_mutations(body)?;
    let clock = state.clock.clone();
    let at = pull_from.map(|from| position(client_id.clone(), MAX_PULL_PAGE, from));
    let mut resp = push_batch::push_fewest_trips(
        &state.db,
        clock,
        (courier.clone(), client_id),
        items,
        sent_at,
        at,
    )
    .await?;
    resp.wal_lsn = standby::wal_position(&state.db).await?;
    if resp.pulled.is_some() {
        state.metrics.pulls.inc();
    }
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
    /// The highest case sequence the client holds.
    #[serde(default)]
    pub cases_after: i64,
    /// The highest recall sequence the client holds.
    #[serde(default)]
    pub recalls_after: i64,
    /// The highest offer sequence the client holds.
    #[serde(default)]
    pub offers_after: i64,
    /// Version of the courier's vehicle the client holds (0: none); a newer one comes with
    /// the answer.
    #[serde(default)]
    pub vehicle_version: i64,
    /// The highest earnings sequence the client holds.
    #[serde(default)]
    pub earnings_after: i64,
    /// The highest training module publication the client holds.
    #[serde(default)]
    pub training_after: i64,
    /// The highest qualification sequence the client holds.
    #[serde(default)]
    pub qualifications_after: i64,
    /// The `wal_lsn` of the client's last push: a read replica serves this pull only when it
    /// has replayed that far (else the primary does).
    #[serde(default)]
    pub min_lsn: Option<String>,
    /// Long-poll: when nothing is new, wait up to this many seconds (at most
    /// [`MAX_PULL_WAIT_S`]) and answer as soon as a change for the courier commits on any
    /// replica. 0 (the default) answers at once.
    #[serde(default)]
    pub wait_s: u64,
}

/// `GET /v1/sync/pull`: the courier's changes after the cursor.
pub async fn pull(
    State(state): State<AppState>,
    Courier(courier): Courier,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(q) = query?;
    if q.cursor < 0 {
        return Err(ApiError::bad_request("cursor must not be negative"));
    }
    if q.wait_s > MAX_PULL_WAIT_S {
        return Err(ApiError::bad_request(format!(
            "wait_s must be at most {MAX_PULL_WAIT_S}"
        )));
    }
    let at = position(
        q.client_id,
        q.limit.unwrap_or(MAX_PULL_PAGE).clamp(1, MAX_PULL_PAGE),
        runsheet_protocol::PullPosition {
            cursor: q.cursor,
            settings_version: q.settings_version,
            checklists_after: q.checklists_after,
            ratings_after: q.ratings_after,
            cases_after: q.cases_after,
            recalls_after: q.recalls_after,
            offers_after: q.offers_after,
            vehicle_version: q.vehicle_version,
            earnings_after: q.earnings_after,
            training_after: q.training_after,
            qualifications_after: q.qualifications_after,
        },
    );
    if q.min_lsn.as_deref().is_some_and(|l| !standby::is_lsn(l)) {
        return Err(ApiError::bad_request(
            "min_lsn must be a WAL position as a push answers it (16/B374D848)",
        ));
    }
    if q.wait_s == 0 || state.lifecycle.draining() {
        let client_id = at.client_id.clone();
        let page = standby::pull(
            &state.db,
            state.clock.clone(),
            courier.clone(),
            at,
            q.min_lsn,
        )
        .await?;
        state.db.push_memory().learn(&client_id, &courier, &page);
        state.metrics.pulls.inc();
        return Ok(Json(page));
    }
    // Register the wait before reading, so that a change committed between the read and the
    // wait still wakes this pull. A wake-up that brings nothing new (another replica's echo of a
    // change already read, the listener reconnecting) waits again until the deadline.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(q.wait_s);
    let watch = state.db.feed().watch(&courier);
    let mut woken = false;
    loop {
        let changed = watch.notify().notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let page = read_page(&state, &courier, &at).await?;
        if !page.is_quiet() {
            state.db.push_memory().learn(&at.client_id, &courier, &page);
            if woken {
                state.metrics.long_poll_wakeups.inc();
            }
            state.metrics.pulls.inc();
            return Ok(Json(page));
        }
        if !woken {
            state.metrics.long_polls.inc();
        }
        let woke = tokio::select! {
            _ = &mut changed => true,
            _ = tokio::time::sleep_until(deadline) => false,
            _ = state.lifecycle.drained() => false,
        };
        if !woke {
            // Nothing new for this courier: the quiet page read before the wait still holds
            // (a timed-out long-poll costs no second transaction).
            state.metrics.pulls.inc();
            let mut page = page;
            page.server_time = state.clock.now();
            return Ok(Json(page));
        }
        woken = true;
    }
}

/// The store's pull position: the install, the page size and where the phone stands.
fn position(
    client_id: String,
    limit: usize,
    from: runsheet_protocol::PullPosition,
) -> PullPosition {
    PullPosition {
        client_id,
        cursor: from.cursor,
        limit,
        settings_version: from.settings_version,
        checklists_after: from.checklists_after,
        ratings_after: from.ratings_after,
        cases_after: from.cases_after,
        recalls_after: from.recalls_after,
        offers_after: from.offers_after,
        vehicle_version: from.vehicle_version,
        earnings_after: from.earnings_after,
        training_after: from.training_after,
        qualifications_after: from.qualifications_after,
    }
}

async fn read_page(
    state: &AppState,
    courier: &str,
    at: &PullPosition,
) -> Result<PullResponse, ApiError> {
    let (clock, courier, at) = (state.clock.clone(), courier.to_owned(), at.clone());
    Ok(state
        .db
        .run_autocommit(move |tx| sync::pull(tx, &clock, &courier, &at))
        .await?)
}

//! The sync client: push the outbox, then pull the server's changes and rebase pending actions
//! on top. One sync runs at a time; a failed sync leaves the store exactly as it was.

use std::collections::BTreeSet;
use std::sync::RwLock;
use std::time::Duration;

use runsheet_protocol::{
    Change, ErrorBody, MutationOutcome, PullResponse, PushRequest, PushResponse, MAX_PUSH_BATCH,
};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set, Store};
use crate::{outbox, task};

/// A bearer token. Kept in memory only; its `Debug` never prints it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Wraps a token string.
    pub fn new(s: impl Into<String>) -> Self {
        Token(s.into())
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Gives the core a fresh token when the server refuses the current one (implemented by the
/// shell, which may refresh it with the platform's auth service). Called off the main thread;
/// it may block. `None` means the courier must sign in again.
pub trait TokenProvider: Send + Sync {
    /// A new token, or `None`.
    fn fresh_token(&self) -> Option<Token>;
}

/// The HTTP side of sync: talks protocol v1 to one server.
pub struct Remote {
    http: reqwest::Client,
    base: String,
    token: RwLock<Token>,
}

impl Remote {
    /// A client for the server at `base_url` (`http://host:port`, no trailing path).
    pub fn new(base_url: &str, token: Token) -> Result<Self> {
        let base = base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::InvalidArgument(
                "the server URL must start with http:// or https://".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .gzip(true)
            .user_agent(concat!("runsheet-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::InvalidArgument(format!("HTTP client: {e}")))?;
        Ok(Remote {
            http,
            base,
            token: RwLock::new(token),
        })
    }

    /// Replaces the token (after the courier signs in again).
    pub fn set_token(&self, token: Token) {
        *self.token.write().unwrap_or_else(|p| p.into_inner()) = token;
    }

    fn bearer(&self) -> String {
        let t = self.token.read().unwrap_or_else(|p| p.into_inner());
        format!("Bearer {}", t.0)
    }

    /// `POST /v1/sync/push`.
    pub async fn push(&self, req: &PushRequest) -> Result<PushResponse> {
        let resp = self
            .http
            .post(format!("{}/v1/sync/push", self.base))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .json(req)
            .send()
            .await
            .map_err(transport_error)?;
        decode(resp).await
    }

    /// `PUT /v1/attachments/{sha256}`.
    pub async fn put_attachment(&self, sha: &str, bytes: Vec<u8>) -> Result<()> {
        let resp = self
            .http
            .put(format!("{}/v1/attachments/{sha}", self.base))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes)
            .timeout(Duration::from_secs(120))
            .send()
            .await
            .map_err(transport_error)?;
        decode::<serde_json::Value>(resp).await.map(|_| ())
    }

    /// `POST /v1/sync/locations`.
    pub async fn push_locations(
        &self,
        batch: &runsheet_protocol::LocationBatch,
    ) -> Result<runsheet_protocol::LocationAck> {
        let resp = self
            .http
            .post(format!("{}/v1/sync/locations", self.base))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .json(batch)
            .send()
            .await
            .map_err(transport_error)?;
        decode(resp).await
    }

    /// `GET /v1/sync/pull`.
    pub async fn pull(
        &self,
        client_id: &str,
        cursor: i64,
        settings_version: i64,
        checklists_after: i64,
        ratings_after: i64,
    ) -> Result<PullResponse> {
        let at = PullPosition {
            cursor,
            settings_version,
            checklists_after,
            ratings_after,
        };
        let resp = self
            .pull_request(client_id, &at)
            .send()
            .await
            .map_err(transport_error)?;
        decode(resp).await
    }

    /// A long-poll: `GET /v1/sync/pull` with `wait_s` and a page of one. True when the server
    /// has something after `at` (it answers as soon as a change commits, or after `wait`).
    /// Nothing is applied: the caller syncs.
    pub async fn wait_for_change(
        &self,
        client_id: &str,
        at: &PullPosition,
        wait: Duration,
    ) -> Result<bool> {
        let wait_s = wait.as_secs().clamp(1, 30);
        let resp = self
            .pull_request(client_id, at)
            .query(&[("wait_s", wait_s.to_string()), ("limit", "1".into())])
            .timeout(Duration::from_secs(wait_s + 15))
            .send()
            .await
            .map_err(transport_error)?;
        let page: PullResponse = decode(resp).await?;
        Ok(!page.changes.is_empty()
            || page.settings.is_some()
            || !page.checklists.is_empty()
            || !page.ratings.is_empty())
    }

    fn pull_request(&self, client_id: &str, at: &PullPosition) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}/v1/sync/pull", self.base))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .query(&[
                ("client_id", client_id),
                ("cursor", &at.cursor.to_string()),
                ("settings_version", &at.settings_version.to_string()),
                ("checklists_after", &at.checklists_after.to_string()),
                ("ratings_after", &at.ratings_after.to_string()),
            ])
    }
}

/// What the phone already holds of each server feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullPosition {
    /// Task change cursor.
    pub cursor: i64,
    /// Settings version.
    pub settings_version: i64,
    /// Highest checklist publication.
    pub checklists_after: i64,
    /// Highest rating sequence.
    pub ratings_after: i64,
}

/// Reads the phone's position in each feed.
pub(crate) fn position(store: &Store) -> Result<PullPosition> {
    Ok(PullPosition {
        cursor: store.read(|c| {
            Ok(meta_get(c, "pull_cursor")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0))
        })?,
        settings_version: store.read(crate::settings::load)?.version,
        checklists_after: store.read(crate::checklist::last_seq)?,
        ratings_after: store.read(crate::rating::last_seq)?,
    })
}

fn transport_error(e: reqwest::Error) -> Error {
    // reqwest's Display can include the URL; ours has no personal data or token in it.
    Error::Offline(e.without_url().to_string())
}

async fn decode<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T> {
    let status = resp.status();
    // Only the delta-seconds form; an HTTP date is treated as "no advice".
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let bytes = resp.bytes().await.map_err(transport_error)?;
    if status.is_success() {
        return serde_json::from_slice(&bytes)
            .map_err(|e| Error::BadResponse(format!("HTTP {status}: {e}")));
    }
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(Error::AuthRequired);
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
    let (code, reason) = match body {
        Some(b) => (b.error, b.reason),
        None => ("unknown".to_owned(), "no readable error body".to_owned()),
    };
    Err(Error::Server {
        status: status.as_u16(),
        code,
        reason,
        retry_after,
    })
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncReport {
    /// Mutations the server applied now.
    pub pushed: u64,
    /// Mutations the server had already applied (an earlier answer was lost).
    pub duplicates: u64,
    /// Mutations the server refused (kept as notices).
    pub rejected: u64,
    /// Task changes pulled and applied.
    pub pulled_changes: u64,
    /// Tasks whose stored state changed.
    pub changed_task_ids: Vec<String>,
    /// Mutation ids the server refused in this sync.
    pub rejected_ids: Vec<i64>,
    /// Pending mutations left after the sync.
    pub pending: u64,
    /// Attachments uploaded in this sync.
    pub uploaded: u64,
    /// The platform published new settings, now applied.
    pub settings_changed: bool,
    /// Ratings new or changed (an appeal decided) in this sync.
    pub new_ratings: Vec<String>,
}

/// Pushes every pending mutation, then pulls and applies the server's changes.
pub(crate) async fn run(store: &Store, remote: &Remote, now: i64) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let client_id = store.read(|c| {
        meta_get(c, "client_id")?.ok_or_else(|| Error::Corrupt("store has no client id".into()))
    })?;
    let mut changed = BTreeSet::new();

    // Push, in batches, oldest first.
    loop {
        let batch = store.read(|c| outbox::pending(c, MAX_PUSH_BATCH))?;
        if batch.is_empty() {
            break;
        }
        let full = batch.len() == MAX_PUSH_BATCH;
        let sent: Vec<i64> = batch.iter().map(|m| m.mutation_id).collect();
        let highest_sent = sent.last().copied().unwrap_or(0);
        let req = PushRequest {
            client_id: client_id.clone(),
            mutations: batch,
        };
        let resp = match remote.push(&req).await {
            Ok(r) => r,
            Err(e) => {
                let note = e.to_string();
                store.write(|tx| outbox::note_attempt(tx, &note))?;
                return Err(e);
            }
        };
        if resp.last_mutation_id > highest_sent {
            return Err(Error::Protocol(format!(
                "server says mutation {} was processed, but this device has only sent up to {highest_sent}",
                resp.last_mutation_id
            )));
        }
        store.write(|tx| {
            for r in &resp.results {
                if !sent.contains(&r.mutation_id) {
                    return Err(Error::Protocol(format!(
                        "server answered for mutation {} which was not sent",
                        r.mutation_id
                    )));
                }
                match &r.outcome {
                    MutationOutcome::Applied => report.pushed += 1,
                    MutationOutcome::Duplicate => report.duplicates += 1,
                    MutationOutcome::Rejected { code, reason } => {
                        report.rejected += 1;
                        report.rejected_ids.push(r.mutation_id);
                        tracing::warn!(
                            mutation_id = r.mutation_id,
                            code = code.as_str(),
                            "mutation rejected"
                        );
                        outbox::reject(tx, r.mutation_id, code.as_str(), reason, now)?;
                    }
                }
            }
            for (_, task_id) in outbox::acknowledge_through(tx, resp.last_mutation_id)? {
                changed.insert(task_id);
            }
            Ok(())
        })?;
        if !full {
            break;
        }
    }

    // Pull every page, then apply them all in one transaction with the new cursor.
    let PullPosition {
        cursor,
        settings_version,
        checklists_after,
        ratings_after,
    } = position(store)?;
    let mut pages = Vec::new();
    let mut next = cursor;
    loop {
        let page = remote
            .pull(
                &client_id,
                next,
                settings_version,
                checklists_after,
                ratings_after,
            )
            .await?;
        if page.cursor < next {
            return Err(Error::BadResponse(format!(
                "pull cursor went backwards ({} after {next})",
                page.cursor
            )));
        }
        next = page.cursor;
        let more = page.has_more;
        pages.push(page);
        if !more {
            break;
        }
    }
    store.write(|tx| {
        for page in &pages {
            for change in &page.changes {
                report.pulled_changes += 1;
                match change {
                    Change::UpsertTask { task: doc } => {
                        task::upsert_from_server(tx, doc)?;
                        changed.insert(doc.id.clone());
                    }
                    Change::RemoveTask { task_id } => {
                        if task::remove(tx, task_id)? {
                            changed.insert(task_id.clone());
                        }
                    }
                }
            }
        }
        if let Some(last) = pages.last() {
            // Mutations the server processed but whose push answer was lost.
            for (_, task_id) in outbox::acknowledge_through(tx, last.last_mutation_id)? {
                changed.insert(task_id);
            }
        }
        // Rebase: the courier's still-pending actions go back on top of the server's state.
        for task_id in &changed {
            for action in outbox::pending_for_task(tx, task_id)? {
                match task::apply_action(tx, &action) {
                    Ok(()) => {}
                    Err(Error::TaskNotFound { .. }) | Err(Error::InvalidTransition { .. }) => {
                        // Kept in the outbox: a physical fact the server must still record.
                        tracing::info!(
                            action = action.name(),
                            "pending action no longer applies locally"
                        );
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        meta_set(tx, "pull_cursor", &next.to_string())?;
        meta_set(tx, "last_sync_ok", &now.to_string())?;
        for page in &pages {
            for t in &page.checklists {
                crate::checklist::store_template(tx, t)?;
            }
            for r in &page.ratings {
                crate::rating::store(tx, r)?;
                report.new_ratings.push(r.id.clone());
            }
        }
        if let Some(settings) = pages.iter().rev().find_map(|p| p.settings.as_ref()) {
            crate::settings::store(tx, settings)?;
            report.settings_changed = true;
        }
        if let Some(last) = pages.last() {
            // How far the device clock is from the server's (positive: the device is behind).
            meta_set(tx, "clock_offset", &(last.server_time - now).to_string())?;
        }
        Ok(())
    })?;
    report.pending = store.read(outbox::stats)?.0;
    report.changed_task_ids = changed.into_iter().collect();
    report.uploaded = upload_attachments(store, remote, now).await?;
    send_locations(store, remote, &client_id).await?;
    Ok(report)
}

/// Sends buffered GPS fixes, last and least important: a failure leaves them buffered and does
/// not fail the sync (a refused token does).
async fn send_locations(store: &Store, remote: &Remote, client_id: &str) -> Result<()> {
    use crate::location;
    loop {
        let (fixes, dropped) =
            store.read(|c| location::pending(c, runsheet_protocol::MAX_LOCATION_BATCH))?;
        let Some(last) = fixes.last().map(|f| f.seq) else {
            return Ok(());
        };
        let full = fixes.len() == runsheet_protocol::MAX_LOCATION_BATCH;
        let batch = runsheet_protocol::LocationBatch {
            client_id: client_id.to_owned(),
            fixes,
            dropped,
        };
        match remote.push_locations(&batch).await {
            Ok(_) => store.write(|tx| location::acknowledge(tx, last, dropped))?,
            Err(Error::AuthRequired) => return Err(Error::AuthRequired),
            Err(e) => {
                tracing::info!(error = %e, "location fixes deferred");
                return Ok(());
            }
        }
        if !full {
            return Ok(());
        }
    }
}

/// Uploads pending attachments, oldest first, after the actions that refer to them have gone.
/// A failed upload stays queued for the next sync and does not fail this one (the courier's
/// actions are already on the server); a refused token does.
async fn upload_attachments(store: &Store, remote: &Remote, now: i64) -> Result<u64> {
    use crate::attachment::{self, UploadState};
    let mut uploaded = 0;
    for a in store.read(attachment::pending)? {
        let bytes = match std::fs::read(&a.path) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "attachment file gone before upload");
                let note = format!("file unreadable: {}", e.kind());
                store.write(|tx| {
                    attachment::set_state(tx, &a.sha256, UploadState::Missing, Some(&note), now)
                })?;
                continue;
            }
        };
        match remote.put_attachment(&a.sha256, bytes).await {
            Ok(()) => {
                store.write(|tx| {
                    attachment::set_state(tx, &a.sha256, UploadState::Uploaded, None, now)
                })?;
                uploaded += 1;
            }
            Err(Error::AuthRequired) => return Err(Error::AuthRequired),
            Err(Error::Server { code, .. }) if code == "hash_mismatch" => {
                // The file changed after it was recorded: the evidence no longer matches.
                store.write(|tx| {
                    attachment::set_state(
                        tx,
                        &a.sha256,
                        UploadState::Missing,
                        Some("file changed after it was recorded"),
                        now,
                    )
                })?;
            }
            Err(e) => {
                let note = e.to_string();
                store.write(|tx| {
                    attachment::set_state(tx, &a.sha256, UploadState::Pending, Some(&note), now)
                })?;
                tracing::info!(error = %e, "attachment upload deferred");
                break;
            }
        }
    }
    Ok(uploaded)
}

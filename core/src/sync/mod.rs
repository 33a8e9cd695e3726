//! The sync client: push the outbox, then pull the server's changes and rebase pending actions
//! on top. One sync runs at a time; a failed sync leaves the store exactly as it was.
//!
//! The server is a [`Remote`]: [`http::HttpRemote`] in production, a scripted one in the tests of
//! `core/tests/sync_offline.rs`, which run every hostile-server case without a socket.

pub mod http;

use std::collections::BTreeSet;
use std::time::Duration;

use runsheet_protocol::{
    Change, LocationAck, LocationBatch, MutationOutcome, NearbyHandovers, PullResponse,
    PushRequest, PushResponse, PushTokenAck, PushTokenRegistration, TakenHandover, MAX_PUSH_BATCH,
};

use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set, Store};
use crate::{
    attachment, capacity, cases, checklist, location, offer, outbox, push_token, rating, recall,
    settings, task, training,
};

/// A bearer token. Kept in memory only; its `Debug` never prints it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Wraps a token string.
    pub fn new(s: impl Into<String>) -> Self {
        Token(s.into())
    }

    /// The token's text, for a [`Remote`] to send as the bearer. Never log it.
    pub fn secret(&self) -> &str {
        &self.0
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

/// The server as sync sees it: protocol v1's push, pull, attachment upload, location batches
/// and long-poll. [`http::HttpRemote`] talks to a real server over HTTP; the core's socket-free tests
/// script one in memory; a platform may bring its own transport through
/// [`crate::Runsheet::open_with_remote`].
///
/// An implementation reports failures with the core's error: [`Error::Offline`] when the
/// server was not reached or the connection broke (reset, truncated body, timeout),
/// [`Error::AuthRequired`] for a refused token (HTTP 401), [`Error::Server`] for any other
/// error status (with the server's code and its `Retry-After` in seconds), and
/// [`Error::BadResponse`] for an answer that cannot be decoded. Sync trusts nothing it is
/// given: a nonsensical answer (acknowledgements for mutations never sent, a cursor going
/// back) fails the sync and changes nothing.
#[async_trait::async_trait]
pub trait Remote: Send + Sync {
    /// Sends a batch of mutations (`POST /v1/sync/push`).
    async fn push(&self, req: &PushRequest) -> Result<PushResponse>;

    /// One page of the server's changes after `at` (`GET /v1/sync/pull`).
    async fn pull(&self, client_id: &str, at: &PullPosition) -> Result<PullResponse>;

    /// Uploads a proof file by its SHA-256 (`PUT /v1/attachments/{sha256}`).
    async fn put_attachment(&self, sha256: &str, bytes: Vec<u8>) -> Result<()>;

    /// Sends buffered GPS fixes (`POST /v1/sync/locations`).
    async fn push_locations(&self, batch: &LocationBatch) -> Result<LocationAck>;

    /// Registers the install's push token (`PUT /v1/sync/push-token`).
    async fn register_push_token(&self, reg: &PushTokenRegistration) -> Result<PushTokenAck>;

    /// Waits up to `wait` (at most 30 s) for the server to have something after `at`, and
    /// returns the page the server answered from `at` (a whole page, as [`Remote::pull`]
    /// answers it) when it brings something ([`PullResponse::is_quiet`] is false); `None`
    /// when nothing came. Nothing is applied here: the next sync takes the page as its first
    /// one when the phone still stands at `at` and has nothing to push.
    async fn wait_for_change(
        &self,
        client_id: &str,
        at: &PullPosition,
        wait: Duration,
    ) -> Result<Option<PullResponse>>;

    /// Replaces the bearer token (after the courier signs in again, or from the token
    /// provider after a 401).
    fn set_token(&self, token: Token);

    /// The open handover requests of other couriers near (`lat`, `lon`), nearest first
    /// (`GET /v1/handovers/nearby`). A remote that is no dispatch server (a test double of
    /// sync alone) answers [`Error::Offline`](Error::Offline).
    async fn nearby_handovers(&self, _lat: f64, _lon: f64) -> Result<NearbyHandovers> {
        Err(Error::Offline(
            "this remote lists no nearby handovers".into(),
        ))
    }

    /// Takes the task's open handover request (`POST /v1/handovers/{task_id}/take`): this
    /// courier becomes its receiving courier. Refusals are [`Error::Server`] 409s with the
    /// server's code (`handover_to_self`, `courier_off_duty`, `handover_already_assigned`, ...).
    /// A remote that is no dispatch server answers [`Error::Offline`].
    async fn take_handover(&self, _task_id: &str) -> Result<TakenHandover> {
        Err(Error::Offline("this remote takes no handovers".into()))
    }
}

pub use runsheet_protocol::PullPosition;

/// Reads the phone's position in each feed.
pub(crate) fn position(store: &Store) -> Result<PullPosition> {
    Ok(PullPosition {
        cursor: store.read(|c| {
            Ok(meta_get(c, "pull_cursor")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0))
        })?,
        settings_version: store.read(settings::load)?.version,
        checklists_after: store.read(checklist::last_seq)?,
        ratings_after: store.read(rating::last_seq)?,
        cases_after: store.read(cases::last_seq)?,
        recalls_after: store.read(recall::last_seq)?,
        offers_after: store.read(offer::last_seq)?,
        vehicle_version: store.read(capacity::vehicle_version)?,
        earnings_after: store.read(crate::earnings::last_seq)?,
        training_after: store.read(training::last_seq)?,
        qualifications_after: store.read(training::last_qualification_seq)?,
    })
}

/// Whether the courier's actions have left the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncStatus {
    /// Actions saved on the device and not yet acknowledged by the server.
    pub pending: u64,
    /// Device time of the oldest pending action, Unix seconds.
    pub oldest_pending_at: Option<i64>,
    /// When a sync last completed, Unix seconds.
    pub last_success_at: Option<i64>,
    /// Why the last sync failed, if it did (no personal data).
    pub last_error: Option<String>,
    /// Server time minus device time at the last pull, seconds (positive: the device clock is
    /// behind). Lets the shell warn about a wrong clock and the server order events.
    pub clock_offset_seconds: Option<i64>,
    /// Proof attachments not yet uploaded.
    pub pending_uploads: u64,
    /// GPS fixes buffered on the phone.
    pub pending_fixes: u64,
    /// GPS fixes dropped (buffer full) and not yet reported to the server.
    pub dropped_fixes: u64,
    /// Whether the last sync attempt reached the server (`None` before the first attempt).
    pub online: Option<bool>,
}

/// The outbox's state as the store holds it, with the last attempt's outcome (kept in memory
/// by the caller).
pub(crate) fn status(
    store: &Store,
    online: Option<bool>,
    last_error: Option<String>,
) -> Result<SyncStatus> {
    let (pending, oldest_pending_at, last_ok, offset, uploads, fixes) = store.read(|c| {
        let (n, oldest) = outbox::stats(c)?;
        let last = meta_get(c, "last_sync_ok")?.and_then(|v| v.parse().ok());
        let offset = meta_get(c, "clock_offset")?.and_then(|v| v.parse().ok());
        let uploads = attachment::pending(c)?.len() as u64;
        Ok((n, oldest, last, offset, uploads, location::stats(c)?))
    })?;
    Ok(SyncStatus {
        pending,
        oldest_pending_at,
        last_success_at: last_ok,
        clock_offset_seconds: offset,
        pending_uploads: uploads,
        pending_fixes: fixes.0,
        dropped_fixes: fixes.1,
        online,
        last_error,
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
    /// After-sales cases new or changed in this sync.
    pub changed_cases: Vec<i64>,
    /// Of those, the cases that ask the courier now (new, or now waiting for a statement).
    pub cases_asking: Vec<i64>,
    /// Recalls issued or lifted in this sync.
    pub changed_recalls: Vec<i64>,
    /// Offers new to the phone and open, received in this sync.
    pub new_offers: Vec<i64>,
    /// Offers whose acceptance the server refused in this sync (it came after the expiry, or
    /// dispatch had withdrawn the offer).
    pub refused_offers: Vec<i64>,
    /// Offers withdrawn (by dispatch, or a task gone elsewhere) while they waited for the
    /// courier's answer, received in this sync.
    pub withdrawn_offers: Vec<i64>,
    /// Dispatch set a new vehicle or box for the courier, now applied.
    pub vehicle_changed: bool,
    /// Earning lines new or changed (confirmed, appeal decided) in this sync.
    pub changed_earnings: Vec<String>,
    /// Of those, the lines whose appeal was decided (upheld or rejected) in this sync.
    pub decided_pay_appeals: Vec<String>,
}

/// Most rounds in one sync: a round that put the queue right (see [`recover`]) starts over.
const MAX_ROUNDS: usize = 3;

/// A page the server answered from a position, before the sync that applies it: the
/// long-poll's ([`Remote::wait_for_change`]), or the one a push answered.
pub(crate) type Page = (PullPosition, PullResponse);

/// Pushes every pending mutation, then pulls and applies the server's changes. When the server
/// finds this install's client id reused, or has lost acknowledged mutations, the queue is put
/// right first and the sync starts over.
///
/// `prefetched` is the page a long-poll brought, with the position it was asked from: the
/// first round takes it as its first page instead of pulling when it pushed nothing and the
/// store still stands at that position; otherwise it is dropped. Either way it is used at
/// most once.
pub(crate) async fn run(
    store: &Store,
    remote: &dyn Remote,
    now: i64,
    mut prefetched: Option<Page>,
) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let mut changed = BTreeSet::new();
    for _ in 0..MAX_ROUNDS {
        let kept = prefetched.take();
        if round(store, remote, now, kept, &mut report, &mut changed).await? {
            report.pending = store.read(outbox::stats)?.0;
            report.changed_task_ids = changed.into_iter().collect();
            let client_id = client_id(store)?;
            report.uploaded = upload_attachments(store, remote, now).await?;
            send_locations(store, remote, &client_id).await?;
            send_push_token(store, remote, &client_id).await?;
            return Ok(report);
        }
    }
    Err(Error::Protocol(
        "the server kept disagreeing with this device about which mutations it holds".into(),
    ))
}

fn client_id(store: &Store) -> Result<String> {
    store.read(|c| {
        meta_get(c, "client_id")?.ok_or_else(|| Error::Corrupt("store has no client id".into()))
    })
}

/// Puts the queue right after an answer that says the server and this install disagree about
/// the install's history, and returns true (the sync starts over); false for any other error.
///
/// - `mutation_id_reused` naming id `k`: another install has this client id (the database was
///   restored from a backup or copied). The queued ids before `k` are ones the server holds with
///   the same content (duplicates); the rest get a new client id and new ids from 1, in one
///   transaction, and the pull starts again from the beginning, as a new install's would.
/// - `mutation_gap` or `server_behind` expecting an id this install already had acknowledged:
///   the server lost commits (restored a backup). The acknowledged mutations it lost go back in
///   the queue from the kept history, ahead of the pending ones, and the pull cursor is reset
///   so the next pull reconciles every task. If the history no longer holds all of them, what
///   it holds and what is pending go under a new client id instead.
fn recover(store: &Store, e: &Error, now: i64) -> Result<bool> {
    let Error::Server {
        status: 409,
        code,
        mutation_id: Some(id),
        ..
    } = e
    else {
        return Ok(false);
    };
    match code.as_str() {
        "mutation_id_reused" => {
            store.write(|tx| {
                outbox::acknowledge_through(tx, id - 1, now)?;
                let queued = rekey(tx)?;
                tracing::warn!(
                    reused = *id,
                    queued,
                    "client id in use by another install; re-keyed this one"
                );
                Ok(())
            })?;
            Ok(true)
        }
        "mutation_gap" | "server_behind" => {
            let server_last = id - 1;
            store.write(|tx| {
                let acked = outbox::acknowledged_up_to(tx)?;
                if server_last > acked {
                    return Ok(false);
                }
                rewind(tx, server_last)?;
                Ok(true)
            })
        }
        _ => Ok(false),
    }
}

/// The server's last applied id from this install is `server_last`, below what it had
/// acknowledged: re-queue what it lost and re-pull from the start.
fn rewind(tx: &rusqlite::Connection, server_last: i64) -> Result<()> {
    let acked = outbox::acknowledged_up_to(tx)?;
    let complete = outbox::requeue_acked(tx, server_last)?;
    if complete {
        tracing::warn!(
            server_last,
            resent = acked - server_last,
            "the server lost acknowledged mutations; sending them again"
        );
    } else {
        let queued = rekey(tx)?;
        tracing::warn!(
            server_last,
            queued,
            "the server lost acknowledged mutations no longer kept here; re-keyed the install"
        );
    }
    meta_set(tx, "pull_cursor", "0")
}

/// A new client id for this install, its queue renumbered from 1, its pull started over.
fn rekey(tx: &rusqlite::Connection) -> Result<i64> {
    meta_set(tx, "client_id", &uuid::Uuid::new_v4().to_string())?;
    meta_set(tx, "pull_cursor", "0")?;
    outbox::renumber(tx)
}

/// One push and pull; false when the queue was put right ([`recover`]) and the sync must
/// start over. `kept` is a page a long-poll brought (see [`run`]).
async fn round(
    store: &Store,
    remote: &dyn Remote,
    now: i64,
    kept: Option<Page>,
    report: &mut SyncReport,
    changed: &mut BTreeSet<String>,
) -> Result<bool> {
    let client_id = client_id(store)?;

    // Push, in batches, oldest first. The last batch asks for the pull's first page too (one
    // request for a sync after an action); a server that answers none is pulled from below.
    let mut pulled: Option<Page> = None;
    let mut pushed = false;
    loop {
        let batch = store.read(|c| outbox::pending(c, MAX_PUSH_BATCH))?;
        if batch.is_empty() {
            break;
        }
        pushed = true;
        let full = batch.len() == MAX_PUSH_BATCH;
        let sent: Vec<i64> = batch.iter().map(|m| m.mutation_id).collect();
        let highest_sent = sent.last().copied().unwrap_or(0);
        let pull_from = if full { None } else { Some(position(store)?) };
        let req = PushRequest {
            client_id: client_id.clone(),
            mutations: batch,
            sent_at: Some(now),
            pull: pull_from,
        };
        let mut resp = match remote.push(&req).await {
            Ok(r) => r,
            Err(e) => {
                if recover(store, &e, now)? {
                    return Ok(false);
                }
                let note = e.to_string();
                store.write(|tx| outbox::note_attempt(tx, &note))?;
                return Err(e);
            }
        };
        if let (Some(from), Some(page)) = (pull_from, resp.pulled.take()) {
            pulled = Some((from, *page));
        }
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
                        // A refused statement is no longer shown as the courier's answer.
                        let refused = req
                            .mutations
                            .iter()
                            .find(|m| m.mutation_id == r.mutation_id);
                        match refused.map(|m| &m.action) {
                            Some(runsheet_protocol::Action::AnswerCase { case_id, .. }) => {
                                cases::drop_answer(tx, *case_id)?;
                            }
                            // A late acceptance, or one for an offer withdrawn meanwhile: the
                            // offer shows as refused, nothing added.
                            Some(runsheet_protocol::Action::AcceptOffer { offer_id }) => {
                                offer::refuse(tx, *offer_id, r.mutation_id, reason)?;
                                report.refused_offers.push(*offer_id);
                            }
                            Some(runsheet_protocol::Action::DeclineOffer { offer_id, .. }) => {
                                offer::drop_answer(tx, *offer_id)?;
                            }
                            _ => {}
                        }
                        // Refused answers to a quiz no longer count as a pass.
                        if let Some(runsheet_protocol::Action::TakeQuiz {
                            module_id,
                            module_version,
                            ..
                        }) = refused.map(|m| &m.action)
                        {
                            training::refuse_attempts(
                                tx,
                                module_id,
                                *module_version,
                                code.as_str(),
                            )?;
                        }
                    }
                }
            }
            for (_, task_id) in outbox::acknowledge_through(tx, resp.last_mutation_id, now)? {
                changed.insert(task_id);
            }
            Ok(())
        })?;
        if !full {
            break;
        }
    }

    // The long-poll's page is the first page when nothing was pushed (a push's page is newer
    // and wins) and the phone still stands where the long-poll asked from (a sync meanwhile
    // moved it: the page is stale). It then goes through exactly what a pulled page does.
    if let Some((from, page)) = kept {
        if !pushed && from == position(store)? {
            pulled = Some((from, page));
        } else {
            tracing::debug!(
                pushed,
                "the long-poll's page no longer fits; pulling instead"
            );
        }
    }

    // Pull every page, then apply them all in one transaction with the new cursor. Only the
    // task cursor moves between pages; the other feeds come whole with the first page that
    // has them.
    let (mut at, mut first) = match pulled {
        Some((from, page)) => (from, Some(page)),
        None => (position(store)?, None),
    };
    let mut pages = Vec::new();
    loop {
        let page = match first.take() {
            Some(page) => page,
            None => match remote.pull(&client_id, &at).await {
                Ok(page) => page,
                Err(e) if recover(store, &e, now)? => return Ok(false),
                Err(e) => return Err(e),
            },
        };
        if page.cursor < at.cursor {
            return Err(Error::BadResponse(format!(
                "pull cursor went backwards ({} after {})",
                page.cursor, at.cursor
            )));
        }
        at.cursor = page.cursor;
        let more = page.has_more;
        pages.push(page);
        if !more {
            break;
        }
    }
    let server_last = pages.last().map_or(0, |p| p.last_mutation_id);
    let lost = store.write(|tx| {
        if server_last < outbox::acknowledged_up_to(tx)? {
            rewind(tx, server_last)?;
            return Ok(true);
        }
        Ok(false)
    })?;
    if lost {
        return Ok(false);
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
            for (_, task_id) in outbox::acknowledge_through(tx, last.last_mutation_id, now)? {
                changed.insert(task_id);
            }
        }
        // Rebase: the courier's still-pending actions go back on top of the server's state.
        for task_id in changed.iter() {
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
        meta_set(tx, "pull_cursor", &at.cursor.to_string())?;
        meta_set(tx, "last_sync_ok", &now.to_string())?;
        for page in &pages {
            for t in &page.checklists {
                checklist::store_template(tx, t)?;
            }
            for r in &page.ratings {
                rating::store(tx, r)?;
                report.new_ratings.push(r.id.clone());
            }
            for c in &page.cases {
                if cases::store(tx, c)? {
                    report.cases_asking.push(c.id);
                }
                report.changed_cases.push(c.id);
            }
            for r in &page.recalls {
                recall::store(tx, r)?;
                report.changed_recalls.push(r.id);
            }
            for o in &page.offers {
                match offer::store(tx, o)? {
                    offer::OfferNews::New => report.new_offers.push(o.id),
                    offer::OfferNews::Withdrawn => report.withdrawn_offers.push(o.id),
                    offer::OfferNews::Nothing => {}
                }
            }
            for l in &page.earnings {
                if crate::earnings::store(tx, l)? {
                    report.decided_pay_appeals.push(l.id.clone());
                }
                report.changed_earnings.push(l.id.clone());
            }
            for m in &page.training {
                training::store_module(tx, m)?;
            }
            for q in &page.qualifications {
                training::store_qualification(tx, q)?;
            }
        }
        if let Some(settings) = pages.iter().rev().find_map(|p| p.settings.as_ref()) {
            settings::store(tx, settings)?;
            report.settings_changed = true;
        }
        if let Some(vehicle) = pages.iter().rev().find_map(|p| p.vehicle.as_ref()) {
            report.vehicle_changed = capacity::store_vehicle(tx, vehicle)?;
        }
        if let Some(last) = pages.last() {
            // How far the device clock is from the server's (positive: the device is behind).
            meta_set(tx, "clock_offset", &(last.server_time - now).to_string())?;
        }
        Ok(())
    })?;
    Ok(true)
}

/// Sends buffered GPS fixes, last and least important: a failure leaves them buffered and does
/// not fail the sync (a refused token does).
async fn send_locations(store: &Store, remote: &dyn Remote, client_id: &str) -> Result<()> {
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

/// Sends the install's push token when the server does not have it yet: a failure leaves it
/// pending and does not fail the sync (a refused courier token does).
async fn send_push_token(store: &Store, remote: &dyn Remote, client_id: &str) -> Result<()> {
    let Some(reg) = store.read(|c| push_token::unsent(c, client_id))? else {
        return Ok(());
    };
    match remote.register_push_token(&reg).await {
        Ok(_) => store.write(|tx| push_token::acknowledge(tx, &reg)),
        Err(Error::AuthRequired) => Err(Error::AuthRequired),
        Err(e) => {
            tracing::info!(error = %e, "push token registration deferred");
            Ok(())
        }
    }
}

/// Uploads pending attachments, oldest first, after the actions that refer to them have gone.
/// A failed upload stays queued for the next sync and does not fail this one (the courier's
/// actions are already on the server); a refused token does.
async fn upload_attachments(store: &Store, remote: &dyn Remote, now: i64) -> Result<u64> {
    use attachment::UploadState;
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

#[cfg(test)]
mod tests {
    use super::*;
    use runsheet_protocol::Settings;
    use std::sync::Mutex;

    /// A server with nothing new, which records where each pull asked from.
    #[derive(Default)]
    struct Quiet(Mutex<Vec<PullPosition>>);

    fn quiet_page(cursor: i64) -> PullResponse {
        serde_json::from_value(serde_json::json!({
            "changes": [],
            "cursor": cursor,
            "has_more": false,
            "last_mutation_id": 0,
            "server_time": 1_800_000_000,
        }))
        .unwrap()
    }

    #[async_trait::async_trait]
    impl Remote for Quiet {
        async fn push(&self, _req: &PushRequest) -> Result<PushResponse> {
            Err(Error::Offline("nothing is queued in these tests".into()))
        }

        async fn pull(&self, _client_id: &str, at: &PullPosition) -> Result<PullResponse> {
            self.0.lock().unwrap().push(*at);
            Ok(quiet_page(at.cursor))
        }

        async fn put_attachment(&self, _sha256: &str, _bytes: Vec<u8>) -> Result<()> {
            Ok(())
        }

        async fn push_locations(&self, batch: &LocationBatch) -> Result<LocationAck> {
            Ok(LocationAck {
                stored: batch.fixes.len() as u64,
            })
        }

        async fn register_push_token(&self, _reg: &PushTokenRegistration) -> Result<PushTokenAck> {
            Err(Error::Offline("no push tokens here".into()))
        }

        async fn wait_for_change(
            &self,
            _client_id: &str,
            _at: &PullPosition,
            _wait: Duration,
        ) -> Result<Option<PullResponse>> {
            Ok(None)
        }

        fn set_token(&self, _token: Token) {}
    }

    /// A long-poll's page that brings new settings (version 7).
    fn settings_page() -> PullResponse {
        PullResponse {
            settings: Some(Settings {
                version: 7,
                ..Settings::default()
            }),
            ..quiet_page(0)
        }
    }

    #[tokio::test]
    async fn a_kept_page_is_the_first_page_only_from_where_the_store_stands() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("phone.db")).unwrap();
        let remote = Quiet::default();
        let here = position(&store).unwrap();
        // Asked from elsewhere (the store moved since): dropped, the sync pulls from here.
        let elsewhere = PullPosition {
            settings_version: 3,
            ..here
        };
        let report = run(&store, &remote, 1, Some((elsewhere, settings_page())))
            .await
            .unwrap();
        assert!(!report.settings_changed);
        assert_eq!(*remote.0.lock().unwrap(), vec![here]);
        assert_eq!(store.read(settings::load).unwrap().version, 0);
        // Asked from here: applied as the first page, no pull.
        let report = run(&store, &remote, 2, Some((here, settings_page())))
            .await
            .unwrap();
        assert!(report.settings_changed);
        assert_eq!(remote.0.lock().unwrap().len(), 1);
        assert_eq!(store.read(settings::load).unwrap().version, 7);
    }
}

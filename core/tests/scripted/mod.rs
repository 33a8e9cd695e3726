//! The scripted server the core's feature suites (`after_sales.rs`, `capacity.rs`, `door.rs`,
//! `handover.rs`) sync with: an in-memory `Remote` that applies every push (unless a test
//! refuses an action), answers each pull from the feeds a test filled (tasks from the cursor;
//! cases, recalls, checklists and the vehicle after the phone's position), and records what
//! it was sent. `sync_offline.rs` keeps its own, which scripts failures and timings.

#![allow(dead_code)]

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use runsheet_core::{Action, Clock, Config, Error, PullPosition, Remote, Runsheet, Token};
use runsheet_protocol::{
    CaseDoc, Change, ChecklistTemplate, LocationAck, LocationBatch, MutationOutcome,
    MutationResult, PullResponse, PushRequest, PushResponse, PushTokenAck, PushTokenRegistration,
    RecallDoc, TaskDoc, VehicleDoc,
};

/// The server's time and the phone's.
pub const NOW: i64 = 1_800_000_000;

/// A test's refusal of some actions: the outcome to answer instead of applying.
pub type Refusal = Box<dyn Fn(&Action) -> Option<MutationOutcome> + Send>;

/// What the server holds and what it was sent.
#[derive(Default)]
pub struct State {
    /// The task feed: a pull from cursor `n` gets the tasks from index `n` on.
    pub tasks: Vec<TaskDoc>,
    pub cases: Vec<CaseDoc>,
    pub recalls: Vec<RecallDoc>,
    pub checklists: Vec<ChecklistTemplate>,
    pub vehicle: Option<VehicleDoc>,
    /// Every action pushed, in order.
    pub pushed: Vec<Action>,
    /// Answers some actions with this outcome instead of applying them.
    pub refuse: Option<Refusal>,
    pub last_mutation: i64,
    /// Every pull's position, in order.
    pub pulls: Vec<PullPosition>,
}

/// The scripted server; clones share one state.
#[derive(Clone, Default)]
pub struct Server(Arc<Mutex<State>>);

impl Server {
    /// The state, locked.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }
}

#[async_trait::async_trait]
impl Remote for Server {
    async fn push(&self, req: &PushRequest) -> Result<PushResponse, Error> {
        let mut s = self.state();
        let mut results = Vec::new();
        for m in &req.mutations {
            s.pushed.push(m.action.clone());
            s.last_mutation = m.mutation_id;
            let outcome = s
                .refuse
                .as_ref()
                .and_then(|refuse| refuse(&m.action))
                .unwrap_or(MutationOutcome::Applied);
            results.push(MutationResult {
                mutation_id: m.mutation_id,
                outcome,
            });
        }
        Ok(PushResponse {
            pulled: None,
            results,
            last_mutation_id: s.last_mutation,
            wal_lsn: None,
        })
    }

    async fn pull(&self, _client_id: &str, at: &PullPosition) -> Result<PullResponse, Error> {
        let mut s = self.state();
        s.pulls.push(*at);
        let from = usize::try_from(at.cursor).unwrap_or(0).min(s.tasks.len());
        Ok(PullResponse {
            changes: s.tasks[from..]
                .iter()
                .map(|t| Change::UpsertTask {
                    task: Box::new(t.clone()),
                })
                .collect(),
            cursor: s.tasks.len() as i64,
            has_more: false,
            last_mutation_id: s.last_mutation,
            server_time: NOW,
            settings: None,
            checklists: s
                .checklists
                .iter()
                .filter(|c| c.seq > at.checklists_after)
                .cloned()
                .collect(),
            ratings: Vec::new(),
            cases: s
                .cases
                .iter()
                .filter(|c| c.seq > at.cases_after)
                .cloned()
                .collect(),
            recalls: s
                .recalls
                .iter()
                .filter(|r| r.seq > at.recalls_after)
                .cloned()
                .collect(),
            offers: Vec::new(),
            vehicle: s.vehicle.clone().filter(|v| v.version > at.vehicle_version),
            earnings: Vec::new(),
            training: Vec::new(),
            qualifications: Vec::new(),
        })
    }

    async fn put_attachment(&self, _sha256: &str, _bytes: Vec<u8>) -> Result<(), Error> {
        Ok(())
    }

    async fn push_locations(&self, batch: &LocationBatch) -> Result<LocationAck, Error> {
        Ok(LocationAck {
            stored: batch.fixes.len() as u64,
        })
    }

    async fn register_push_token(
        &self,
        _reg: &PushTokenRegistration,
    ) -> Result<PushTokenAck, Error> {
        Ok(PushTokenAck { registered_at: NOW })
    }

    async fn wait_for_change(
        &self,
        _client_id: &str,
        _at: &PullPosition,
        _wait: Duration,
    ) -> Result<Option<PullResponse>, Error> {
        Ok(None)
    }

    fn set_token(&self, _token: Token) {}
}

/// A clock that stands still.
pub struct Fixed(pub i64);

impl Clock for Fixed {
    fn now(&self) -> i64 {
        self.0
    }
}

/// A phone syncing with `server`, its store in a new temporary folder, its clock at `NOW`.
pub fn phone(server: &Server) -> (Runsheet, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let core = phone_in(server, &dir, NOW);
    (core, dir)
}

/// A phone syncing with `server`, its store in `dir` (a phone reopened there keeps what it
/// saved), its clock at `now`.
pub fn phone_in(server: &Server, dir: &tempfile::TempDir, now: i64) -> Runsheet {
    Runsheet::open_with_remote(
        Config {
            db_path: dir.path().join("phone.db"),
            db_key: None,
            server_url: "unused://".into(),
            token: Token::new("good"),
            clock: Arc::new(Fixed(now)),
        },
        Arc::new(server.clone()),
    )
    .unwrap()
}

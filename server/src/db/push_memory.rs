//! What a replica remembers of each install's last push, so that the next push of everyday
//! work is decided without the read statement of [`super::push_batch`]: the install's last
//! applied id, the tasks its pushes touched as they left them, and the bounds of the device
//! times. A push decided on a memory costs one round trip (the apply function's call).
//!
//! A memory is a guess, never trusted: the apply function checks, under the install's and the
//! tasks' row locks, that the install's last id, each task's revision, status and courier,
//! and the courier's latest bounded time are still what the memory says (every change to a
//! task bumps its revision: a step, dispatch's edit, a handover). When anything moved (another
//! replica took a push of the same install, dispatch changed a task, another install of the
//! courier pushed) it answers `conflict`, the memory is forgotten and the push is decided
//! again from the read statement. A batch that is not a plain continuation of the memory
//! (a retry, a gap, a task it does not hold, a delivery, whose pay wants the task's history
//! and the rates) is read as before.

use std::collections::HashMap;
use std::sync::Mutex;

use runsheet_protocol::{Change, PullResponse, TaskDoc};

/// One install's memory.
#[derive(Debug, Clone)]
pub(crate) struct Remembered {
    /// The courier the install belongs to.
    pub courier: String,
    /// The install's last applied mutation id.
    pub last: i64,
    /// The tasks as the install's pushes left them, with their courier.
    pub tasks: HashMap<String, (TaskDoc, Option<String>)>,
    /// The courier's latest bounded device time.
    pub courier_floor: Option<i64>,
    /// Each task's latest bounded device time.
    pub task_floors: HashMap<String, i64>,
}

/// The memories of one replica, by install (client id).
#[derive(Debug, Default)]
pub struct PushMemory {
    installs: Mutex<HashMap<String, Remembered>>,
}

impl PushMemory {
    /// Most installs remembered: past it the memory is emptied (the cost is one read per
    /// install's next push).
    pub const MAX_INSTALLS: usize = 200_000;

    /// The memory of `client_id` when a batch of `courier` starting at mutation `first` and
    /// naming `tasks` continues it exactly (the next id, every task held).
    pub(crate) fn recall(
        &self,
        client_id: &str,
        courier: &str,
        first: i64,
        tasks: &[&str],
    ) -> Option<Remembered> {
        let installs = self.installs.lock().unwrap_or_else(|p| p.into_inner());
        let m = installs.get(client_id)?;
        let continues = m.courier == courier
            && m.last.checked_add(1) == Some(first)
            && tasks.iter().all(|t| m.tasks.contains_key(*t));
        continues.then(|| Remembered {
            courier: m.courier.clone(),
            last: m.last,
            tasks: tasks
                .iter()
                .filter_map(|t| m.tasks.get(*t).map(|d| ((*t).to_owned(), d.clone())))
                .collect(),
            courier_floor: m.courier_floor,
            task_floors: m.task_floors.clone(),
        })
    }

    /// Keeps what an applied push left: its last id, its tasks (merged into what was held;
    /// a task that reached a final status is dropped, no step follows it) and the bounds.
    pub(crate) fn remember(&self, client_id: &str, now: Remembered) {
        let mut installs = self.installs.lock().unwrap_or_else(|p| p.into_inner());
        if installs.len() >= Self::MAX_INSTALLS && !installs.contains_key(client_id) {
            installs.clear();
        }
        let entry = installs
            .entry(client_id.to_owned())
            .or_insert_with(|| Remembered {
                courier: now.courier.clone(),
                last: now.last,
                tasks: HashMap::new(),
                courier_floor: None,
                task_floors: HashMap::new(),
            });
        if entry.courier != now.courier {
            entry.tasks.clear();
            entry.task_floors.clear();
        }
        entry.courier = now.courier;
        entry.last = now.last;
        entry.courier_floor = now.courier_floor;
        for (id, (doc, owner)) in now.tasks {
            if doc.status.is_final() {
                entry.tasks.remove(&id);
                entry.task_floors.remove(&id);
            } else {
                entry.tasks.insert(id, (doc, owner));
            }
        }
        for (id, floor) in now.task_floors {
            if entry.tasks.contains_key(&id) {
                entry.task_floors.insert(id, floor);
            }
        }
    }

    /// Learns from a page this replica answered `client_id` of `courier`: the tasks dispatch
    /// created for them since (revision 1: no step, no earlier courier, no time bound yet) are
    /// remembered, so that the push accepting one needs no read; a removed task is forgotten.
    /// Only when the page saw the install where the memory stands (the same last id).
    pub(crate) fn learn(&self, client_id: &str, courier: &str, page: &PullResponse) {
        let mut installs = self.installs.lock().unwrap_or_else(|p| p.into_inner());
        let Some(m) = installs.get_mut(client_id) else {
            return;
        };
        if m.courier != courier || m.last != page.last_mutation_id {
            return;
        }
        for change in &page.changes {
            match change {
                Change::UpsertTask { task } if task.revision == 1 && task.handovers.is_empty() => {
                    m.tasks
                        .entry(task.id.clone())
                        .or_insert_with(|| ((**task).clone(), Some(courier.to_owned())));
                }
                Change::UpsertTask { .. } => {}
                Change::RemoveTask { task_id } => {
                    m.tasks.remove(task_id);
                    m.task_floors.remove(task_id);
                }
            }
        }
    }

    /// Forgets `client_id` (its push went another way, or its memory proved stale).
    pub fn forget(&self, client_id: &str) {
        self.installs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(client_id);
    }

    /// Installs remembered now.
    pub fn len(&self) -> usize {
        self.installs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Whether no install is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runsheet_protocol::{StopDoc, TaskKind, TaskStatus};

    fn doc(id: &str, status: TaskStatus) -> TaskDoc {
        let stop = StopDoc::new("s", "a", 31.2, 121.4);
        TaskDoc {
            id: id.into(),
            kind: TaskKind::Food,
            status,
            pickup: Some(stop.clone()),
            dropoff: stop,
            revision: 2,
            ordered_at: None,
            items: vec![],
            return_to: None,
            handoff_code: None,
            contactless: false,
            proof: Default::default(),
            customer_locale: None,
            case_id: None,
            take_back: Vec::new(),
            handovers: Vec::new(),
            cash_due: None,
            locker: None,
        }
    }

    fn after_push(last: i64, tasks: &[(&str, TaskStatus)]) -> Remembered {
        Remembered {
            courier: "ann".into(),
            last,
            tasks: tasks
                .iter()
                .map(|(id, s)| ((*id).to_owned(), (doc(id, *s), Some("ann".into()))))
                .collect(),
            courier_floor: Some(100),
            task_floors: tasks
                .iter()
                .map(|(id, _)| ((*id).to_owned(), 100))
                .collect(),
        }
    }

    #[test]
    fn only_the_exact_continuation_of_an_install_is_recalled() {
        let m = PushMemory::default();
        assert!(m.recall("phone", "ann", 1, &["t1"]).is_none());
        m.remember("phone", after_push(4, &[("t1", TaskStatus::Accepted)]));
        let r = m.recall("phone", "ann", 5, &["t1"]).expect("the next id");
        assert_eq!((r.last, r.courier_floor), (4, Some(100)));
        assert_eq!(r.tasks["t1"].0.status, TaskStatus::Accepted);
        // A retry, a gap, another courier, a task it does not hold, another install: read.
        assert!(m.recall("phone", "ann", 4, &["t1"]).is_none());
        assert!(m.recall("phone", "ann", 6, &["t1"]).is_none());
        assert!(m.recall("phone", "bob", 5, &["t1"]).is_none());
        assert!(m.recall("phone", "ann", 5, &["t1", "t2"]).is_none());
        assert!(m.recall("tablet", "ann", 5, &["t1"]).is_none());
        m.forget("phone");
        assert!(m.recall("phone", "ann", 5, &["t1"]).is_none());
    }

    fn page(last: i64, changes: Vec<Change>) -> PullResponse {
        PullResponse {
            changes,
            cursor: 1,
            has_more: false,
            last_mutation_id: last,
            server_time: 0,
            settings: None,
            checklists: vec![],
            ratings: vec![],
            cases: vec![],
            recalls: vec![],
            offers: vec![],
            vehicle: None,
            earnings: vec![],
            training: vec![],
            qualifications: vec![],
        }
    }

    #[test]
    fn a_new_task_in_a_page_is_learnt_where_the_memory_stands() {
        let m = PushMemory::default();
        let mut fresh = doc("t9", TaskStatus::Assigned);
        fresh.revision = 1;
        let upsert = |d: &TaskDoc| Change::UpsertTask {
            task: Box::new(d.clone()),
        };
        // Nothing remembered of the install: nothing learnt.
        m.learn("phone", "ann", &page(4, vec![upsert(&fresh)]));
        assert!(m.is_empty());
        m.remember("phone", after_push(4, &[("t1", TaskStatus::Accepted)]));
        // A page that saw another last id, or another courier's: not learnt.
        m.learn("phone", "ann", &page(3, vec![upsert(&fresh)]));
        m.learn("phone", "bob", &page(4, vec![upsert(&fresh)]));
        assert!(m.recall("phone", "ann", 5, &["t9"]).is_none());
        // A task changed since its creation (revision 2): its history is unknown here.
        let mut changed = doc("t8", TaskStatus::Assigned);
        changed.revision = 2;
        m.learn(
            "phone",
            "ann",
            &page(4, vec![upsert(&fresh), upsert(&changed)]),
        );
        let r = m.recall("phone", "ann", 5, &["t9"]).expect("learnt");
        assert_eq!(r.tasks["t9"].1.as_deref(), Some("ann"));
        assert!(m.recall("phone", "ann", 5, &["t8"]).is_none());
        // A removal forgets.
        m.learn(
            "phone",
            "ann",
            &page(
                4,
                vec![Change::RemoveTask {
                    task_id: "t1".into(),
                }],
            ),
        );
        assert!(m.recall("phone", "ann", 5, &["t1"]).is_none());
    }

    #[test]
    fn tasks_merge_and_a_finished_one_is_dropped() {
        let m = PushMemory::default();
        m.remember("phone", after_push(1, &[("t1", TaskStatus::Accepted)]));
        m.remember("phone", after_push(2, &[("t2", TaskStatus::Accepted)]));
        assert!(m.recall("phone", "ann", 3, &["t1", "t2"]).is_some());
        m.remember("phone", after_push(3, &[("t1", TaskStatus::Delivered)]));
        assert!(m.recall("phone", "ann", 4, &["t1"]).is_none());
        assert!(m.recall("phone", "ann", 4, &["t2"]).is_some());
        assert_eq!(m.len(), 1);
    }
}

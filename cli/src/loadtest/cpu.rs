//! CPU time of the processes under load, from the kernel's own accounting (`/proc`, Linux):
//! the server replicas (their threads when they run inside the load test, their processes when
//! they run apart) and PostgreSQL (the postmaster and its children, the backends). Times are in
//! the kernel's `USER_HZ` ticks, 100 a second on Linux whatever the kernel's own tick rate.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `USER_HZ`: the unit of the times in `/proc/*/stat`.
const TICKS_PER_S: f64 = 100.0;

/// The fields of a `/proc/…/stat` line after the command name: `[0]` is the state, `[1]` the
/// parent pid, `[11]` utime, `[12]` stime, `[13]` cutime, `[14]` cstime.
fn stat(path: &str) -> Option<(String, Vec<i64>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_owned();
    let fields = text
        .get(close + 1..)?
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse::<i64>().unwrap_or(0))
        .collect::<Vec<_>>();
    // Re-insert a placeholder for the state so that the indices match the comment above.
    let mut all = vec![0];
    all.extend(fields);
    Some((comm, all))
}

fn field(f: &[i64], i: usize) -> i64 {
    f.get(i).copied().unwrap_or(0)
}

/// A process's CPU ticks, its own and its reaped children's (threads that ended included).
fn process_ticks(pid: i32) -> Option<i64> {
    let (_, f) = stat(&format!("/proc/{pid}/stat"))?;
    Some(field(&f, 11) + field(&f, 12) + field(&f, 13) + field(&f, 14))
}

/// The postmaster of the backend `backend_pid`, when it runs on this machine.
pub fn postmaster_of(backend_pid: i32) -> Option<i32> {
    let (_, f) = stat(&format!("/proc/{backend_pid}/stat"))?;
    i32::try_from(field(&f, 1)).ok().filter(|p| *p > 1)
}

/// PostgreSQL's CPU ticks so far: the postmaster's own and its reaped children's, plus its
/// live children's (a backend that ends between two readings moves from the second sum to the
/// first, so a difference of two readings counts it whole).
fn postgres_ticks(postmaster: i32) -> Option<i64> {
    let mut total = process_ticks(postmaster)?;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        if let Some((_, f)) = stat(&format!("/proc/{pid}/stat")) {
            if field(&f, 1) == i64::from(postmaster) {
                total += field(&f, 11) + field(&f, 12);
            }
        }
    }
    Some(total)
}

/// Whose CPU counts as the servers'.
#[derive(Debug, Clone)]
pub enum Servers {
    /// Threads of this process whose names start with one of these (in-process replicas).
    Threads(Vec<&'static str>),
    /// Processes on this machine.
    Processes(Vec<i32>),
    /// Not measurable from here (they run on other machines).
    Elsewhere,
}

/// CPU seconds spent over a window.
#[derive(Debug, Clone, Copy, Default)]
pub struct Spent {
    /// By the server replicas (`None`: not measured).
    pub servers_s: Option<f64>,
    /// By PostgreSQL (`None`: not on this machine).
    pub postgres_s: Option<f64>,
    /// By this whole process (the simulated phones, and the replicas when they run inside it).
    pub this_process_s: f64,
    /// The window, wall seconds.
    pub wall_s: f64,
}

/// Measures CPU over a window: [`Meter::start`] at its start, [`Meter::stop`] at its end.
/// In-process server threads are sampled twice a second meanwhile (a thread's time is lost
/// with it when it ends; tokio's blocking threads live on while work keeps coming).
pub struct Meter {
    servers: Servers,
    postmaster: Option<i32>,
    started: std::time::Instant,
    process0: i64,
    postgres0: Option<i64>,
    processes0: Option<i64>,
    threads: Arc<Mutex<ThreadTicks>>,
    stop: Arc<AtomicBool>,
    sampler: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct ThreadTicks {
    first: HashMap<i32, i64>,
    last: HashMap<i32, i64>,
}

fn sample_threads(prefixes: &[&str], into: &mut HashMap<i32, i64>) {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return;
    };
    for entry in dir.flatten() {
        let name = entry.file_name();
        let Some(tid) = name.to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        if let Some((comm, f)) = stat(&format!("/proc/self/task/{tid}/stat")) {
            if prefixes.iter().any(|p| comm.starts_with(p)) {
                into.insert(tid, field(&f, 11) + field(&f, 12));
            }
        }
    }
}

impl Meter {
    /// Starts measuring.
    pub fn start(servers: Servers, postmaster: Option<i32>) -> Meter {
        let threads = Arc::new(Mutex::new(ThreadTicks::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = match &servers {
            Servers::Threads(prefixes) => {
                let prefixes = prefixes.clone();
                if let Ok(mut t) = threads.lock() {
                    let mut first = HashMap::new();
                    sample_threads(&prefixes, &mut first);
                    t.last = first.clone();
                    t.first = first;
                }
                let (threads, stop) = (threads.clone(), stop.clone());
                std::thread::Builder::new()
                    .name("loadtest-cpu".into())
                    .spawn(move || {
                        while !stop.load(Ordering::SeqCst) {
                            std::thread::sleep(Duration::from_millis(500));
                            let mut now = HashMap::new();
                            sample_threads(&prefixes, &mut now);
                            if let Ok(mut t) = threads.lock() {
                                t.last.extend(now);
                            }
                        }
                    })
                    .ok()
            }
            _ => None,
        };
        let processes0 = match &servers {
            Servers::Processes(pids) => pids.iter().map(|p| process_ticks(*p)).sum(),
            _ => None,
        };
        Meter {
            postgres0: postmaster.and_then(postgres_ticks),
            postmaster,
            servers,
            started: std::time::Instant::now(),
            process0: process_ticks(std::process::id() as i32).unwrap_or(0),
            processes0,
            threads,
            stop,
            sampler,
        }
    }

    /// Stops measuring; what was spent since [`Meter::start`].
    pub fn stop(mut self) -> Spent {
        let wall_s = self.started.elapsed().as_secs_f64();
        self.stop.store(true, Ordering::SeqCst);
        if let Some(s) = self.sampler.take() {
            let _ = s.join();
        }
        let s = |ticks: i64| ticks.max(0) as f64 / TICKS_PER_S;
        let servers_s = match &self.servers {
            Servers::Threads(prefixes) => {
                let mut now = HashMap::new();
                sample_threads(prefixes, &mut now);
                self.threads.lock().ok().map(|mut t| {
                    t.last.extend(now);
                    let spent: i64 = t
                        .last
                        .iter()
                        .map(|(tid, v)| v - t.first.get(tid).copied().unwrap_or(0))
                        .sum();
                    s(spent)
                })
            }
            Servers::Processes(pids) => {
                let now: Option<i64> = pids.iter().map(|p| process_ticks(*p)).sum();
                now.zip(self.processes0).map(|(b, a)| s(b - a))
            }
            Servers::Elsewhere => None,
        };
        let postgres_s = self
            .postmaster
            .and_then(postgres_ticks)
            .zip(self.postgres0)
            .map(|(b, a)| s(b - a));
        let process = process_ticks(std::process::id() as i32).unwrap_or(0);
        Spent {
            servers_s,
            postgres_s,
            this_process_s: s(process - self.process0),
            wall_s,
        }
    }
}

/// The 1-, 5- and 15-minute load averages of the machine.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_measured_and_its_threads_are_found_by_name() {
        let me = std::process::id() as i32;
        assert!(process_ticks(me).is_some());
        let spinner = std::thread::Builder::new()
            .name("cpu-test-spin".into())
            .spawn(|| {
                let t = std::time::Instant::now();
                let mut x = 0u64;
                while t.elapsed() < Duration::from_millis(300) {
                    x = x.wrapping_mul(31).wrapping_add(7);
                }
                std::hint::black_box(x);
                std::thread::sleep(Duration::from_millis(400));
            })
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let meter = Meter::start(Servers::Threads(vec!["cpu-test-spin"]), None);
        std::thread::sleep(Duration::from_millis(600));
        let spent = meter.stop();
        spinner.join().unwrap();
        let servers = spent.servers_s.unwrap();
        // The spinner burned CPU after the meter started, and no other thread is counted.
        assert!(servers > 0.0, "{spent:?}");
        assert!(servers <= spent.this_process_s + 0.011, "{spent:?}");
        assert!(spent.postgres_s.is_none());
    }

    #[test]
    fn a_stat_line_with_spaces_in_the_name_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("stat");
        std::fs::write(
            &p,
            "42 (a (b) c) S 7 1 1 0 -1 0 0 0 0 0 150 25 3 4 20 0 1 0\n",
        )
        .unwrap();
        let (comm, f) = stat(p.to_str().unwrap()).unwrap();
        assert_eq!(comm, "a (b) c");
        assert_eq!(field(&f, 1), 7);
        assert_eq!(field(&f, 11) + field(&f, 12), 175);
        assert_eq!(field(&f, 13) + field(&f, 14), 7);
    }
}

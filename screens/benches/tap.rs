//! A tap on a 40-task list: one store transaction and one screen computation, timed from the
//! tap to the listener receiving the screen update (target p99 < 5 ms), printed beside the bare
//! action transaction (`Runsheet::accept` on an identical phone) measured in the same run.
//!
//! `cargo bench -p runsheet-screens --bench tap` (release). `RUNSHEET_BENCH_SCALE=small` runs a
//! tiny size (what `cargo xtask test` does, so the benchmark cannot rot); a number scales the
//! full size (25 rounds of 40 taps).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use runsheet_core::{Config, Runsheet, SystemClock, Token};
use runsheet_protocol::{StopDoc, TaskKind};
use runsheet_screens::{CourierApp, Effect, ScreenListener, ScreenUpdate, Tap};
use runsheet_server::{DbConfig, Dispatcher, ServerConfig};

fn scale() -> f64 {
    match std::env::var("RUNSHEET_BENCH_SCALE") {
        Err(_) => 1.0,
        Ok(v) if v == "small" => 0.0,
        Ok(v) => match v.parse::<f64>() {
            Ok(x) if x > 0.0 && x.is_finite() => x,
            _ => panic!("RUNSHEET_BENCH_SCALE must be `small` or a positive number, not {v:?}"),
        },
    }
}

/// When the last update reached the listener.
#[derive(Default)]
struct Stopwatch {
    at: Mutex<Option<Instant>>,
}

impl ScreenListener for Stopwatch {
    fn on_screen(&self, update: ScreenUpdate) {
        if matches!(update, ScreenUpdate::Changed { .. }) {
            *self.at.lock().unwrap() = Some(Instant::now());
        }
    }
    fn on_effect(&self, _effect: Effect) {}
}

fn stop(i: usize) -> StopDoc {
    StopDoc {
        due_by: Some(1_795_410_000 + i as i64 * 60),
        ..StopDoc::new(
            format!("Customer {i}"),
            format!("{i} Test Road"),
            30.27 + (i as f64) * 0.002,
            120.15 + (i as f64 % 7.0) * 0.002,
        )
    }
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let s = scale();
    let (rounds, tasks) = if s == 0.0 {
        (1, 5)
    } else {
        (((25.0 * s).ceil() as usize).max(1), 40)
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = runsheet_server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        db: DbConfig::Sqlite(dir.path().join("server.db")),
        admin_token: Some("bench".into()),
        clock: None,
    })
    .expect("server");
    let dispatch = Dispatcher::new(&server.url(), "bench");
    let mut tap_times = Vec::new();
    let mut bare_times = Vec::new();
    for round in 0..rounds {
        // Two identical phones: one tapped through the screens, one driven bare.
        let mut phones = Vec::new();
        for side in ["screen", "bare"] {
            let courier = format!("{side}-{round}");
            let token = rt
                .block_on(dispatch.create_courier(&courier, "Courier"))
                .expect("courier");
            for i in 0..tasks {
                rt.block_on(dispatch.assign_task(
                    &format!("{courier}-T{i}"),
                    &courier,
                    TaskKind::Parcel,
                    None,
                    stop(i),
                ))
                .expect("task");
            }
            let core = Arc::new(
                Runsheet::open(Config {
                    db_path: dir.path().join(format!("{courier}.db")),
                    db_key: None,
                    server_url: server.url(),
                    token: Token::new(token),
                    clock: Arc::new(SystemClock),
                })
                .expect("core"),
            );
            rt.block_on(core.sync()).expect("pull");
            core.start_shift().expect("shift");
            phones.push((courier, core));
        }
        let (courier, core) = &phones[0];
        let app = CourierApp::new(core.clone(), "zh-CN", true).expect("app");
        let watch = Arc::new(Stopwatch::default());
        app.subscribe(watch.clone());
        for i in 0..tasks {
            let tap = Tap::Accept {
                task_id: format!("{courier}-T{i}"),
            };
            let start = Instant::now();
            app.tap(tap).expect("tap");
            let reached = watch.at.lock().unwrap().take().expect("update delivered");
            tap_times.push(reached - start);
        }
        let (courier, core) = &phones[1];
        for i in 0..tasks {
            let start = Instant::now();
            core.accept(&format!("{courier}-T{i}")).expect("accept");
            bare_times.push(start.elapsed());
        }
    }
    let n = tap_times.len();
    let tap50 = percentile(&mut tap_times, 0.5);
    let tap99 = percentile(&mut tap_times, 0.99);
    let bare50 = percentile(&mut bare_times, 0.5);
    let bare99 = percentile(&mut bare_times, 0.99);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "tap on a {tasks}-task list, {n} taps: screen update at the listener p50 {:.2} ms, p99 {:.2} ms (target p99 < 5 ms)",
        ms(tap50),
        ms(tap99)
    );
    println!(
        "baseline, the bare action transaction: p50 {:.2} ms, p99 {:.2} ms; ratio p99 {:.1}x",
        ms(bare50),
        ms(bare99),
        ms(tap99) / ms(bare99).max(1e-9)
    );
    server.kill();
}

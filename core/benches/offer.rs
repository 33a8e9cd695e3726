//! Offer benchmark: what accepting an offer would do to a courier's plan of 30 stops (15
//! orders to pick up and drop off around Hangzhou, promised times, the box empty), for a
//! stack of two: the offered stops put into the planned sequence by cheapest insertion and
//! both plans compared ([`runsheet_core::offer_impact::impact`]). Target: under 20 ms, the
//! time the phone has to show it. The baseline, measured in the same run, is a plain re-plan of
//! the same 30 stops by the courier's planner (what the route screen does on every change).
//!
//! `cargo bench -p runsheet-core --bench offer` (release). With `RUNSHEET_BENCH_SCALE=small` it
//! runs a few iterations only, so the test suite can run it in debug builds to check that it
//! still works.

use std::hint::black_box;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use runsheet_core::offer_impact::impact;
use runsheet_core::route::Planner;
use runsheet_core::{Load, OfferedTask, Stop, Task, TaskKind, TaskStatus};

const NOW: i64 = 1_795_406_400;
const SPEED: f64 = 4.5;
/// The courier's box (a scooter's): the impact is computed within its room, as on a phone
/// that knows its vehicle (the slower case: the planner checks the load at every place).
const ROOM: Option<Load> = Some(Load {
    box_units: 40,
    chilled_units: 10,
});

fn near(rng: &mut StdRng, (lat, lon): (f64, f64), r: f64) -> (f64, f64) {
    (lat + rng.gen_range(-r..r), lon + rng.gen_range(-r..r))
}

fn stop(at: (f64, f64), ready: Option<i64>, due: Option<i64>) -> Stop {
    Stop {
        name: String::new(),
        address: String::new(),
        phone: None,
        lat: at.0,
        lon: at.1,
        ready_at: ready,
        due_by: due,
        not_before: None,
        pin_corrected: false,
    }
}

fn task(rng: &mut StdRng, id: String) -> Task {
    let pickup = near(rng, (30.2741, 120.1551), 0.02);
    let dropoff = near(rng, (30.2600, 120.1800), 0.03);
    let ready = NOW + rng.gen_range(0..900);
    let due = NOW + rng.gen_range(2400..7200);
    Task {
        id,
        kind: TaskKind::Food,
        status: TaskStatus::Accepted,
        pickup: Some(stop(pickup, Some(ready), None)),
        dropoff: stop(dropoff, None, Some(due)),
        server_revision: 1,
        pending_actions: 0,
        local_rev: 0,
        ordered_at: None,
        items: Vec::new(),
        return_to: None,
        ended_at: None,
        customer_data_purged: false,
        handoff_code_required: false,
        handoff_failures: 0,
        handoff_verified: false,
        contactless: false,
        proof: Default::default(),
        customer_locale: None,
        case_id: None,
        take_back: Vec::new(),
        cash_due: None,
        custody: Default::default(),
        locker: None,
    }
}

/// Seconds per call of `f`: a warm-up call, then the best of the rounds (the machine is shared).
fn per_op(iterations: u32, rounds: u32, mut f: impl FnMut()) -> f64 {
    f();
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iterations {
                f();
            }
            t.elapsed().as_secs_f64() / f64::from(iterations)
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let small = std::env::var("RUNSHEET_BENCH_SCALE").as_deref() == Ok("small");
    let (iterations, rounds) = if small { (2, 1) } else { (20, 5) };
    let mut rng = StdRng::seed_from_u64(21);
    let tasks: Vec<Task> = (0..15)
        .map(|i| task(&mut rng, format!("T{i:02}")))
        .collect();
    let offer: Vec<OfferedTask> = (0..2)
        .map(|i| {
            let t = task(&mut rng, format!("N{i}"));
            OfferedTask {
                load: runsheet_core::order_load(&t.items),
                task_id: t.id,
                kind: t.kind,
                pickup: t.pickup,
                dropoff: t.dropoff,
                items: 1,
            }
        })
        .collect();
    let position = Some((30.2741, 120.1551));
    let route = Planner::default().plan(&tasks, position, NOW, SPEED);
    assert_eq!(route.stops.len(), 30, "the plan must hold the 30 stops");
    let once = impact(&tasks, &route, &offer, ROOM, position, NOW, SPEED);
    assert!(once.plannable && once.extra_seconds > 0, "{once:?}");

    // A fresh planner each time: the planner keeps its last route and would answer from it.
    let replan = per_op(iterations, rounds, || {
        black_box(Planner::default().plan(black_box(&tasks), position, NOW, SPEED));
    });
    let offer_impact = per_op(iterations, rounds, || {
        black_box(impact(
            black_box(&tasks),
            &route,
            &offer,
            ROOM,
            position,
            NOW,
            SPEED,
        ));
    });
    println!(
        "runsheet offer benchmark (30 planned stops, a stack of 2 offered; best of {rounds} round{} of {iterations})",
        if rounds == 1 { "" } else { "s" }
    );
    println!(
        "offer impact (cheapest insertion, both plans compared): {:.3} ms (target < 20 ms); baseline, a plain re-plan of the 30 stops: {:.3} ms; ratio {:.3}x",
        offer_impact * 1e3,
        replan * 1e3,
        offer_impact / replan
    );
    println!(
        "the offer adds {} s and {} m; {} promised time(s) put at risk",
        once.extra_seconds,
        once.extra_metres,
        once.at_risk.len()
    );
}

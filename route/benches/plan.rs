//! Planner benchmark: a food batch solved exactly, a 24-stop food batch and a 120-stop parcel
//! round solved by the local search within the budgets `plan_json` uses (30 ms and 850 ms).
//! Instances are generated here, seeded (food near Hangzhou: restaurants around hubs, pickups
//! with ready times, promised drop-off times; parcels: all on board, some with windows). Each
//! result is printed against a baseline measured in the same run: the nearest-neighbour order
//! (always ride to the nearest stop allowed next), its cost and its time.
//!
//! `cargo bench -p runsheet-route --bench plan` (release). With `RUNSHEET_BENCH_SCALE=small`
//! it runs tiny instances with tiny budgets, so the test suite can run it in debug.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use runsheet_route::plan::{Instance, Point, Problem, StopIn};
use runsheet_route::travel::travel_s;

const START_TIME: i64 = 1_795_406_400;

/// A point within `radius` degrees of `(lat, lon)`.
fn near(rng: &mut StdRng, (lat, lon): (f64, f64), radius: f64) -> (f64, f64) {
    (
        lat + rng.gen_range(-radius..radius),
        lon + rng.gen_range(-radius..radius),
    )
}

fn stop(id: String, order: &str, kind: &str, at: (f64, f64), service_s: i64) -> StopIn {
    StopIn {
        id,
        order: order.into(),
        kind: kind.into(),
        lat: at.0,
        lon: at.1,
        ready_at: None,
        due_by: None,
        service_s,
        units: None,
        chilled_units: None,
    }
}

/// A food batch of `orders` orders: a third on board, the rest to pick up at restaurants
/// around three hubs, customers mostly in one neighbourhood; box of `orders` / 2 + 2.
fn food(seed: u64, orders: usize) -> Instance {
    let mut rng = StdRng::seed_from_u64(seed);
    let hubs = [
        (30.2741, 120.1551),
        (30.2900, 120.1700),
        (30.2600, 120.1800),
    ];
    let area = (30.2500, 120.2000);
    let mut stops = Vec::new();
    let mut onboard = Vec::new();
    for o in 0..orders {
        let order = format!("o{o:02}");
        let hub = hubs[rng.gen_range(0..3)];
        let restaurant = near(&mut rng, hub, 0.004);
        let customer = if rng.gen_bool(0.8) {
            near(&mut rng, area, 0.012)
        } else {
            near(&mut rng, hubs[0], 0.04)
        };
        let ready = START_TIME + rng.gen_range(0..1200);
        // The promise: ready, plus the ride over, plus a buffer, as a platform would make it.
        let due = ready + 1500 + rng.gen_range(0..1800) + 300 * o as i64;
        if o % 3 == 0 {
            onboard.push(order.clone());
        } else {
            let mut p = stop(format!("{order}-p"), &order, "pickup", restaurant, 120);
            p.ready_at = Some(ready);
            stops.push(p);
        }
        let mut d = stop(format!("{order}-d"), &order, "dropoff", customer, 90);
        d.due_by = Some(due);
        stops.push(d);
    }
    Instance {
        format: "runsheet-route-v1".into(),
        name: format!("food-{orders}o-{seed}"),
        start: Point {
            lat: 30.2700,
            lon: 120.1600,
        },
        start_time: START_TIME,
        speed_mps: 4.5,
        detour_factor: 1.3,
        lateness_weight: None,
        capacity: Some((orders / 2 + 2) as i64),
        chilled_capacity: None,
        onboard,
        stops,
    }
}

/// A parcel round of `n` drop-offs in a 6 km square, a fifth promised within a window.
fn parcel(seed: u64, n: usize) -> Instance {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut stops = Vec::new();
    let mut onboard = Vec::new();
    for k in 0..n {
        let order = format!("p{k:03}");
        let at = near(&mut rng, (30.2700, 120.1600), 0.03);
        let mut d = stop(format!("{order}-d"), &order, "dropoff", at, 60);
        if rng.gen_bool(0.2) {
            d.due_by = Some(START_TIME + rng.gen_range(3600..4 * 3600));
        }
        stops.push(d);
        onboard.push(order);
    }
    Instance {
        format: "runsheet-route-v1".into(),
        name: format!("parcel-{n}s-{seed}"),
        start: Point {
            lat: 30.2700,
            lon: 120.1600,
        },
        start_time: START_TIME,
        speed_mps: 5.0,
        detour_factor: 1.3,
        lateness_weight: None,
        capacity: None,
        chilled_capacity: None,
        onboard,
        stops,
    }
}

/// The baseline: from where the courier is, ride to the nearest stop allowed next (its
/// pickup done, the box not over capacity).
fn nearest_neighbour(inst: &Instance) -> Vec<usize> {
    let n = inst.stops.len();
    let pickup_of = |s: &StopIn| {
        inst.stops
            .iter()
            .position(|p| p.order == s.order && p.kind == "pickup")
    };
    let needs: Vec<Option<usize>> = inst
        .stops
        .iter()
        .map(|s| (s.kind == "dropoff").then(|| pickup_of(s)).flatten())
        .collect();
    let mut done = vec![false; n];
    let mut seq = Vec::with_capacity(n);
    let mut at = (inst.start.lat, inst.start.lon);
    let mut load = inst.onboard.len() as i64;
    for _ in 0..n {
        let next = (0..n)
            .filter(|&s| !done[s] && needs[s].is_none_or(|p| done[p]))
            .filter(|&s| inst.stops[s].kind == "dropoff" || inst.capacity.is_none_or(|c| load < c))
            .min_by_key(|&s| {
                let to = (inst.stops[s].lat, inst.stops[s].lon);
                travel_s(at, to, inst.detour_factor, inst.speed_mps)
            });
        let Some(s) = next else { break };
        done[s] = true;
        load += if inst.stops[s].kind == "pickup" {
            1
        } else {
            -1
        };
        at = (inst.stops[s].lat, inst.stops[s].lon);
        seq.push(s);
    }
    seq
}

/// Mean seconds per call of `f` over `reps` calls, and its last result.
fn timed<T>(reps: u32, mut f: impl FnMut() -> T) -> (f64, T) {
    let started = Instant::now();
    let mut last = f();
    for _ in 1..reps {
        last = black_box(f());
    }
    (started.elapsed().as_secs_f64() / f64::from(reps), last)
}

fn run(inst: &Instance, budget: Duration, reps: u32) {
    let problem = match Problem::new(inst) {
        Ok(p) => p,
        Err(e) => panic!("{}: the generator made a bad instance: {e}", inst.name),
    };
    let (nn_s, nn) = timed(reps, || nearest_neighbour(inst));
    let (plan_s, seq) = timed(reps, || problem.solve(budget, 7));
    let Some(base) = problem.evaluate(&nn) else {
        panic!("{}: the nearest-neighbour order is infeasible", inst.name)
    };
    let Some(planned) = problem.evaluate(&seq) else {
        panic!("{}: the planner returned an infeasible order", inst.name)
    };
    println!(
        "{:<18} {:>5} {:>9} {:>9} {:>8.4} {:>9.2} {:>9.3}",
        inst.name,
        problem.len(),
        base.cost,
        planned.cost,
        planned.cost as f64 / base.cost.max(1) as f64,
        plan_s * 1e3,
        nn_s * 1e3,
    );
}

fn main() {
    let small = std::env::var("RUNSHEET_BENCH_SCALE").is_ok_and(|s| s == "small");
    println!(
        "{:<18} {:>5} {:>9} {:>9} {:>8} {:>9} {:>9}",
        "instance", "stops", "nn cost", "cost", "vs nn", "plan ms", "nn ms"
    );
    if small {
        run(&food(1, 3), Duration::from_millis(5), 1);
        run(&food(2, 8), Duration::from_millis(5), 1);
        run(&parcel(3, 20), Duration::from_millis(5), 1);
    } else {
        // Exact (up to 13 stops), then the search at plan_json's budgets.
        run(&food(1, 7), Duration::from_millis(30), 20);
        run(&food(2, 12), Duration::from_millis(30), 10);
        run(&food(4, 12), Duration::from_millis(30), 10);
        run(&parcel(3, 120), Duration::from_millis(850), 3);
    }
    println!("\n(vs nn: planned cost over the nearest-neighbour order's cost, lower is better)");
}

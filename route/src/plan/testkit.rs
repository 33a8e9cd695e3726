//! Random instances and permutations for the planner's tests.

use rand::rngs::StdRng;
use rand::Rng;

use super::{Instance, Point, StopIn};

/// Every ordering of `0..n`.
pub fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

/// A random instance: `orders` orders, some on board, with ready and due times, loads in
/// the box and the chilled compartment (given on one stop or both, or absent), and capacities
/// or none.
pub fn random_instance(rng: &mut StdRng, orders: usize, on: f64, tw: f64, name: &str) -> Instance {
    let onboard: Vec<String> = (0..orders)
        .filter(|_| rng.gen_bool(on))
        .map(|o| format!("o{o}"))
        .collect();
    let mut stops = Vec::new();
    let mut on_load = (0, 0);
    for o in 0..orders {
        let order = format!("o{o}");
        let units = rng.gen_bool(0.6).then(|| rng.gen_range(0..4));
        let chilled = rng.gen_bool(0.4).then(|| rng.gen_range(0..3));
        if onboard.contains(&order) {
            on_load.0 += units.unwrap_or(1);
            on_load.1 += chilled.unwrap_or(0);
        }
        let stop = |kind: &str, rng: &mut StdRng| StopIn {
            id: format!("{order}-{kind}"),
            order: order.clone(),
            kind: kind.into(),
            lat: 30.0 + rng.gen_range(0.0..0.05),
            lon: 120.0 + rng.gen_range(0.0..0.05),
            ready_at: rng.gen_bool(0.7 * tw).then(|| rng.gen_range(0..4000)),
            due_by: rng.gen_bool(tw).then(|| rng.gen_range(500..6000)),
            service_s: rng.gen_range(0..120),
            // On the drop-off, or on both stops.
            units: if kind == "dropoff" || rng.gen_bool(0.5) {
                units
            } else {
                None
            },
            chilled_units: chilled,
        };
        if !onboard.contains(&order) {
            stops.push(stop("pickup", rng));
        }
        stops.push(stop("dropoff", rng));
    }
    let capacity = rng.gen_bool(0.5).then(|| on_load.0 + rng.gen_range(0..4));
    let chilled_capacity = rng.gen_bool(0.5).then(|| on_load.1 + rng.gen_range(0..3));
    Instance {
        format: "runsheet-route-v1".into(),
        name: name.into(),
        start: Point {
            lat: 30.02,
            lon: 120.02,
        },
        start_time: 0,
        speed_mps: 4.0,
        detour_factor: 1.3,
        lateness_weight: Some(rng.gen_range(0..20)),
        capacity,
        chilled_capacity,
        onboard,
        stops,
    }
}

//! The fuzz target's property over a few hundred seeded inputs: valid random instances, the
//! same with their JSON mutated, and edge cases (huge times, weights and speeds, empty and
//! degenerate instances).

#[path = "support/plan_property.rs"]
mod plan_property;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// A random instance as JSON: up to `max_orders` orders near Hangzhou, some on board.
fn instance(rng: &mut StdRng, name: &str, max_orders: usize) -> Value {
    let orders = rng.gen_range(0..=max_orders);
    let onboard: Vec<String> = (0..orders)
        .filter(|_| rng.gen_bool(0.3))
        .map(|o| format!("o{o}"))
        .collect();
    let mut stops = Vec::new();
    for o in 0..orders {
        let order = format!("o{o}");
        let mut stop = |kind: &str, rng: &mut StdRng| {
            let mut s = json!({
                "id": format!("{order}-{kind}"), "order": order, "kind": kind,
                "lat": 30.25 + rng.gen_range(0.0..0.06), "lon": 120.12 + rng.gen_range(0.0..0.06),
                "service_s": rng.gen_range(0..200),
            });
            if rng.gen_bool(0.4) {
                s["ready_at"] = json!(rng.gen_range(0..2000));
            }
            if rng.gen_bool(0.6) {
                s["due_by"] = json!(rng.gen_range(-100..4000));
            }
            stops.push(s);
        };
        if !onboard.contains(&order) {
            stop("pickup", rng);
        }
        stop("dropoff", rng);
    }
    let mut inst = json!({
        "format": "runsheet-route-v1", "name": name,
        "start": {"lat": 30.27, "lon": 120.15}, "start_time": 0,
        "speed_mps": rng.gen_range(1.0..8.0), "detour_factor": rng.gen_range(1.0..1.6),
        "onboard": onboard, "stops": stops,
    });
    if rng.gen_bool(0.5) {
        inst["capacity"] = json!(onboard.len() + rng.gen_range(0..3));
    }
    if rng.gen_bool(0.5) {
        inst["lateness_weight"] = json!(rng.gen_range(0..30));
    }
    inst
}

/// `text` with a few bytes replaced, deleted or duplicated.
fn mutate(rng: &mut StdRng, text: &str) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..rng.gen_range(1..4) {
        if bytes.is_empty() {
            break;
        }
        let i = rng.gen_range(0..bytes.len());
        match rng.gen_range(0..3) {
            0 => bytes[i] = b"0123456789-.,:{}[]\"e "[rng.gen_range(0..21)],
            1 => {
                bytes.remove(i);
            }
            _ => {
                let b = bytes[i];
                bytes.insert(i, b);
            }
        }
    }
    bytes
}

#[test]
fn random_instances_plan_to_checked_permutations() {
    let mut rng = StdRng::seed_from_u64(16);
    let mut planned = 0;
    for case in 0..200 {
        // Mostly exact-size instances; every tenth one large enough for the search.
        let max_orders = if case % 10 == 0 { 12 } else { 6 };
        let text = instance(&mut rng, &format!("case-{case}"), max_orders).to_string();
        planned += usize::from(plan_property::check(text.as_bytes()));
    }
    // Only a capacity too small for every order at once can make one unplannable.
    assert!(planned >= 150, "{planned} of 200 planned");
}

#[test]
fn mutated_instances_never_panic() {
    let mut rng = StdRng::seed_from_u64(61);
    let mut planned = 0;
    for case in 0..300 {
        let text = instance(&mut rng, &format!("m-{case}"), 5).to_string();
        planned += usize::from(plan_property::check(&mutate(&mut rng, &text)));
    }
    // Some mutations still parse (a digit changed): those are planned and checked too.
    assert!(planned > 0);
}

#[test]
fn extreme_values_are_planned_or_refused() {
    let mut rng = StdRng::seed_from_u64(7);
    let base = instance(&mut rng, "extreme", 0);
    let one = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        v["stops"] = json!([
            {"id": "a-p", "order": "a", "kind": "pickup", "lat": 30.27, "lon": 120.16, "service_s": 60},
            {"id": "a-d", "order": "a", "kind": "dropoff", "lat": -30.27, "lon": -59.84, "service_s": 60, "due_by": 10},
        ]);
        f(&mut v);
        plan_property::check(v.to_string().as_bytes())
    };
    assert!(one(&|_| {}), "the base case is plannable");
    one(&|v| v["start_time"] = json!(i64::MAX));
    one(&|v| v["start_time"] = json!(i64::MIN));
    one(&|v| v["lateness_weight"] = json!(i64::MAX));
    one(&|v| v["speed_mps"] = json!(1e-300));
    one(&|v| v["detour_factor"] = json!(1e300));
    one(&|v| v["speed_mps"] = json!(1e300));
    one(&|v| v["stops"][1]["due_by"] = json!(i64::MIN));
    one(&|v| v["stops"][0]["ready_at"] = json!(i64::MAX));
    one(&|v| v["stops"][0]["service_s"] = json!(i64::MAX));
    one(&|v| v["capacity"] = json!(0));
    one(&|v| v["stops"][1]["lat"] = json!(90.0));
    one(&|v| v["start"] = json!({"lat": -90.0, "lon": 180.0}));
    for junk in [
        "",
        "{}",
        "[]",
        "null",
        "\u{0}",
        "{\"format\":\"runsheet-route-v1\"}",
    ] {
        plan_property::check(junk.as_bytes());
    }
    plan_property::check(&[0xff, 0xfe, b'{']);
}

//! The planner's fuzz property, shared by the cargo-fuzz target (`route/fuzz`) and the seeded
//! test (`tests/plan_inputs.rs`): any bytes given to `plan_json` are planned or refused, never
//! a panic, and a plan is checked here independently of the planner: a permutation of the
//! instance's stops, every pickup before its drop-off, the capacity kept, and the reported
//! cost the spec's cost of that sequence.

use std::collections::{HashMap, HashSet};

use runsheet_route::plan::{plan_json, Instance};
use runsheet_route::travel::travel_s;

/// Plans `data` (read as UTF-8) and checks the plan; panics on a violation. Returns whether
/// there was a plan to check (`false`: the input was refused).
pub fn check(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Ok((solution, cost)) = plan_json(text) else {
        return false;
    };
    let inst: Instance = serde_json::from_str(text).expect("plan_json read it, so can serde");
    assert_eq!(solution.instance, inst.name);
    let by_id: HashMap<&str, usize> = inst
        .stops
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut seen = HashSet::new();
    for id in &solution.sequence {
        assert!(by_id.contains_key(id.as_str()), "unknown stop {id:?}");
        assert!(seen.insert(id.as_str()), "stop {id:?} twice");
    }
    assert_eq!(seen.len(), inst.stops.len(), "stops missing from the plan");
    // Precedence and capacity, and the spec's schedule (section 3) for the cost.
    let onboard: HashSet<&str> = inst.onboard.iter().map(String::as_str).collect();
    let mut picked: HashSet<&str> = HashSet::new();
    let mut load = inst.onboard.len() as i64;
    let (mut t, mut pos, mut lateness) = (inst.start_time, (inst.start.lat, inst.start.lon), 0);
    for id in &solution.sequence {
        let s = &inst.stops[by_id[id.as_str()]];
        if s.kind == "pickup" {
            picked.insert(s.order.as_str());
            load += 1;
        } else {
            assert!(
                onboard.contains(s.order.as_str()) || picked.contains(s.order.as_str()),
                "drop-off {id:?} before its pickup"
            );
            load -= 1;
        }
        if let Some(c) = inst.capacity {
            assert!(load <= c, "load {load} over capacity {c} after {id:?}");
        }
        t += travel_s(pos, (s.lat, s.lon), inst.detour_factor, inst.speed_mps);
        if let Some(r) = s.ready_at {
            t = t.max(r);
        }
        if let Some(d) = s.due_by {
            lateness += (t - d).max(0);
        }
        t += s.service_s;
        pos = (s.lat, s.lon);
    }
    let makespan = t - inst.start_time;
    assert_eq!((cost.makespan, cost.lateness), (makespan, lateness));
    let weight = inst.lateness_weight.unwrap_or(10);
    assert_eq!(
        cost.cost,
        makespan.saturating_add(weight.saturating_mul(lateness))
    );
    true
}

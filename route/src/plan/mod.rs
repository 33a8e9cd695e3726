//! Stop sequencing: the order in which a courier visits the stops of their active tasks, as
//! specified by `runsheet-route-v1` (shared/bench/route/README.md): every pickup before its
//! drop-off, the box's capacity never exceeded, waiting where a pickup is not ready, and a cost
//! of makespan plus weighted lateness. Small instances are solved exactly (dynamic programming
//! over visited sets with Pareto labels); larger ones by iterated local search, seeded so a run
//! is repeatable.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::travel::travel_s;

mod exact;
mod search;
#[cfg(test)]
mod testkit;

/// Instances with at most this many stops are solved exactly.
pub const EXACT_MAX_STOPS: usize = 13;

/// Most stops an instance may have: its travel matrix grows with the square (2,000 stops take
/// 32 MB), and a courier's round is far smaller.
pub const MAX_STOPS: usize = 2_000;

/// Largest magnitude of a time (`start_time`, `ready_at`, `due_by`), of a service time and of
/// one travel time, seconds (about 35,000 years): sums over any instance stay far from
/// overflowing 64 bits.
pub const MAX_TIME_S: i64 = 1 << 40;

/// Most units an order may take, in the box or the chilled compartment: sums over
/// [`MAX_STOPS`] orders stay far from overflowing.
pub const MAX_UNITS: i64 = 1 << 40;

/// Units in the box and in the chilled compartment: a load, a change of it, or the room.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Load(i64, i64);

impl Load {
    const ZERO: Load = Load(0, 0);

    #[inline]
    fn plus(self, o: Load) -> Load {
        Load(self.0.saturating_add(o.0), self.1.saturating_add(o.1))
    }

    #[inline]
    fn minus(self, o: Load) -> Load {
        Load(self.0.saturating_sub(o.0), self.1.saturating_sub(o.1))
    }

    /// True when either part exceeds the room's.
    #[inline]
    fn over(self, cap: Load) -> bool {
        self.0 > cap.0 || self.1 > cap.1
    }

    /// The larger of each part.
    #[inline]
    fn max(self, o: Load) -> Load {
        Load(self.0.max(o.0), self.1.max(o.1))
    }
}

/// A malformed instance, with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad instance: {0}")]
pub struct PlanError(pub String);

/// A WGS-84 point as the instance format writes it, `{"lat": .., "lon": ..}`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Point {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

impl From<Point> for geo::Point<f64> {
    fn from(p: Point) -> Self {
        crate::travel::point((p.lat, p.lon))
    }
}

/// One stop of an instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StopIn {
    /// Unique id.
    pub id: String,
    /// The order it belongs to.
    pub order: String,
    /// `pickup` or `dropoff`.
    pub kind: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Service cannot begin before this time.
    #[serde(default)]
    pub ready_at: Option<i64>,
    /// Soft deadline for the beginning of service.
    #[serde(default)]
    pub due_by: Option<i64>,
    /// Seconds spent at the stop.
    pub service_s: i64,
    /// Units of the box its order takes (on either of the order's stops, the same on both;
    /// absent on both: 1, one order as `capacity` counted before loads had sizes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<i64>,
    /// Units of the chilled compartment its order takes (as `units`; absent: 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chilled_units: Option<i64>,
}

/// A `runsheet-route-v1` instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Instance {
    /// Exactly `runsheet-route-v1`.
    pub format: String,
    /// Its name.
    pub name: String,
    /// Where the courier is at `start_time`.
    pub start: Point,
    /// Seconds.
    pub start_time: i64,
    /// Metres per second.
    pub speed_mps: f64,
    /// Road distance over great-circle distance.
    pub detour_factor: f64,
    /// Cost of one second of lateness (default 10).
    #[serde(default)]
    pub lateness_weight: Option<i64>,
    /// Most units carried in the box at once (`None`: unlimited); an order takes its stops'
    /// `units`, 1 when they give none, so without sizes this counts orders.
    #[serde(default)]
    pub capacity: Option<i64>,
    /// Most units carried in the chilled compartment at once (`None`: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chilled_capacity: Option<i64>,
    /// Orders already in the box.
    #[serde(default)]
    pub onboard: Vec<String>,
    /// The stops.
    pub stops: Vec<StopIn>,
}

/// An instance checked and compiled for solving. Stop `i` of the instance is index `i`; the
/// start is index `n` in the travel matrix.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Stop ids, by index.
    pub ids: Vec<String>,
    n: usize,
    travel: Vec<i64>,
    ready: Vec<Option<i64>>,
    due: Vec<Option<i64>>,
    service: Vec<i64>,
    pickup: Vec<bool>,
    /// For a drop-off: the index of its pickup, when the order is not on board.
    needs: Vec<Option<usize>>,
    /// For a pickup: the index of its drop-off.
    drop_of: Vec<Option<usize>>,
    /// Ready times, `i64::MIN` where none.
    ready_v: Vec<i64>,
    /// Due times, `i64::MAX` where none.
    due_v: Vec<i64>,
    /// What serving each stop adds to the load (a pickup its order's load, a drop-off minus it).
    delta: Vec<Load>,
    /// The box's and the chilled compartment's room (`i64::MAX` where unlimited).
    cap: Load,
    /// The load of the orders on board at the start.
    onboard: Load,
    weight: i64,
    start_time: i64,
}

/// The cost of a feasible sequence and its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Makespan plus weight times lateness.
    pub cost: i64,
    /// Seconds from the start to the end of the last service.
    pub makespan: i64,
    /// Total seconds late.
    pub lateness: i64,
}

impl Problem {
    /// Checks an instance (section 1 of the spec) and builds the travel matrix.
    pub fn new(inst: &Instance) -> Result<Self, PlanError> {
        let bad = |m: String| Err(PlanError(m));
        if inst.format != "runsheet-route-v1" {
            return bad(format!(
                "format must be \"runsheet-route-v1\", not {:?}",
                inst.format
            ));
        }
        if inst.name.is_empty() {
            return bad("name is empty".into());
        }
        if !(inst.speed_mps.is_finite() && inst.speed_mps > 0.0) {
            return bad("speed_mps must be a positive number".into());
        }
        if !(inst.detour_factor.is_finite() && inst.detour_factor > 0.0) {
            return bad("detour_factor must be a positive number".into());
        }
        let weight = inst.lateness_weight.unwrap_or(10);
        if weight < 0 {
            return bad("lateness_weight must be >= 0".into());
        }
        for (what, c) in [
            ("capacity", inst.capacity),
            ("chilled_capacity", inst.chilled_capacity),
        ] {
            if c.is_some_and(|c| c < 0) {
                return bad(format!("{what} must be >= 0"));
            }
        }
        let cap = Load(
            inst.capacity.unwrap_or(i64::MAX),
            inst.chilled_capacity.unwrap_or(i64::MAX),
        );
        if inst.stops.len() > MAX_STOPS {
            return bad(format!("more than {MAX_STOPS} stops"));
        }
        let in_range = |t: i64| (-MAX_TIME_S..=MAX_TIME_S).contains(&t);
        if !in_range(inst.start_time) {
            return bad("start_time out of range".into());
        }
        for s in &inst.stops {
            if ![s.ready_at, s.due_by, Some(s.service_s)]
                .into_iter()
                .flatten()
                .all(in_range)
            {
                return bad(format!("stop {:?}: a time out of range", s.id));
            }
        }
        let check_point = |what: &str, lat: f64, lon: f64| {
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                Err(PlanError(format!("{what}: coordinates out of range")))
            } else {
                Ok(())
            }
        };
        check_point("start", inst.start.lat, inst.start.lon)?;
        let mut onboard = std::collections::HashSet::new();
        for o in &inst.onboard {
            if !onboard.insert(o.as_str()) {
                return bad(format!("order {o:?} is on board twice"));
            }
        }
        let n = inst.stops.len();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut per_order: HashMap<&str, (Option<usize>, Option<usize>)> = HashMap::new();
        for (i, s) in inst.stops.iter().enumerate() {
            if s.id.is_empty() || s.order.is_empty() {
                return bad(format!("stop {i}: empty id or order"));
            }
            if index.insert(&s.id, i).is_some() {
                return bad(format!("stop id {:?} appears twice", s.id));
            }
            check_point(&s.id, s.lat, s.lon)?;
            if s.service_s < 0 {
                return bad(format!("stop {:?}: service_s must be >= 0", s.id));
            }
            for (what, u) in [("units", s.units), ("chilled_units", s.chilled_units)] {
                if u.is_some_and(|u| !(0..=MAX_UNITS).contains(&u)) {
                    return bad(format!("stop {:?}: {what} must be 0 to {MAX_UNITS}", s.id));
                }
            }
            let e = per_order.entry(&s.order).or_default();
            let slot = match s.kind.as_str() {
                "pickup" => &mut e.0,
                "dropoff" => &mut e.1,
                other => return bad(format!("stop {:?}: kind {other:?}", s.id)),
            };
            if slot.replace(i).is_some() {
                return bad(format!("order {:?} has two {} stops", s.order, s.kind));
            }
        }
        let mut needs = vec![None; n];
        for (order, (p, d)) in &per_order {
            let on = onboard.contains(order);
            match (on, p, d) {
                (false, Some(p), Some(d)) => needs[*d] = Some(*p),
                (true, None, Some(_)) => {}
                (false, _, _) => {
                    return bad(format!("order {order:?} needs one pickup and one dropoff"))
                }
                (true, _, _) => {
                    return bad(format!(
                        "order {order:?} is on board: one dropoff, no pickup"
                    ))
                }
            }
        }
        for o in &onboard {
            if !per_order.contains_key(o) {
                return bad(format!("on-board order {o:?} has no dropoff"));
            }
        }
        // Each order's load, from whichever of its stops gives it.
        let mut load_of: HashMap<&str, Load> = HashMap::new();
        for (order, (p, d)) in &per_order {
            let given = |f: fn(&StopIn) -> Option<i64>| -> Result<Option<i64>, PlanError> {
                let on: Vec<i64> = [p, d]
                    .into_iter()
                    .flatten()
                    .filter_map(|&i| f(&inst.stops[i]))
                    .collect();
                match on.as_slice() {
                    [a, b] if a != b => Err(PlanError(format!(
                        "order {order:?}: its stops give different loads"
                    ))),
                    _ => Ok(on.first().copied()),
                }
            };
            let units = given(|s| s.units)?.unwrap_or(1);
            let chilled = given(|s| s.chilled_units)?.unwrap_or(0);
            load_of.insert(*order, Load(units, chilled));
        }
        let on_load = onboard.iter().fold(Load::ZERO, |l, o| l.plus(load_of[o]));
        if on_load.over(cap) {
            return bad("more on board than the capacity".into());
        }
        let mut pts: Vec<(f64, f64)> = inst.stops.iter().map(|s| (s.lat, s.lon)).collect();
        pts.push((inst.start.lat, inst.start.lon));
        let m = n + 1;
        let mut travel = vec![0; m * m];
        for a in 0..m {
            for b in 0..m {
                if a != b {
                    let t = travel_s(pts[a], pts[b], inst.detour_factor, inst.speed_mps);
                    if !(0..=MAX_TIME_S).contains(&t) {
                        return bad("travel times out of range (speed_mps, detour_factor)".into());
                    }
                    travel[a * m + b] = t;
                }
            }
        }
        Ok(Problem {
            ids: inst.stops.iter().map(|s| s.id.clone()).collect(),
            n,
            travel,
            ready: inst.stops.iter().map(|s| s.ready_at).collect(),
            due: inst.stops.iter().map(|s| s.due_by).collect(),
            service: inst.stops.iter().map(|s| s.service_s).collect(),
            pickup: inst.stops.iter().map(|s| s.kind == "pickup").collect(),
            drop_of: {
                let mut d = vec![None; n];
                for (s, p) in needs.iter().enumerate() {
                    if let Some(p) = p {
                        d[*p] = Some(s);
                    }
                }
                d
            },
            ready_v: inst
                .stops
                .iter()
                .map(|s| s.ready_at.unwrap_or(i64::MIN))
                .collect(),
            due_v: inst
                .stops
                .iter()
                .map(|s| s.due_by.unwrap_or(i64::MAX))
                .collect(),
            needs,
            delta: inst
                .stops
                .iter()
                .map(|s| {
                    let l = load_of[s.order.as_str()];
                    if s.kind == "pickup" {
                        l
                    } else {
                        Load::ZERO.minus(l)
                    }
                })
                .collect(),
            cap,
            onboard: on_load,
            weight,
            start_time: inst.start_time,
        })
    }

    /// Number of stops.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when there are no stops.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    fn t(&self, a: usize, b: usize) -> i64 {
        self.travel[a * (self.n + 1) + b]
    }

    /// The schedule's cost (section 3), or `None` if the sequence is infeasible.
    pub fn evaluate(&self, seq: &[usize]) -> Option<Cost> {
        if seq.len() != self.n {
            return None;
        }
        let mut seen = vec![false; self.n];
        let mut t = self.start_time;
        let mut pos = self.n;
        let mut load = self.onboard;
        let mut lateness = 0;
        for &s in seq {
            if s >= self.n || seen[s] {
                return None;
            }
            if let Some(p) = self.needs[s] {
                if !seen[p] {
                    return None;
                }
            }
            seen[s] = true;
            t += self.t(pos, s);
            if let Some(r) = self.ready[s] {
                t = t.max(r);
            }
            if let Some(d) = self.due[s] {
                lateness += (t - d).max(0);
            }
            t += self.service[s];
            load = load.plus(self.delta[s]);
            if load.over(self.cap) {
                return None;
            }
            pos = s;
        }
        let makespan = t - self.start_time;
        Some(Cost {
            cost: makespan.saturating_add(self.weight.saturating_mul(lateness)),
            makespan,
            lateness,
        })
    }

    /// When service begins at each stop of a feasible sequence (after travel and any wait for
    /// a ready time), Unix seconds, in sequence order; `None` if the sequence is infeasible.
    pub fn schedule(&self, seq: &[usize]) -> Option<Vec<i64>> {
        self.evaluate(seq)?;
        let mut t = self.start_time;
        let mut pos = self.n;
        let mut out = Vec::with_capacity(seq.len());
        for &s in seq {
            t += self.t(pos, s);
            if let Some(r) = self.ready[s] {
                t = t.max(r);
            }
            out.push(t);
            t += self.service[s];
            pos = s;
        }
        Some(out)
    }

    /// The best sequence found: exact for small instances, else iterated local search within
    /// `budget`, seeded by `seed`.
    pub fn solve(&self, budget: Duration, seed: u64) -> Vec<usize> {
        if self.n == 0 {
            return Vec::new();
        }
        if self.n <= EXACT_MAX_STOPS {
            if let Some(s) = self.exact() {
                return s;
            }
        }
        self.search(budget, seed)
    }

    /// A feasible start: stops in an order that respects precedence and capacity, choosing at
    /// each point the stop that ends soonest (ties by id order).
    fn greedy(&self) -> Vec<usize> {
        let mut seq = Vec::with_capacity(self.n);
        let mut seen = vec![false; self.n];
        let (mut t, mut pos, mut load) = (self.start_time, self.n, self.onboard);
        for _ in 0..self.n {
            let mut pick: Option<(i64, usize)> = None;
            for s in 0..self.n {
                if seen[s] || self.needs[s].is_some_and(|p| !seen[p]) {
                    continue;
                }
                if load.plus(self.delta[s]).over(self.cap) {
                    continue;
                }
                let mut a = t + self.t(pos, s);
                if let Some(r) = self.ready[s] {
                    a = a.max(r);
                }
                let late = self.due[s].map_or(0, |d| (a - d).max(0));
                let score = a.saturating_add(self.weight.saturating_mul(late));
                if pick.is_none_or(|(b, _)| score < b) {
                    pick = Some((score, s));
                }
            }
            let Some((_, s)) = pick else { break };
            seen[s] = true;
            t += self.t(pos, s);
            if let Some(r) = self.ready[s] {
                t = t.max(r);
            }
            t += self.service[s];
            load = load.plus(self.delta[s]);
            pos = s;
            seq.push(s);
        }
        seq
    }

    /// Serves stop `s` after `from`, leaving `from` at time `t` with `late` seconds of lateness
    /// so far: the time after the service and the lateness then.
    #[inline]
    fn step(&self, t: i64, late: i64, from: usize, s: usize) -> (i64, i64) {
        let t = (t + self.t(from, s)).max(self.ready_v[s]);
        (
            t + self.service[s],
            late + t.saturating_sub(self.due_v[s]).max(0),
        )
    }

    /// Makespan plus weighted lateness for a schedule that ends at `t` with `late` seconds late.
    #[inline]
    fn cost_of(&self, t: i64, late: i64) -> i64 {
        (t - self.start_time).saturating_add(self.weight.saturating_mul(late))
    }
}

/// A solution in the spec's format.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Solution {
    /// The instance's name.
    pub instance: String,
    /// Stop ids in visiting order.
    pub sequence: Vec<String>,
}

/// Solves an instance given as JSON text; the budget scales with its size.
pub fn plan_json(json: &str) -> Result<(Solution, Cost), PlanError> {
    let inst: Instance =
        serde_json::from_str(json).map_err(|e| PlanError(format!("not a route instance: {e}")))?;
    let p = Problem::new(&inst)?;
    // Food batches (up to 24 stops) must be planned within 50 ms; parcel rounds within 1 s.
    let budget = Duration::from_millis(if p.len() <= 24 { 30 } else { 850 });
    let seed = inst.name.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    let seq = p.solve(budget, seed);
    let cost = p
        .evaluate(&seq)
        .ok_or_else(|| PlanError("no feasible sequence exists (capacity too small?)".into()))?;
    Ok((
        Solution {
            instance: inst.name,
            sequence: seq.iter().map(|&i| p.ids[i].clone()).collect(),
        },
        cost,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{"format": "runsheet-route-v1", "name": "example-2o",
 "start": {"lat": 30.2741, "lon": 120.155}, "start_time": 1795406400,
 "speed_mps": 4.0, "detour_factor": 1.3, "lateness_weight": 10, "capacity": 1, "onboard": ["A"],
 "stops": [
  {"id": "A-d", "order": "A", "kind": "dropoff", "lat": 30.2801, "lon": 120.1602, "due_by": 1795406700, "service_s": 90},
  {"id": "B-p", "order": "B", "kind": "pickup", "lat": 30.2712, "lon": 120.1648, "ready_at": 1795407300, "service_s": 120},
  {"id": "B-d", "order": "B", "kind": "dropoff", "lat": 30.2655, "lon": 120.1801, "due_by": 1795407900, "service_s": 60}]}"#;

    fn problem(json: &str) -> Problem {
        Problem::new(&serde_json::from_str(json).unwrap()).unwrap()
    }

    #[test]
    fn the_specs_worked_example() {
        let p = problem(EXAMPLE);
        // travel 271, 352 and 520 s; A-d, B-p, B-d costs 1600 + 10 x 40.
        assert_eq!(p.t(3, 0), 271);
        assert_eq!(p.t(0, 1), 352);
        assert_eq!(p.t(1, 2), 520);
        let c = p.evaluate(&[0, 1, 2]).unwrap();
        assert_eq!((c.cost, c.makespan, c.lateness), (2000, 1600, 40));
        assert_eq!(p.evaluate(&[1, 0, 2]), None, "over capacity");
        assert_eq!(p.evaluate(&[0, 2, 1]), None, "dropoff before pickup");
        assert_eq!(p.evaluate(&[0, 1]), None, "a stop missing");
        assert_eq!(p.evaluate(&[0, 0, 1]), None, "a stop twice");
        let (sol, cost) = plan_json(EXAMPLE).unwrap();
        assert_eq!(sol.sequence, ["A-d", "B-p", "B-d"]);
        assert_eq!(cost.cost, 2000);
    }

    /// Two orders to pick up near the start, each with `a` and `b` as extra stop fields.
    fn two_orders(extra: &str, a: &str, b: &str) -> String {
        format!(
            r#"{{"format": "runsheet-route-v1", "name": "box", {extra}
 "start": {{"lat": 30.2741, "lon": 120.155}}, "start_time": 0, "speed_mps": 4.0, "detour_factor": 1.3,
 "stops": [
  {{"id": "A-p", "order": "A", "kind": "pickup", "lat": 30.2742, "lon": 120.1551, "service_s": 60 {a}}},
  {{"id": "B-p", "order": "B", "kind": "pickup", "lat": 30.2743, "lon": 120.1552, "service_s": 60 {b}}},
  {{"id": "A-d", "order": "A", "kind": "dropoff", "lat": 30.2900, "lon": 120.1700, "service_s": 60}},
  {{"id": "B-d", "order": "B", "kind": "dropoff", "lat": 30.2901, "lon": 120.1701, "service_s": 60}}]}}"#
        )
    }

    #[test]
    fn loads_in_units_fill_the_box_and_the_chilled_compartment_apart() {
        // Together is cheapest: both pickups, then both drop-offs.
        let together = [0, 1, 2, 3];
        let p = problem(&two_orders(
            r#""capacity": 10,"#,
            r#","units": 6"#,
            r#","units": 4"#,
        ));
        assert!(
            p.evaluate(&together).is_some(),
            "6 + 4 units fit a box of 10"
        );
        let p = problem(&two_orders(
            r#""capacity": 10,"#,
            r#","units": 6"#,
            r#","units": 5"#,
        ));
        assert_eq!(
            p.evaluate(&together),
            None,
            "6 + 5 units overflow a box of 10"
        );
        assert!(p.evaluate(&[0, 2, 1, 3]).is_some());
        let (sol, _) = plan_json(&two_orders(
            r#""capacity": 10,"#,
            r#","units": 6"#,
            r#","units": 5"#,
        ))
        .unwrap();
        assert!(
            matches!(sol.sequence[1].as_str(), "A-d" | "B-d"),
            "one order is delivered before the other is picked up: {:?}",
            sol.sequence
        );
        // Chilled goods take the compartment, not the box.
        let chilled = two_orders(
            r#""capacity": 10, "chilled_capacity": 2,"#,
            r#","units": 0, "chilled_units": 2"#,
            r#","units": 3, "chilled_units": 1"#,
        );
        let p = problem(&chilled);
        assert_eq!(
            p.evaluate(&together),
            None,
            "2 + 1 chilled units overflow 2"
        );
        let p = problem(&chilled.replace("\"chilled_capacity\": 2", "\"chilled_capacity\": 3"));
        assert!(p.evaluate(&together).is_some());
        // Without loads an order is one unit: a box of 1 carries one order at a time.
        let p = problem(&two_orders(r#""capacity": 1,"#, "", ""));
        assert_eq!(p.evaluate(&together), None);
        assert!(p.evaluate(&[1, 3, 0, 2]).is_some());
    }

    #[test]
    fn malformed_instances_are_refused_with_a_reason() {
        let cases = [
            (EXAMPLE.replace("runsheet-route-v1", "v0"), "format"),
            (
                EXAMPLE.replace("\"speed_mps\": 4.0", "\"speed_mps\": 0"),
                "speed_mps",
            ),
            (
                EXAMPLE.replace("\"id\": \"B-d\"", "\"id\": \"B-p\""),
                "twice",
            ),
            (
                EXAMPLE.replace("\"onboard\": [\"A\"]", "\"onboard\": []"),
                "order \"A\"",
            ),
            (
                EXAMPLE.replace("\"capacity\": 1", "\"capacity\": 0"),
                "capacity",
            ),
            (
                EXAMPLE.replace("\"lat\": 30.2655", "\"lat\": 95.0"),
                "out of range",
            ),
            (
                EXAMPLE.replace("1795406400", "1795406400.5"),
                "not a route instance",
            ),
            (
                EXAMPLE.replace("\"kind\": \"pickup\"", "\"kind\": \"teleport\""),
                "kind",
            ),
            ("[]".to_string(), "not a route instance"),
            (two_orders("", r#","units": -1"#, ""), "units must be 0 to"),
            (
                two_orders(r#""chilled_capacity": -2,"#, "", ""),
                "chilled_capacity must be >= 0",
            ),
        ];
        for (json, needle) in cases {
            let e = plan_json(&json).expect_err(needle);
            assert!(e.to_string().contains(needle), "{needle}: {e}");
        }
        let (sol, cost) = plan_json(
            r#"{"format":"runsheet-route-v1","name":"empty","start":{"lat":0,"lon":0},"start_time":0,"speed_mps":1,"detour_factor":1,"stops":[]}"#,
        )
        .unwrap();
        assert!(sol.sequence.is_empty());
        assert_eq!(cost.cost, 0);
    }
}

//! Stop sequencing: the order in which a courier visits the stops of their active tasks, as
//! specified by `runsheet-route-v1` (shared/bench/route/README.md): every pickup before its
//! drop-off, the box's capacity never exceeded, waiting where a pickup is not ready, and a cost
//! of makespan plus weighted lateness. Small instances are solved exactly (dynamic programming
//! over visited sets with Pareto labels); larger ones by iterated local search, seeded so a run
//! is repeatable.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Instances with at most this many stops are solved exactly.
pub const EXACT_MAX_STOPS: usize = 13;

/// A malformed instance, with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad instance: {0}")]
pub struct PlanError(pub String);

/// A point.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Point {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
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
    /// Most orders carried at once (`None`: unlimited).
    #[serde(default)]
    pub capacity: Option<i64>,
    /// Orders already in the box.
    #[serde(default)]
    pub onboard: Vec<String>,
    /// The stops.
    pub stops: Vec<StopIn>,
}

/// Travel seconds between two points, exactly as the spec computes them.
pub fn travel_s(p: Point, q: Point, detour: f64, speed: f64) -> i64 {
    const R: f64 = 6_371_008.8;
    let deg = std::f64::consts::PI / 180.0;
    let phi1 = p.lat * deg;
    let phi2 = q.lat * deg;
    let dphi = (q.lat - p.lat) * deg;
    let dlam = (q.lon - p.lon) * deg;
    let s1 = (dphi / 2.0).sin();
    let s2 = (dlam / 2.0).sin();
    let a = s1 * s1 + phi1.cos() * phi2.cos() * s2 * s2;
    let h = 2.0 * R * a.sqrt().min(1.0).asin();
    let x = h * detour / speed;
    (x + 0.5).floor() as i64
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
    capacity: Option<i64>,
    onboard: i64,
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
        if let Some(c) = inst.capacity {
            if c < 0 {
                return bad("capacity must be >= 0".into());
            }
            if (inst.onboard.len() as i64) > c {
                return bad("more orders on board than the capacity".into());
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
        let mut pts: Vec<Point> = inst
            .stops
            .iter()
            .map(|s| Point {
                lat: s.lat,
                lon: s.lon,
            })
            .collect();
        pts.push(inst.start);
        let m = n + 1;
        let mut travel = vec![0; m * m];
        for a in 0..m {
            for b in 0..m {
                if a != b {
                    travel[a * m + b] =
                        travel_s(pts[a], pts[b], inst.detour_factor, inst.speed_mps);
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
            needs,
            capacity: inst.capacity,
            onboard: inst.onboard.len() as i64,
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
            load += if self.pickup[s] { 1 } else { -1 };
            if self.capacity.is_some_and(|c| load > c) {
                return None;
            }
            pos = s;
        }
        let makespan = t - self.start_time;
        Some(Cost {
            cost: makespan + self.weight * lateness,
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

    /// Label-setting dynamic programming over (visited set, last stop) with Pareto labels
    /// (time after service, lateness so far).
    fn exact(&self) -> Option<Vec<usize>> {
        let n = self.n;
        let full = (1usize << n) - 1;
        // labels[mask * n + last] = Vec<(time, lateness, parent label id)>
        #[derive(Clone, Copy)]
        struct Label {
            t: i64,
            late: i64,
            prev: usize,
        }
        let mut arena: Vec<(usize, Label)> = Vec::new(); // (stop, label)
        let mut states: Vec<Vec<usize>> = vec![Vec::new(); (full + 1) * n];
        let load_of = |mask: usize| -> i64 {
            let mut l = self.onboard;
            for i in 0..n {
                if mask & (1 << i) != 0 {
                    l += if self.pickup[i] { 1 } else { -1 };
                }
            }
            l
        };
        let extend = |t0: i64, late0: i64, from: usize, s: usize| -> (i64, i64) {
            let mut t = t0 + self.t(from, s);
            if let Some(r) = self.ready[s] {
                t = t.max(r);
            }
            let late = late0 + self.due[s].map_or(0, |d| (t - d).max(0));
            (t + self.service[s], late)
        };
        let push =
            |arena: &mut Vec<(usize, Label)>, bucket: &mut Vec<usize>, s: usize, l: Label| {
                if bucket
                    .iter()
                    .any(|&i| arena[i].1.t <= l.t && arena[i].1.late <= l.late)
                {
                    return;
                }
                bucket.retain(|&i| !(l.t <= arena[i].1.t && l.late <= arena[i].1.late));
                arena.push((s, l));
                bucket.push(arena.len() - 1);
            };
        for s in 0..n {
            if self.needs[s].is_some() {
                continue;
            }
            let load = self.onboard + if self.pickup[s] { 1 } else { -1 };
            if self.capacity.is_some_and(|c| load > c) {
                continue;
            }
            let (t, late) = extend(self.start_time, 0, n, s);
            let mut bucket = std::mem::take(&mut states[(1 << s) * n + s]);
            push(
                &mut arena,
                &mut bucket,
                s,
                Label {
                    t,
                    late,
                    prev: usize::MAX,
                },
            );
            states[(1 << s) * n + s] = bucket;
        }
        for mask in 1..=full {
            let load = load_of(mask);
            for last in 0..n {
                if mask & (1 << last) == 0 || states[mask * n + last].is_empty() {
                    continue;
                }
                let here = states[mask * n + last].clone();
                for s in 0..n {
                    if mask & (1 << s) != 0 {
                        continue;
                    }
                    if let Some(p) = self.needs[s] {
                        if mask & (1 << p) == 0 {
                            continue;
                        }
                    }
                    let nl = load + if self.pickup[s] { 1 } else { -1 };
                    if self.capacity.is_some_and(|c| nl > c) {
                        continue;
                    }
                    let next = mask | (1 << s);
                    let mut bucket = std::mem::take(&mut states[next * n + s]);
                    for &li in &here {
                        let l = arena[li].1;
                        let (t, late) = extend(l.t, l.late, last, s);
                        push(&mut arena, &mut bucket, s, Label { t, late, prev: li });
                    }
                    states[next * n + s] = bucket;
                }
            }
        }
        let mut best: Option<(i64, usize)> = None;
        for last in 0..n {
            for &li in &states[full * n + last] {
                let l = arena[li].1;
                let cost = l.t - self.start_time + self.weight * l.late;
                if best.is_none_or(|(c, _)| cost < c) {
                    best = Some((cost, li));
                }
            }
        }
        let (_, mut li) = best?;
        let mut seq = Vec::with_capacity(n);
        while li != usize::MAX {
            seq.push(arena[li].0);
            li = arena[li].1.prev;
        }
        seq.reverse();
        Some(seq)
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
                let nl = load + if self.pickup[s] { 1 } else { -1 };
                if self.capacity.is_some_and(|c| nl > c) {
                    continue;
                }
                let mut a = t + self.t(pos, s);
                if let Some(r) = self.ready[s] {
                    a = a.max(r);
                }
                let late = self.due[s].map_or(0, |d| (a - d).max(0));
                let score = a + self.weight * late;
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
            load += if self.pickup[s] { 1 } else { -1 };
            pos = s;
            seq.push(s);
        }
        seq
    }

    /// Best-improvement relocation of single stops and of segments of 2 and 3, and segment
    /// reversals, until no move improves.
    fn descend(&self, seq: &mut [usize], cost: &mut i64, deadline: Instant) {
        let n = seq.len();
        let mut improved = true;
        let mut cand = Vec::with_capacity(n);
        while improved && Instant::now() < deadline {
            improved = false;
            for len in 1..=3usize.min(n) {
                for i in 0..=n - len {
                    for j in 0..=n - len {
                        if j == i {
                            continue;
                        }
                        cand.clear();
                        let seg = &seq[i..i + len];
                        let rest: Vec<usize> =
                            seq[..i].iter().chain(&seq[i + len..]).copied().collect();
                        cand.extend_from_slice(&rest[..j.min(rest.len())]);
                        cand.extend_from_slice(seg);
                        cand.extend_from_slice(&rest[j.min(rest.len())..]);
                        if let Some(c) = self.evaluate(&cand) {
                            if c.cost < *cost {
                                *cost = c.cost;
                                seq.copy_from_slice(&cand);
                                improved = true;
                            }
                        }
                    }
                }
            }
            for i in 0..n {
                for j in i + 2..=n {
                    seq[i..j].reverse();
                    match self.evaluate(seq) {
                        Some(c) if c.cost < *cost => {
                            *cost = c.cost;
                            improved = true;
                        }
                        _ => seq[i..j].reverse(),
                    }
                }
            }
        }
    }

    /// Iterated local search from the greedy order: descend, then perturb the best found by
    /// a few random relocations and descend again, until the budget is spent.
    fn search(&self, budget: Duration, seed: u64) -> Vec<usize> {
        let deadline = Instant::now() + budget;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut best = self.greedy();
        let Some(c) = self.evaluate(&best) else {
            return best;
        };
        let mut best_cost = c.cost;
        self.descend(&mut best, &mut best_cost, deadline);
        let n = best.len();
        let mut idle = 0u32;
        while Instant::now() < deadline && n > 3 {
            let mut cur = best.clone();
            // Kicks grow while nothing improves, to leave deep local optima.
            let kicks = 2 + (idle / 50).min(4) as usize;
            for _ in 0..rng.gen_range(kicks..kicks + 3) {
                let i = rng.gen_range(0..n);
                let s = cur.remove(i);
                let j = rng.gen_range(0..n);
                cur.insert(j, s);
            }
            let Some(c) = self.evaluate(&cur) else {
                idle += 1;
                continue;
            };
            let mut cost = c.cost;
            self.descend(&mut cur, &mut cost, deadline);
            if cost < best_cost {
                best = cur;
                best_cost = cost;
                idle = 0;
            } else {
                idle += 1;
            }
        }
        best
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
    let budget = Duration::from_millis(if p.len() <= 20 { 40 } else { 850 });
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

    fn permutations(n: usize) -> Vec<Vec<usize>> {
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

    #[test]
    fn the_exact_solver_matches_brute_force_on_random_small_instances() {
        let mut rng = StdRng::seed_from_u64(99);
        for case in 0..150 {
            let orders = rng.gen_range(1..=3);
            let onboard: Vec<String> = (0..orders)
                .filter(|_| rng.gen_bool(0.3))
                .map(|o| format!("o{o}"))
                .collect();
            let mut stops = Vec::new();
            for o in 0..orders {
                let order = format!("o{o}");
                let stop = |kind: &str, rng: &mut StdRng| StopIn {
                    id: format!("{order}-{kind}"),
                    order: order.clone(),
                    kind: kind.into(),
                    lat: 30.0 + rng.gen_range(0.0..0.03),
                    lon: 120.0 + rng.gen_range(0.0..0.03),
                    ready_at: rng.gen_bool(0.4).then(|| rng.gen_range(0..1500)),
                    due_by: rng.gen_bool(0.6).then(|| rng.gen_range(-200..2500)),
                    service_s: rng.gen_range(0..120),
                };
                if !onboard.contains(&order) {
                    stops.push(stop("pickup", &mut rng));
                }
                stops.push(stop("dropoff", &mut rng));
            }
            let inst = Instance {
                format: "runsheet-route-v1".into(),
                name: format!("case-{case}"),
                start: Point {
                    lat: 30.01,
                    lon: 120.01,
                },
                start_time: 0,
                speed_mps: 4.0,
                detour_factor: 1.3,
                lateness_weight: Some([0, 1, 10][case % 3]),
                capacity: if rng.gen_bool(0.5) {
                    Some(onboard.len() as i64 + rng.gen_range(0..2))
                } else {
                    None
                },
                onboard,
                stops,
            };
            let Ok(p) = Problem::new(&inst) else { continue };
            let best = permutations(p.len())
                .iter()
                .filter_map(|s| p.evaluate(s).map(|c| c.cost))
                .min();
            let got = p.exact().and_then(|s| p.evaluate(&s)).map(|c| c.cost);
            assert_eq!(got, best, "case {case}");
            // The local search never claims better than the proven optimum.
            let searched = p
                .evaluate(&p.search(Duration::from_millis(5), 1))
                .map(|c| c.cost);
            if let (Some(s), Some(b)) = (searched, best) {
                assert!(s >= b);
            }
        }
    }
}

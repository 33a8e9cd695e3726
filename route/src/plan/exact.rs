//! The exact solver: label-setting dynamic programming over visited sets.

use super::{Load, Problem};

impl Problem {
    /// Label-setting dynamic programming over (visited set, last stop) with Pareto labels
    /// (time after service, lateness so far).
    pub(super) fn exact(&self) -> Option<Vec<usize>> {
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
        let load_of = |mask: usize| -> Load {
            let mut l = self.onboard;
            for i in 0..n {
                if mask & (1 << i) != 0 {
                    l = l.plus(self.delta[i]);
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
            if self.onboard.plus(self.delta[s]).over(self.cap) {
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
                    if load.plus(self.delta[s]).over(self.cap) {
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
                let cost = self.cost_of(l.t, l.late);
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
}

#[cfg(test)]
mod tests {
    use super::super::testkit::permutations;
    use super::super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

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
                    units: None,
                    chilled_units: None,
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
                chilled_capacity: None,
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

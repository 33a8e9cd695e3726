//! Cheapest insertion: new orders put into a sequence already planned, without re-ordering
//! it (what an offer would do to the courier's current plan). Each order's pickup and drop-off
//! go where they add the least cost, one order after the other, the earlier orders' places
//! kept.

use super::{Cost, Problem};

impl Problem {
    /// The cost of visiting `seq` (a subset of the stops, in order), or `None` when it breaks
    /// precedence (a drop-off before its pickup, when the pickup is in `seq`) or the box's
    /// capacity. Unlike [`Problem::evaluate`], stops left out are allowed.
    pub fn evaluate_partial(&self, seq: &[usize]) -> Option<Cost> {
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
            (t, lateness) = self.step(t, lateness, pos, s);
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

    /// `base` (a feasible partial sequence) with each of `orders` inserted where it costs least:
    /// an order is its pickup (absent for one already in the box) and its drop-off, the pickup
    /// anywhere and the drop-off anywhere after it. `None` when some order fits nowhere (the
    /// box would overflow wherever it goes).
    pub fn insert_cheapest(
        &self,
        base: &[usize],
        orders: &[(Option<usize>, usize)],
    ) -> Option<(Vec<usize>, Cost)> {
        let mut seq = base.to_vec();
        let mut cost = self.evaluate_partial(&seq)?;
        let mut cand = Vec::with_capacity(seq.len() + 2 * orders.len());
        for &(pickup, dropoff) in orders {
            let mut best: Option<(Vec<usize>, Cost)> = None;
            let len = seq.len();
            let firsts: Vec<Option<usize>> = match pickup {
                Some(_) => (0..=len).map(Some).collect(),
                None => vec![None],
            };
            for i in firsts {
                let from = i.unwrap_or(0);
                for j in from..=len {
                    cand.clear();
                    for (k, &s) in seq.iter().enumerate() {
                        if Some(k) == i {
                            cand.extend(pickup);
                        }
                        if k == j {
                            cand.push(dropoff);
                        }
                        cand.push(s);
                    }
                    if i == Some(len) {
                        cand.extend(pickup);
                    }
                    if j == len {
                        cand.push(dropoff);
                    }
                    if let Some(c) = self.evaluate_partial(&cand) {
                        if best.as_ref().is_none_or(|(_, b)| c.cost < b.cost) {
                            best = Some((cand.clone(), c));
                        }
                    }
                }
            }
            let (s, c) = best?;
            seq = s;
            cost = c;
        }
        Some((seq, cost))
    }

    /// When service begins at each stop of a feasible partial sequence, Unix seconds, in
    /// sequence order ([`Problem::schedule`] for a subset of the stops).
    pub fn schedule_partial(&self, seq: &[usize]) -> Option<Vec<i64>> {
        self.evaluate_partial(seq)?;
        let mut t = self.start_time;
        let mut pos = self.n;
        let mut out = Vec::with_capacity(seq.len());
        for &s in seq {
            let arrive = (t + self.t(pos, s)).max(self.ready_v[s]);
            out.push(arrive);
            t = arrive + self.service[s];
            pos = s;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::{Instance, Point, Problem, StopIn};

    fn stop(id: &str, order: &str, kind: &str, lat: f64, due_by: Option<i64>) -> StopIn {
        StopIn {
            id: id.into(),
            order: order.into(),
            kind: kind.into(),
            lat,
            lon: 120.0,
            ready_at: None,
            due_by,
            service_s: 60,
            chilled_units: None,
            units: None,
        }
    }

    fn problem(capacity: Option<i64>) -> Problem {
        // A line of stops going north; the new order's pickup and drop-off lie between.
        Problem::new(&Instance {
            format: "runsheet-route-v1".into(),
            name: "t".into(),
            start: Point {
                lat: 30.0,
                lon: 120.0,
            },
            start_time: 0,
            speed_mps: 5.0,
            detour_factor: 1.0,
            lateness_weight: None,
            capacity,
            onboard: vec!["a".into()],
            stops: vec![
                stop("a-d", "a", "dropoff", 30.010, None),
                stop("b-p", "b", "pickup", 30.020, None),
                stop("b-d", "b", "dropoff", 30.040, None),
                stop("n-p", "n", "pickup", 30.015, None),
                stop("n-d", "n", "dropoff", 30.030, None),
            ],
            chilled_capacity: None,
        })
        .unwrap()
    }

    #[test]
    fn an_order_goes_where_it_adds_least() {
        let p = problem(None);
        let base = [0, 1, 2];
        let before = p.evaluate_partial(&base).unwrap();
        let (seq, after) = p.insert_cheapest(&base, &[(Some(3), 4)]).unwrap();
        assert_eq!(seq, vec![0, 3, 1, 4, 2]);
        // On the way: only the two services (and nothing of a detour) are added, give or take
        // a second of rounding per leg.
        let added = after.makespan - before.makespan;
        assert!((118..=122).contains(&added), "{added}");
        assert!(p.evaluate(&seq).is_some());
        let times = p.schedule_partial(&seq).unwrap();
        assert_eq!(times, p.schedule(&seq).unwrap());
        // The precedence rule holds for partial sequences too.
        assert!(p.evaluate_partial(&[4, 3]).is_none());
    }

    #[test]
    fn a_full_box_leaves_no_place() {
        // Capacity 1 with order a on board: n's pickup must wait until a is dropped, and b
        // must not be on board with it.
        let p = problem(Some(1));
        let (seq, _) = p.insert_cheapest(&[0, 1, 2], &[(Some(3), 4)]).unwrap();
        assert!(p.evaluate(&seq).is_some());
        // Order a never dropped: no place keeps the box at one order.
        assert!(p.insert_cheapest(&[], &[(Some(3), 4)]).is_none());
    }
}

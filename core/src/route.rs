//! The courier's route: the open tasks' stops in the order the planner
//! ([`runsheet_route::plan`]) finds best, re-planned when tasks, ready times or the courier's
//! position change, keeping the current next stop unless changing it gains clearly (couriers
//! hate a plan that flips). From it come the next-stop hint, the shift's projected finish, the
//! stops at risk, and how much location accuracy the phone needs now.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use runsheet_protocol::{order_load, Load, StopRole, TaskStatus};
use runsheet_route::hint::{self, risk, Risk};
use runsheet_route::plan::{Instance, Point, Problem, StopIn};
use runsheet_route::travel::distance_m;

use crate::task::{Stop, Task};

/// Riding speed assumed offline, metres per second (an e-bike in town, ~16 km/h).
pub const SPEED_MPS: f64 = 4.5;
/// Road distance over straight-line distance in town.
pub const DETOUR_FACTOR: f64 = 1.3;
/// Seconds spent at a pickup.
pub const PICKUP_SERVICE_S: i64 = 180;
/// Seconds spent at a drop-off.
pub const DROPOFF_SERVICE_S: i64 = 120;
/// A new plan replaces the current next stop only if it saves at least this much cost
/// (seconds of makespan plus weighted lateness) ...
pub const STICKY_MIN_GAIN: i64 = 120;
/// ... and at least this share of the plan's cost.
pub const STICKY_MIN_SHARE: f64 = 0.05;

/// One stop of the route.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PlannedStop {
    /// The task.
    pub task_id: String,
    /// Which of its stops.
    pub role: StopRole,
    /// WGS-84 latitude.
    pub lat: f64,
    /// WGS-84 longitude.
    pub lon: f64,
    /// Projected start of service, Unix seconds.
    pub eta: i64,
    /// The promised time, if any.
    pub due_by: Option<i64>,
    /// Projected risk against it.
    pub risk: Option<Risk>,
}

/// The planned route.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "RoutePlan"))]
pub struct Route {
    /// Stops in visiting order.
    pub stops: Vec<PlannedStop>,
    /// Projected end of the last service, Unix seconds (`None` with no stops).
    pub finish: Option<i64>,
    /// The planner's cost (makespan plus weighted lateness).
    pub cost: i64,
}

/// The FFI's name of [`Route`] (UniFFI names a record's methods after the type they are
/// written on).
#[cfg(feature = "uniffi")]
pub type RoutePlan = Route;

#[cfg(feature = "uniffi")]
#[uniffi::export]
impl RoutePlan {
    /// How many stops are projected late or at risk.
    #[uniffi::method(name = "at_risk_count")]
    pub fn count_at_risk(&self) -> u32 {
        self.at_risk().len() as u32
    }
}

impl Route {
    /// Stops projected late or at risk.
    pub fn at_risk(&self) -> Vec<&PlannedStop> {
        self.stops
            .iter()
            .filter(|s| matches!(s.risk, Some(Risk::Late | Risk::AtRisk)))
            .collect()
    }

    /// Position of the task's first stop on the route.
    pub fn position(&self, task_id: &str) -> Option<usize> {
        self.stops.iter().position(|s| s.task_id == task_id)
    }
}

struct Leg<'a> {
    task_id: &'a str,
    role: StopRole,
    stop: &'a Stop,
    kind: &'static str,
    /// The order's goods, units in the box and the chilled compartment.
    load: Load,
}

/// The stops still to visit for the open tasks, with the order ids on board.
fn legs(tasks: &[Task]) -> (Vec<Leg<'_>>, Vec<String>, Vec<usize>) {
    let mut legs = Vec::new();
    let mut onboard = Vec::new();
    let mut forced = Vec::new();
    for t in tasks {
        use TaskStatus::*;
        let here = matches!(t.status, AtPickup | AtDropoff);
        match t.status {
            Assigned | Accepted | AtPickup if t.pickup.is_some() => {
                if let Some(p) = &t.pickup {
                    if here {
                        forced.push(legs.len());
                    }
                    legs.push(Leg {
                        task_id: &t.id,
                        role: StopRole::Pickup,
                        stop: p,
                        kind: "pickup",
                        load: order_load(&t.items),
                    });
                }
                legs.push(Leg {
                    task_id: &t.id,
                    role: StopRole::Dropoff,
                    stop: &t.dropoff,
                    kind: "dropoff",
                    load: order_load(&t.items),
                });
            }
            Assigned | Accepted | AtPickup | PickedUp | AtDropoff => {
                if here {
                    forced.push(legs.len());
                }
                onboard.push(t.id.clone());
                legs.push(Leg {
                    task_id: &t.id,
                    role: StopRole::Dropoff,
                    stop: &t.dropoff,
                    kind: "dropoff",
                    load: order_load(&t.items),
                });
            }
            Failed => {
                if let Some(r) = t.return_stop() {
                    onboard.push(t.id.clone());
                    legs.push(Leg {
                        task_id: &t.id,
                        role: StopRole::Return,
                        stop: r,
                        kind: "dropoff",
                        load: order_load(&t.items),
                    });
                }
            }
            Delivered | Returned | Cancelled => {}
        }
    }
    (legs, onboard, forced)
}

/// Keeps the route between calls: re-plans only when its inputs change, and keeps the next
/// stop unless a new plan gains clearly.
#[derive(Debug, Default)]
pub struct Planner {
    signature: u64,
    route: Route,
}

impl Planner {
    /// The route for `tasks` from `position` (the last GPS fix) at `now`, riding at
    /// `speed_mps` (the platform's speed for this hour, or [`SPEED_MPS`]), with no limit on
    /// the box.
    pub fn plan(
        &mut self,
        tasks: &[Task],
        position: Option<(f64, f64)>,
        now: i64,
        speed_mps: f64,
    ) -> Route {
        self.plan_with(tasks, position, now, speed_mps, None)
    }

    /// [`Planner::plan`] within the room of the courier's box and chilled compartment
    /// (`room`: the vehicle dispatch set; `None`: unlimited). Each order takes the units of
    /// its items. When the goods already on board overflow the room (dispatch shrank the box),
    /// the plan ignores the room rather than leave the courier without a route.
    pub fn plan_with(
        &mut self,
        tasks: &[Task],
        position: Option<(f64, f64)>,
        now: i64,
        speed_mps: f64,
        room: Option<Load>,
    ) -> Route {
        let (legs, onboard, forced) = legs(tasks);
        let mut h = DefaultHasher::new();
        room.hash(&mut h);
        for l in &legs {
            l.task_id.hash(&mut h);
            l.role.hash(&mut h);
            l.load.hash(&mut h);
            l.stop.lat.to_bits().hash(&mut h);
            l.stop.lon.to_bits().hash(&mut h);
            (l.stop.ready_at, l.stop.due_by, l.stop.not_before).hash(&mut h);
        }
        forced.hash(&mut h);
        speed_mps.to_bits().hash(&mut h);
        // Re-plan when the courier moved ~100 m or a minute passed.
        position
            .map(|(a, b)| ((a * 1000.0) as i64, (b * 1000.0) as i64))
            .hash(&mut h);
        (now / 60).hash(&mut h);
        let sig = h.finish();
        if sig == self.signature && !self.route.stops.is_empty() {
            return self.route.clone();
        }
        let previous_first = self
            .route
            .stops
            .first()
            .map(|s| (s.task_id.clone(), s.role));
        let route = solve(
            &legs,
            &onboard,
            &forced,
            position,
            now,
            speed_mps,
            previous_first.clone(),
            room,
        )
        .or_else(|| {
            tracing::info!("the goods overflow the box; planning without its limit");
            solve(
                &legs,
                &onboard,
                &forced,
                position,
                now,
                speed_mps,
                previous_first,
                None,
            )
        })
        .unwrap_or_else(|| in_list_order(&legs, now));
        self.signature = sig;
        self.route = route.clone();
        route
    }
}

/// The planned route within `room`; `None` when no order of the stops fits it.
#[allow(clippy::too_many_arguments)]
fn solve(
    legs: &[Leg<'_>],
    onboard: &[String],
    forced: &[usize],
    position: Option<(f64, f64)>,
    now: i64,
    speed_mps: f64,
    previous_first: Option<(String, StopRole)>,
    room: Option<Load>,
) -> Option<Route> {
    if legs.is_empty() {
        return Some(Route::default());
    }
    let start = position
        .or_else(|| {
            forced
                .first()
                .map(|&i| (legs[i].stop.lat, legs[i].stop.lon))
        })
        .unwrap_or((legs[0].stop.lat, legs[0].stop.lon));
    let inst = Instance {
        format: "runsheet-route-v1".into(),
        name: "shift".into(),
        start: Point {
            lat: start.0,
            lon: start.1,
        },
        start_time: now,
        speed_mps,
        detour_factor: DETOUR_FACTOR,
        lateness_weight: None,
        capacity: room.map(|r| r.box_units),
        chilled_capacity: room.map(|r| r.chilled_units),
        onboard: onboard.to_vec(),
        stops: legs
            .iter()
            .enumerate()
            .map(|(i, l)| StopIn {
                id: i.to_string(),
                order: l.task_id.to_owned(),
                kind: l.kind.into(),
                lat: l.stop.lat,
                lon: l.stop.lon,
                ready_at: if l.role == StopRole::Pickup {
                    l.stop.ready_at
                } else {
                    l.stop.not_before
                },
                due_by: l.stop.due_by,
                service_s: if l.kind == "pickup" {
                    PICKUP_SERVICE_S
                } else {
                    DROPOFF_SERVICE_S
                },
                units: room.map(|_| l.load.box_units),
                chilled_units: room.map(|_| l.load.chilled_units),
            })
            .collect(),
    };
    let problem = match Problem::new(&inst) {
        Ok(p) => p,
        // More on board than the room: the caller plans without it.
        Err(_) if room.is_some() => return None,
        Err(e) => {
            // Bad coordinates from the server: keep the list order rather than fail the list.
            tracing::warn!(error = %e, "route not plannable; using list order");
            return Some(in_list_order(legs, now));
        }
    };
    let mut seq = problem.solve(Duration::from_millis(60), 7);
    if room.is_some() && problem.evaluate(&seq).is_none() {
        return None;
    }
    // The courier is standing at a stop: it comes first, whatever the plan says.
    let pin_first = |seq: &mut Vec<usize>, i: usize| -> bool {
        let mut cand = seq.clone();
        cand.retain(|&s| s != i);
        cand.insert(0, i);
        if problem.evaluate(&cand).is_some() {
            *seq = cand;
            true
        } else {
            false
        }
    };
    if let Some(&f) = forced.first() {
        pin_first(&mut seq, f);
    } else if let Some((task, role)) = previous_first {
        if let Some(prev) = legs
            .iter()
            .position(|l| l.task_id == task && l.role == role)
        {
            if seq.first() != Some(&prev) {
                let new_cost = problem.evaluate(&seq).map(|c| c.cost).unwrap_or(i64::MAX);
                let mut cand = seq.clone();
                if pin_first(&mut cand, prev) {
                    let old_cost = problem.evaluate(&cand).map(|c| c.cost).unwrap_or(i64::MAX);
                    let gain = old_cost.saturating_sub(new_cost);
                    let needed = STICKY_MIN_GAIN.max((new_cost as f64 * STICKY_MIN_SHARE) as i64);
                    if gain < needed {
                        seq = cand;
                    }
                }
            }
        }
    }
    let Some(times) = problem.schedule(&seq) else {
        return Some(in_list_order(legs, now));
    };
    let cost = problem.evaluate(&seq).map(|c| c.cost).unwrap_or(0);
    let stops: Vec<PlannedStop> = seq
        .iter()
        .zip(times)
        .map(|(&i, eta)| {
            let l = &legs[i];
            PlannedStop {
                task_id: l.task_id.to_owned(),
                role: l.role,
                lat: l.stop.lat,
                lon: l.stop.lon,
                eta,
                due_by: l.stop.due_by,
                risk: risk(eta, l.stop.due_by),
            }
        })
        .collect();
    let finish = stops.last().map(|s| {
        s.eta
            + if s.role == StopRole::Pickup {
                PICKUP_SERVICE_S
            } else {
                DROPOFF_SERVICE_S
            }
    });
    Some(Route {
        stops,
        finish,
        cost,
    })
}

fn in_list_order(legs: &[Leg<'_>], now: i64) -> Route {
    Route {
        stops: legs
            .iter()
            .map(|l| PlannedStop {
                task_id: l.task_id.to_owned(),
                role: l.role,
                lat: l.stop.lat,
                lon: l.stop.lon,
                eta: now,
                due_by: l.stop.due_by,
                risk: None,
            })
            .collect(),
        finish: None,
        cost: 0,
    }
}

/// The hint for the stop the courier is heading to, with a deep link for every maps app.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NextStopHint {
    /// The stop.
    pub stop: PlannedStop,
    /// Straight-line distance from the last fix, metres (`None` without a fix).
    pub distance_m: Option<f64>,
    /// Bearing from the last fix, degrees from north.
    pub bearing_deg: Option<f64>,
    /// That bearing in words ("north-east").
    pub compass: Option<String>,
    /// Expected arrival from the last fix, Unix seconds.
    pub eta: Option<i64>,
    /// Risk against the stop's promised time from that ETA.
    pub risk: Option<hint::Risk>,
    /// Maps apps to hand the navigation to, each in its own datum.
    pub links: Vec<runsheet_route::map_link::NavigationLink>,
}

/// The first stop of the route with a hint from `position` at `speed_mps`.
pub fn next_stop_hint(
    route: &Route,
    position: Option<(f64, f64)>,
    now: i64,
    speed_mps: f64,
) -> Option<NextStopHint> {
    let stop = route.stops.first()?.clone();
    let hint = position.map(|p| {
        hint::hint(
            p,
            (stop.lat, stop.lon),
            now,
            stop.due_by,
            speed_mps,
            DETOUR_FACTOR,
        )
    });
    let label = format!("{} {}", stop.task_id, stop.role.as_str());
    let links = runsheet_route::map_link::navigation_links(stop.lat, stop.lon, &label);
    Some(NextStopHint {
        distance_m: hint.as_ref().map(|h| h.distance_m),
        bearing_deg: hint.as_ref().map(|h| h.bearing_deg),
        compass: hint.as_ref().map(|h| h.compass.to_owned()),
        eta: hint.as_ref().map(|h| h.eta),
        risk: hint.as_ref().and_then(|h| h.risk),
        stop,
        links,
    })
}

/// How precise and how frequent the location the core needs now is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum LocationAccuracy {
    /// No location needed (off duty).
    Off,
    /// Cell/Wi-Fi level, slow: far from the next stop or nothing to ride to.
    Coarse,
    /// Balanced: on the way.
    Balanced,
    /// GPS, fast: approaching or at a stop (arrival detection).
    Fine,
}

/// The location request the shell should apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LocationRequest {
    /// Accuracy class.
    pub accuracy: LocationAccuracy,
    /// Seconds between fixes.
    #[cfg_attr(feature = "uniffi", uniffi(name = "interval_seconds"))]
    pub interval_s: u32,
}

/// Within this distance of the next stop, GPS runs fine and fast.
pub const APPROACH_RADIUS_M: f64 = 500.0;
/// Beyond this distance, coarse and slow is enough.
pub const FAR_RADIUS_M: f64 = 3000.0;

/// What the shell's location provider should do now.
pub fn location_request(
    on_duty: bool,
    route: &Route,
    position: Option<(f64, f64)>,
) -> LocationRequest {
    if !on_duty {
        return LocationRequest {
            accuracy: LocationAccuracy::Off,
            interval_s: 0,
        };
    }
    let Some(next) = route.stops.first() else {
        return LocationRequest {
            accuracy: LocationAccuracy::Coarse,
            interval_s: 120,
        };
    };
    let Some(p) = position else {
        return LocationRequest {
            accuracy: LocationAccuracy::Fine,
            interval_s: 5,
        };
    };
    let d = distance_m(p, (next.lat, next.lon));
    if d <= APPROACH_RADIUS_M {
        LocationRequest {
            accuracy: LocationAccuracy::Fine,
            interval_s: 3,
        }
    } else if d <= FAR_RADIUS_M {
        LocationRequest {
            accuracy: LocationAccuracy::Balanced,
            interval_s: 10,
        }
    } else {
        LocationRequest {
            accuracy: LocationAccuracy::Coarse,
            interval_s: 30,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runsheet_protocol::{TaskKind, TaskStatus};

    const NOW: i64 = 1_795_406_400;

    fn stop(lat: f64, lon: f64, ready: Option<i64>, due: Option<i64>) -> Stop {
        Stop {
            name: String::new(),
            address: String::new(),
            phone: None,
            lat,
            lon,
            ready_at: ready,
            due_by: due,
            not_before: None,
            pin_corrected: false,
        }
    }

    fn task(id: &str, status: TaskStatus, pickup: Option<Stop>, dropoff: Stop) -> Task {
        Task {
            id: id.into(),
            kind: if pickup.is_some() {
                TaskKind::Food
            } else {
                TaskKind::Parcel
            },
            status,
            pickup,
            dropoff,
            server_revision: 1,
            pending_actions: 0,
            local_rev: 1,
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
        }
    }

    fn order(r: &Route) -> Vec<(String, StopRole)> {
        r.stops
            .iter()
            .map(|s| (s.task_id.clone(), s.role))
            .collect()
    }

    #[test]
    fn pickups_come_before_their_drop_offs_and_goods_on_board_need_only_the_door() {
        let food = task(
            "F",
            TaskStatus::Accepted,
            Some(stop(30.30, 120.10, None, None)),
            stop(30.31, 120.10, None, Some(NOW + 1800)),
        );
        let mut p = Planner::default();
        let r = p.plan(
            std::slice::from_ref(&food),
            Some((30.29, 120.10)),
            NOW,
            SPEED_MPS,
        );
        assert_eq!(
            order(&r),
            [
                ("F".into(), StopRole::Pickup),
                ("F".into(), StopRole::Dropoff)
            ]
        );
        assert!(r.finish.unwrap() > NOW);
        let on_board = Task {
            status: TaskStatus::PickedUp,
            ..food
        };
        let r = p.plan(&[on_board], Some((30.30, 120.10)), NOW, SPEED_MPS);
        assert_eq!(order(&r), [("F".into(), StopRole::Dropoff)]);
        // 1,112 m x 1.3 at 4.5 m/s: 321 s.
        assert_eq!(r.stops[0].eta, NOW + 321);
        assert_eq!(r.stops[0].risk, Some(Risk::OnTime));
    }

    #[test]
    fn the_next_stop_sticks_unless_changing_it_gains_clearly() {
        // Two parcels 1 km north and 1.1 km south of the courier.
        let a = task(
            "A",
            TaskStatus::Accepted,
            None,
            stop(30.309, 120.10, None, None),
        );
        let b = task(
            "B",
            TaskStatus::Accepted,
            None,
            stop(30.290, 120.10, None, None),
        );
        let tasks = [a, b];
        let mut p = Planner::default();
        let r = p.plan(&tasks, Some((30.300, 120.10)), NOW, SPEED_MPS);
        assert_eq!(r.stops[0].task_id, "A", "the nearer stop first");
        // The courier drifts 150 m south: B is now a little better, but not clearly: A stays.
        let r = p.plan(&tasks, Some((30.2987, 120.10)), NOW + 60, SPEED_MPS);
        assert_eq!(r.stops[0].task_id, "A", "the plan flipped for a small gain");
        // A fresh planner (no current plan) would take B from there: the stickiness did it.
        let fresh = Planner::default().plan(&tasks, Some((30.2987, 120.10)), NOW + 60, SPEED_MPS);
        assert_eq!(fresh.stops[0].task_id, "B");
        // The courier rides well south, next to B: the gain is clear, the plan changes.
        let r = p.plan(&tasks, Some((30.291, 120.10)), NOW + 300, SPEED_MPS);
        assert_eq!(r.stops[0].task_id, "B");
    }

    #[test]
    fn the_plan_keeps_the_box_within_its_room() {
        let bag = |units: i64| runsheet_protocol::ItemDoc {
            code: "B".into(),
            name: "bag".into(),
            temperature: Default::default(),
            quantity: 1,
            size: Some(units),
        };
        // Two pickups next to the courier, both drop-offs 2 km north, side by side.
        let food = |id: &str, units: i64| Task {
            items: vec![bag(units)],
            ..task(
                id,
                TaskStatus::Accepted,
                Some(stop(30.3001, 120.10, None, None)),
                stop(30.32, 120.10, None, None),
            )
        };
        let tasks = [food("A", 6), food("B", 5)];
        let at = Some((30.30, 120.10));
        let free = Planner::default().plan(&tasks, at, NOW, SPEED_MPS);
        let roles: Vec<StopRole> = free.stops.iter().map(|s| s.role).collect();
        assert_eq!(
            roles[..2],
            [StopRole::Pickup, StopRole::Pickup],
            "no limit: both bags at once"
        );
        let room = Load {
            box_units: 10,
            chilled_units: 0,
        };
        let r = Planner::default().plan_with(&tasks, at, NOW, SPEED_MPS, Some(room));
        let o = order(&r);
        assert_eq!(o.len(), 4);
        assert_eq!(
            o[0].0, o[1].0,
            "6 + 5 units overflow 10: one order at a time: {o:?}"
        );
        assert_eq!(o[1].1, StopRole::Dropoff);
        assert!(r.finish > free.finish);
        // Dispatch shrank the box under goods already on board: still a route, without the limit.
        let on_board: Vec<Task> = tasks
            .iter()
            .map(|t| Task {
                status: TaskStatus::PickedUp,
                ..t.clone()
            })
            .collect();
        let r = Planner::default().plan_with(&on_board, at, NOW, SPEED_MPS, Some(room));
        assert_eq!(r.stops.len(), 2);
        assert!(r.finish.is_some());
    }

    #[test]
    fn a_stop_the_courier_stands_at_comes_first() {
        let far = task(
            "F",
            TaskStatus::AtDropoff,
            None,
            stop(30.40, 120.10, None, None),
        );
        let near = task(
            "N",
            TaskStatus::Accepted,
            None,
            stop(30.301, 120.10, None, None),
        );
        let r = Planner::default().plan(&[near, far], Some((30.30, 120.10)), NOW, SPEED_MPS);
        assert_eq!(r.stops[0].task_id, "F");
    }

    #[test]
    fn a_later_ready_time_reorders_and_slower_hours_push_the_finish() {
        let food = |ready| {
            task(
                "F",
                TaskStatus::Accepted,
                Some(stop(30.301, 120.10, Some(ready), None)),
                stop(30.302, 120.10, None, Some(NOW + 3600)),
            )
        };
        let parcel = task(
            "P",
            TaskStatus::Accepted,
            None,
            stop(30.310, 120.10, None, Some(NOW + 3600)),
        );
        let mut p = Planner::default();
        let r = p.plan(
            &[food(NOW), parcel.clone()],
            Some((30.30, 120.10)),
            NOW,
            SPEED_MPS,
        );
        assert_eq!(r.stops[0].task_id, "F");
        // The merchant says 40 minutes: the parcel goes first (a clear gain).
        let r = p.plan(
            &[food(NOW + 2400), parcel.clone()],
            Some((30.30, 120.10)),
            NOW,
            SPEED_MPS,
        );
        assert_eq!(r.stops[0].task_id, "P");
        // At peak-hour speed the same route ends later.
        let fast = Planner::default().plan(
            std::slice::from_ref(&parcel),
            Some((30.30, 120.10)),
            NOW,
            6.0,
        );
        let slow = Planner::default().plan(&[parcel], Some((30.30, 120.10)), NOW, 2.5);
        assert!(slow.finish.unwrap() > fast.finish.unwrap());
    }

    #[test]
    fn the_location_request_follows_the_distance_to_the_next_stop() {
        let r = Route {
            stops: vec![PlannedStop {
                task_id: "A".into(),
                role: StopRole::Dropoff,
                lat: 30.30,
                lon: 120.10,
                eta: NOW,
                due_by: None,
                risk: None,
            }],
            finish: None,
            cost: 0,
        };
        let at = |d_lat: f64| location_request(true, &r, Some((30.30 + d_lat, 120.10))).accuracy;
        assert_eq!(at(0.001), LocationAccuracy::Fine);
        assert_eq!(at(0.01), LocationAccuracy::Balanced);
        assert_eq!(at(0.1), LocationAccuracy::Coarse);
        assert_eq!(
            location_request(false, &r, None).accuracy,
            LocationAccuracy::Off
        );
        assert_eq!(
            location_request(true, &Route::default(), None).accuracy,
            LocationAccuracy::Coarse
        );
    }
}

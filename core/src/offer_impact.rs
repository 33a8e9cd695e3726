//! What accepting an offer would do to the courier's current plan: the offered pickups and
//! drop-offs put into the planned sequence where each adds least (cheapest insertion, the
//! planned order otherwise kept: [`Problem::insert_cheapest`]), and the plan before and after
//! compared on one instance: the extra time to the end of the last stop, the extra distance
//! ridden, and the promised times the offer puts at risk (stops already planned that were on
//! time and no longer are, and offered stops that would be late or close to it). One
//! insertion over a courier's 30 stops takes well under the 20 ms the screens allow
//! (`cargo bench -p runsheet-core --bench offer` prints it against a plain re-plan).

use runsheet_protocol::{order_load, Load, StopDoc, StopRole};
use runsheet_route::hint::{risk, Risk};
use runsheet_route::plan::{Instance, Point, Problem, StopIn};
use runsheet_route::travel::distance_m;

use crate::offer::OfferedTask;
use crate::route::{Route, DETOUR_FACTOR, DROPOFF_SERVICE_S, PICKUP_SERVICE_S};
use crate::task::Task;

/// A promised time the offer puts at risk.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StopAtRisk {
    /// The task.
    pub task_id: String,
    /// Which of its stops.
    pub role: StopRole,
    /// True for a stop of the offer; false for one already on the courier's plan.
    pub offered: bool,
    /// Projected start of service with the offer accepted, Unix seconds (device clock).
    pub eta: i64,
    /// The promised time, Unix seconds.
    pub due_by: i64,
    /// The risk with the offer accepted.
    pub risk: Risk,
    /// The risk without it (`None` for an offered stop).
    pub risk_before: Option<Risk>,
}

/// What accepting an offer would do to the plan.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OfferImpact {
    /// Whether the offer could be put into the plan at all (false with unusable coordinates,
    /// or when no place keeps the box within its size).
    pub plannable: bool,
    /// Seconds the offer adds to the end of the plan.
    pub extra_seconds: i64,
    /// Metres it adds to the ride (road distance as the planner estimates it).
    pub extra_metres: i64,
    /// The plan's end without the offer, Unix seconds (`None` with nothing planned).
    pub finish_before: Option<i64>,
    /// The plan's end with it.
    pub finish_after: Option<i64>,
    /// The promised times it puts at risk, in visiting order.
    pub at_risk: Vec<StopAtRisk>,
    /// Whether the offer would overflow the courier's box: `None` while the phone does not
    /// know the box's size.
    pub overflows_box: Option<bool>,
}

impl OfferImpact {
    fn unplannable() -> Self {
        OfferImpact {
            plannable: false,
            extra_seconds: 0,
            extra_metres: 0,
            finish_before: None,
            finish_after: None,
            at_risk: Vec::new(),
            overflows_box: None,
        }
    }
}

/// A stop of the combined instance.
struct Leg<'a> {
    task_id: &'a str,
    role: StopRole,
    stop: &'a StopDoc,
    offered: bool,
    /// The order's goods (the box's units only count where the courier's box is known).
    load: Load,
}

fn rank(r: Option<Risk>) -> u8 {
    match r {
        None | Some(Risk::OnTime) => 0,
        Some(Risk::AtRisk) => 1,
        Some(Risk::Late) => 2,
    }
}

/// The stop of `task` the route names by `role`.
fn stop_of(task: &Task, role: StopRole) -> Option<&StopDoc> {
    match role {
        StopRole::Pickup => task.pickup.as_ref(),
        StopRole::Dropoff => Some(&task.dropoff),
        StopRole::Return => task.return_stop(),
    }
}

/// What accepting `offered` would do to `route` (the courier's current plan of `tasks`),
/// riding from `position` (else the plan's first stop) at `now` at `speed_mps`, in a box with
/// `room` (the vehicle dispatch set; `None`: unknown, nothing limited). When no place keeps the
/// box within its room, the impact is that of the plan without the limit, marked
/// `overflows_box`.
pub fn impact(
    tasks: &[Task],
    route: &Route,
    offered: &[OfferedTask],
    room: Option<Load>,
    position: Option<(f64, f64)>,
    now: i64,
    speed_mps: f64,
) -> OfferImpact {
    if room.is_some() {
        let within = impact_in(tasks, route, offered, room, position, now, speed_mps);
        if within.plannable {
            return OfferImpact {
                overflows_box: Some(false),
                ..within
            };
        }
        let unlimited = impact_in(tasks, route, offered, None, position, now, speed_mps);
        return OfferImpact {
            overflows_box: Some(unlimited.plannable),
            ..unlimited
        };
    }
    impact_in(tasks, route, offered, None, position, now, speed_mps)
}

fn impact_in(
    tasks: &[Task],
    route: &Route,
    offered: &[OfferedTask],
    room: Option<Load>,
    position: Option<(f64, f64)>,
    now: i64,
    speed_mps: f64,
) -> OfferImpact {
    let mut legs: Vec<Leg<'_>> = Vec::new();
    for s in &route.stops {
        let Some(task) = tasks.iter().find(|t| t.id == s.task_id) else {
            continue;
        };
        if let Some(stop) = stop_of(task, s.role) {
            legs.push(Leg {
                task_id: &task.id,
                role: s.role,
                stop,
                offered: false,
                load: order_load(&task.items),
            });
        }
    }
    let base_len = legs.len();
    // Orders whose pickup is not on the plan are in the box.
    let onboard: Vec<String> = legs
        .iter()
        .filter(|l| l.role != StopRole::Pickup)
        .filter(|l| {
            !legs
                .iter()
                .any(|p| p.task_id == l.task_id && p.role == StopRole::Pickup)
        })
        .map(|l| l.task_id.to_owned())
        .collect();
    let mut orders = Vec::with_capacity(offered.len());
    for t in offered {
        let pickup = t.pickup.as_ref().map(|p| {
            legs.push(Leg {
                task_id: &t.task_id,
                role: StopRole::Pickup,
                stop: p,
                offered: true,
                load: t.load,
            });
            legs.len() - 1
        });
        legs.push(Leg {
            task_id: &t.task_id,
            role: StopRole::Dropoff,
            stop: &t.dropoff,
            offered: true,
            load: t.load,
        });
        orders.push((pickup, legs.len() - 1));
    }
    let Some(first) = legs.first() else {
        return OfferImpact::unplannable();
    };
    let start = position.unwrap_or((first.stop.lat, first.stop.lon));
    // A parcel offered without a pickup is loaded at the depot: in the box once accepted.
    let mut onboard = onboard;
    onboard.extend(
        offered
            .iter()
            .filter(|t| t.pickup.is_none())
            .map(|t| t.task_id.clone()),
    );
    let inst = Instance {
        format: "runsheet-route-v1".into(),
        name: "offer".into(),
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
        onboard,
        stops: legs
            .iter()
            .enumerate()
            .map(|(i, l)| StopIn {
                id: i.to_string(),
                order: l.task_id.to_owned(),
                kind: if l.role == StopRole::Pickup {
                    "pickup"
                } else {
                    "dropoff"
                }
                .into(),
                lat: l.stop.lat,
                lon: l.stop.lon,
                ready_at: if l.role == StopRole::Pickup {
                    l.stop.ready_at
                } else {
                    l.stop.not_before
                },
                due_by: l.stop.due_by,
                service_s: if l.role == StopRole::Pickup {
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
        Err(e) => {
            tracing::warn!(error = %e, "offer not plannable");
            return OfferImpact::unplannable();
        }
    };
    let base: Vec<usize> = (0..base_len).collect();
    let (Some(before), Some(before_times)) = (
        problem.evaluate_partial(&base),
        problem.schedule_partial(&base),
    ) else {
        return OfferImpact::unplannable();
    };
    let Some((seq, after)) = problem.insert_cheapest(&base, &orders) else {
        return OfferImpact::unplannable();
    };
    let Some(after_times) = problem.schedule_partial(&seq) else {
        return OfferImpact::unplannable();
    };
    let ride = |seq: &[usize]| -> f64 {
        let mut at = start;
        let mut metres = 0.0;
        for &i in seq {
            let next = (legs[i].stop.lat, legs[i].stop.lon);
            metres += distance_m(at, next) * DETOUR_FACTOR;
            at = next;
        }
        metres
    };
    let risk_before = |i: usize| -> Option<Risk> {
        base.iter()
            .position(|&b| b == i)
            .and_then(|k| risk(before_times[k], legs[i].stop.due_by))
    };
    let at_risk = seq
        .iter()
        .zip(&after_times)
        .filter_map(|(&i, &eta)| {
            let l = &legs[i];
            let due_by = l.stop.due_by?;
            let now_risk = risk(eta, Some(due_by))?;
            let was = (!l.offered).then(|| risk_before(i)).flatten();
            let worse = if l.offered {
                rank(Some(now_risk)) > 0
            } else {
                rank(Some(now_risk)) > rank(was)
            };
            worse.then(|| StopAtRisk {
                task_id: l.task_id.to_owned(),
                role: l.role,
                offered: l.offered,
                eta,
                due_by,
                risk: now_risk,
                risk_before: was,
            })
        })
        .collect();
    OfferImpact {
        plannable: true,
        extra_seconds: after.makespan - before.makespan,
        extra_metres: (ride(&seq) - ride(&base)).round() as i64,
        finish_before: (base_len > 0).then_some(now + before.makespan),
        finish_after: Some(now + after.makespan),
        at_risk,
        overflows_box: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runsheet_protocol::{TaskKind, TaskStatus};

    const NOW: i64 = 1_795_406_400;

    fn stop(lat: f64, due: Option<i64>) -> StopDoc {
        StopDoc {
            due_by: due,
            ..StopDoc::new("", "", lat, 120.16)
        }
    }

    fn task(id: &str, pickup: f64, dropoff: f64, due: Option<i64>) -> Task {
        Task {
            id: id.into(),
            kind: TaskKind::Food,
            status: TaskStatus::Accepted,
            pickup: Some(stop(pickup, None)),
            dropoff: stop(dropoff, due),
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

    fn offered(id: &str, pickup: f64, dropoff: f64, due: Option<i64>) -> OfferedTask {
        OfferedTask {
            task_id: id.into(),
            kind: TaskKind::Food,
            pickup: Some(stop(pickup, None)),
            dropoff: stop(dropoff, due),
            items: 1,
            load: runsheet_protocol::Load::ZERO,
        }
    }

    fn plan(tasks: &[Task]) -> Route {
        crate::route::Planner::default().plan(tasks, Some((30.27, 120.16)), NOW, 4.5)
    }

    #[test]
    fn an_offer_on_the_way_adds_little_and_risks_nothing() {
        // One task riding north 2.2 km; the offer's pickup and drop-off lie on the way.
        let tasks = [task("A", 30.275, 30.295, Some(NOW + 3600))];
        let route = plan(&tasks);
        let on_way = [offered("N", 30.280, 30.290, Some(NOW + 3600))];
        let i = impact(
            &tasks,
            &route,
            &on_way,
            None,
            Some((30.27, 120.16)),
            NOW,
            4.5,
        );
        assert!(i.plannable);
        // Two more services, and (nearly) no more riding.
        assert!(
            (PICKUP_SERVICE_S + DROPOFF_SERVICE_S..PICKUP_SERVICE_S + DROPOFF_SERVICE_S + 30)
                .contains(&i.extra_seconds),
            "{}",
            i.extra_seconds
        );
        assert!(i.extra_metres.abs() < 50, "{}", i.extra_metres);
        assert!(i.at_risk.is_empty(), "{:?}", i.at_risk);
        assert_eq!(i.overflows_box, None);
        assert_eq!(
            i.finish_after.unwrap() - i.finish_before.unwrap(),
            i.extra_seconds
        );
    }

    #[test]
    fn an_offer_too_big_for_the_box_says_so() {
        let tasks = [task("A", 30.275, 30.295, Some(NOW + 3600))];
        let route = plan(&tasks);
        let room = Some(Load {
            box_units: 6,
            chilled_units: 2,
        });
        let sized = |units: i64| OfferedTask {
            load: Load {
                box_units: units,
                chilled_units: 0,
            },
            ..offered("N", 30.280, 30.290, Some(NOW + 3600))
        };
        let at = Some((30.27, 120.16));
        let fits = impact(&tasks, &route, &[sized(2)], room, at, NOW, 4.5);
        assert!(fits.plannable);
        assert_eq!(fits.overflows_box, Some(false));
        // 8 units never fit a 6-unit box, wherever the order goes: the impact is still told
        // (planned without the limit), marked as overflowing.
        let too_big = impact(&tasks, &route, &[sized(8)], room, at, NOW, 4.5);
        assert!(too_big.plannable);
        assert_eq!(too_big.overflows_box, Some(true));
        assert_eq!(
            too_big.extra_seconds,
            impact(&tasks, &route, &[sized(8)], None, at, NOW, 4.5).extra_seconds
        );
    }

    #[test]
    fn a_stack_the_other_way_puts_a_promise_at_risk() {
        // The courier's drop-off is promised in 25 minutes, 2.8 km north; a stack of two
        // going south takes the best part of an hour whichever way it is fitted in.
        let tasks = [task("A", 30.275, 30.295, Some(NOW + 25 * 60))];
        let route = plan(&tasks);
        assert!(route.at_risk().is_empty());
        let stack = [
            offered("S1", 30.255, 30.230, Some(NOW + 30 * 60)),
            offered("S2", 30.250, 30.225, Some(NOW + 35 * 60)),
        ];
        let i = impact(
            &tasks,
            &route,
            &stack,
            None,
            Some((30.27, 120.16)),
            NOW,
            4.5,
        );
        assert!(i.plannable);
        assert!(i.extra_seconds > 20 * 60, "{}", i.extra_seconds);
        assert!(i.extra_metres > 5_000, "{}", i.extra_metres);
        // Whichever goes first, someone's promise suffers: the courier's own drop-off, or
        // the offered ones.
        assert!(!i.at_risk.is_empty());
        for s in &i.at_risk {
            assert!(matches!(s.risk, Risk::AtRisk | Risk::Late));
            assert_eq!(s.offered, s.task_id != "A");
            assert_eq!(s.risk_before.is_none(), s.offered);
        }
    }

    #[test]
    fn an_offer_with_nothing_planned_is_its_own_plan() {
        let i = impact(
            &[],
            &Route::default(),
            &[offered("N", 30.28, 30.29, None)],
            None,
            None,
            NOW,
            4.5,
        );
        assert!(i.plannable);
        assert_eq!(i.finish_before, None);
        assert!(i.extra_seconds >= PICKUP_SERVICE_S + DROPOFF_SERVICE_S);
        let none = impact(&[], &Route::default(), &[], None, None, NOW, 4.5);
        assert!(!none.plannable);
    }
}

//! Ratings, appeals and the courier's KPIs. The KPI arithmetic lives here so the phone and the
//! server compute the same figures from the same facts with the same code.

use serde::{Deserialize, Serialize};

/// Who rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RatingSource {
    /// The customer, after the delivery.
    Customer,
    /// The merchant, after the pickup.
    Merchant,
    /// The platform: a compliment or a penalty.
    Platform,
}

/// What the appeal of a rating stands at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AppealStatus {
    /// Filed, waiting for a decision.
    Pending,
    /// Upheld: the rating no longer counts.
    Upheld,
    /// Rejected: the rating stands.
    Rejected,
}

/// A rating of the courier, as the server sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "Rating"))]
pub struct RatingDoc {
    /// The rating's id.
    pub id: String,
    /// The task it is about.
    pub task_id: String,
    /// Who rated.
    pub source: RatingSource,
    /// 1 to 5 stars (absent for a compliment or penalty without stars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<u8>,
    /// Tags (`late`, `rude`, `damaged`, `great_service`, `penalty`, `compliment`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The comment, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When it was given, Unix seconds.
    pub created_at: i64,
    /// The courier's appeal, if one was filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal: Option<AppealStatus>,
    /// The decision's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_note: Option<String>,
    /// Server sequence of the last change (the pull cursor for ratings).
    #[serde(default)]
    pub seq: i64,
}

/// What the courier rates after a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RatingTarget {
    /// The merchant (food ready on time, packaging).
    Merchant,
    /// The drop-off (address easy to find, access notes for the next courier).
    Dropoff,
}

impl RatingTarget {
    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RatingTarget::Merchant => "merchant",
            RatingTarget::Dropoff => "dropoff",
        }
    }
}

/// A peak window, local minutes of the day `[start_min, end_min)`. On the wire a pair
/// `[start, end]`, as it always was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(u32, u32)", into = "(u32, u32)")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PeakWindow {
    /// First minute of the window (0 = midnight, local time).
    pub start_min: u32,
    /// The minute after the window's last one (at most 1440).
    pub end_min: u32,
}

impl PeakWindow {
    /// Whether `minute` (of the local day) is inside the window.
    pub fn contains(&self, minute: u32) -> bool {
        minute >= self.start_min && minute < self.end_min
    }
}

impl From<(u32, u32)> for PeakWindow {
    fn from((start_min, end_min): (u32, u32)) -> Self {
        PeakWindow { start_min, end_min }
    }
}

impl From<PeakWindow> for (u32, u32) {
    fn from(w: PeakWindow) -> Self {
        (w.start_min, w.end_min)
    }
}

/// KPI targets and peak windows, platform defaults unless the platform publishes its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct KpiTargets {
    /// Share delivered by the promised time (default 0.95).
    #[serde(default = "KpiTargets::on_time")]
    pub on_time_rate: f64,
    /// Average minutes from order to delivery at peak (default 30).
    #[serde(default = "KpiTargets::peak")]
    pub peak_delivery_min: f64,
    /// Average minutes off-peak (default 45).
    #[serde(default = "KpiTargets::off_peak")]
    pub off_peak_delivery_min: f64,
    /// Highest share of orders with an order error (default 0.005).
    #[serde(default = "KpiTargets::errors")]
    pub order_error_rate: f64,
    /// Highest share delivered more than 10 minutes late (default 0.03).
    #[serde(default = "KpiTargets::delays")]
    pub delay_rate: f64,
    /// Share of 4–5 star ratings (default 0.90).
    #[serde(default = "KpiTargets::satisfaction")]
    pub satisfaction: f64,
    /// Peak windows, local minutes of the day `[start, end)` (default 11:00–13:00, 17:00–19:00).
    #[serde(default = "KpiTargets::peaks")]
    pub peak_windows: Vec<PeakWindow>,
    /// Hours after a rating during which it can be appealed (default 72).
    #[serde(default = "KpiTargets::appeal_window")]
    pub appeal_window_h: u32,
}

impl KpiTargets {
    fn on_time() -> f64 {
        0.95
    }
    fn peak() -> f64 {
        30.0
    }
    fn off_peak() -> f64 {
        45.0
    }
    fn errors() -> f64 {
        0.005
    }
    fn delays() -> f64 {
        0.03
    }
    fn satisfaction() -> f64 {
        0.90
    }
    fn peaks() -> Vec<PeakWindow> {
        vec![(11 * 60, 13 * 60).into(), (17 * 60, 19 * 60).into()]
    }
    fn appeal_window() -> u32 {
        72
    }
}

impl Default for KpiTargets {
    fn default() -> Self {
        KpiTargets {
            on_time_rate: Self::on_time(),
            peak_delivery_min: Self::peak(),
            off_peak_delivery_min: Self::off_peak(),
            order_error_rate: Self::errors(),
            delay_rate: Self::delays(),
            satisfaction: Self::satisfaction(),
            peak_windows: Self::peaks(),
            appeal_window_h: Self::appeal_window(),
        }
    }
}

/// One delivery as the KPIs see it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DeliveryFact {
    /// When the customer ordered (server clock).
    pub ordered_at: Option<i64>,
    /// The promised time.
    pub due_by: Option<i64>,
    /// When the courier handed it over: the device's time corrected by its clock offset.
    pub delivered_at: i64,
}

/// The facts the KPIs are computed from, for one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KpiFacts {
    /// Deliveries in the period.
    pub deliveries: Vec<DeliveryFact>,
    /// Tasks handled (delivered or failed) in the period.
    pub tasks_handled: u32,
    /// Of which with an order-error event (wrong bag, foreign item, expired goods offered).
    pub tasks_with_errors: u32,
    /// Stars of the ratings that count (appeals upheld are left out).
    pub stars: Vec<u8>,
}

/// The courier's figures for a period, each with whether it meets its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Kpis {
    /// Deliveries counted.
    pub deliveries: u32,
    /// Share delivered by the promised time (`None` without promised deliveries).
    pub on_time_rate: Option<f64>,
    /// Average minutes from order to delivery at peak.
    pub avg_delivery_min_peak: Option<f64>,
    /// Average minutes from order to delivery off-peak.
    pub avg_delivery_min_off_peak: Option<f64>,
    /// Share of handled tasks with an order error.
    pub order_error_rate: Option<f64>,
    /// Share delivered more than 10 minutes late.
    pub delay_rate: Option<f64>,
    /// Share of ratings with 4 or 5 stars.
    pub satisfaction: Option<f64>,
    /// Figures below their targets, by name.
    pub below_target: Vec<String>,
}

/// Seconds after the promise from which a delivery counts as delayed.
pub const DELAY_GRACE_S: i64 = 600;

/// Computes the KPIs from the facts (`utc_offset_min`: the city's offset, for peak windows).
pub fn compute_kpis(facts: &KpiFacts, targets: &KpiTargets, utc_offset_min: i32) -> Kpis {
    let ratio = |n: usize, d: usize| (d > 0).then(|| n as f64 / d as f64);
    let promised: Vec<&DeliveryFact> = facts
        .deliveries
        .iter()
        .filter(|d| d.due_by.is_some())
        .collect();
    let on_time = promised
        .iter()
        .filter(|d| d.due_by.is_some_and(|due| d.delivered_at <= due))
        .count();
    let delayed = promised
        .iter()
        .filter(|d| {
            d.due_by
                .is_some_and(|due| d.delivered_at > due.saturating_add(DELAY_GRACE_S))
        })
        .count();
    let is_peak = |t: i64| {
        let local = t.saturating_add(i64::from(utc_offset_min) * 60);
        let minute = (local.rem_euclid(86_400) / 60) as u32;
        targets.peak_windows.iter().any(|w| w.contains(minute))
    };
    let avg = |peak: bool| {
        let v: Vec<f64> = facts
            .deliveries
            .iter()
            .filter_map(|d| d.ordered_at.map(|o| (o, d.delivered_at)))
            .filter(|(o, _)| is_peak(*o) == peak)
            .map(|(o, at)| (at as f64 - o as f64) / 60.0)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let happy = facts.stars.iter().filter(|s| **s >= 4).count();
    let mut k = Kpis {
        deliveries: u32::try_from(facts.deliveries.len()).unwrap_or(u32::MAX),
        on_time_rate: ratio(on_time, promised.len()),
        avg_delivery_min_peak: avg(true),
        avg_delivery_min_off_peak: avg(false),
        order_error_rate: ratio(
            facts.tasks_with_errors as usize,
            facts.tasks_handled as usize,
        ),
        delay_rate: ratio(delayed, promised.len()),
        satisfaction: ratio(happy, facts.stars.len()),
        below_target: Vec::new(),
    };
    let mut below = |name: &str, bad: bool| {
        if bad {
            k.below_target.push(name.to_owned());
        }
    };
    below(
        "on_time_rate",
        k.on_time_rate.is_some_and(|v| v < targets.on_time_rate),
    );
    below(
        "avg_delivery_min_peak",
        k.avg_delivery_min_peak
            .is_some_and(|v| v > targets.peak_delivery_min),
    );
    below(
        "avg_delivery_min_off_peak",
        k.avg_delivery_min_off_peak
            .is_some_and(|v| v > targets.off_peak_delivery_min),
    );
    below(
        "order_error_rate",
        k.order_error_rate
            .is_some_and(|v| v > targets.order_error_rate),
    );
    below(
        "delay_rate",
        k.delay_rate.is_some_and(|v| v > targets.delay_rate),
    );
    below(
        "satisfaction",
        k.satisfaction.is_some_and(|v| v < targets.satisfaction),
    );
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figures_against_the_platform_targets() {
        // Noon and 15:00 in Beijing (UTC+8): 04:00 and 07:00 UTC.
        let noon = 1_795_406_400;
        let three = noon + 3 * 3600;
        let facts = KpiFacts {
            deliveries: vec![
                DeliveryFact {
                    ordered_at: Some(noon),
                    due_by: Some(noon + 1800),
                    delivered_at: noon + 1500,
                },
                DeliveryFact {
                    ordered_at: Some(noon),
                    due_by: Some(noon + 1800),
                    delivered_at: noon + 2100,
                },
                DeliveryFact {
                    ordered_at: Some(three),
                    due_by: Some(three + 2700),
                    delivered_at: three + 3600,
                },
                DeliveryFact {
                    ordered_at: Some(three),
                    due_by: Some(three + 2700),
                    delivered_at: three + 2400,
                },
            ],
            tasks_handled: 5,
            tasks_with_errors: 1,
            stars: vec![5, 4, 2, 5],
        };
        let k = compute_kpis(&facts, &KpiTargets::default(), 480);
        assert_eq!(k.deliveries, 4);
        assert_eq!(k.on_time_rate, Some(0.5));
        assert_eq!(k.avg_delivery_min_peak, Some(30.0)); // (25 + 35) / 2
        assert_eq!(k.avg_delivery_min_off_peak, Some(50.0)); // (60 + 40) / 2
        assert_eq!(k.order_error_rate, Some(0.2));
        assert_eq!(k.delay_rate, Some(0.25)); // only the 15 min late one
        assert_eq!(k.satisfaction, Some(0.75));
        assert_eq!(
            k.below_target,
            [
                "on_time_rate",
                "avg_delivery_min_off_peak",
                "order_error_rate",
                "delay_rate",
                "satisfaction"
            ]
        );
        let none = compute_kpis(&KpiFacts::default(), &KpiTargets::default(), 0);
        assert_eq!(none.on_time_rate, None);
        assert!(none.below_target.is_empty());
    }
}

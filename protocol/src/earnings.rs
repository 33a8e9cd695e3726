//! Earnings and incentives: what a task pays, tips and adjustments, incentive programmes and
//! their progress. The pay arithmetic lives here so the server (whose lines are confirmed) and
//! the phone (whose lines are expected, computed offline) compute the same amounts from the same
//! facts with the same code. Money is integer minor units with an ISO 4217 currency, never
//! floating point.
//!
//! Rounding: a line that is a rate times a quantity (the distance line: per-km rate × metres /
//! 1000) is rounded to the nearest minor unit, halves away from zero; waiting time counts whole
//! minutes (the part of a minute is not paid); every other line is a whole amount.

use serde::{Deserialize, Serialize};

use crate::{AppealStatus, KpiTargets, Kpis, TaskKind};

/// An amount of money: integer minor units (fen, cents, yen) of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Money {
    /// Minor units (1234 CNY = 12.34 yuan; 1234 JPY = 1,234 yen).
    pub minor: i64,
    /// ISO 4217 code ("CNY", "USD", "JPY").
    pub currency: String,
}

impl Money {
    /// `minor` units of `currency`.
    pub fn new(minor: i64, currency: impl Into<String>) -> Self {
        Money {
            minor,
            currency: currency.into(),
        }
    }
}

/// The currencies the platform pays in, with their minor-unit exponents (ISO 4217).
const CURRENCIES: [(&str, u32); 16] = [
    ("CNY", 2),
    ("HKD", 2),
    ("MOP", 2),
    ("TWD", 2),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("SGD", 2),
    ("MYR", 2),
    ("THB", 2),
    ("IDR", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("VND", 0),
    ("BHD", 3),
    ("KWD", 3),
];

/// The number of decimals of `currency`'s minor unit (CNY 2, JPY 0, KWD 3), or `None` for a
/// currency the platform does not pay in.
pub fn currency_exponent(currency: &str) -> Option<u32> {
    CURRENCIES
        .iter()
        .find(|(c, _)| *c == currency)
        .map(|(_, e)| *e)
}

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum MoneyProblem {
    /// Not an ISO 4217 currency the platform pays in.
    UnknownCurrency,
    /// Not a decimal number (`12.50`, `-3`).
    NotANumber,
    /// More decimals than the currency's minor unit allows.
    TooManyDecimals {
        /// Decimals the currency allows.
        allowed: u32,
    },
    /// Below zero where only amounts of zero or more make sense (a tip, a rate).
    Negative,
    /// Zero where an amount must move money (an adjustment of nothing).
    Zero,
    /// Larger than any amount the platform pays.
    TooLarge,
}

impl MoneyProblem {
    /// A sentence for people (the API's `reason`).
    pub fn reason(&self, currency: &str) -> String {
        match self {
            MoneyProblem::UnknownCurrency => {
                format!("{currency:?} is not a currency the platform pays in")
            }
            MoneyProblem::NotANumber => "the amount is not a decimal number".to_owned(),
            MoneyProblem::TooManyDecimals { allowed } => {
                format!("{currency} amounts have at most {allowed} decimals")
            }
            MoneyProblem::Negative => "the amount must not be negative".to_owned(),
            MoneyProblem::Zero => "the amount must not be zero".to_owned(),
            MoneyProblem::TooLarge => "the amount is too large".to_owned(),
        }
    }
}

/// The largest amount, in minor units, a single line may carry (ten million units of a
/// two-decimal currency).
pub const MAX_LINE_MINOR: i64 = 1_000_000_000;

/// Reads a decimal amount as it is typed ("12.5", "-3.20", "800") in `currency`: refused when
/// the currency is unknown, the text is no number, or it has more decimals than the currency's
/// minor unit. Exact: no floating point.
pub fn parse_amount(text: &str, currency: &str) -> Result<Money, MoneyProblem> {
    let exp = currency_exponent(currency).ok_or(MoneyProblem::UnknownCurrency)?;
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty() || !is_digits(whole) || !is_digits(frac) {
        return Err(MoneyProblem::NotANumber);
    }
    // Trailing zeros beyond the minor unit are no extra precision ("12.500" CNY is 12.50).
    let frac = frac.trim_end_matches('0');
    if frac.len() > exp as usize {
        return Err(MoneyProblem::TooManyDecimals { allowed: exp });
    }
    if whole.len() > 15 {
        return Err(MoneyProblem::TooLarge);
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| MoneyProblem::NotANumber)?
    };
    let mut frac_minor: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| MoneyProblem::NotANumber)?
    };
    for _ in frac.len()..exp as usize {
        frac_minor *= 10;
    }
    let minor = whole
        .checked_mul(10_i64.pow(exp))
        .and_then(|w| w.checked_add(frac_minor))
        .filter(|m| *m <= MAX_LINE_MINOR)
        .ok_or(MoneyProblem::TooLarge)?;
    Ok(Money::new(if negative { -minor } else { minor }, currency))
}

/// What a line of a courier's earnings is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PayLineKind {
    /// The base pay of the task's kind.
    Base,
    /// The distance from the pickup to the drop-off, at the per-kilometre rate.
    Distance,
    /// The supplement for a delivery in a peak window.
    Peak,
    /// Waiting at the pickup beyond the free wait, per whole minute.
    Waiting,
    /// The customer's tip.
    Tip,
    /// A correction by dispatch (positive or negative).
    Adjustment,
    /// An incentive programme's bonus.
    Bonus,
}

impl PayLineKind {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            PayLineKind::Base => "base",
            PayLineKind::Distance => "distance",
            PayLineKind::Peak => "peak",
            PayLineKind::Waiting => "waiting",
            PayLineKind::Tip => "tip",
            PayLineKind::Adjustment => "adjustment",
            PayLineKind::Bonus => "bonus",
        }
    }

    /// Parses a storage name written by [`PayLineKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "base" => PayLineKind::Base,
            "distance" => PayLineKind::Distance,
            "peak" => PayLineKind::Peak,
            "waiting" => PayLineKind::Waiting,
            "tip" => PayLineKind::Tip,
            "adjustment" => PayLineKind::Adjustment,
            "bonus" => PayLineKind::Bonus,
            _ => return None,
        })
    }
}

/// Base pay per task kind, minor units of the rates' currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BasePay {
    /// A food delivery.
    pub food: i64,
    /// A grocery delivery.
    pub grocery: i64,
    /// A parcel drop-off.
    pub parcel: i64,
    /// A return pickup.
    pub return_pickup: i64,
}

impl BasePay {
    /// The base pay of `kind`.
    pub fn of(&self, kind: TaskKind) -> i64 {
        match kind {
            TaskKind::Food => self.food,
            TaskKind::Grocery => self.grocery,
            TaskKind::Parcel => self.parcel,
            TaskKind::ReturnPickup => self.return_pickup,
        }
    }
}

/// An incentive programme: in one week (Monday 00:00 to Monday 00:00 in the city's time),
/// `target_deliveries` deliveries at an on-time rate of at least `min_on_time_bp` pay `bonus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Incentive {
    /// The programme's id (stable; the bonus line of a week is keyed by it).
    pub id: String,
    /// Deliveries needed in the week (1 to 10,000).
    pub target_deliveries: u32,
    /// Least on-time rate, basis points (9500 = 95 %; 0 to 10,000).
    pub min_on_time_bp: u32,
    /// The bonus, minor units of the rates' currency.
    pub bonus_minor: i64,
}

/// How couriers are paid: the currency, the rates of the pay function and the incentive
/// programmes. Published in the platform's settings; the phone computes expected pay with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PayRates {
    /// ISO 4217 code of every amount below (default CNY).
    #[serde(default = "PayRates::default_currency")]
    pub currency: String,
    /// Base pay per task kind.
    #[serde(default = "PayRates::default_base")]
    pub base: BasePay,
    /// Pay per kilometre from the pickup to the drop-off, minor units (default 100).
    #[serde(default = "PayRates::default_per_km")]
    pub per_km_minor: i64,
    /// Supplement for a delivery handed over in a peak window of the KPI targets (default 200).
    #[serde(default = "PayRates::default_peak")]
    pub peak_supplement_minor: i64,
    /// Minutes of waiting at the pickup that are not paid (default 5).
    #[serde(default = "PayRates::default_free_wait")]
    pub free_wait_min: u32,
    /// Pay per whole minute of waiting beyond the free wait, minor units (default 50).
    #[serde(default = "PayRates::default_wait_rate")]
    pub wait_per_min_minor: i64,
    /// Incentive programmes (none by default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incentives: Vec<Incentive>,
}

impl PayRates {
    fn default_currency() -> String {
        "CNY".to_owned()
    }
    fn default_base() -> BasePay {
        BasePay {
            food: 500,
            grocery: 600,
            parcel: 300,
            return_pickup: 400,
        }
    }
    fn default_per_km() -> i64 {
        100
    }
    fn default_peak() -> i64 {
        200
    }
    fn default_free_wait() -> u32 {
        5
    }
    fn default_wait_rate() -> i64 {
        50
    }

    /// Why these rates cannot be published, if they cannot.
    pub fn problem(&self) -> Option<String> {
        if currency_exponent(&self.currency).is_none() {
            return Some(format!(
                "pay.currency {:?} is not a currency the platform pays in",
                self.currency
            ));
        }
        let amounts = [
            ("pay.base.food", self.base.food),
            ("pay.base.grocery", self.base.grocery),
            ("pay.base.parcel", self.base.parcel),
            ("pay.base.return_pickup", self.base.return_pickup),
            ("pay.per_km_minor", self.per_km_minor),
            ("pay.peak_supplement_minor", self.peak_supplement_minor),
            ("pay.wait_per_min_minor", self.wait_per_min_minor),
        ];
        for (name, v) in amounts {
            if !(0..=MAX_LINE_MINOR).contains(&v) {
                return Some(format!("{name} must be 0 to {MAX_LINE_MINOR} minor units"));
            }
        }
        if self.free_wait_min > 240 {
            return Some("pay.free_wait_min must be 0 to 240".into());
        }
        for (i, inc) in self.incentives.iter().enumerate() {
            if inc.id.trim().is_empty() || inc.id.len() > 64 {
                return Some(format!("pay.incentives[{i}].id must be 1 to 64 characters"));
            }
            if self.incentives[..i].iter().any(|o| o.id == inc.id) {
                return Some(format!("pay.incentives[{i}].id is used twice"));
            }
            if !(1..=10_000).contains(&inc.target_deliveries) {
                return Some(format!(
                    "pay.incentives[{i}].target_deliveries must be 1 to 10000"
                ));
            }
            if inc.min_on_time_bp > 10_000 {
                return Some(format!(
                    "pay.incentives[{i}].min_on_time_bp must be 0 to 10000"
                ));
            }
            if !(0..=MAX_LINE_MINOR).contains(&inc.bonus_minor) {
                return Some(format!(
                    "pay.incentives[{i}].bonus_minor must be 0 to {MAX_LINE_MINOR}"
                ));
            }
        }
        None
    }
}

impl Default for PayRates {
    fn default() -> Self {
        PayRates {
            currency: Self::default_currency(),
            base: Self::default_base(),
            per_km_minor: Self::default_per_km(),
            peak_supplement_minor: Self::default_peak(),
            free_wait_min: Self::default_free_wait(),
            wait_per_min_minor: Self::default_wait_rate(),
            incentives: Vec::new(),
        }
    }
}

/// One delivered task as the pay function sees it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PayFacts {
    /// The task's kind.
    pub kind: TaskKind,
    /// Metres from the pickup to the drop-off as the crow flies (0 without a pickup stop).
    pub distance_m: u32,
    /// When the goods were handed over (server: the bounded time; phone: its corrected time).
    pub delivered_at: i64,
    /// Seconds between arriving at the pickup and picking up (0 when unknown).
    pub waited_s: i64,
}

/// One computed line of a task's pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayLine {
    /// What it pays for.
    pub kind: PayLineKind,
    /// Minor units of the rates' currency.
    pub minor: i64,
}

/// Metres from the pickup to the drop-off as the crow flies (`geo`'s haversine), to the
/// nearest metre; 0 without a pickup stop or for coordinates out of range.
pub fn crow_distance_m(pickup: Option<(f64, f64)>, dropoff: (f64, f64)) -> u32 {
    use geo::{Distance, Haversine, Point};
    let Some(from) = pickup else {
        return 0;
    };
    let d = Haversine.distance(Point::new(from.1, from.0), Point::new(dropoff.1, dropoff.0));
    if d.is_finite() && d >= 0.0 {
        d.round().min(f64::from(u32::MAX)) as u32
    } else {
        0
    }
}

/// Whether `at` is in one of the peak windows, in the city's local time.
pub fn in_peak(at: i64, targets: &KpiTargets, utc_offset_min: i32) -> bool {
    let local = at.saturating_add(i64::from(utc_offset_min) * 60);
    let minute = (local.rem_euclid(86_400) / 60) as u32;
    targets.peak_windows.iter().any(|w| w.contains(minute))
}

/// The pay of one delivered task: the base line always, then the distance, peak and waiting
/// lines when they are above zero. The one pay function of the server and the phone.
pub fn pay_for(
    facts: &PayFacts,
    rates: &PayRates,
    targets: &KpiTargets,
    utc_offset_min: i32,
) -> Vec<PayLine> {
    let mut lines = vec![PayLine {
        kind: PayLineKind::Base,
        minor: rates.base.of(facts.kind),
    }];
    // Rate × metres / 1000, to the nearest minor unit (halves up: both are non-negative).
    let distance = (i64::from(facts.distance_m) * rates.per_km_minor + 500) / 1000;
    let peak = if in_peak(facts.delivered_at, targets, utc_offset_min) {
        rates.peak_supplement_minor
    } else {
        0
    };
    let paid_min = (facts.waited_s.max(0) / 60 - i64::from(rates.free_wait_min)).max(0);
    let waiting = paid_min.saturating_mul(rates.wait_per_min_minor);
    for (kind, minor) in [
        (PayLineKind::Distance, distance),
        (PayLineKind::Peak, peak),
        (PayLineKind::Waiting, waiting),
    ] {
        if minor > 0 {
            lines.push(PayLine { kind, minor });
        }
    }
    lines
}

/// The id of a computed pay line of a task (the same on both sides, so the phone knows which
/// expected line a confirmed one replaces).
pub fn pay_line_id(task_id: &str, kind: PayLineKind) -> String {
    format!("pay:{task_id}:{}", kind.as_str())
}

/// The id of an incentive's bonus line for the week starting at `week_start`.
pub fn bonus_line_id(incentive_id: &str, week_start: i64) -> String {
    format!("bonus:{incentive_id}:{week_start}")
}

/// Where a line stands: computed on the phone and not yet confirmed, or the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PayLineState {
    /// Computed by the phone offline: what the server is expected to confirm.
    Expected,
    /// Computed or entered by the server: what is paid.
    Confirmed,
}

/// A line of a courier's earnings as the server sends it (confirmed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "EarningLine"))]
pub struct EarningLineDoc {
    /// The line's id (`pay:<task>:<kind>`, `bonus:<incentive>:<week>`, or dispatch's id for a
    /// tip or an adjustment).
    pub id: String,
    /// The task it is about (absent for a bonus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// What it pays for.
    pub kind: PayLineKind,
    /// The amount (negative only for an adjustment).
    pub amount: Money,
    /// Dispatch's note (a tip's or an adjustment's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When it was earned, Unix seconds (server clock): the delivery, the tip, the bonus.
    pub earned_at: i64,
    /// The courier's appeal, if one was filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal: Option<AppealStatus>,
    /// The decision's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_note: Option<String>,
    /// Server sequence of the last change (the pull cursor for earnings).
    #[serde(default)]
    pub seq: i64,
}

/// An incentive programme's progress in a week, from the KPI figures of that week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IncentiveProgress {
    /// The programme.
    pub id: String,
    /// Deliveries so far this week.
    pub deliveries: u32,
    /// Deliveries needed.
    pub target_deliveries: u32,
    /// The week's on-time rate so far, basis points (absent without promised deliveries).
    pub on_time_bp: Option<u32>,
    /// The least on-time rate, basis points.
    pub min_on_time_bp: u32,
    /// Deliveries as a share of the target, basis points, at most 10,000 (a progress bar).
    pub progress_bp: u32,
    /// The bonus.
    pub bonus: Money,
    /// Both conditions are met: the bonus is earned.
    pub met: bool,
}

/// A rate (0.0 to 1.0) as basis points, to the nearest.
fn basis_points(rate: f64) -> u32 {
    (rate.clamp(0.0, 1.0) * 10_000.0).round() as u32
}

/// The progress of `incentive` from the week's KPIs (computed by [`crate::compute_kpis`] from
/// the week's facts, the same on the phone and the server). A week without promised deliveries
/// counts as on time.
pub fn incentive_progress(kpis: &Kpis, incentive: &Incentive, currency: &str) -> IncentiveProgress {
    let on_time_bp = kpis.on_time_rate.map(basis_points);
    let target = incentive.target_deliveries.max(1);
    let progress_bp = (u64::from(kpis.deliveries.min(target)) * 10_000 / u64::from(target)) as u32;
    IncentiveProgress {
        id: incentive.id.clone(),
        deliveries: kpis.deliveries,
        target_deliveries: incentive.target_deliveries,
        on_time_bp,
        min_on_time_bp: incentive.min_on_time_bp,
        progress_bp,
        bonus: Money::new(incentive.bonus_minor, currency),
        met: kpis.deliveries >= incentive.target_deliveries
            && on_time_bp.unwrap_or(10_000) >= incentive.min_on_time_bp,
    }
}

/// The start of the local day holding `at` (the city's offset), Unix seconds.
pub fn day_start(at: i64, utc_offset_min: i32) -> i64 {
    let offset = i64::from(utc_offset_min) * 60;
    let local = at.saturating_add(offset);
    local - local.rem_euclid(86_400) - offset
}

/// The start of the local week (Monday 00:00) holding `at`, Unix seconds.
pub fn week_start(at: i64, utc_offset_min: i32) -> i64 {
    let offset = i64::from(utc_offset_min) * 60;
    let local = at.saturating_add(offset);
    let day = local.div_euclid(86_400);
    // 1970-01-01 was a Thursday: days since a Monday are (day + 3) mod 7.
    let monday = day - (day + 3).rem_euclid(7);
    monday * 86_400 - offset
}

/// Sums amounts of one currency (lines of another currency are not added).
pub fn total(lines: impl IntoIterator<Item = Money>, currency: &str) -> Money {
    let minor = lines
        .into_iter()
        .filter(|m| m.currency == currency)
        .fold(0_i64, |acc, m| acc.saturating_add(m.minor));
    Money::new(minor, currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_exactly_and_refused_with_a_reason() {
        assert_eq!(parse_amount("12.5", "CNY"), Ok(Money::new(1250, "CNY")));
        assert_eq!(parse_amount("-3.20", "CNY"), Ok(Money::new(-320, "CNY")));
        assert_eq!(parse_amount("12.500", "CNY"), Ok(Money::new(1250, "CNY")));
        assert_eq!(parse_amount("800", "JPY"), Ok(Money::new(800, "JPY")));
        assert_eq!(parse_amount("0.125", "KWD"), Ok(Money::new(125, "KWD")));
        assert_eq!(
            parse_amount("1.005", "CNY"),
            Err(MoneyProblem::TooManyDecimals { allowed: 2 })
        );
        assert_eq!(
            parse_amount("800.5", "JPY"),
            Err(MoneyProblem::TooManyDecimals { allowed: 0 })
        );
        assert_eq!(parse_amount("5", "XXX"), Err(MoneyProblem::UnknownCurrency));
        for bad in ["", "abc", "1.2.3", "1e3", "--1", ".", " - "] {
            assert_eq!(
                parse_amount(bad, "CNY"),
                Err(MoneyProblem::NotANumber),
                "{bad}"
            );
        }
        assert_eq!(
            parse_amount("99999999999", "CNY"),
            Err(MoneyProblem::TooLarge)
        );
    }

    #[test]
    fn the_pay_of_a_task() {
        let rates = PayRates::default();
        let targets = KpiTargets::default();
        // 12:10 in Beijing (UTC+8) is in the lunch peak.
        let noon = 1_795_406_400 + 600;
        let facts = PayFacts {
            kind: TaskKind::Food,
            distance_m: 3_250,
            delivered_at: noon,
            waited_s: 9 * 60 + 59,
        };
        let lines = pay_for(&facts, &rates, &targets, 480);
        assert_eq!(
            lines,
            [
                PayLine {
                    kind: PayLineKind::Base,
                    minor: 500
                },
                // 3.25 km × 100 = 325.
                PayLine {
                    kind: PayLineKind::Distance,
                    minor: 325
                },
                PayLine {
                    kind: PayLineKind::Peak,
                    minor: 200
                },
                // 9 whole minutes, 5 free: 4 × 50.
                PayLine {
                    kind: PayLineKind::Waiting,
                    minor: 200
                },
            ]
        );
        // Off-peak, no wait, a half minor unit rounds up.
        let off = PayFacts {
            kind: TaskKind::Parcel,
            distance_m: 5,
            delivered_at: noon + 3 * 3600,
            waited_s: 0,
        };
        assert_eq!(
            pay_for(&off, &rates, &targets, 480),
            [
                PayLine {
                    kind: PayLineKind::Base,
                    minor: 300
                },
                PayLine {
                    kind: PayLineKind::Distance,
                    minor: 1
                },
            ]
        );
    }

    #[test]
    fn rates_are_checked() {
        assert_eq!(PayRates::default().problem(), None);
        let negative = PayRates {
            base: BasePay {
                food: -1,
                ..PayRates::default().base
            },
            ..PayRates::default()
        };
        assert_eq!(
            negative.problem().as_deref(),
            Some("pay.base.food must be 0 to 1000000000 minor units")
        );
        let unknown = PayRates {
            currency: "ABC".into(),
            ..PayRates::default()
        };
        assert!(unknown.problem().is_some());
        let twice = PayRates {
            incentives: vec![
                Incentive {
                    id: "w".into(),
                    target_deliveries: 5,
                    min_on_time_bp: 9500,
                    bonus_minor: 100,
                };
                2
            ],
            ..PayRates::default()
        };
        assert_eq!(
            twice.problem().as_deref(),
            Some("pay.incentives[1].id is used twice")
        );
    }

    #[test]
    fn incentive_progress_from_the_kpis() {
        let inc = Incentive {
            id: "week50".into(),
            target_deliveries: 50,
            min_on_time_bp: 9500,
            bonus_minor: 20_000,
        };
        let kpis = |deliveries, on_time| Kpis {
            deliveries,
            on_time_rate: on_time,
            avg_delivery_min_peak: None,
            avg_delivery_min_off_peak: None,
            order_error_rate: None,
            delay_rate: None,
            satisfaction: None,
            below_target: vec![],
        };
        let p = incentive_progress(&kpis(25, Some(1.0)), &inc, "CNY");
        assert_eq!((p.progress_bp, p.met), (5_000, false));
        let p = incentive_progress(&kpis(50, Some(0.96)), &inc, "CNY");
        assert_eq!(
            (p.progress_bp, p.on_time_bp, p.met),
            (10_000, Some(9_600), true)
        );
        let p = incentive_progress(&kpis(60, Some(0.94)), &inc, "CNY");
        assert_eq!((p.progress_bp, p.met), (10_000, false));
        assert_eq!(p.bonus, Money::new(20_000, "CNY"));
    }

    #[test]
    fn days_and_weeks_in_the_city() {
        // 2026-11-23 04:00 UTC = Monday 12:00 in Beijing.
        let monday_noon = 1_795_406_400;
        let monday = monday_noon - 12 * 3600;
        assert_eq!(day_start(monday_noon, 480), monday);
        assert_eq!(week_start(monday_noon, 480), monday);
        assert_eq!(week_start(monday_noon + 6 * 86_400, 480), monday);
        assert_eq!(
            week_start(monday_noon + 7 * 86_400, 480),
            monday + 7 * 86_400
        );
        assert_eq!(week_start(monday - 1, 480), monday - 7 * 86_400);
    }
}

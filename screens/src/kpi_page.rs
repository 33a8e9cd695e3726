//! The courier's figures over the month against the platform's targets (from settings), each
//! marked when below target: the same KPI function the server uses.

use runsheet_core::rating::Period;
use runsheet_core::Result;
use runsheet_words::{Args, Words};

use crate::screen::{Figure, KpiPage, Tone};
use crate::view::View;
use crate::wording::t;

/// The page (this month).
pub fn build(v: &View<'_>) -> Result<KpiPage> {
    let mut page = build_for(v, Period::Month)?;
    page.figures.extend(after_sales(v)?);
    page.figures
        .extend(crate::training_page::qualification_figures(v)?);
    Ok(page)
}

/// The KPI figures of `period` against the platform's targets (the six-monthly review shows
/// them over [`Period::SixMonths`]).
pub fn build_for(v: &View<'_>, period: Period) -> Result<KpiPage> {
    let w = v.words;
    let k = v.core.kpis(period)?;
    let targets = &v.settings.kpi_targets;
    let below = |name: &str| k.below_target.iter().any(|b| b == name);
    let share = |x: f64| w.percent(x);
    let minutes = |x: f64| w.text("kpi-minutes", &Args::new().num("n", x.round() as i64));
    let figures = vec![
        figure(
            w,
            "kpi-on-time",
            k.on_time_rate.map(share),
            "kpi-at-least",
            share(targets.on_time_rate),
            below("on_time_rate"),
        ),
        figure(
            w,
            "kpi-peak-time",
            k.avg_delivery_min_peak.map(minutes),
            "kpi-at-most",
            minutes(targets.peak_delivery_min),
            below("avg_delivery_min_peak"),
        ),
        figure(
            w,
            "kpi-off-peak-time",
            k.avg_delivery_min_off_peak.map(minutes),
            "kpi-at-most",
            minutes(targets.off_peak_delivery_min),
            below("avg_delivery_min_off_peak"),
        ),
        figure(
            w,
            "kpi-order-errors",
            k.order_error_rate.map(share),
            "kpi-at-most",
            share(targets.order_error_rate),
            below("order_error_rate"),
        ),
        figure(
            w,
            "kpi-delays",
            k.delay_rate.map(share),
            "kpi-at-most",
            share(targets.delay_rate),
            below("delay_rate"),
        ),
        figure(
            w,
            "kpi-satisfaction",
            k.satisfaction.map(share),
            "kpi-at-least",
            share(targets.satisfaction),
            below("satisfaction"),
        ),
    ];
    Ok(KpiPage {
        period: w.text(
            "kpi-period-month",
            &Args::new().num("deliveries", i64::from(k.deliveries)),
        ),
        figures,
    })
}

/// The after-sales figures of the month, from the function the server uses over the cases on
/// the phone (no platform target: they read as information, a missed deadline as bad).
fn after_sales(v: &View<'_>) -> Result<Vec<Figure>> {
    let w = v.words;
    let f = v.core.case_figures(Period::Month)?;
    let plain = |name: &str, value: Option<String>, tone: Tone| Figure {
        name: t(w, name),
        value: value.clone().unwrap_or_else(|| t(w, "kpi-no-value")),
        target: t(w, "kpi-no-target"),
        below_target: false,
        verdict: t(
            w,
            if value.is_some() {
                "kpi-no-target"
            } else {
                "kpi-no-data"
            },
        ),
        tone,
    };
    Ok(vec![
        plain(
            "kpi-cases",
            Some(w.number(i64::from(f.cases))),
            Tone::Neutral,
        ),
        plain(
            "kpi-complaints",
            f.complaints_per_100.map(|x| format!("{x:.1}")),
            Tone::Neutral,
        ),
        plain(
            "kpi-cases-within-deadline",
            f.within_deadline.map(|x| w.percent(x)),
            Tone::Neutral,
        ),
        plain(
            "kpi-cases-breached",
            Some(w.number(i64::from(f.breached))),
            if f.breached > 0 {
                Tone::Bad
            } else {
                Tone::Good
            },
        ),
    ])
}

fn figure(
    w: &Words,
    name: &str,
    value: Option<String>,
    bound: &str,
    target: String,
    below_target: bool,
) -> Figure {
    let known = value.is_some();
    Figure {
        name: t(w, name),
        value: value.unwrap_or_else(|| t(w, "kpi-no-value")),
        target: w.text(bound, &Args::new().str("target", target)),
        below_target,
        verdict: t(
            w,
            match (known, below_target) {
                (false, _) => "kpi-no-data",
                (true, true) => "kpi-below-target",
                (true, false) => "kpi-on-target",
            },
        ),
        tone: match (known, below_target) {
            (false, _) => Tone::Neutral,
            (true, true) => Tone::Bad,
            (true, false) => Tone::Good,
        },
    }
}

//! The courier's earnings for today or this week: the total, what is confirmed and what is
//! still expected (computed on the phone until the server confirms it), every line with its
//! state, the incentive programmes' progress as a bar with a verdict, and the appeal of a
//! confirmed line. Every amount is formatted by the words crate (ICU4X digits, the currency's
//! sign and minor unit).

use runsheet_core::earnings::{appeal_until, EarningsPeriod};
use runsheet_core::Result;
use runsheet_protocol::{AppealStatus, IncentiveProgress, PayLineKind, PayLineState};
use runsheet_words::{Args, Words};

use crate::offer::{Offer, OfferStyle, Tap};
use crate::screen::{EarningLineView, EarningsPage, IncentiveView, Tone};
use crate::task_list::reason_input;
use crate::view::View;
use crate::wording::{money, t};

/// A rate in basis points as a percentage ("95.0%").
fn rate(w: &Words, bp: u32) -> String {
    w.percent(f64::from(bp) / 10_000.0)
}

fn kind_word(w: &Words, kind: PayLineKind) -> String {
    t(w, &format!("pay-kind-{}", kind.as_str()))
}

/// A line's title: "Base pay · task F1", or the kind alone.
pub fn line_title(w: &Words, l: &runsheet_protocol::EarningLineDoc) -> String {
    let kind = kind_word(w, l.kind);
    match &l.task_id {
        Some(task) => w.text(
            "earning-line-title",
            &Args::new().str("kind", kind).str("task", task.clone()),
        ),
        None => kind,
    }
}

/// The page for `period`.
pub fn build(v: &View<'_>, period: EarningsPeriod) -> Result<EarningsPage> {
    let w = v.words;
    let e = v.core.earnings(period, None)?;
    let offset = v.core.sync_status()?.clock_offset_seconds.unwrap_or(0);
    let server_now = v.now + offset;
    let window = v.settings.kpi_targets.appeal_window_h;
    let tz = v.settings.utc_offset_min;
    let date = w.date(e.from, tz);
    let (period_text, other, other_label) = match period {
        EarningsPeriod::Day => (
            w.text("earnings-period-day", &Args::new().str("date", date)),
            EarningsPeriod::Week,
            "offer-earnings-week",
        ),
        EarningsPeriod::Week => (
            w.text("earnings-period-week", &Args::new().str("date", date)),
            EarningsPeriod::Day,
            "offer-earnings-day",
        ),
    };
    let lines = e
        .lines
        .iter()
        .rev()
        .map(|entry| {
            let l = &entry.line;
            let title = line_title(w, l);
            let appeal = l.appeal.map(|a| {
                t(
                    w,
                    match a {
                        AppealStatus::Pending => "appeal-pending",
                        AppealStatus::Upheld => "pay-appeal-upheld",
                        AppealStatus::Rejected => "appeal-rejected",
                    },
                )
            });
            let mut offers = Vec::new();
            if entry.state == PayLineState::Confirmed {
                if let Some(until) = appeal_until(l, window).filter(|u| server_now <= *u) {
                    offers.push(
                        Offer::new(
                            Tap::AppealPay {
                                line_id: l.id.clone(),
                                reason: String::new(),
                            },
                            w.text(
                                "offer-appeal",
                                &Args::new().str("until", v.time(until - offset)),
                            ),
                            OfferStyle::Secondary,
                        )
                        .with_inputs(vec![reason_input(w)]),
                    );
                }
            }
            let mut detail: Vec<String> = Vec::new();
            if let Some(n) = l.note.as_ref().filter(|n| !n.trim().is_empty()) {
                detail.push(n.clone());
            }
            if let Some(n) = l.appeal_note.as_ref().filter(|n| !n.trim().is_empty()) {
                detail.push(n.clone());
            }
            EarningLineView {
                line_id: l.id.clone(),
                task_id: l.task_id.clone(),
                title,
                amount: money(w, &l.amount),
                state: entry.state,
                state_text: t(
                    w,
                    match entry.state {
                        PayLineState::Expected => "pay-state-expected",
                        PayLineState::Confirmed => "pay-state-confirmed",
                    },
                ),
                when: v.time(l.earned_at - offset),
                detail: (!detail.is_empty()).then(|| detail.join(" · ")),
                appeal,
                tone: match (entry.state, l.amount.minor < 0) {
                    (_, true) => Tone::Bad,
                    (PayLineState::Expected, false) => Tone::Neutral,
                    (PayLineState::Confirmed, false) => Tone::Good,
                },
                offers,
            }
        })
        .collect::<Vec<_>>();
    let incentives = e
        .incentives
        .iter()
        .map(|p| incentive(w, p))
        .collect::<Vec<_>>();
    let empty = lines.is_empty();
    Ok(EarningsPage {
        period: period_text,
        switch_period: Offer::new(
            Tap::ShowEarnings { period: other },
            t(w, other_label),
            OfferStyle::Navigation,
        ),
        total: w.text(
            "earnings-total",
            &Args::new().str("amount", money(w, &e.total)),
        ),
        confirmed: w.text(
            "earnings-confirmed",
            &Args::new().str("amount", money(w, &e.confirmed)),
        ),
        expected: (e.expected.minor != 0).then(|| {
            w.text(
                "earnings-expected",
                &Args::new().str("amount", money(w, &e.expected)),
            )
        }),
        lines,
        incentives,
        empty_text: empty.then(|| t(w, "earnings-empty")),
    })
}

/// An incentive programme's progress: its terms, how far the courier is, and the verdict.
fn incentive(w: &Words, p: &IncentiveProgress) -> IncentiveView {
    let title = w.text(
        "incentive-title",
        &Args::new()
            .num("target", i64::from(p.target_deliveries))
            .str("rate", rate(w, p.min_on_time_bp))
            .str("bonus", money(w, &p.bonus)),
    );
    let progress = match p.on_time_bp {
        Some(bp) => w.text(
            "incentive-progress",
            &Args::new()
                .num("done", i64::from(p.deliveries))
                .num("target", i64::from(p.target_deliveries))
                .str("rate", rate(w, bp)),
        ),
        None => w.text(
            "incentive-progress-no-rate",
            &Args::new()
                .num("done", i64::from(p.deliveries))
                .num("target", i64::from(p.target_deliveries)),
        ),
    };
    let rate_short = p.on_time_bp.is_some_and(|bp| bp < p.min_on_time_bp);
    let (verdict, tone) = if p.met {
        (t(w, "incentive-met"), Tone::Good)
    } else if rate_short {
        (
            w.text(
                "incentive-below-rate",
                &Args::new().str("rate", rate(w, p.min_on_time_bp)),
            ),
            Tone::Bad,
        )
    } else {
        (
            w.text(
                "incentive-more",
                &Args::new().num(
                    "n",
                    i64::from(p.target_deliveries.saturating_sub(p.deliveries)),
                ),
            ),
            Tone::Neutral,
        )
    };
    IncentiveView {
        id: p.id.clone(),
        title,
        progress,
        progress_bp: p.progress_bp,
        verdict,
        tone,
    }
}

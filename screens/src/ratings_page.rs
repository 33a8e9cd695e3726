//! Ratings and appeals: what the courier was given, what may still be appealed and until
//! when, and the delivered tasks whose stops may still be rated.

use runsheet_core::rating::{appeal_until, rate_until};
use runsheet_core::Result;
use runsheet_protocol::{AppealStatus, RatingTarget};
use runsheet_words::Args;

use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::screen::{RatingView, RatingsPage, ToRate, Tone};
use crate::task_list::{reason_input, title};
use crate::view::View;
use crate::wording::{self, t};

/// The page.
pub fn build(v: &View<'_>) -> Result<RatingsPage> {
    let w = v.words;
    let window = v.settings.kpi_targets.appeal_window_h;
    let offset = v.core.sync_status()?.clock_offset_seconds.unwrap_or(0);
    let server_now = v.now + offset;
    let mut ratings = v.core.ratings()?;
    ratings.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    let ratings = ratings
        .into_iter()
        .map(|r| {
            let stars = r.stars.map(|s| s.min(5));
            let mut detail: Vec<String> = r.tags.clone();
            if let Some(c) = r.comment.as_ref().filter(|c| !c.trim().is_empty()) {
                detail.push(c.clone());
            }
            let appeal = r.appeal.map(|a| {
                t(
                    w,
                    match a {
                        AppealStatus::Pending => "appeal-pending",
                        AppealStatus::Upheld => "appeal-upheld",
                        AppealStatus::Rejected => "appeal-rejected",
                    },
                )
            });
            let mut offers = Vec::new();
            if let Some(until) = appeal_until(&r, window).filter(|u| server_now <= *u) {
                offers.push(
                    Offer::new(
                        Tap::Appeal {
                            rating_id: r.id.clone(),
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
            RatingView {
                rating_id: r.id.clone(),
                task_id: r.task_id.clone(),
                title: w.text(
                    "rating-title",
                    &Args::new()
                        .num("stars", i64::from(stars.unwrap_or(0)))
                        .str("source", wording::rating_source(w, r.source)),
                ),
                stars,
                detail: (!detail.is_empty()).then(|| detail.join(" · ")),
                when: v.time(r.created_at - offset),
                appeal,
                tone: match stars {
                    Some(s) if s <= 2 => Tone::Bad,
                    Some(3) => Tone::Warning,
                    Some(_) => Tone::Good,
                    None => Tone::Neutral,
                },
                offers,
            }
        })
        .collect::<Vec<_>>();
    let mut to_rate = Vec::new();
    for task in v.core.tasks()? {
        let Some(until) = rate_until(&task).filter(|u| v.now <= *u) else {
            continue;
        };
        let targets = if task.pickup.is_some() {
            vec![RatingTarget::Merchant, RatingTarget::Dropoff]
        } else {
            vec![RatingTarget::Dropoff]
        };
        let offers = targets
            .iter()
            .map(|&target| {
                Offer::new(
                    Tap::RateStop {
                        task_id: task.id.clone(),
                        target,
                        stars: 0,
                        comment: String::new(),
                    },
                    t(
                        w,
                        match target {
                            RatingTarget::Merchant => "offer-rate-merchant",
                            RatingTarget::Dropoff => "offer-rate-dropoff",
                        },
                    ),
                    OfferStyle::Secondary,
                )
                .with_inputs(vec![
                    InputSpec {
                        field: "stars".into(),
                        label: t(w, "input-stars"),
                        kind: InputKind::Number,
                        required: true,
                        min: Some(1),
                        max: Some(5),
                    },
                    InputSpec {
                        field: "comment".into(),
                        label: t(w, "input-comment"),
                        kind: InputKind::Text,
                        required: false,
                        min: None,
                        max: None,
                    },
                ])
            })
            .collect();
        to_rate.push(ToRate {
            task_id: task.id.clone(),
            title: title(w, &task),
            until: w.text("rate-until", &Args::new().str("time", v.time(until))),
            offers,
            targets,
        });
    }
    let empty = ratings.is_empty() && to_rate.is_empty();
    Ok(RatingsPage {
        ratings,
        to_rate,
        empty_text: empty.then(|| t(w, "ratings-empty")),
    })
}

//! Ratings, appeals and KPIs over FFI.

use runsheet_core as core;

use crate::{Runsheet, RunsheetError};

/// Who rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RatingSource {
    /// A customer.
    Customer,
    /// A merchant.
    Merchant,
    /// The platform (compliment or penalty).
    Platform,
}

/// Where an appeal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AppealStatus {
    /// Waiting for a decision.
    Pending,
    /// Upheld: the rating no longer counts.
    Upheld,
    /// Rejected: it stands.
    Rejected,
}

/// A rating of the courier.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Rating {
    /// Its id (what `appeal` takes).
    pub id: String,
    /// The task.
    pub task_id: String,
    /// Who rated.
    pub source: RatingSource,
    /// 1 to 5 stars.
    pub stars: Option<u8>,
    /// Tags (`late`, `rude`, `damaged`, `great_service`, `penalty`, ...).
    pub tags: Vec<String>,
    /// The comment.
    pub comment: Option<String>,
    /// When, Unix seconds (server clock).
    pub created_at: i64,
    /// The appeal, if filed.
    pub appeal: Option<AppealStatus>,
    /// The decision's note.
    pub appeal_note: Option<String>,
}

impl From<core::RatingDoc> for Rating {
    fn from(r: core::RatingDoc) -> Self {
        Rating {
            id: r.id,
            task_id: r.task_id,
            source: match r.source {
                core::RatingSource::Customer => RatingSource::Customer,
                core::RatingSource::Merchant => RatingSource::Merchant,
                core::RatingSource::Platform => RatingSource::Platform,
            },
            stars: r.stars,
            tags: r.tags,
            comment: r.comment,
            created_at: r.created_at,
            appeal: r.appeal.map(|a| match a {
                core::AppealStatus::Pending => AppealStatus::Pending,
                core::AppealStatus::Upheld => AppealStatus::Upheld,
                core::AppealStatus::Rejected => AppealStatus::Rejected,
            }),
            appeal_note: r.appeal_note,
        }
    }
}

/// What the courier rates after a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RatingTarget {
    /// The merchant (food ready on time, packaging).
    Merchant,
    /// The drop-off (easy to find, access notes).
    Dropoff,
}

/// A KPI period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum KpiPeriod {
    /// Since local midnight.
    Today,
    /// The last 7 days.
    Week,
    /// The last 30 days.
    Month,
}

/// The courier's figures for a period.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Kpis {
    /// Deliveries counted.
    pub deliveries: u32,
    /// Share delivered by the promised time (target ≥ 0.95).
    pub on_time_rate: Option<f64>,
    /// Average minutes order to delivery at peak (target ≤ 30).
    pub avg_delivery_min_peak: Option<f64>,
    /// Off-peak (target ≤ 45).
    pub avg_delivery_min_off_peak: Option<f64>,
    /// Share of orders with an order error (target ≤ 0.005).
    pub order_error_rate: Option<f64>,
    /// Share more than 10 minutes late (target ≤ 0.03).
    pub delay_rate: Option<f64>,
    /// Share of 4–5 star ratings (target ≥ 0.90).
    pub satisfaction: Option<f64>,
    /// Figures below target, by name.
    pub below_target: Vec<String>,
}

#[uniffi::export]
impl Runsheet {
    /// The ratings received, newest first (announced through the sync listener too).
    pub fn ratings(&self) -> Result<Vec<Rating>, RunsheetError> {
        Ok(self.inner.ratings()?.into_iter().map(Into::into).collect())
    }

    /// The courier's KPIs for a period, computed on the phone.
    pub fn kpis(&self, period: KpiPeriod) -> Result<Kpis, RunsheetError> {
        let k = self.inner.kpis(match period {
            KpiPeriod::Today => core::rating::Period::Today,
            KpiPeriod::Week => core::rating::Period::Week,
            KpiPeriod::Month => core::rating::Period::Month,
        })?;
        Ok(Kpis {
            deliveries: k.deliveries,
            on_time_rate: k.on_time_rate,
            avg_delivery_min_peak: k.avg_delivery_min_peak,
            avg_delivery_min_off_peak: k.avg_delivery_min_off_peak,
            order_error_rate: k.order_error_rate,
            delay_rate: k.delay_rate,
            satisfaction: k.satisfaction,
            below_target: k.below_target,
        })
    }

    /// Rates the merchant or drop-off of a task (queued offline; re-rating replaces).
    pub fn rate_stop(
        &self,
        task_id: String,
        target: RatingTarget,
        stars: u8,
        tags: Vec<String>,
        note: Option<String>,
    ) -> Result<(), RunsheetError> {
        let target = match target {
            RatingTarget::Merchant => core::RatingTarget::Merchant,
            RatingTarget::Dropoff => core::RatingTarget::Dropoff,
        };
        self.inner.rate_stop(&task_id, target, stars, tags, note)?;
        Ok(())
    }

    /// Appeals a rating with a reason (the task's evidence bundle goes with it).
    pub fn appeal(&self, rating_id: String, reason: String) -> Result<(), RunsheetError> {
        self.inner.appeal(&rating_id, &reason)?;
        Ok(())
    }
}

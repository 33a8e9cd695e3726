//! Cash on delivery: the amount a task asks the customer for (a [`Money`]), what the courier
//! collected and gave back at the door, and the reconciliation of what a courier hands in at
//! the end of the shift.

use serde::{Deserialize, Serialize};

use crate::{AmountProblem, Money};

/// What the courier recorded at the door of a cash-on-delivery task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CashCollection {
    /// The amount the task asked for.
    pub due: Money,
    /// What the customer handed over.
    pub collected: Money,
    /// What the courier gave back.
    pub change: Money,
    /// Why collected minus change is not the amount due (absent when it is).
    pub reason: Option<String>,
}

impl CashCollection {
    /// What the courier keeps: collected minus change (minor units of the due's currency).
    pub fn kept(&self) -> i64 {
        self.collected.minor - self.change.minor
    }

    /// Kept minus due: positive when the courier took too much, negative when too little.
    pub fn discrepancy(&self) -> i64 {
        self.kept() - self.due.minor
    }
}

/// Checks what a courier recorded against the amount due: the same currency throughout, valid
/// amounts, and no more change than was collected. A discrepancy is allowed (it is reported),
/// but it needs a reason; [`cash_reason_needed`] says whether it does.
pub fn check_collection(
    due: &Money,
    collected: &Money,
    change: &Money,
) -> Result<(), AmountProblem> {
    for m in [due, collected, change] {
        if let Some(p) = m.problem() {
            return Err(p);
        }
        if m.currency != due.currency {
            return Err(AmountProblem::CurrencyMismatch {
                expected: due.currency.clone(),
                found: m.currency.clone(),
            });
        }
    }
    if change.minor > collected.minor {
        return Err(AmountProblem::Negative);
    }
    Ok(())
}

/// Whether collected minus change differs from the amount due (the courier must say why).
pub fn cash_reason_needed(due: &Money, collected: &Money, change: &Money) -> bool {
    collected.minor - change.minor != due.minor
}

/// How a courier's hand-in compares with the cash they held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CashBalance {
    /// The hand-in matches the cash held.
    Balanced,
    /// Less was handed in than was held.
    Short,
    /// More was handed in than was held.
    Over,
}

impl CashBalance {
    /// The balance of handing in `handed` while holding `held` (minor units).
    pub fn of(held: i64, handed: i64) -> CashBalance {
        match handed.cmp(&held) {
            std::cmp::Ordering::Equal => CashBalance::Balanced,
            std::cmp::Ordering::Less => CashBalance::Short,
            std::cmp::Ordering::Greater => CashBalance::Over,
        }
    }

    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            CashBalance::Balanced => "balanced",
            CashBalance::Short => "short",
            CashBalance::Over => "over",
        }
    }
}

/// One cash-on-delivery task in a reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CashTaskLine {
    /// The task.
    pub task_id: String,
    /// What the courier recorded at the door.
    pub collection: CashCollection,
    /// When the server received it, Unix seconds.
    pub recorded_at: i64,
}

/// A courier's hand-in at the end of a shift, reconciled by the server against the cash the
/// courier's collections say they held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CashHandIn {
    /// The server's id of the hand-in.
    pub id: i64,
    /// The courier.
    pub courier_id: String,
    /// Cash held by the server's reckoning: collected minus change of the collections since
    /// the previous hand-in.
    pub held: Money,
    /// What the phone showed as held when the courier handed in.
    pub held_on_phone: Money,
    /// What the courier handed in.
    pub handed: Money,
    /// Handed minus held (negative: short).
    pub difference: i64,
    /// Balanced, short or over.
    pub balance: CashBalance,
    /// The collections this hand-in settles.
    pub tasks: Vec<CashTaskLine>,
    /// When the server received it, Unix seconds.
    pub handed_at: i64,
}

/// `GET /v1/dispatch/cash`: a courier's hand-ins, newest first, the collections not handed in
/// yet, and every door discrepancy (collected minus change not the amount due).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CashReport {
    /// The courier.
    pub courier_id: String,
    /// Reconciled hand-ins, newest first.
    pub hand_ins: Vec<CashHandIn>,
    /// Collections the courier still holds the cash of.
    pub outstanding: Vec<CashTaskLine>,
    /// Collections whose kept amount was not the amount due.
    pub door_discrepancies: Vec<CashTaskLine>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_read_into_minor_units() {
        assert_eq!(Money::parse("12.5", "CNY"), Ok(Money::new(1250, "CNY")));
        assert_eq!(Money::parse(" 12,50 ", "CNY"), Ok(Money::new(1250, "CNY")));
        assert_eq!(Money::parse("8", "CNY"), Ok(Money::new(800, "CNY")));
        assert_eq!(Money::parse(".5", "CNY"), Ok(Money::new(50, "CNY")));
        assert_eq!(Money::parse("1500", "JPY"), Ok(Money::new(1500, "JPY")));
        assert_eq!(Money::parse("1.234", "KWD"), Ok(Money::new(1234, "KWD")));
    }

    #[test]
    fn more_decimals_than_the_currency_has_are_refused_with_the_reason() {
        assert_eq!(
            Money::parse("12.345", "CNY"),
            Err(AmountProblem::TooManyDecimals {
                currency: "CNY".into(),
                allowed: 2
            })
        );
        assert_eq!(
            Money::parse("1500.5", "JPY"),
            Err(AmountProblem::TooManyDecimals {
                currency: "JPY".into(),
                allowed: 0
            })
        );
        assert_eq!(Money::parse("", "CNY"), Err(AmountProblem::Empty));
        assert_eq!(Money::parse("-3", "CNY"), Err(AmountProblem::Negative));
        assert_eq!(Money::parse("1e3", "CNY"), Err(AmountProblem::NotANumber));
        assert_eq!(Money::parse("1.2.3", "CNY"), Err(AmountProblem::NotANumber));
        assert_eq!(Money::parse(".", "CNY"), Err(AmountProblem::NotANumber));
        assert_eq!(
            Money::parse("99999999999999999999", "CNY"),
            Err(AmountProblem::TooLarge)
        );
        assert!(matches!(
            Money::parse("1", "XXX"),
            Err(AmountProblem::UnknownCurrency { .. })
        ));
    }

    #[test]
    fn a_collection_is_checked_and_its_discrepancy_counted() {
        let due = Money::new(4550, "CNY");
        let c = CashCollection {
            due: due.clone(),
            collected: Money::new(5000, "CNY"),
            change: Money::new(500, "CNY"),
            reason: Some("no coins".into()),
        };
        assert_eq!(c.kept(), 4500);
        assert_eq!(c.discrepancy(), -50);
        assert!(cash_reason_needed(&c.due, &c.collected, &c.change));
        assert!(check_collection(&due, &c.collected, &c.change).is_ok());
        assert!(matches!(
            check_collection(&due, &Money::new(5000, "HKD"), &c.change),
            Err(AmountProblem::CurrencyMismatch { .. })
        ));
        assert_eq!(
            check_collection(&due, &Money::new(100, "CNY"), &Money::new(200, "CNY")),
            Err(AmountProblem::Negative)
        );
        assert_eq!(Money::new(4550, "CNY").decimal(), "45.50");
        assert_eq!(Money::new(5, "KWD").decimal(), "0.005");
        assert_eq!(Money::new(1500, "JPY").decimal(), "1500");
        assert_eq!(CashBalance::of(4500, 4000), CashBalance::Short);
    }
}

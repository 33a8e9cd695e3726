//! Cash on delivery: money as integer minor units with an ISO 4217 currency, the amount a task
//! asks the customer for, what the courier collected and gave back at the door, and the
//! reconciliation of what a courier hands in at the end of the shift.
//!
//! Money is never a floating-point number: an amount is a count of the currency's minor units
//! (fen, cents) and the currency's exponent (how many minor digits it has) comes from
//! [`currency_exponent`]. A decimal typed by the courier is read by [`Money::parse`], which
//! refuses more decimals than the currency allows with a typed [`AmountProblem`].

use serde::{Deserialize, Serialize};

/// The currencies the platform settles in, with their ISO 4217 exponent (minor digits).
const CURRENCIES: [(&str, u8); 12] = [
    ("CNY", 2),
    ("HKD", 2),
    ("MOP", 2),
    ("TWD", 2),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("SGD", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("VND", 0),
    ("KWD", 3),
];

/// Largest amount the protocol carries, minor units (a hundred billion in major units of a
/// two-decimal currency): far above any delivery, far below overflow when summed.
pub const MAX_MINOR: i64 = 10_000_000_000_000;

/// How many minor digits an ISO 4217 currency has (`CNY` 2, `JPY` 0, `KWD` 3); `None` for a
/// code the platform does not settle in.
pub fn currency_exponent(code: &str) -> Option<u8> {
    CURRENCIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, exponent)| *exponent)
}

/// An amount of money: integer minor units of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Money {
    /// The amount in the currency's minor units (fen for CNY, yen for JPY).
    pub minor: i64,
    /// The ISO 4217 code ("CNY").
    pub currency: String,
}

/// Why a typed amount was refused. Nothing is recorded when an amount is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AmountProblem {
    /// Nothing was typed.
    Empty,
    /// The text is not a decimal number.
    NotANumber,
    /// More decimals than the currency has minor digits ("12.345" yuan).
    TooManyDecimals {
        /// The currency.
        currency: String,
        /// Its exponent.
        allowed: u8,
    },
    /// Below zero.
    Negative,
    /// Above [`MAX_MINOR`].
    TooLarge,
    /// A currency the platform does not settle in.
    UnknownCurrency {
        /// The code given.
        currency: String,
    },
    /// Two amounts of different currencies were combined.
    CurrencyMismatch {
        /// The currency expected (the amount due's).
        expected: String,
        /// The currency given.
        found: String,
    },
}

impl std::fmt::Display for AmountProblem {
    /// The reason in English, for logs and the server's error bodies.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AmountProblem::Empty => f.write_str("no amount was given"),
            AmountProblem::NotANumber => f.write_str("the amount is not a number"),
            AmountProblem::TooManyDecimals { currency, allowed } => {
                write!(f, "{currency} allows at most {allowed} decimals")
            }
            AmountProblem::Negative => f.write_str("the amount is negative"),
            AmountProblem::TooLarge => f.write_str("the amount is too large"),
            AmountProblem::UnknownCurrency { currency } => {
                write!(f, "{currency} is not a currency the platform settles in")
            }
            AmountProblem::CurrencyMismatch { expected, found } => {
                write!(f, "the amounts are in {expected} and {found}")
            }
        }
    }
}

impl std::error::Error for AmountProblem {}

impl Money {
    /// `minor` units of `currency`.
    pub fn new(minor: i64, currency: impl Into<String>) -> Money {
        Money {
            minor,
            currency: currency.into(),
        }
    }

    /// Reads a decimal the courier typed ("12.5", "12,50", " 8 ") as an amount of `currency`:
    /// a point or a comma separates the decimals; at most as many decimals as the currency has
    /// minor digits; no sign, no exponent, no grouping.
    pub fn parse(text: &str, currency: &str) -> Result<Money, AmountProblem> {
        let exponent =
            currency_exponent(currency).ok_or_else(|| AmountProblem::UnknownCurrency {
                currency: currency.to_owned(),
            })?;
        let t = text.trim();
        if t.is_empty() {
            return Err(AmountProblem::Empty);
        }
        if t.starts_with('-') {
            return Err(AmountProblem::Negative);
        }
        let (whole, fraction) = match t.find(['.', ',']) {
            Some(i) => (&t[..i], &t[i + 1..]),
            None => (t, ""),
        };
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(AmountProblem::NotANumber);
        }
        if fraction.len() > usize::from(exponent) {
            return Err(AmountProblem::TooManyDecimals {
                currency: currency.to_owned(),
                allowed: exponent,
            });
        }
        let scale = 10i64.pow(u32::from(exponent));
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| AmountProblem::TooLarge)?
        };
        let mut frac: i64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().map_err(|_| AmountProblem::NotANumber)?
        };
        for _ in fraction.len()..usize::from(exponent) {
            frac *= 10;
        }
        let minor = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(frac))
            .filter(|m| *m <= MAX_MINOR)
            .ok_or(AmountProblem::TooLarge)?;
        Ok(Money::new(minor, currency))
    }

    /// The currency's exponent, if the platform settles in it.
    pub fn exponent(&self) -> Option<u8> {
        currency_exponent(&self.currency)
    }

    /// Why the amount cannot be carried (an unknown currency, a negative or huge amount).
    pub fn problem(&self) -> Option<AmountProblem> {
        if self.exponent().is_none() {
            return Some(AmountProblem::UnknownCurrency {
                currency: self.currency.clone(),
            });
        }
        if self.minor < 0 {
            return Some(AmountProblem::Negative);
        }
        if self.minor > MAX_MINOR {
            return Some(AmountProblem::TooLarge);
        }
        None
    }

    /// The amount as a plain decimal with the currency's digits ("12.50"), for logs and
    /// machine-readable output; a courier reads amounts through the words crate.
    pub fn decimal(&self) -> String {
        let e = u32::from(self.exponent().unwrap_or(0));
        if e == 0 {
            return self.minor.to_string();
        }
        let scale = 10i64.pow(e);
        let sign = if self.minor < 0 { "-" } else { "" };
        let m = self.minor.unsigned_abs();
        let s = scale.unsigned_abs();
        format!("{sign}{}.{:0width$}", m / s, m % s, width = e as usize)
    }
}

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

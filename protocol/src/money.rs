//! Money: integer minor units with an ISO 4217 currency, never a floating-point number. One
//! type for every amount the protocol carries (cash on delivery, pay lines, tips, bonuses): an
//! amount is a count of the currency's minor units (fen, cents) and the currency's exponent (how
//! many minor digits it has) comes from [`currency_exponent`]. A decimal typed by a person is
//! read by [`Money::parse`], which refuses more decimals than the currency allows with a typed
//! [`AmountProblem`].

use serde::{Deserialize, Serialize};

/// The currencies the platform settles in, with their ISO 4217 exponent (minor digits).
const CURRENCIES: [(&str, u8); 16] = [
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
    /// minor digits (zeros past them are no extra precision); no sign, no exponent, no grouping.
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
        // Zeros beyond the minor unit are no extra precision ("12.500" yuan is 12.50).
        let fraction = fraction.trim_end_matches('0');
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

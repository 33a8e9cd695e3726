//! The GS1 mod-10 check digit (GS1 General Specifications 7.9.1), shared by GTIN, SSCC,
//! GLN, GSIN, GSRN and the other keys with a check digit.

use crate::error::first_bad;
use crate::ScanError;

/// The GS1 mod-10 check digit of `payload` (the digits before the check digit): weights 3
/// and 1 alternate from the rightmost payload digit, which weighs 3. Used by GTIN, SSCC,
/// GLN, GSIN, GSRN and friends. `None` if `payload` has a non-digit.
///
/// ```
/// assert_eq!(runsheet_gs1::check_digit("0950600013435"), Some(2));
/// ```
pub fn check_digit(payload: &str) -> Option<u8> {
    let mut sum: u32 = 0;
    for (i, b) in payload.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = u32::from(b - b'0');
        let w = if i % 2 == 0 { 3 } else { 1 };
        sum = (sum + w * d) % 10;
    }
    // `sum` < 10, so this is a single digit.
    Some(((10 - sum) % 10) as u8)
}

/// Checks the last digit of `digits` (ASCII digits, at least two) against the others;
/// `field` names the code in an error (built only then).
pub(crate) fn verify_check_digit(
    field: impl Fn() -> String,
    digits: &str,
) -> Result<(), ScanError> {
    let Some(split) = digits.len().checked_sub(1) else {
        return Err(ScanError::Truncated {
            field: field(),
            needed: 2,
            found: 0,
        });
    };
    let (payload, last) = digits.split_at_checked(split).unwrap_or((digits, ""));
    let found = last.chars().next().unwrap_or('?');
    match check_digit(payload) {
        Some(d) if last.len() == 1 && found == char::from(b'0' + d) => Ok(()),
        Some(d) => Err(ScanError::BadCheckDigit {
            field: field(),
            found,
            expected: char::from(b'0' + d),
        }),
        None => Err(first_bad(&field(), digits, |c| c.is_ascii_digit())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_of_known_codes() {
        assert_eq!(check_digit("0950600013435"), Some(2));
        assert_eq!(check_digit("400638133393"), Some(1));
        assert_eq!(check_digit("10614141123456789"), Some(7));
        assert_eq!(check_digit("1234567"), Some(0));
        assert_eq!(check_digit("12a"), None);
        assert_eq!(check_digit(""), Some(0));
    }
}

//! The one error of the parser: why a scan could not be read.

use serde_json::{json, Value};

/// Why a scan could not be read. [`ScanError::code`] is the stable name for the shell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// Nothing was scanned (or only whitespace / a symbology identifier).
    #[error("the scan is empty")]
    Empty,
    /// A code or field has the wrong number of characters.
    #[error("{field} has {found} characters; expected {expected}")]
    BadLength {
        /// What has the wrong length (`"code"`, `"AI (01)"`, …).
        field: String,
        /// How many characters it has.
        found: usize,
        /// What was expected, in words (`"8, 12, 13, 14 or 18 digits"`).
        expected: String,
    },
    /// A character that is not allowed where it stands.
    #[error("{field}: character {ch:?} at position {position} is not allowed")]
    BadCharacter {
        /// Where (`"GTIN-13"`, `"AI (10)"`, `"order label"`, …).
        field: String,
        /// 1-based character position within that field.
        position: usize,
        /// The offending character.
        ch: char,
    },
    /// The check digit or character does not match: a misread or mistyped code.
    #[error("{field}: check character {found} does not match the code (expected {expected}); misread or mistyped")]
    BadCheckDigit {
        /// Which code (`"GTIN-13"`, `"SSCC"`, `"AI (01)"`, `"order label"`).
        field: String,
        /// The check character in the code.
        found: char,
        /// The one the rest of the code calls for.
        expected: char,
    },
    /// A date that does not exist (month 13, 31 February, …).
    #[error("{field}: {value} is not a valid date ({reason})")]
    BadDate {
        /// Which field (`"AI (17)"`).
        field: String,
        /// The date as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A GS1 application identifier this parser doesn't know.
    #[error("unknown GS1 application identifier ({ai})")]
    UnknownAi {
        /// The AI's digits.
        ai: String,
    },
    /// The data ends before a field is complete.
    #[error("{field} is cut short: needs {needed} characters, found {found}")]
    Truncated {
        /// Which field.
        field: String,
        /// Characters needed.
        needed: usize,
        /// Characters present.
        found: usize,
    },
    /// Not a recognised code, or its structure is broken.
    #[error("unrecognised code: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
}

impl ScanError {
    /// The stable error code: `empty`, `bad_length`, `bad_character`, `bad_check_digit`,
    /// `bad_date`, `unknown_ai`, `truncated` or `malformed`.
    pub fn code(&self) -> &'static str {
        match self {
            ScanError::Empty => "empty",
            ScanError::BadLength { .. } => "bad_length",
            ScanError::BadCharacter { .. } => "bad_character",
            ScanError::BadCheckDigit { .. } => "bad_check_digit",
            ScanError::BadDate { .. } => "bad_date",
            ScanError::UnknownAi { .. } => "unknown_ai",
            ScanError::Truncated { .. } => "truncated",
            ScanError::Malformed { .. } => "malformed",
        }
    }
}

/// A scan error as JSON for the shell: `{"ok":false,"code":…,"message":…}`.
pub fn error_json(e: &ScanError) -> Value {
    json!({ "ok": false, "code": e.code(), "message": e.to_string() })
}

/// A bad-character error for the first character of `s` that fails `ok`.
pub(crate) fn first_bad(field: &str, s: &str, ok: impl Fn(char) -> bool) -> ScanError {
    let (position, ch) = s
        .chars()
        .enumerate()
        .find(|&(_, c)| !ok(c))
        .map_or((0, '?'), |(i, c)| (i + 1, c));
    ScanError::BadCharacter {
        field: field.to_owned(),
        position,
        ch,
    }
}

//! Age and ID checks for restricted goods (alcohol, tobacco, medicine): which kind of document
//! the courier looked at and what the check found. The types have no place for a document's
//! number or the customer's birth date: the phone and the server cannot record them.

use serde::{Deserialize, Serialize};

/// Goods that need an age or ID check at the handover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Restriction {
    /// Alcoholic drinks.
    Alcohol,
    /// Tobacco and e-cigarettes.
    Tobacco,
    /// Medicine handed only to the named patient or an adult.
    Medicine,
}

/// The kind of document the courier checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum IdDocument {
    /// A national identity card.
    IdCard,
    /// A passport.
    Passport,
    /// A driving licence.
    DrivingLicence,
    /// A residence permit.
    ResidencePermit,
    /// No document was shown.
    NotShown,
}

impl IdDocument {
    /// Every kind, in the order a courier picks from.
    pub const ALL: [IdDocument; 5] = [
        IdDocument::IdCard,
        IdDocument::Passport,
        IdDocument::DrivingLicence,
        IdDocument::ResidencePermit,
        IdDocument::NotShown,
    ];

    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdDocument::IdCard => "id_card",
            IdDocument::Passport => "passport",
            IdDocument::DrivingLicence => "driving_licence",
            IdDocument::ResidencePermit => "residence_permit",
            IdDocument::NotShown => "not_shown",
        }
    }

    /// Parses [`IdDocument::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        IdDocument::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// What the check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum IdCheckOutcome {
    /// The customer is old enough (or is the named patient): hand the goods over.
    Passed,
    /// Refused: the customer is under the age the goods need.
    Underage,
    /// Refused: the customer showed no document.
    NoDocument,
    /// Refused: the document is expired, damaged or not the customer's.
    DocumentInvalid,
}

impl IdCheckOutcome {
    /// Every outcome, passed first.
    pub const ALL: [IdCheckOutcome; 4] = [
        IdCheckOutcome::Passed,
        IdCheckOutcome::Underage,
        IdCheckOutcome::NoDocument,
        IdCheckOutcome::DocumentInvalid,
    ];

    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdCheckOutcome::Passed => "passed",
            IdCheckOutcome::Underage => "underage",
            IdCheckOutcome::NoDocument => "no_document",
            IdCheckOutcome::DocumentInvalid => "document_invalid",
        }
    }

    /// Parses [`IdCheckOutcome::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        IdCheckOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// True for every outcome but [`IdCheckOutcome::Passed`]: the goods are not handed over.
    pub fn refused(self) -> bool {
        self != IdCheckOutcome::Passed
    }
}

/// The record of one check: the document's kind and the outcome, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IdCheckResult {
    /// What was looked at.
    pub document: IdDocument,
    /// What it showed.
    pub outcome: IdCheckOutcome,
}

impl IdCheckResult {
    /// Why the record does not hold together, if it does not (a pass needs a document; "no
    /// document" needs none shown).
    pub fn problem(&self) -> Option<&'static str> {
        match (self.document, self.outcome) {
            (IdDocument::NotShown, IdCheckOutcome::NoDocument) => None,
            (IdDocument::NotShown, _) => Some("without a document the outcome is no_document"),
            (_, IdCheckOutcome::NoDocument) => {
                Some("a document was shown; the outcome cannot be no_document")
            }
            _ => None,
        }
    }

    /// The text a checklist condition compares with: the outcome's name.
    pub fn as_text(&self) -> String {
        self.outcome.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_records_the_document_kind_and_outcome_only() {
        let c = IdCheckResult {
            document: IdDocument::IdCard,
            outcome: IdCheckOutcome::Underage,
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"document":"id_card","outcome":"underage"}"#
        );
        // A number or a birth date has nowhere to go: the document refuses it.
        assert!(serde_json::from_str::<IdCheckResult>(
            r#"{"document":"id_card","outcome":"passed","number":"110101200001011234"}"#
        )
        .is_err());
        assert!(c.outcome.refused());
        assert_eq!(c.problem(), None);
        assert!(IdCheckResult {
            document: IdDocument::NotShown,
            outcome: IdCheckOutcome::Passed
        }
        .problem()
        .is_some());
    }
}

//! The courier's typed inputs put into the tap an offer sends: the screen names each input by
//! the tap's field it fills; this is the terminal's form, field by field. Values are sent as
//! typed: ranges and required inputs are the core's to check (it refuses with a sentence).

use runsheet_protocol::AnswerValue;
use runsheet_screens::Tap;

/// `tap` with `field` set to `text`; `Err` names a field this tap does not have.
pub fn fill(tap: Tap, field: &str, text: &str) -> Result<Tap, String> {
    let text = text.to_owned();
    let unknown = || format!("{field}?");
    Ok(match (tap, field) {
        (Tap::SignIn { .. }, "token") => Tap::SignIn { token: text },
        (Tap::ArriveManually { task_id, .. }, "reason") => Tap::ArriveManually {
            task_id,
            reason: text,
        },
        (Tap::EnterHandoffCode { task_id, .. }, "code") => Tap::EnterHandoffCode {
            task_id,
            code: text,
        },
        (
            Tap::Scan {
                task_id, symbology, ..
            },
            "code",
        ) => Tap::Scan {
            task_id,
            code: text,
            symbology,
        },
        (
            Tap::ConfirmItemByHand {
                task_id, item_code, ..
            },
            "reason",
        ) => Tap::ConfirmItemByHand {
            task_id,
            item_code,
            reason: text,
        },
        (
            Tap::ReportProblem {
                task_id,
                reason,
                ready_in_min,
                ..
            },
            "note",
        ) => Tap::ReportProblem {
            task_id,
            reason,
            note: text,
            ready_in_min,
        },
        (
            Tap::ReportProblem {
                task_id,
                reason,
                note,
                ..
            },
            "ready_in_min",
        ) => Tap::ReportProblem {
            task_id,
            reason,
            note,
            // Not a whole number of minutes: sent without one, and the core says the range.
            ready_in_min: text.trim().parse().ok(),
        },
        (
            Tap::Answer {
                task_id,
                stage,
                item_id,
                value,
            },
            f,
        ) => {
            let value = match (value, f) {
                // Not a number: NaN, which the core records as out of range and says so.
                (AnswerValue::Number(_), "value") => {
                    AnswerValue::Number(text.trim().parse().unwrap_or(f64::NAN))
                }
                (AnswerValue::Choice(_), "option") => AnswerValue::Choice(text),
                (AnswerValue::Text(_), "text") => AnswerValue::Text(text),
                (AnswerValue::Scan(_), "code") => AnswerValue::Scan(text),
                _ => return Err(unknown()),
            };
            Tap::Answer {
                task_id,
                stage,
                item_id,
                value,
            }
        }
        (
            Tap::RateStop {
                task_id,
                target,
                comment,
                ..
            },
            "stars",
        ) => Tap::RateStop {
            task_id,
            target,
            // Not 1 to 5: sent as 0, which the core refuses with the range.
            stars: text.trim().parse().unwrap_or(0),
            comment,
        },
        (
            Tap::RateStop {
                task_id,
                target,
                stars,
                ..
            },
            "comment",
        ) => Tap::RateStop {
            task_id,
            target,
            stars,
            comment: text,
        },
        (Tap::Appeal { rating_id, .. }, "reason") => Tap::Appeal {
            rating_id,
            reason: text,
        },
        _ => return Err(unknown()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use runsheet_protocol::{ChecklistStage, ExceptionReason};

    #[test]
    fn each_input_lands_in_its_field() {
        let t = fill(
            Tap::ArriveManually {
                task_id: "F1".into(),
                reason: String::new(),
            },
            "reason",
            "gate locked",
        )
        .unwrap();
        assert_eq!(
            t,
            Tap::ArriveManually {
                task_id: "F1".into(),
                reason: "gate locked".into()
            }
        );
        let t = fill(
            Tap::ReportProblem {
                task_id: "F1".into(),
                reason: ExceptionReason::MerchantDelay,
                note: String::new(),
                ready_in_min: None,
            },
            "ready_in_min",
            "abc",
        )
        .unwrap();
        assert!(matches!(
            t,
            Tap::ReportProblem {
                ready_in_min: None,
                ..
            }
        ));
        let t = fill(
            Tap::Answer {
                task_id: None,
                stage: ChecklistStage::StartOfShift,
                item_id: "temp".into(),
                value: AnswerValue::Number(0.0),
            },
            "value",
            " 3.5 ",
        )
        .unwrap();
        assert!(matches!(t, Tap::Answer { value: AnswerValue::Number(n), .. } if n == 3.5));
    }

    #[test]
    fn a_field_the_tap_does_not_have_is_refused() {
        assert!(fill(Tap::StartShift, "reason", "x").is_err());
        assert!(fill(
            Tap::Answer {
                task_id: None,
                stage: ChecklistStage::Pickup,
                item_id: "seal".into(),
                value: AnswerValue::YesNo(true),
            },
            "value",
            "1"
        )
        .is_err());
    }
}

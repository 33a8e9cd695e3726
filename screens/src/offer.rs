//! What a courier can tap: every action a screen offers, with its label and, when it cannot be
//! taken yet, the blockers and their sentences. A tap the current screen does not offer is
//! refused.

use runsheet_core::Blocker;
use runsheet_protocol::{
    AnswerValue, ChecklistStage, DeclineReason, ExceptionReason, HandoverReason, MessageTemplate,
    RatingTarget,
};
use runsheet_route::map_link::MapApp;

/// Something the courier does on a screen, with the inputs it carries. Screens offer taps with
/// empty inputs; the shell fills them in (a reason typed, a code scanned) and sends the tap.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Tap {
    /// Show the task list.
    ShowTasks,
    /// Show one task.
    ShowTask {
        /// Which.
        task_id: String,
    },
    /// Show the scan screen of a task's current handoff.
    ShowScan {
        /// Which task.
        task_id: String,
    },
    /// Show a checklist (the start-of-shift one has no task).
    ShowChecklist {
        /// Which task, if any.
        task_id: Option<String>,
        /// Which stage.
        stage: ChecklistStage,
    },
    /// Show the problem sheet of a task.
    ShowProblem {
        /// Which task.
        task_id: String,
    },
    /// Show ratings and appeals.
    ShowRatings,
    /// Show the KPI screen.
    ShowKpis,
    /// Go back one screen.
    Back,
    /// Sign in with a token (typed or from the platform's sign-in page).
    SignIn {
        /// The bearer token.
        token: String,
    },
    /// Sync now.
    SyncNow,
    /// Switch the app's language (a BCP 47 tag; unknown tags mean English).
    SetLanguage {
        /// The tag.
        locale: String,
    },
    /// Go on duty.
    StartShift,
    /// Start a break.
    StartBreak,
    /// End the break.
    EndBreak,
    /// Go off duty.
    EndShift,
    /// Accept a task.
    Accept {
        /// Which.
        task_id: String,
    },
    /// Confirm by hand that the courier is at the task's current stop.
    ArriveManually {
        /// Which task.
        task_id: String,
        /// Why GPS did not detect it (required).
        reason: String,
    },
    /// The goods are in the box.
    PickUp {
        /// Which task.
        task_id: String,
    },
    /// The goods are handed over (with the proof taken on the task's screen).
    Deliver {
        /// Which task.
        task_id: String,
    },
    /// The goods of a failed delivery are back.
    Return {
        /// Which task.
        task_id: String,
    },
    /// Photograph the goods at the door as proof of delivery.
    TakeProofPhoto {
        /// Which task.
        task_id: String,
    },
    /// Have the customer sign.
    TakeSignature {
        /// Which task.
        task_id: String,
    },
    /// Check the code the customer shows.
    EnterHandoffCode {
        /// Which task.
        task_id: String,
        /// The code as typed or scanned.
        code: String,
    },
    /// Call the customer's masked number.
    CallCustomer {
        /// Which task.
        task_id: String,
    },
    /// Say how the call went (an unanswered call counts toward "unreachable").
    RecordCall {
        /// Which task.
        task_id: String,
        /// Whether the customer answered.
        answered: bool,
    },
    /// Send the customer a message from a template.
    MessageCustomer {
        /// Which task.
        task_id: String,
        /// Which template.
        template: MessageTemplate,
    },
    /// Open the next stop in a maps app.
    OpenMap {
        /// Which task.
        task_id: String,
        /// Which app.
        app: MapApp,
    },
    /// Photograph what went wrong, for the problem report.
    TakeProblemPhoto {
        /// Which task.
        task_id: String,
    },
    /// Report a problem with the task.
    ReportProblem {
        /// Which task.
        task_id: String,
        /// What happened.
        reason: ExceptionReason,
        /// What the courier adds.
        note: String,
        /// For a merchant delay: minutes until the goods are ready.
        ready_in_min: Option<u32>,
    },
    /// Turn the camera on to scan.
    StartCamera {
        /// Which task.
        task_id: String,
    },
    /// A code was read (by the camera, a scanner, or typed).
    Scan {
        /// Which task.
        task_id: String,
        /// The code's text.
        code: String,
        /// The symbology the scanner reported (`Unknown` when typed).
        symbology: runsheet_gs1::Symbology,
    },
    /// Photograph an item whose label cannot be read.
    TakeItemPhoto {
        /// Which task.
        task_id: String,
        /// Which item.
        item_code: String,
    },
    /// Confirm an item by hand (damaged label), with its photo taken first.
    ConfirmItemByHand {
        /// Which task.
        task_id: String,
        /// Which item.
        item_code: String,
        /// Why it could not be scanned.
        reason: String,
    },
    /// Answer a checklist item.
    Answer {
        /// Which task, if any.
        task_id: Option<String>,
        /// Which checklist.
        stage: ChecklistStage,
        /// Which item.
        item_id: String,
        /// The answer.
        value: AnswerValue,
    },
    /// Photograph for a checklist item.
    TakeChecklistPhoto {
        /// Which task, if any.
        task_id: Option<String>,
        /// Which checklist.
        stage: ChecklistStage,
        /// Which item.
        item_id: String,
    },
    /// Rate a stop of a delivered task.
    RateStop {
        /// Which task.
        task_id: String,
        /// Which stop.
        target: RatingTarget,
        /// 1 to 5.
        stars: u8,
        /// What the courier adds.
        comment: String,
    },
    /// Appeal a rating.
    Appeal {
        /// Which rating.
        rating_id: String,
        /// Why (required).
        reason: String,
    },
    /// Show the after-sales cases.
    ShowCases,
    /// Show one case.
    ShowCase {
        /// Which.
        case_id: i64,
    },
    /// Answer a case with a statement (the task's evidence goes with it).
    AnswerCase {
        /// Which case.
        case_id: i64,
        /// What happened (required, up to 2000 characters).
        statement: String,
    },
    /// Set an item of a recalled batch aside: it is not handed over.
    SetAside {
        /// Which task.
        task_id: String,
        /// Which item.
        item_code: String,
    },
    /// Show the offers of work waiting for an answer.
    ShowOffers,
    /// Accept an offer (its tasks become the courier's once dispatch confirms).
    AcceptOffer {
        /// Which offer.
        offer_id: i64,
    },
    /// Decline an offer with a reason.
    DeclineOffer {
        /// Which offer.
        offer_id: i64,
        /// Why.
        reason: DeclineReason,
        /// What the courier adds (required for `other`).
        note: String,
    },
    /// Show a task's handover between couriers.
    ShowHandover {
        /// Which task.
        task_id: String,
    },
    /// Ask to hand the task over to another courier.
    RequestHandover {
        /// Which task.
        task_id: String,
        /// Why.
        reason: HandoverReason,
        /// The courier's note (required for "other").
        note: String,
    },
    /// The receiving courier scanned (or typed) a bag's code.
    ScanHandoverBag {
        /// Which task.
        task_id: String,
        /// What the camera read.
        code: String,
        /// What the camera said it was.
        symbology: runsheet_gs1::Symbology,
    },
    /// Show the courier's earnings for today or this week.
    ShowEarnings {
        /// Which period.
        period: runsheet_core::earnings::EarningsPeriod,
    },
    /// Appeal a confirmed line of the courier's earnings.
    AppealPay {
        /// Which line.
        line_id: String,
        /// Why (required).
        reason: String,
    },
    /// Show the training modules and qualifications.
    ShowTraining,
    /// Show one training module.
    ShowModule {
        /// Which.
        module_id: String,
    },
    /// Start a module's quiz (its current version).
    StartQuiz {
        /// Which module.
        module_id: String,
    },
    /// Choose an answer to a quiz question (a later choice replaces it).
    ChooseAnswer {
        /// Which module.
        module_id: String,
        /// The question's place in the quiz, from 0.
        question: u32,
        /// The choice's place, from 0.
        choice: u32,
    },
    /// Submit the quiz's answers (graded on the phone, queued for the server).
    SubmitQuiz {
        /// Which module.
        module_id: String,
        /// The version answered.
        version: i64,
    },
    /// Show the six-monthly performance review.
    ShowReview,
    /// Record the cash collected at the door of a cash-on-delivery task.
    CollectCash {
        /// Which task.
        task_id: String,
        /// What the customer handed over, as typed ("50", "45.50").
        collected: String,
        /// The change given back, as typed (empty: none).
        change: String,
        /// Why collected minus change is not the amount due (required when it is not).
        reason: String,
    },
    /// Hand in the cash held at the end of the shift.
    HandInCash {
        /// What the courier hands in, as typed.
        handed: String,
    },
    /// Show other couriers' open handover requests near this courier (fetched from the server).
    OpenNearbyHandovers,
    /// Fetch the nearby handover requests again.
    RefreshNearbyHandovers,
    /// Take a nearby courier's open handover request: this courier becomes its receiving
    /// courier (decided by the server, first come first served), then scans every bag.
    TakeHandover {
        /// Which task.
        task_id: String,
    },
    /// Ask the platform for the location permission (the nearby handovers need a position).
    AllowLocation,
    /// Record a locker or pickup-point drop-off: the locker's label and the compartment,
    /// scanned (or typed).
    LockerDrop {
        /// Which task.
        task_id: String,
        /// The code on the locker's label.
        locker_code: String,
        /// The compartment's (or shelf's) code.
        compartment: String,
    },
}

impl Tap {
    /// What identifies the offer this tap answers: its kind and the things it acts on,
    /// without the inputs the courier fills in.
    pub fn offer_key(&self) -> String {
        use Tap::*;
        let stage = |s: &ChecklistStage| s.as_str().to_owned();
        match self {
            ShowTasks => "show_tasks".into(),
            ShowTask { task_id } => format!("show_task/{task_id}"),
            ShowScan { task_id } => format!("show_scan/{task_id}"),
            ShowChecklist { task_id, stage: s } => {
                format!(
                    "show_checklist/{}/{}",
                    task_id.as_deref().unwrap_or(""),
                    stage(s)
                )
            }
            ShowProblem { task_id } => format!("show_problem/{task_id}"),
            ShowRatings => "show_ratings".into(),
            ShowKpis => "show_kpis".into(),
            Back => "back".into(),
            SignIn { .. } => "sign_in".into(),
            SyncNow => "sync_now".into(),
            SetLanguage { .. } => "set_language".into(),
            StartShift => "start_shift".into(),
            StartBreak => "start_break".into(),
            EndBreak => "end_break".into(),
            EndShift => "end_shift".into(),
            Accept { task_id } => format!("accept/{task_id}"),
            ArriveManually { task_id, .. } => format!("arrive_manually/{task_id}"),
            PickUp { task_id } => format!("pick_up/{task_id}"),
            Deliver { task_id } => format!("deliver/{task_id}"),
            Return { task_id } => format!("return/{task_id}"),
            TakeProofPhoto { task_id } => format!("proof_photo/{task_id}"),
            TakeSignature { task_id } => format!("signature/{task_id}"),
            EnterHandoffCode { task_id, .. } => format!("handoff_code/{task_id}"),
            CallCustomer { task_id } => format!("call/{task_id}"),
            RecordCall { task_id, .. } => format!("record_call/{task_id}"),
            MessageCustomer { task_id, template } => {
                format!("message/{task_id}/{}", template.as_str())
            }
            OpenMap { task_id, app } => format!("map/{task_id}/{}", app.name()),
            TakeProblemPhoto { task_id } => format!("problem_photo/{task_id}"),
            ReportProblem {
                task_id, reason, ..
            } => {
                format!("report/{task_id}/{}", reason.as_str())
            }
            StartCamera { task_id } => format!("camera/{task_id}"),
            Scan { task_id, .. } => format!("scan/{task_id}"),
            TakeItemPhoto { task_id, item_code } => format!("item_photo/{task_id}/{item_code}"),
            ConfirmItemByHand {
                task_id, item_code, ..
            } => format!("confirm_item/{task_id}/{item_code}"),
            Answer {
                task_id,
                stage: s,
                item_id,
                ..
            } => format!(
                "answer/{}/{}/{item_id}",
                task_id.as_deref().unwrap_or(""),
                stage(s)
            ),
            TakeChecklistPhoto {
                task_id,
                stage: s,
                item_id,
            } => format!(
                "checklist_photo/{}/{}/{item_id}",
                task_id.as_deref().unwrap_or(""),
                stage(s)
            ),
            RateStop {
                task_id, target, ..
            } => format!("rate/{task_id}/{}", target.as_str()),
            Appeal { rating_id, .. } => format!("appeal/{rating_id}"),
            ShowCases => "show_cases".into(),
            ShowCase { case_id } => format!("show_case/{case_id}"),
            AnswerCase { case_id, .. } => format!("answer_case/{case_id}"),
            SetAside { task_id, item_code } => format!("set_aside/{task_id}/{item_code}"),
            ShowOffers => "show_offers".into(),
            AcceptOffer { offer_id } => format!("accept_offer/{offer_id}"),
            DeclineOffer {
                offer_id, reason, ..
            } => format!("decline_offer/{offer_id}/{}", reason.as_str()),
            ShowHandover { task_id } => format!("show_handover/{task_id}"),
            RequestHandover {
                task_id, reason, ..
            } => format!("request_handover/{task_id}/{}", reason.as_str()),
            ScanHandoverBag { task_id, .. } => format!("scan_handover_bag/{task_id}"),
            ShowEarnings { period } => format!(
                "show_earnings/{}",
                match period {
                    runsheet_core::earnings::EarningsPeriod::Day => "day",
                    runsheet_core::earnings::EarningsPeriod::Week => "week",
                }
            ),
            AppealPay { line_id, .. } => format!("appeal_pay/{line_id}"),
            ShowTraining => "show_training".into(),
            ShowModule { module_id } => format!("show_module/{module_id}"),
            StartQuiz { module_id } => format!("start_quiz/{module_id}"),
            ChooseAnswer {
                module_id,
                question,
                choice,
            } => format!("choose/{module_id}/{question}/{choice}"),
            SubmitQuiz { module_id, .. } => format!("submit_quiz/{module_id}"),
            ShowReview => "show_review".into(),
            CollectCash { task_id, .. } => format!("collect_cash/{task_id}"),
            HandInCash { .. } => "hand_in_cash".into(),
            LockerDrop { task_id, .. } => format!("locker_drop/{task_id}"),
            OpenNearbyHandovers => "open_nearby_handovers".into(),
            RefreshNearbyHandovers => "refresh_nearby_handovers".into(),
            TakeHandover { task_id } => format!("take_handover/{task_id}"),
            AllowLocation => "allow_location".into(),
        }
    }
}

impl Tap {
    /// This tap with the courier's text for one of its offer's inputs (`InputSpec::field`) put
    /// in its place, numbers parsed: the one way every shell fills a tap in. An unknown field or
    /// a number that does not parse is refused with a sentence in `words`' language.
    pub fn with_input(
        mut self,
        field: &str,
        text: &str,
        words: &runsheet_words::Words,
    ) -> Result<Tap, crate::TapError> {
        use runsheet_words::Args;
        let value = text.trim().to_owned();
        let bad_number = || crate::TapError::Invalid {
            sentence: words.text(
                "input-not-a-number",
                &Args::new().str("text", value.clone()),
            ),
        };
        let unknown = || crate::TapError::Invalid {
            sentence: words.text("input-unknown-field", &Args::new()),
        };
        match (&mut self, field) {
            (
                Tap::ArriveManually { reason, .. }
                | Tap::ConfirmItemByHand { reason, .. }
                | Tap::Appeal { reason, .. }
                | Tap::AppealPay { reason, .. },
                "reason",
            ) => *reason = value,
            (
                Tap::EnterHandoffCode { code, .. }
                | Tap::Scan { code, .. }
                | Tap::ScanHandoverBag { code, .. },
                "code",
            ) => *code = value,
            (Tap::RequestHandover { note, .. }, "note") => *note = value,
            (Tap::SignIn { token }, "token") => *token = value,
            (Tap::SetLanguage { locale }, "locale") => *locale = value,
            (Tap::ReportProblem { note, .. }, "note") => *note = value,
            (Tap::ReportProblem { ready_in_min, .. }, "ready_in_min") => {
                *ready_in_min = if value.is_empty() {
                    None
                } else {
                    Some(value.parse().map_err(|_| bad_number())?)
                }
            }
            (Tap::RateStop { stars, .. }, "stars") => {
                *stars = value.parse().map_err(|_| bad_number())?
            }
            (Tap::RateStop { comment, .. }, "comment") => *comment = value,
            (Tap::AnswerCase { statement, .. }, "statement") => *statement = value,
            (Tap::DeclineOffer { note, .. }, "note") => *note = value,
            // Amounts stay text: the core reads them in the amount due's currency and refuses
            // more decimals than it allows, with the reason.
            (Tap::CollectCash { collected, .. }, "collected") => *collected = value,
            (Tap::CollectCash { change, .. }, "change") => *change = value,
            (Tap::CollectCash { reason, .. }, "reason") => *reason = value,
            (Tap::HandInCash { handed }, "handed") => *handed = value,
            (Tap::LockerDrop { locker_code, .. }, "locker_code") => *locker_code = value,
            (Tap::LockerDrop { compartment, .. }, "compartment") => *compartment = value,
            (Tap::Answer { value: answer, .. }, _) => {
                *answer = match (&*answer, field) {
                    (AnswerValue::Number(_), "value") => AnswerValue::Number(
                        value.replace(',', ".").parse().map_err(|_| bad_number())?,
                    ),
                    (AnswerValue::Choice(_), "option") => AnswerValue::Choice(value),
                    (AnswerValue::Text(_), "text") => AnswerValue::Text(value),
                    (AnswerValue::Scan(_), "code") => AnswerValue::Scan(value),
                    // The document checked: its name in the courier's language (or its stable
                    // name); the outcome is the offer's.
                    (AnswerValue::IdCheck(c), "document") => {
                        let document = runsheet_protocol::IdDocument::ALL
                            .into_iter()
                            .find(|d| {
                                d.as_str() == value
                                    || runsheet_core::wording::id_document(words, *d) == value
                            })
                            .ok_or_else(unknown)?;
                        AnswerValue::IdCheck(runsheet_protocol::IdCheckResult {
                            document,
                            outcome: c.outcome,
                        })
                    }
                    _ => return Err(unknown()),
                }
            }
            _ => return Err(unknown()),
        }
        Ok(self)
    }
}

#[cfg(feature = "uniffi")]
#[uniffi::export]
impl Tap {
    /// The tap with the courier's `text` for its offer's input `field` ([`Tap::with_input`]),
    /// refused in `language` when it does not fit.
    #[uniffi::method(name = "with_input")]
    pub fn filled(
        &self,
        field: String,
        text: String,
        language: runsheet_words::Language,
    ) -> Result<Tap, crate::TapError> {
        self.clone()
            .with_input(&field, &text, &runsheet_words::Words::of(language))
    }
}

/// How prominent an offer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum OfferStyle {
    /// The one main button.
    Primary,
    /// Other actions.
    Secondary,
    /// Ends or fails something: confirm before sending.
    Destructive,
    /// Moves between screens.
    Navigation,
}

/// What kind of value an input takes: the shell picks the keyboard and the control from it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum InputKind {
    /// A line of text.
    Text,
    /// A number (decimal point or comma), within the spec's `min` and `max`.
    Number,
    /// A secret (a token): hidden while typed, never logged.
    Secret,
    /// One of these options.
    Choice {
        /// The options, in order.
        options: Vec<String>,
    },
}

/// An input a tap needs from the courier. The shell collects the text and puts it in with
/// [`Tap::with_input`] (Kotlin `tap.withInput`, Swift `tap.withInput`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InputSpec {
    /// The tap's field it fills (`reason`, `note`, `ready_in_min`, `code`, `stars`, ...).
    pub field: String,
    /// Its label.
    pub label: String,
    /// What it takes.
    pub kind: InputKind,
    /// Whether the tap is refused without it.
    pub required: bool,
    /// Least value, for numbers.
    pub min: Option<i64>,
    /// Greatest value, for numbers.
    pub max: Option<i64>,
}

/// An action a screen offers.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Offer {
    /// What tapping it sends (inputs empty: the shell fills them in).
    pub tap: Tap,
    /// Its label.
    pub label: String,
    /// How prominent.
    pub style: OfferStyle,
    /// False when something must happen first (`blockers`, `why`). An enabled offer that
    /// still lists blockers is resolved by its inputs (a manual arrival's reason).
    pub enabled: bool,
    /// What must happen first.
    pub blockers: Vec<Blocker>,
    /// The blockers as sentences, in the screen's language.
    pub why: Vec<String>,
    /// The inputs the courier fills in.
    pub inputs: Vec<InputSpec>,
}

impl Offer {
    /// An enabled offer.
    pub fn new(tap: Tap, label: String, style: OfferStyle) -> Offer {
        Offer {
            tap,
            label,
            style,
            enabled: true,
            blockers: Vec::new(),
            why: Vec::new(),
            inputs: Vec::new(),
        }
    }

    /// With these inputs.
    pub fn with_inputs(mut self, inputs: Vec<InputSpec>) -> Offer {
        self.inputs = inputs;
        self
    }

    /// Disabled by `blockers`, with their sentences in `words`.
    pub fn blocked_by(mut self, blockers: Vec<Blocker>, words: &runsheet_words::Words) -> Offer {
        self.enabled = blockers.is_empty();
        self.why = blockers
            .iter()
            .map(|b| crate::wording::blocker(words, b))
            .collect();
        self.blockers = blockers;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runsheet_words::{Language, Words};

    #[test]
    fn each_input_lands_in_its_field_and_numbers_are_parsed() {
        let en = Words::of(Language::En);
        let t = Tap::ArriveManually {
            task_id: "F1".into(),
            reason: String::new(),
        }
        .with_input("reason", " gate locked ", &en)
        .unwrap();
        assert_eq!(
            t,
            Tap::ArriveManually {
                task_id: "F1".into(),
                reason: "gate locked".into()
            }
        );
        let delay = Tap::ReportProblem {
            task_id: "F1".into(),
            reason: ExceptionReason::MerchantDelay,
            note: String::new(),
            ready_in_min: None,
        };
        let t = delay.clone().with_input("ready_in_min", "15", &en).unwrap();
        assert!(matches!(
            t,
            Tap::ReportProblem {
                ready_in_min: Some(15),
                ..
            }
        ));
        let t = Tap::Answer {
            task_id: None,
            stage: ChecklistStage::StartOfShift,
            item_id: "temp".into(),
            value: AnswerValue::Number(0.0),
        }
        .with_input("value", " 3,5 ", &en)
        .unwrap();
        assert!(matches!(t, Tap::Answer { value: AnswerValue::Number(n), .. } if n == 3.5));
    }

    #[test]
    fn a_bad_number_or_a_field_the_tap_lacks_is_refused_in_the_courier_s_language() {
        let zh = Words::of(Language::ZhCn);
        let delay = Tap::ReportProblem {
            task_id: "F1".into(),
            reason: ExceptionReason::MerchantDelay,
            note: String::new(),
            ready_in_min: None,
        };
        let e = delay.with_input("ready_in_min", "abc", &zh).unwrap_err();
        assert_eq!(e.to_string(), "“abc”不是数字。");
        assert!(Tap::StartShift.with_input("reason", "x", &zh).is_err());
        assert!(Tap::Answer {
            task_id: None,
            stage: ChecklistStage::Pickup,
            item_id: "seal".into(),
            value: AnswerValue::YesNo(true),
        }
        .with_input("value", "1", &zh)
        .is_err());
    }
}

//! A typed client for the dispatch API, used by the demo, the QA harness and the tests to play
//! the dispatcher against a running server.

use reqwest::Method;
use runsheet_protocol::{ErrorBody, StopDoc, TaskDoc, TaskKind};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::dispatch_api::{CourierCreated, DispatchTask, MutationRecord, TokensRevoked};

/// Errors talking to the dispatch API.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    /// The server could not be reached.
    #[error("dispatch API unreachable: {0}")]
    Transport(String),
    /// The server answered with an error.
    #[error("dispatch API answered HTTP {status}: {code}: {reason}")]
    Status {
        /// HTTP status.
        status: u16,
        /// Error code.
        code: String,
        /// Reason.
        reason: String,
    },
}

/// The dispatcher's side of a server.
#[derive(Clone)]
pub struct Dispatcher {
    http: reqwest::Client,
    base: String,
    admin_token: String,
}

impl Dispatcher {
    /// A client for `base_url` using the server's admin token.
    pub fn new(base_url: &str, admin_token: &str) -> Self {
        Dispatcher {
            http: reqwest::Client::new(),
            base: base_url.trim_end_matches('/').to_owned(),
            admin_token: admin_token.to_owned(),
        }
    }

    /// A request for `path` (from `/v1/...`) on this server.
    fn at(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    async fn send<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, DispatchError> {
        let resp = req
            .bearer_auth(&self.admin_token)
            .send()
            .await
            .map_err(|e| DispatchError::Transport(e.without_url().to_string()))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| DispatchError::Transport(e.to_string()))?;
        if !status.is_success() {
            let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
            let (code, reason) = body
                .map(|b| (b.error, b.reason))
                .unwrap_or_else(|| ("unknown".into(), String::from_utf8_lossy(&bytes).into()));
            return Err(DispatchError::Status {
                status: status.as_u16(),
                code,
                reason,
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| DispatchError::Status {
            status: status.as_u16(),
            code: "unreadable".into(),
            reason: e.to_string(),
        })
    }

    /// Creates a courier; returns their bearer token.
    pub async fn create_courier(&self, id: &str, name: &str) -> Result<String, DispatchError> {
        let c: CourierCreated = self
            .send(
                self.at(Method::POST, "/v1/dispatch/couriers")
                    .json(&json!({"id": id, "name": name})),
            )
            .await?;
        Ok(c.token)
    }

    /// Issues the courier a new bearer token; returns it.
    pub async fn issue_token(&self, courier_id: &str) -> Result<String, DispatchError> {
        let c: CourierCreated = self
            .send(self.at(
                Method::POST,
                &format!("/v1/dispatch/couriers/{courier_id}/tokens"),
            ))
            .await?;
        Ok(c.token)
    }

    /// Revokes every token of the courier; returns how many were still valid or expired.
    pub async fn revoke_tokens(&self, courier_id: &str) -> Result<u64, DispatchError> {
        let r: TokensRevoked = self
            .send(self.at(
                Method::POST,
                &format!("/v1/dispatch/couriers/{courier_id}/revoke-tokens"),
            ))
            .await?;
        Ok(r.revoked)
    }

    /// Creates a task assigned to `courier_id`.
    pub async fn assign_task(
        &self,
        id: &str,
        courier_id: &str,
        kind: TaskKind,
        pickup: Option<StopDoc>,
        dropoff: StopDoc,
    ) -> Result<TaskDoc, DispatchError> {
        self.send(
            self.at(Method::POST, "/v1/dispatch/tasks")
                .json(&json!({"id": id, "courier_id": courier_id, "kind": kind,
                              "pickup": pickup, "dropoff": dropoff})),
        )
        .await
    }

    /// Cancels a task.
    pub async fn cancel_task(&self, id: &str) -> Result<DispatchTask, DispatchError> {
        self.send(self.at(Method::POST, &format!("/v1/dispatch/tasks/{id}/cancel")))
            .await
    }

    /// Gives the task to another courier.
    pub async fn reassign_task(
        &self,
        id: &str,
        courier_id: &str,
    ) -> Result<DispatchTask, DispatchError> {
        self.send(
            self.at(Method::POST, &format!("/v1/dispatch/tasks/{id}/reassign"))
                .json(&json!({ "courier_id": courier_id })),
        )
        .await
    }

    /// Names the receiving courier of the task's open handover request.
    pub async fn assign_handover(
        &self,
        id: &str,
        courier_id: &str,
    ) -> Result<DispatchTask, DispatchError> {
        self.send(
            self.at(Method::POST, &format!("/v1/dispatch/tasks/{id}/handover"))
                .json(&json!({ "courier_id": courier_id })),
        )
        .await
    }

    /// Changes a task's stops (order details the platform owns).
    pub async fn update_task(
        &self,
        id: &str,
        pickup: Option<StopDoc>,
        dropoff: Option<StopDoc>,
    ) -> Result<DispatchTask, DispatchError> {
        let mut body = serde_json::Map::new();
        if let Some(p) = pickup {
            body.insert("pickup".into(), json!(p));
        }
        if let Some(d) = dropoff {
            body.insert("dropoff".into(), json!(d));
        }
        self.send(
            self.at(Method::PATCH, &format!("/v1/dispatch/tasks/{id}"))
                .json(&body),
        )
        .await
    }

    /// Publishes settings to every phone; returns them with their new version.
    pub async fn publish_settings(
        &self,
        settings: &runsheet_protocol::Settings,
    ) -> Result<runsheet_protocol::Settings, DispatchError> {
        self.send(self.at(Method::PUT, "/v1/dispatch/settings").json(settings))
            .await
    }

    /// Open after-sales cases.
    pub async fn after_sales(
        &self,
    ) -> Result<Vec<crate::dispatch_api::AfterSalesCase>, DispatchError> {
        self.send(self.at(Method::GET, "/v1/dispatch/after-sales"))
            .await
    }

    /// A task as the server holds it.
    pub async fn task(&self, id: &str) -> Result<DispatchTask, DispatchError> {
        self.send(self.at(Method::GET, &format!("/v1/dispatch/tasks/{id}")))
            .await
    }

    /// A courier's installs with their push tokens, most recently registered first.
    pub async fn devices(
        &self,
        courier_id: &str,
    ) -> Result<runsheet_protocol::PushDevices, DispatchError> {
        self.send(self.at(
            Method::GET,
            &format!("/v1/dispatch/couriers/{courier_id}/devices"),
        ))
        .await
    }

    /// A courier's GPS track (fixes recorded at or after `since`) and the drops reported.
    pub async fn track(
        &self,
        courier_id: &str,
        since: i64,
    ) -> Result<crate::location_api::Track, DispatchError> {
        self.send(
            self.at(
                Method::GET,
                &format!("/v1/dispatch/couriers/{courier_id}/locations"),
            )
            .query(&[("since", since)]),
        )
        .await
    }

    /// Every mutation the server recorded, optionally for one courier.
    pub async fn mutations(
        &self,
        courier_id: Option<&str>,
    ) -> Result<Vec<MutationRecord>, DispatchError> {
        let mut req = self.at(Method::GET, "/v1/dispatch/mutations");
        if let Some(c) = courier_id {
            req = req.query(&[("courier_id", c)]);
        }
        self.send(req).await
    }

    /// Creates a task from a full dispatch body (`POST /v1/dispatch/tasks`): kind, stops,
    /// items, order time, return stop. The body is sent as given.
    pub async fn create_task(&self, body: &serde_json::Value) -> Result<TaskDoc, DispatchError> {
        self.send(self.at(Method::POST, "/v1/dispatch/tasks").json(body))
            .await
    }

    /// A courier's duty status.
    pub async fn courier_status(
        &self,
        courier_id: &str,
    ) -> Result<crate::dispatch_api::CourierStatus, DispatchError> {
        self.send(self.at(
            Method::GET,
            &format!("/v1/dispatch/couriers/{courier_id}/status"),
        ))
        .await
    }

    /// Messages sent to a task's customer.
    pub async fn messages(
        &self,
        task_id: &str,
    ) -> Result<Vec<crate::dispatch_api::SentMessage>, DispatchError> {
        self.send(self.at(
            Method::GET,
            &format!("/v1/dispatch/tasks/{task_id}/messages"),
        ))
        .await
    }

    /// Publishes a checklist template; returns it with its version and sequence.
    pub async fn publish_checklist(
        &self,
        template: &runsheet_protocol::ChecklistTemplate,
    ) -> Result<runsheet_protocol::ChecklistTemplate, DispatchError> {
        self.send(
            self.at(Method::PUT, "/v1/dispatch/checklists")
                .json(template),
        )
        .await
    }

    /// Publishes a training module (a new version of its id).
    pub async fn publish_training(
        &self,
        module: &runsheet_protocol::TrainingModule,
    ) -> Result<runsheet_protocol::TrainingModule, DispatchError> {
        self.send(self.at(Method::PUT, "/v1/dispatch/training").json(module))
            .await
    }

    /// The current version of every training module.
    pub async fn list_training(
        &self,
    ) -> Result<Vec<runsheet_protocol::TrainingModule>, DispatchError> {
        self.send(self.at(Method::GET, "/v1/dispatch/training"))
            .await
    }

    /// A courier's training record: qualifications and graded quiz attempts.
    pub async fn training_record(
        &self,
        courier_id: &str,
    ) -> Result<crate::training_api::TrainingRecord, DispatchError> {
        self.send(self.at(
            Method::GET,
            &format!("/v1/dispatch/couriers/{courier_id}/training"),
        ))
        .await
    }

    /// A courier's six-monthly performance review.
    pub async fn review(
        &self,
        courier_id: &str,
    ) -> Result<runsheet_protocol::PerformanceReview, DispatchError> {
        self.send(self.at(
            Method::GET,
            &format!("/v1/dispatch/couriers/{courier_id}/review"),
        ))
        .await
    }

    /// Rates a task's courier (as a customer, merchant or the platform).
    pub async fn rate(
        &self,
        body: &serde_json::Value,
    ) -> Result<runsheet_protocol::RatingDoc, DispatchError> {
        self.send(self.at(Method::POST, "/v1/dispatch/ratings").json(body))
            .await
    }

    /// Decides a pending appeal.
    pub async fn decide_appeal(
        &self,
        rating_id: &str,
        upheld: bool,
    ) -> Result<runsheet_protocol::RatingDoc, DispatchError> {
        self.send(
            self.at(
                Method::POST,
                &format!("/v1/dispatch/ratings/{rating_id}/decision"),
            )
            .json(&json!({ "upheld": upheld })),
        )
        .await
    }

    /// A courier's ratings with their appeals and evidence.
    pub async fn ratings(
        &self,
        courier_id: &str,
    ) -> Result<Vec<crate::rating_api::ReviewedRating>, DispatchError> {
        self.send(self.at(
            Method::GET,
            &format!("/v1/dispatch/couriers/{courier_id}/ratings"),
        ))
        .await
    }

    /// The courier's KPIs as the server computes them, from `since`.
    pub async fn kpis(
        &self,
        courier_id: &str,
        since: i64,
    ) -> Result<runsheet_protocol::Kpis, DispatchError> {
        self.send(
            self.at(
                Method::GET,
                &format!("/v1/dispatch/couriers/{courier_id}/kpis"),
            )
            .query(&[("since", since)]),
        )
        .await
    }

    /// Couriers' pin corrections in `status`, oldest first.
    pub async fn pin_corrections(
        &self,
        status: crate::dispatch_api::PinCorrectionStatus,
    ) -> Result<Vec<crate::dispatch_api::PinCorrection>, DispatchError> {
        self.send(
            self.at(Method::GET, "/v1/dispatch/pin-corrections")
                .query(&[("status", status.as_str())]),
        )
        .await
    }

    /// Accepts (every later task to the address gets it) or rejects a pending pin correction.
    pub async fn decide_pin_correction(
        &self,
        id: i64,
        accept: bool,
    ) -> Result<crate::dispatch_api::PinCorrection, DispatchError> {
        let verb = if accept { "accept" } else { "reject" };
        self.send(self.at(
            Method::POST,
            &format!("/v1/dispatch/pin-corrections/{id}/{verb}"),
        ))
        .await
    }

    /// Opens a customer's case (complaint, enquiry, return or exchange request).
    pub async fn open_case(
        &self,
        case: &runsheet_protocol::NewCase,
    ) -> Result<runsheet_protocol::CaseRecord, DispatchError> {
        self.send(self.at(Method::POST, "/v1/dispatch/cases").json(case))
            .await
    }

    /// The cases the filter selects, oldest first.
    pub async fn cases(
        &self,
        filter: &[(&str, &str)],
    ) -> Result<Vec<runsheet_protocol::CaseRecord>, DispatchError> {
        self.send(self.at(Method::GET, "/v1/dispatch/cases").query(filter))
            .await
    }

    /// One case with its history.
    pub async fn case(&self, id: i64) -> Result<runsheet_protocol::CaseRecord, DispatchError> {
        self.send(self.at(Method::GET, &format!("/v1/dispatch/cases/{id}")))
            .await
    }

    /// Takes a step on a case.
    pub async fn case_step(
        &self,
        id: i64,
        command: &runsheet_protocol::CaseCommand,
    ) -> Result<runsheet_protocol::CaseRecord, DispatchError> {
        self.send(
            self.at(Method::POST, &format!("/v1/dispatch/cases/{id}/steps"))
                .json(command),
        )
        .await
    }

    /// Recalls a product batch.
    pub async fn recall(
        &self,
        recall: &runsheet_protocol::NewRecall,
    ) -> Result<runsheet_protocol::RecallReport, DispatchError> {
        self.send(self.at(Method::POST, "/v1/dispatch/recalls").json(recall))
            .await
    }

    /// A recall with the deliveries that carried its batch.
    pub async fn recall_report(
        &self,
        id: i64,
    ) -> Result<runsheet_protocol::RecallReport, DispatchError> {
        self.send(self.at(Method::GET, &format!("/v1/dispatch/recalls/{id}")))
            .await
    }

    /// Lifts a recall.
    pub async fn lift_recall(
        &self,
        id: i64,
    ) -> Result<runsheet_protocol::RecallDoc, DispatchError> {
        self.send(self.at(Method::POST, &format!("/v1/dispatch/recalls/{id}/lift")))
            .await
    }

    /// The case figures (per courier and platform) of cases opened in `from..=to`.
    pub async fn case_figures(
        &self,
        courier: Option<&str>,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<crate::case_api::CaseFiguresReport, DispatchError> {
        let mut q: Vec<(&str, String)> = Vec::new();
        if let Some(c) = courier {
            q.push(("courier", c.to_owned()));
        }
        if let Some(f) = from {
            q.push(("from", f.to_string()));
        }
        if let Some(t) = to {
            q.push(("to", t.to_string()));
        }
        self.send(self.at(Method::GET, "/v1/dispatch/case-figures").query(&q))
            .await
    }

    /// Offers a courier one task or a stack (`POST /v1/dispatch/offers`).
    pub async fn offer(
        &self,
        offer: &runsheet_protocol::NewOffer,
    ) -> Result<runsheet_protocol::OfferRecord, DispatchError> {
        self.send(self.at(Method::POST, "/v1/dispatch/offers").json(offer))
            .await
    }

    /// Withdraws an open offer with a reason (`POST /v1/dispatch/offers/{id}/withdraw`);
    /// `offer_not_open` (409) once it is accepted, declined, expired or withdrawn.
    pub async fn withdraw_offer(
        &self,
        offer_id: i64,
        reason: &str,
    ) -> Result<runsheet_protocol::OfferRecord, DispatchError> {
        self.send(
            self.at(
                Method::POST,
                &format!("/v1/dispatch/offers/{offer_id}/withdraw"),
            )
            .json(&runsheet_protocol::WithdrawOffer {
                reason: reason.to_owned(),
            }),
        )
        .await
    }

    /// The offers (of one courier, or all), oldest first, their status as of now.
    pub async fn offers(
        &self,
        courier: Option<&str>,
    ) -> Result<Vec<runsheet_protocol::OfferRecord>, DispatchError> {
        let q: Vec<(&str, &str)> = courier.map(|c| ("courier", c)).into_iter().collect();
        self.send(self.at(Method::GET, "/v1/dispatch/offers").query(&q))
            .await
    }

    /// The offer figures (per courier and platform) of offers made at or after `since`.
    pub async fn offer_figures(
        &self,
        since: Option<i64>,
    ) -> Result<runsheet_protocol::OfferFigures, DispatchError> {
        let q: Vec<(&str, String)> = since
            .map(|s| ("since", s.to_string()))
            .into_iter()
            .collect();
        self.send(self.at(Method::GET, "/v1/dispatch/offer-figures").query(&q))
            .await
    }

    /// Sets a courier's vehicle and box; returns it with its new version.
    pub async fn set_vehicle(
        &self,
        courier_id: &str,
        vehicle: &runsheet_protocol::VehicleDoc,
    ) -> Result<runsheet_protocol::VehicleDoc, DispatchError> {
        self.send(
            self.at(
                Method::PUT,
                &format!("/v1/dispatch/couriers/{courier_id}/vehicle"),
            )
            .json(vehicle),
        )
        .await
    }
    /// Adds a tip or an adjustment (`POST /v1/dispatch/earnings`; body as
    /// [`crate::earnings_api::NewEarningLine`], the amount a decimal text).
    pub async fn add_earning(
        &self,
        body: &serde_json::Value,
    ) -> Result<runsheet_protocol::EarningLineDoc, DispatchError> {
        self.send(self.at(Method::POST, "/v1/dispatch/earnings").json(body))
            .await
    }

    /// Decides the pending appeal of an earning line; an upheld one may pay a correction
    /// (`(amount, currency)`, a decimal text).
    pub async fn decide_pay_appeal(
        &self,
        line_id: &str,
        upheld: bool,
        note: Option<&str>,
        correction: Option<(&str, &str)>,
    ) -> Result<runsheet_protocol::EarningLineDoc, DispatchError> {
        let mut body = json!({ "upheld": upheld });
        if let Some(n) = note {
            body["note"] = json!(n);
        }
        if let Some((amount, currency)) = correction {
            body["correction"] = json!(amount);
            body["currency"] = json!(currency);
        }
        self.send(
            self.at(
                Method::POST,
                &format!("/v1/dispatch/earnings/{line_id}/decision"),
            )
            .json(&body),
        )
        .await
    }

    /// A courier's earnings statement for the day or week holding `at` (default: now).
    pub async fn earnings(
        &self,
        courier_id: &str,
        period: crate::earnings_api::StatementPeriod,
        at: Option<i64>,
    ) -> Result<crate::earnings_api::EarningsStatement, DispatchError> {
        let mut q: Vec<(&str, String)> = vec![(
            "period",
            match period {
                crate::earnings_api::StatementPeriod::Day => "day".to_owned(),
                crate::earnings_api::StatementPeriod::Week => "week".to_owned(),
            },
        )];
        if let Some(t) = at {
            q.push(("at", t.to_string()));
        }
        self.send(
            self.at(
                Method::GET,
                &format!("/v1/dispatch/couriers/{courier_id}/earnings"),
            )
            .query(&q),
        )
        .await
    }

    /// A courier's cash: hand-ins reconciled against collections, what is still held, and the
    /// door discrepancies.
    pub async fn cash(
        &self,
        courier_id: &str,
    ) -> Result<runsheet_protocol::CashReport, DispatchError> {
        self.send(self.at(
            Method::GET,
            &format!("/v1/dispatch/couriers/{courier_id}/cash"),
        ))
        .await
    }

    /// The proof of a task's locker drop-off.
    pub async fn locker_drop(
        &self,
        task_id: &str,
    ) -> Result<runsheet_protocol::LockerDrop, DispatchError> {
        self.send(self.at(
            Method::GET,
            &format!("/v1/dispatch/tasks/{task_id}/locker-drop"),
        ))
        .await
    }
}

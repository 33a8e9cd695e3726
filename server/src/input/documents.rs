//! The ranges of every number (and the shape of every identifier) of the documents the server
//! reads: counts and sequence numbers, times, coordinates and accuracies, ratings, durations,
//! rates and windows. Types say what a value is; these say what values the server stores.

use runsheet_protocol::{
    Action, ActionContext, CaseCommand, ChecklistTemplate, ItemDoc, ItemKind, KpiTargets,
    LocationBatch, Mutation, NewCase, NewRecall, PushTokenRegistration, Settings, StopDoc,
    TaskKind, VehicleDoc, MAX_LOCATION_BATCH, MAX_UNITS,
};

use super::{coordinates, id, int, real, text, time, under, Document, Invalid};
use super::{MAX_COUNT, MAX_UNIX_TIME};
use crate::dispatch_api::{NewCourier, NewTask, Reassign, TaskUpdate};
use crate::earnings_api::{ManualKind, NewEarningLine, PayDecision};
use crate::rating_api::{Decision, NewRating};

/// Longest free text (a note, a message, a comment, a scanned code: a QR code holds up to
/// 7,089 digits), characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Longest evidence bundle sent with an appeal (JSON text), characters: the body limit is the
/// only bound that matters for it.
pub const MAX_EVIDENCE_CHARS: usize = 1024 * 1024;

/// Most items of a list inside a document (photos, tags, items of a task).
const MAX_LIST: usize = 1000;

fn list<T>(field: &str, items: &[T]) -> Result<(), Invalid> {
    if items.len() > MAX_LIST {
        return Err(Invalid::new(field, format!("at most {MAX_LIST} entries")));
    }
    Ok(())
}

fn ids(field: &str, values: &[String]) -> Result<(), Invalid> {
    list(field, values)?;
    for (i, v) in values.iter().enumerate() {
        id(&format!("{field}[{i}]"), v)?;
    }
    Ok(())
}

fn opt_time(field: &str, t: Option<i64>) -> Result<(), Invalid> {
    t.map_or(Ok(()), |t| time(field, t))
}

fn opt_text(field: &str, s: Option<&String>) -> Result<(), Invalid> {
    s.map_or(Ok(()), |s| text(field, s, MAX_TEXT_CHARS))
}

fn stop(at: &str, s: &StopDoc) -> Result<(), Invalid> {
    text(&under(at, "name"), &s.name, MAX_TEXT_CHARS)?;
    text(&under(at, "address"), &s.address, MAX_TEXT_CHARS)?;
    opt_text(&under(at, "phone"), s.phone.as_ref())?;
    coordinates(at, s.lat, s.lon)?;
    opt_time(&under(at, "ready_at"), s.ready_at)?;
    opt_time(&under(at, "due_by"), s.due_by)?;
    opt_time(&under(at, "not_before"), s.not_before)
}

fn money(field: &str, m: &runsheet_protocol::Money) -> Result<(), Invalid> {
    match m.problem() {
        Some(p) => Err(Invalid::new(field, p.to_string())),
        None => Ok(()),
    }
}

fn goods(items: &[ItemDoc]) -> Result<(), Invalid> {
    list("items", items)?;
    for (i, it) in items.iter().enumerate() {
        id(&format!("items[{i}].code"), &it.code)?;
        text(&format!("items[{i}].name"), &it.name, MAX_TEXT_CHARS)?;
        int(
            &format!("items[{i}].quantity"),
            i64::from(it.quantity),
            1,
            1_000_000,
        )?;
        if let Some(size) = it.size {
            if !(0..=MAX_UNITS).contains(&size) {
                return Err(Invalid::new(
                    format!("items[{i}].size"),
                    format!("must be 0 to {MAX_UNITS} units (the volume of one piece), not {size}"),
                ));
            }
        }
    }
    Ok(())
}

impl Document for Mutation {
    fn check(&self) -> Result<(), Invalid> {
        int("mutation_id", self.mutation_id, 1, MAX_COUNT)?;
        time("device_time", self.device_time)?;
        action(&self.action)?;
        if let Some(c) = &self.context {
            context(c)?;
        }
        Ok(())
    }
}

fn context(c: &ActionContext) -> Result<(), Invalid> {
    if let Some(o) = c.clock_offset_s {
        int("context.clock_offset_s", o, -MAX_UNIX_TIME, MAX_UNIX_TIME)?;
    }
    if let Some(l) = &c.location {
        coordinates("context.location", l.lat, l.lon)?;
        real("context.location.accuracy_m", l.accuracy_m, 0.0, 1e7)?;
        int(
            "context.location.age_s",
            l.age_s,
            -MAX_UNIX_TIME,
            MAX_UNIX_TIME,
        )?;
    }
    Ok(())
}

fn action(a: &Action) -> Result<(), Invalid> {
    if let Some(task) = a.task() {
        id("action.task_id", task)?;
    }
    match a {
        Action::Arrive { reason, .. } => opt_text("action.reason", reason.as_ref()),
        Action::Delivered { proof, .. } => ids("action.proof", proof),
        Action::Fail { note, photos, .. } => {
            opt_text("action.note", note.as_ref())?;
            ids("action.photos", photos)
        }
        Action::ReportException {
            note,
            photos,
            ready_at,
            ..
        } => {
            opt_text("action.note", note.as_ref())?;
            ids("action.photos", photos)?;
            opt_time("action.ready_at", *ready_at)
        }
        Action::CorrectPin { lat, lon, .. } => coordinates("action", *lat, *lon),
        Action::SendMessage { text: t, .. } => text("action.text", t, MAX_TEXT_CHARS),
        Action::Scan {
            code,
            outcome,
            item_code,
            ..
        } => {
            text("action.code", code, MAX_TEXT_CHARS)?;
            text("action.outcome", outcome, MAX_TEXT_CHARS)?;
            opt_text("action.item_code", item_code.as_ref())
        }
        Action::ConfirmItem {
            item_code,
            reason,
            photos,
            ..
        } => {
            text("action.item_code", item_code, MAX_TEXT_CHARS)?;
            text("action.reason", reason, MAX_TEXT_CHARS)?;
            ids("action.photos", photos)
        }
        Action::Answer {
            template_id,
            template_version,
            item_id,
            value,
            ..
        } => {
            id("action.template_id", template_id)?;
            int("action.template_version", *template_version, 0, MAX_COUNT)?;
            id("action.item_id", item_id)?;
            match value {
                runsheet_protocol::AnswerValue::Number(n) => {
                    real("action.value.value", *n, -1e15, 1e15)
                }
                runsheet_protocol::AnswerValue::Photos(p) => ids("action.value.value", p),
                runsheet_protocol::AnswerValue::Choice(s)
                | runsheet_protocol::AnswerValue::Text(s)
                | runsheet_protocol::AnswerValue::Signature(s)
                | runsheet_protocol::AnswerValue::Scan(s) => {
                    text("action.value.value", s, MAX_TEXT_CHARS)
                }
                _ => Ok(()),
            }
        }
        Action::RateStop {
            stars, tags, note, ..
        } => {
            int("action.stars", i64::from(*stars), 1, 5)?;
            ids("action.tags", tags)?;
            opt_text("action.note", note.as_ref())
        }
        Action::Appeal {
            rating_id,
            reason,
            evidence,
            ..
        } => {
            id("action.rating_id", rating_id)?;
            text("action.reason", reason, MAX_TEXT_CHARS)?;
            text("action.evidence", evidence, MAX_EVIDENCE_CHARS)
        }
        Action::AnswerCase {
            case_id,
            statement,
            evidence,
            ..
        } => {
            int("action.case_id", *case_id, 1, i64::MAX)?;
            statement_text("action.statement", statement)?;
            text("action.evidence", evidence, MAX_EVIDENCE_CHARS)
        }
        Action::SetAside {
            item_code,
            recall_id,
            ..
        } => {
            text("action.item_code", item_code, MAX_TEXT_CHARS)?;
            int("action.recall_id", *recall_id, 1, i64::MAX)
        }
        Action::HandoffCode { code, .. } => match code {
            Some(c) => text("action.code", &c.0, 64),
            None => Ok(()),
        },
        Action::AcceptOffer { offer_id } => int("action.offer_id", *offer_id, 1, i64::MAX),
        Action::DeclineOffer { offer_id, note, .. } => {
            int("action.offer_id", *offer_id, 1, i64::MAX)?;
            match note {
                Some(n) => text("action.note", n, 500),
                None => Ok(()),
            }
        }
        Action::CollectCash {
            collected,
            change,
            reason,
            ..
        } => {
            money("action.collected", collected)?;
            money("action.change", change)?;
            opt_text("action.reason", reason.as_ref())
        }
        Action::HandInCash { held, handed } => {
            money("action.held", held)?;
            money("action.handed", handed)
        }
        Action::LockerDrop {
            locker_code,
            compartment,
            ..
        } => {
            text("action.locker_code", locker_code, 256)?;
            text("action.compartment", compartment, 64)
        }
        Action::Accept { .. }
        | Action::PickUp { .. }
        | Action::Returned { .. }
        | Action::ContactAttempt { .. }
        | Action::Shift { .. } => Ok(()),
        Action::RequestHandover { note, .. } => match note {
            Some(n) => text("action.note", n, runsheet_protocol::MAX_HANDOVER_NOTE_CHARS),
            None => Ok(()),
        },
        Action::ReceiveHandover {
            seq,
            bags,
            scanned_at,
            ..
        } => {
            int("action.seq", *seq, 1, MAX_COUNT)?;
            list("action.bags", bags)?;
            for (i, b) in bags.iter().enumerate() {
                text(&format!("action.bags[{i}]"), b, MAX_TEXT_CHARS)?;
            }
            time("action.scanned_at", *scanned_at)
        }
        Action::AppealPay { line_id, reason } => {
            id("action.line_id", line_id)?;
            statement_text("action.reason", reason)
        }
        Action::TakeQuiz {
            module_id,
            module_version,
            answers,
        } => {
            id("action.module_id", module_id)?;
            int("action.module_version", *module_version, 1, MAX_COUNT)?;
            if answers.len() > runsheet_protocol::MAX_QUIZ_QUESTIONS {
                return Err(Invalid::new(
                    "action.answers",
                    format!("at most {} answers", runsheet_protocol::MAX_QUIZ_QUESTIONS),
                ));
            }
            Ok(())
        }
    }
}

impl Document for LocationBatch {
    fn check(&self) -> Result<(), Invalid> {
        id("client_id", &self.client_id)?;
        if self.fixes.len() > MAX_LOCATION_BATCH {
            return Err(Invalid::new(
                "fixes",
                format!("at most {MAX_LOCATION_BATCH} fixes per batch"),
            ));
        }
        let dropped = i64::try_from(self.dropped).unwrap_or(i64::MAX);
        int("dropped", dropped, 0, MAX_COUNT)?;
        for (i, f) in self.fixes.iter().enumerate() {
            let at = format!("fixes[{i}]");
            int(&under(&at, "seq"), f.seq, 1, MAX_COUNT)?;
            coordinates(&at, f.lat, f.lon)?;
            real(&under(&at, "accuracy_m"), f.accuracy_m, 0.0, 1e7)?;
            time(&under(&at, "recorded_at"), f.recorded_at)?;
        }
        Ok(())
    }
}

impl Document for PushTokenRegistration {
    fn check(&self) -> Result<(), Invalid> {
        id("client_id", &self.client_id)?;
        runsheet_protocol::check_push_token(&self.token)
            .map_err(|problem| Invalid::new("token", problem.to_string()))
    }
}

impl Document for NewCourier {
    fn check(&self) -> Result<(), Invalid> {
        id("id", &self.id)?;
        text("name", &self.name, MAX_TEXT_CHARS)
    }
}

impl Document for NewTask {
    fn check(&self) -> Result<(), Invalid> {
        id("id", &self.id)?;
        if self.kind != TaskKind::Parcel && self.pickup.is_none() {
            return Err(Invalid::new(
                "pickup",
                format!("a {} task needs a pickup stop", self.kind.as_str()),
            ));
        }
        if let Some(c) = &self.courier_id {
            id("courier_id", c)?;
        }
        if let Some(p) = &self.pickup {
            stop("pickup", p)?;
        }
        stop("dropoff", &self.dropoff)?;
        if let Some(r) = &self.return_to {
            stop("return_to", r)?;
        }
        opt_time("ordered_at", self.ordered_at)?;
        goods(&self.items)?;
        if let Some(m) = &self.cash_due {
            if let Some(p) = m.problem() {
                return Err(Invalid::new("cash_due", p.to_string()));
            }
        }
        if let Some(l) = &self.locker {
            if let Some(p) = l.problem() {
                return Err(Invalid::new("locker", p));
            }
            opt_text("locker.pickup_code", l.pickup_code.as_ref())?;
        }
        if let Some(c) = &self.handoff_code {
            let n = c.trim().chars().count();
            if !(4..=12).contains(&n) {
                return Err(Invalid::new("handoff_code", "must be 4 to 12 characters"));
            }
        }
        if let Some(l) = &self.customer_locale {
            let tag_like = l
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if l.is_empty() || l.len() > 35 || !tag_like {
                return Err(Invalid::new(
                    "customer_locale",
                    "must be a BCP 47 language tag such as zh-CN or en",
                ));
            }
        }
        Ok(())
    }
}

impl Document for TaskUpdate {
    fn check(&self) -> Result<(), Invalid> {
        if self.pickup.is_none() && self.dropoff.is_none() {
            return Err(Invalid::new("(body)", "nothing to update"));
        }
        if let Some(p) = &self.pickup {
            stop("pickup", p)?;
        }
        if let Some(d) = &self.dropoff {
            stop("dropoff", d)?;
        }
        Ok(())
    }
}

impl Document for Reassign {
    fn check(&self) -> Result<(), Invalid> {
        id("courier_id", &self.courier_id)
    }
}

impl Document for runsheet_protocol::AssignHandoverRequest {
    fn check(&self) -> Result<(), Invalid> {
        id("courier_id", &self.courier_id)
    }
}

impl Document for Settings {
    fn check(&self) -> Result<(), Invalid> {
        int("version", self.version, 0, MAX_COUNT)?;
        if let Some(problem) = self.problem() {
            let field = problem.split_whitespace().next().unwrap_or("(body)");
            return Err(Invalid::new(field, problem.clone()));
        }
        targets(&self.kpi_targets)
    }
}

fn targets(k: &KpiTargets) -> Result<(), Invalid> {
    for (name, rate) in [
        ("on_time_rate", k.on_time_rate),
        ("order_error_rate", k.order_error_rate),
        ("delay_rate", k.delay_rate),
        ("satisfaction", k.satisfaction),
    ] {
        real(&format!("kpi_targets.{name}"), rate, 0.0, 1.0)?;
    }
    real(
        "kpi_targets.peak_delivery_min",
        k.peak_delivery_min,
        0.0,
        1440.0,
    )?;
    real(
        "kpi_targets.off_peak_delivery_min",
        k.off_peak_delivery_min,
        0.0,
        1440.0,
    )?;
    list("kpi_targets.peak_windows", &k.peak_windows)?;
    for (i, w) in k.peak_windows.iter().enumerate() {
        if !(w.start_min < w.end_min && w.end_min <= 1440) {
            return Err(Invalid::new(
                format!("kpi_targets.peak_windows[{i}]"),
                "a window is [start, end) minutes of the day, start before end, end at most 1440",
            ));
        }
    }
    int(
        "kpi_targets.appeal_window_h",
        i64::from(k.appeal_window_h),
        0,
        8760,
    )
}

impl Document for ChecklistTemplate {
    fn check(&self) -> Result<(), Invalid> {
        int("version", self.version, 0, MAX_COUNT)?;
        int("seq", self.seq, 0, MAX_COUNT)?;
        if let Some(problem) = self.problem() {
            return Err(Invalid::new("(body)", problem));
        }
        id("id", &self.id)?;
        list("items", &self.items)?;
        for (i, item) in self.items.iter().enumerate() {
            let at = format!("items[{i}]");
            id(&under(&at, "id"), &item.id)?;
            text(&under(&at, "label"), &item.label, MAX_TEXT_CHARS)?;
            match &item.kind {
                ItemKind::Number { unit, min, max } => {
                    text(&under(&at, "kind.unit"), unit, MAX_TEXT_CHARS)?;
                    if let Some(v) = min {
                        real(&under(&at, "kind.min"), *v, -1e15, 1e15)?;
                    }
                    if let Some(v) = max {
                        real(&under(&at, "kind.max"), *v, -1e15, 1e15)?;
                    }
                }
                ItemKind::Choice { options } => {
                    list(&under(&at, "kind.options"), options)?;
                    for (j, o) in options.iter().enumerate() {
                        text(&format!("{at}.kind.options[{j}]"), o, MAX_TEXT_CHARS)?;
                    }
                }
                ItemKind::Photo { min_count } => {
                    int(&under(&at, "kind.min_count"), i64::from(*min_count), 0, 50)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl Document for NewRating {
    fn check(&self) -> Result<(), Invalid> {
        id("id", &self.id)?;
        id("task_id", &self.task_id)?;
        if let Some(s) = self.stars {
            int("stars", i64::from(s), 1, 5)?;
        }
        ids("tags", &self.tags)?;
        opt_text("comment", self.comment.as_ref())
    }
}

impl Document for Decision {
    fn check(&self) -> Result<(), Invalid> {
        opt_text("note", self.note.as_ref())
    }
}

/// Longest statement, complaint or case note, characters.
pub const MAX_STATEMENT_CHARS: usize = 2_000;

/// A statement or complaint: 1 to [`MAX_STATEMENT_CHARS`] characters, not only spaces.
fn statement_text(field: &str, s: &str) -> Result<(), Invalid> {
    if s.trim().is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    text(field, s, MAX_STATEMENT_CHARS)
}

impl Document for NewCase {
    fn check(&self) -> Result<(), Invalid> {
        id("task_id", &self.task_id)?;
        if !self.kind.opened_by_customer() {
            return Err(Invalid::new(
                "kind",
                format!(
                    "{} cases are opened by the server, not by a customer",
                    self.kind.as_str()
                ),
            ));
        }
        statement_text("summary", &self.summary)
    }
}

impl Document for CaseCommand {
    fn check(&self) -> Result<(), Invalid> {
        match self {
            CaseCommand::Acknowledge { note } => opt_text("note", note.as_ref()),
            CaseCommand::AskCourier { note }
            | CaseCommand::Reject { note }
            | CaseCommand::Reopen { note } => statement_text("note", note),
            CaseCommand::Resolve { note, follow_up } => {
                statement_text("note", note)?;
                if let Some(f) = follow_up {
                    id("follow_up.task_id", &f.task_id)?;
                    if let Some(c) = &f.courier_id {
                        id("follow_up.courier_id", c)?;
                    }
                    goods(&f.items)?;
                    list("follow_up.take_back", &f.take_back)?;
                    for (i, it) in f.take_back.iter().enumerate() {
                        id(&format!("follow_up.take_back[{i}].code"), &it.code)?;
                        text(
                            &format!("follow_up.take_back[{i}].name"),
                            &it.name,
                            MAX_TEXT_CHARS,
                        )?;
                    }
                    opt_time("follow_up.due_by", f.due_by)?;
                }
                Ok(())
            }
            CaseCommand::Close { satisfaction } => match satisfaction {
                Some(s) => int("satisfaction", i64::from(*s), 1, 5),
                None => Ok(()),
            },
        }
    }
}

/// GS1's character set 82, the characters a batch or lot may hold.
fn in_set_82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// A calendar date `YYYY-MM-DD`.
fn day(field: &str, s: &str) -> Result<chrono::NaiveDate, Invalid> {
    let parsed = (s.len() == 10)
        .then(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten();
    parsed.ok_or_else(|| Invalid::new(field, "must be a date YYYY-MM-DD"))
}

impl Document for NewRecall {
    fn check(&self) -> Result<(), Invalid> {
        let g = self.gtin.as_str();
        let digits = matches!(g.len(), 8 | 12 | 13 | 14) && g.bytes().all(|b| b.is_ascii_digit());
        let valid = digits
            && g.split_at(g.len() - 1).1.parse::<u8>().ok()
                == runsheet_gs1::check_digit(&g[..g.len() - 1]);
        if !valid {
            return Err(Invalid::new(
                "gtin",
                "must be a GTIN of 8, 12, 13 or 14 digits with a valid check digit",
            ));
        }
        let n = self.batch.chars().count();
        if !(1..=20).contains(&n) || !self.batch.chars().all(in_set_82) {
            return Err(Invalid::new(
                "batch",
                "must be 1 to 20 characters of GS1's character set 82",
            ));
        }
        let from = self
            .expiry_from
            .as_deref()
            .map(|d| day("expiry_from", d))
            .transpose()?;
        let to = self
            .expiry_to
            .as_deref()
            .map(|d| day("expiry_to", d))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(Invalid::new("expiry_to", "must not be before expiry_from"));
            }
        }
        if self.reason.trim().is_empty() {
            return Err(Invalid::new("reason", "must not be empty"));
        }
        text("reason", &self.reason, 500)
    }
}

impl Document for runsheet_protocol::NewOffer {
    fn check(&self) -> Result<(), Invalid> {
        id("courier_id", &self.courier_id)?;
        if self.task_ids.is_empty() || self.task_ids.len() > runsheet_protocol::MAX_OFFER_TASKS {
            return Err(Invalid::new(
                "task_ids",
                "an offer is one task or a stack of two or three",
            ));
        }
        ids("task_ids", &self.task_ids)?;
        if let Some(s) = self.expires_in_s {
            let r = crate::db::offers::EXPIRY_RANGE_S;
            int(
                "expires_in_s",
                i64::from(s),
                i64::from(*r.start()),
                i64::from(*r.end()),
            )?;
        }
        Ok(())
    }
}

impl Document for runsheet_protocol::WithdrawOffer {
    fn check(&self) -> Result<(), Invalid> {
        if self.reason.trim().is_empty() {
            return Err(Invalid::new("reason", "a reason is required"));
        }
        text(
            "reason",
            &self.reason,
            runsheet_protocol::MAX_WITHDRAW_REASON_CHARS,
        )
    }
}

impl Document for VehicleDoc {
    fn check(&self) -> Result<(), Invalid> {
        int("version", self.version, 0, MAX_COUNT)?;
        match self.problem() {
            Some((field, problem)) => Err(Invalid::new(field, problem)),
            None => Ok(()),
        }
    }
}

impl Document for NewEarningLine {
    fn check(&self) -> Result<(), Invalid> {
        id("id", &self.id)?;
        id("task_id", &self.task_id)?;
        opt_text("note", self.note.as_ref())?;
        let money = crate::earnings_api::amount("amount", &self.amount, &self.currency)?;
        match self.kind {
            ManualKind::Tip if money.minor < 0 => {
                Err(Invalid::new("amount", "a tip must not be negative"))
            }
            _ if money.minor == 0 => Err(Invalid::new("amount", "the amount must not be zero")),
            _ => Ok(()),
        }
    }
}

impl Document for PayDecision {
    fn check(&self) -> Result<(), Invalid> {
        opt_text("note", self.note.as_ref())?;
        self.correction().map(|_| ())
    }
}

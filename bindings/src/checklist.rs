//! SOP checklists over FFI: the shells render every item kind the core describes and send the
//! answers back; which items apply, what satisfies them and what the workflow waits for are
//! the core's.

use runsheet_protocol::{AnswerValue, ChecklistStage};

use crate::{Runsheet, RunsheetError};

pub use runsheet_core::checklist::{
    Answer as RecordedAnswer, Checklist, ItemState as ChecklistItem,
};
pub use runsheet_core::evidence::*;
pub use runsheet_protocol::{
    AnswerValue as ChecklistAnswer, ChecklistItemDef, Condition as ChecklistCondition,
    ItemKind as ChecklistItemKind,
};

#[uniffi::export]
impl Runsheet {
    /// The checklist of a task's stage (`task_id` absent: the start-of-shift checklist), or
    /// `None` when the platform has none for it.
    pub fn checklist(
        &self,
        task_id: Option<String>,
        stage: ChecklistStage,
    ) -> Result<Option<Checklist>, RunsheetError> {
        Ok(self.inner.checklist(task_id.as_deref(), stage)?)
    }

    /// Answers an item; returns whether the answer was within the procedure (one outside it
    /// is recorded and reported as an exception).
    pub fn answer_checklist_item(
        &self,
        task_id: Option<String>,
        stage: ChecklistStage,
        item_id: String,
        answer: AnswerValue,
    ) -> Result<bool, RunsheetError> {
        Ok(self
            .inner
            .answer(task_id.as_deref(), stage, &item_id, answer)?)
    }

    /// The task's evidence bundle: its facts, timeline, scans, answers and attachments.
    pub fn evidence_bundle(&self, task_id: String) -> Result<EvidenceBundle, RunsheetError> {
        Ok(self.inner.evidence_bundle(&task_id)?)
    }
}

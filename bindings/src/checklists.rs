//! SOP checklists over FFI: the shells render every item kind the core describes and send the
//! answers back; which items apply, what satisfies them and what the workflow waits for are
//! the core's.

use std::sync::Arc;

use runsheet_protocol::{AnswerValue, ChecklistStage};

use crate::{Inner, RunsheetError};

pub use runsheet_core::checklist::{
    Answer as RecordedAnswer, Checklist, ItemState as ChecklistItem,
};
pub use runsheet_protocol::{
    AnswerValue as ChecklistAnswer, ChecklistItemDef, Condition as ChecklistCondition,
    ItemKind as ChecklistItemKind,
};

/// The platform's standard operating procedures, stage by stage.
#[derive(uniffi::Object)]
pub struct Checklists {
    inner: Arc<Inner>,
}

impl Checklists {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Checklists {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Checklists {
    /// The checklist of a task's stage (`task_id` absent: the start-of-shift checklist), or
    /// `None` when the platform has none for it.
    pub async fn checklist(
        &self,
        task_id: Option<String>,
        stage: ChecklistStage,
    ) -> Result<Option<Checklist>, RunsheetError> {
        self.inner
            .run(move |c| c.checklist(task_id.as_deref(), stage))
            .await
    }

    /// Answers an item; returns whether the answer was within the procedure (one outside it
    /// is recorded and reported as an exception).
    pub async fn answer(
        &self,
        task_id: Option<String>,
        stage: ChecklistStage,
        item_id: String,
        answer: AnswerValue,
    ) -> Result<bool, RunsheetError> {
        self.inner
            .run(move |c| c.answer(task_id.as_deref(), stage, &item_id, answer))
            .await
    }
}

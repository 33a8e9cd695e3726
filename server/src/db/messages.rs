//! Messages sent to customers on a courier's behalf (the reference server records them; a
//! platform forwards them through its masked SMS or in-app channel).

use serde::{Deserialize, Serialize};

use super::{StoreError, Tx};
use crate::params;

/// A message sent to a customer on a courier's behalf.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SentMessage {
    /// The task.
    pub task_id: String,
    /// The courier.
    pub courier_id: String,
    /// The template used.
    pub template: String,
    /// The text sent.
    pub body: String,
    /// When the server sent it.
    pub sent_at: i64,
}

/// Records a message "sent" for the task's customer.
pub fn record(tx: &mut Tx<'_>, message: &SentMessage) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO messages (task_id, courier_id, template, body, sent_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            message.task_id,
            message.courier_id,
            message.template,
            message.body,
            message.sent_at
        ],
    )?;
    Ok(())
}

/// The messages sent for a task, oldest first.
pub fn for_task(tx: &mut Tx<'_>, task_id: &str) -> Result<Vec<SentMessage>, StoreError> {
    tx.query_map(
        "SELECT task_id, courier_id, template, body, sent_at FROM messages
         WHERE task_id = ?1 ORDER BY id",
        params![task_id],
        |r| {
            Ok(SentMessage {
                task_id: r.get(0)?,
                courier_id: r.get(1)?,
                template: r.get(2)?,
                body: r.get(3)?,
                sent_at: r.get(4)?,
            })
        },
    )
}

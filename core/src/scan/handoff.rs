//! The customer's handoff code: the PIN or QR the customer shows at the door. The phone holds
//! only a slow salted hash from the platform (PBKDF2-HMAC-SHA256, see
//! [`runsheet_protocol::HandoffCodeDoc`]), kept in its store and never handed to the shells;
//! it checks the code offline, locks the check after [`MAX_ATTEMPTS`] wrong codes (so a code
//! cannot be guessed at the door), and sends the code with its verdict so that the server,
//! which keeps its own record, decides at sync whether the handoff was verified.

use runsheet_protocol::{Action, HandoffCodeDoc, HandoffCodeEntry};
use rusqlite::OptionalExtension;

use crate::device::Device;
use crate::error::{Error, Result};

/// Wrong codes allowed before the check locks.
pub const MAX_ATTEMPTS: u32 = 5;

/// The result of checking a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum HandoffCheck {
    /// The code matched.
    Verified,
    /// It did not; this many tries are left.
    Wrong {
        /// Tries left before the lock.
        attempts_left: u32,
    },
    /// Too many wrong codes: hand over another way (photo, signature) or call support.
    Locked,
}

/// The task's handoff code document, read from the store (it is not part of the task record
/// the shells get).
fn code_doc(dev: &Device, task_id: &str) -> Result<Option<HandoffCodeDoc>> {
    let json: Option<Option<String>> = dev.store.read(|c| {
        Ok(c.query_row(
            "SELECT handoff_code FROM tasks WHERE id = ?1",
            [task_id],
            |r| r.get(0),
        )
        .optional()?)
    })?;
    match json.flatten() {
        None => Ok(None),
        Some(j) => serde_json::from_str(&j).map(Some).map_err(|e| {
            Error::Corrupt(format!(
                "task {task_id} has an unreadable handoff code: {e}"
            ))
        }),
    }
}

/// Checks the code the customer shows against the task's slow salted hash, offline. Each
/// check is recorded and synced with the code, for the server to confirm; after
/// [`MAX_ATTEMPTS`] wrong codes the check is locked.
pub(crate) fn verify_handoff_code(dev: &Device, task_id: &str, code: &str) -> Result<HandoffCheck> {
    let t = dev.task(task_id)?;
    let Some(doc) = code_doc(dev, task_id)? else {
        return Err(Error::InvalidArgument(format!(
            "task {task_id} has no handoff code"
        )));
    };
    if t.handoff_verified {
        return Ok(HandoffCheck::Verified);
    }
    if t.handoff_failures >= MAX_ATTEMPTS {
        return Ok(HandoffCheck::Locked);
    }
    let verified = doc.matches(code);
    let id = task_id.to_owned();
    dev.act_with(
        Action::HandoffCode {
            task_id: task_id.to_owned(),
            verified,
            code: Some(HandoffCodeEntry(code.trim().to_owned())),
        },
        &mut move |tx| {
            if verified {
                tx.execute("UPDATE tasks SET handoff_verified = 1 WHERE id = ?1", [&id])?;
            } else {
                tx.execute(
                    "UPDATE tasks SET handoff_failures = handoff_failures + 1 WHERE id = ?1",
                    [&id],
                )?;
            }
            Ok(())
        },
    )?;
    Ok(if verified {
        HandoffCheck::Verified
    } else if t.handoff_failures + 1 >= MAX_ATTEMPTS {
        HandoffCheck::Locked
    } else {
        HandoffCheck::Wrong {
            attempts_left: MAX_ATTEMPTS - t.handoff_failures - 1,
        }
    })
}

//! The customer's handoff code: the PIN or QR the customer shows at the door. The phone holds
//! only a salted SHA-256 from the platform, checks the code offline, and locks the check after
//! [`MAX_ATTEMPTS`] wrong codes (so a code cannot be guessed at the door).

use runsheet_protocol::{Action, HandoffCodeDoc};
use sha2::{Digest, Sha256};

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

/// Whether `code` is the one hashed in `doc`.
pub fn matches(doc: &HandoffCodeDoc, code: &str) -> bool {
    let digest = hex::encode(Sha256::digest(format!("{}{}", doc.salt, code.trim())));
    // Compare all bytes whatever the first difference (no early exit on the secret's hash).
    digest.len() == doc.sha256.len()
        && digest
            .bytes()
            .zip(doc.sha256.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Checks the code the customer shows against the task's salted hash, offline. Each check
/// is recorded and synced (without the code); after [`MAX_ATTEMPTS`] wrong codes the check
/// is locked.
pub(crate) fn verify_handoff_code(dev: &Device, task_id: &str, code: &str) -> Result<HandoffCheck> {
    let t = dev.task(task_id)?;
    let Some(doc) = t.handoff_code.as_ref() else {
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
    let verified = matches(doc, code);
    let id = task_id.to_owned();
    dev.act_with(
        Action::HandoffCode {
            task_id: task_id.to_owned(),
            verified,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_code_matches_its_salted_hash() {
        let salt = "a1b2c3".to_string();
        let sha256 = hex::encode(Sha256::digest(format!("{salt}4711")));
        let doc = HandoffCodeDoc { salt, sha256 };
        assert!(matches(&doc, "4711"));
        assert!(matches(&doc, " 4711 "));
        assert!(!matches(&doc, "4712"));
        assert!(!matches(&doc, ""));
    }
}

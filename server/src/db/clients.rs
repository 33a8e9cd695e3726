//! Installs (client ids): each belongs to the courier whose token first used it, and keeps the
//! id of the last mutation the server applied from it.

use super::{Refusal, StoreError, Tx};
use crate::params;

/// Refused with [`Refusal::ClientOfAnotherCourier`] when the install belongs to someone else
/// (an install not seen yet is nobody's).
pub fn check_owner(tx: &mut Tx<'_>, client_id: &str, courier: &str) -> Result<(), StoreError> {
    let owner: Option<String> = tx.query_opt(
        "SELECT courier_id FROM clients WHERE client_id = ?1",
        params![client_id],
        |r| r.get(0),
    )?;
    if owner.as_deref().is_some_and(|o| o != courier) {
        return Err(Refusal::ClientOfAnotherCourier.into());
    }
    Ok(())
}

/// Claims the install for `courier` if nobody has it yet (a location batch may be its first
/// use), then refuses with [`Refusal::ClientOfAnotherCourier`] when it belongs to someone else.
pub fn claim(tx: &mut Tx<'_>, client_id: &str, courier: &str, now: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO clients (client_id, courier_id, last_mutation_id, created_at)
         VALUES (?1, ?2, 0, ?3) ON CONFLICT (client_id) DO NOTHING",
        params![client_id, courier, now],
    )?;
    check_owner(tx, client_id, courier)
}

/// The id of the last mutation applied from the courier's install (0 for an install not seen
/// yet); refused when the install is another courier's.
pub fn last_applied(tx: &mut Tx<'_>, client_id: &str, courier: &str) -> Result<i64, StoreError> {
    let client: Option<(String, i64)> = tx.query_opt(
        "SELECT courier_id, last_mutation_id FROM clients WHERE client_id = ?1",
        params![client_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    match client {
        Some((owner, _)) if owner != courier => Err(Refusal::ClientOfAnotherCourier.into()),
        Some((_, last)) => Ok(last),
        None => Ok(0),
    }
}

/// Takes the install's row lock until commit (registering the install to `courier` if it is
/// new) and returns the id of the last mutation applied from it; refused when the install is
/// another courier's. A retry racing its original on another replica waits here, then sees the
/// original's last applied id.
pub fn lock_for_push(
    tx: &mut Tx<'_>,
    client_id: &str,
    courier: &str,
    now: i64,
) -> Result<i64, StoreError> {
    let lock = format!(
        "SELECT courier_id, last_mutation_id FROM clients WHERE client_id = ?1{}",
        tx.for_update()
    );
    let read = |tx: &mut Tx<'_>| {
        tx.query_opt(&lock, params![client_id], |r| {
            Ok((r.get::<String>(0)?, r.get::<i64>(1)?))
        })
    };
    let (owner, last) = match read(tx)? {
        Some(row) => row,
        None => {
            // A new install (two first pushes may race: one inserts, both then lock).
            tx.execute(
                "INSERT INTO clients (client_id, courier_id, last_mutation_id, created_at)
                 VALUES (?1, ?2, 0, ?3) ON CONFLICT (client_id) DO NOTHING",
                params![client_id, courier, now],
            )?;
            read(tx)?.ok_or_else(|| StoreError::Query("the install's row vanished".into()))?
        }
    };
    if owner != courier {
        return Err(Refusal::ClientOfAnotherCourier.into());
    }
    Ok(last)
}

/// Records the id of the last mutation applied from the install.
pub fn set_last_applied(tx: &mut Tx<'_>, client_id: &str, last: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE clients SET last_mutation_id = ?2 WHERE client_id = ?1",
        params![client_id, last],
    )?;
    Ok(())
}

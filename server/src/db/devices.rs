//! Installs' push tokens: the token the platform's push service (FCM, APNs) issued to each
//! install, so that dispatch can wake a phone for a sync. One per install; a token registered
//! by a newer install (the app reinstalled, another courier signed in on the phone) leaves the
//! older one's registration.

use runsheet_protocol::{PushDevice, PushPlatform, PushTokenRegistration};

use super::{clients, couriers, StoreError, Tx};
use crate::params;

/// Records the install's push token for `courier` at `now`, replacing the install's previous
/// token and any other install's registration of the same token. Claims the install like a
/// location batch; refused when it is another courier's.
pub fn register(
    tx: &mut Tx<'_>,
    courier: &str,
    reg: &PushTokenRegistration,
    now: i64,
) -> Result<(), StoreError> {
    clients::claim(tx, &reg.client_id, courier, now)?;
    tx.execute(
        "DELETE FROM push_tokens WHERE platform = ?1 AND token = ?2 AND client_id <> ?3",
        params![reg.platform.as_str(), reg.token, reg.client_id],
    )?;
    tx.execute(
        "INSERT INTO push_tokens (client_id, courier_id, platform, token, registered_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (client_id) DO UPDATE SET courier_id = excluded.courier_id,
             platform = excluded.platform, token = excluded.token,
             registered_at = excluded.registered_at",
        params![
            reg.client_id,
            courier,
            reg.platform.as_str(),
            reg.token,
            now
        ],
    )?;
    Ok(())
}

/// The courier's installs with a push token, most recently registered first; refused when the
/// courier does not exist.
pub fn for_courier(tx: &mut Tx<'_>, courier: &str) -> Result<Vec<PushDevice>, StoreError> {
    couriers::must_exist(tx, courier)?;
    let rows: Vec<(String, String, String, i64)> = tx.query_map(
        "SELECT client_id, platform, token, registered_at FROM push_tokens
         WHERE courier_id = ?1 ORDER BY registered_at DESC, client_id",
        params![courier],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    rows.into_iter()
        .map(|(client_id, platform, token, registered_at)| {
            let platform = PushPlatform::parse(&platform).ok_or_else(|| {
                StoreError::Query(format!("unknown push platform {platform:?} stored"))
            })?;
            Ok(PushDevice {
                client_id,
                platform,
                token,
                registered_at,
            })
        })
        .collect()
}

//! The device store: one SQLite file, one writer connection.
//!
//! Every courier action is a single transaction that changes the task and appends its outbox
//! row, so an action is either fully saved or not at all, whatever kills the app.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::schema;
// SQLCipher is compiled to call runsheet-cipher's crypto provider (`runsheet_cipher_setup`,
// see .cargo/config.toml): this links it into every binary that holds the store.
use runsheet_cipher as _;

/// The key the store is encrypted under (SQLCipher, raw 256-bit key): 32 random bytes the shell
/// makes once and keeps in the Android Keystore or the iOS Keychain. Never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey([u8; 32]);

impl DbKey {
    /// The key from its 64 hex digits; [`Error::InvalidArgument`] otherwise.
    pub fn from_hex(hex_key: &str) -> Result<Self> {
        let bytes = hex::decode(hex_key.trim())
            .map_err(|_| Error::InvalidArgument("the database key is not hex".into()))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            Error::InvalidArgument("the database key must be 32 bytes (64 hex digits)".into())
        })?;
        Ok(DbKey(key))
    }

    /// SQLCipher's raw-key literal: `x'<64 hex>'`, quoted for a pragma or an ATTACH.
    fn literal(&self) -> String {
        format!("\"x'{}'\"", hex::encode(self.0))
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(<redacted>)")
    }
}

/// The first 16 bytes of every unencrypted SQLite file.
const PLAINTEXT_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The open store. Cheap to share behind an `Arc`; calls are serialised on one connection.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (or creates) an unencrypted database at `path` (tools and tests; the phone opens
    /// it with [`Store::open_encrypted`]), applies pragmas and migrations.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, None)
    }

    /// Opens (or creates) the database at `path` encrypted under `key`. A database an earlier
    /// version left unencrypted is first encrypted into a new file that replaces it atomically
    /// (nothing in it is lost, pending actions included). A key that does not open the file is
    /// [`Error::WrongKey`], and the file is left as it was.
    pub fn open_encrypted(path: &Path, key: &DbKey) -> Result<Self> {
        if is_plaintext(path)? {
            encrypt_plaintext(path, key)?;
        }
        Self::open_with(path, Some(key))
    }

    fn open_with(path: &Path, key: Option<&DbKey>) -> Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(classify_open_error)?;
        if let Some(key) = key {
            // First thing on the connection: nothing is read before the key is set. Then one
            // read, so a key that does not decrypt the file is told apart here.
            conn.execute_batch(&format!("PRAGMA key = {};", key.literal()))?;
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
                .map_err(|e| match e.sqlite_error_code() {
                    Some(ErrorCode::NotADatabase) => Error::WrongKey,
                    _ => classify_open_error(e),
                })?;
        }
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL: readers never block the writer. synchronous=FULL: a committed action survives a
        // power cut, not only an app kill. foreign_keys: stops die with their task.
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(classify_open_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "WAL journal mode refused; continuing");
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // Deleted and overwritten content is zeroed, so purged customer data does not linger in
        // free pages.
        conn.pragma_update(None, "secure_delete", true)?;
        schema::migrate(&mut conn).map_err(|e| match e {
            Error::Sqlite(e) => classify_open_error(e),
            other => other,
        })?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// Copies the write-ahead log into the database and truncates it, so overwritten bytes
    /// (purged customer data) no longer sit in the log file.
    pub fn checkpoint(&self) -> Result<()> {
        let conn = self.lock();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Runs `f` with the connection for reading.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        f(&conn)
    }

    /// Runs `f` inside one immediate transaction; commits if it returns `Ok`, else rolls back.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-written transaction (SQLite rolls
        // it back), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Whether `path` holds an unencrypted SQLite database (an earlier version's store).
fn is_plaintext(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 16];
    match std::fs::File::open(path) {
        Ok(mut f) => Ok(f.read_exact(&mut head).is_ok() && &head == PLAINTEXT_HEADER),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::Corrupt(format!(
            "cannot read the database file: {e}"
        ))),
    }
}

/// Encrypts the unencrypted database at `path` under `key`: `sqlcipher_export` into a new file
/// beside it, which then replaces it with one rename. A crash before the rename leaves the
/// unencrypted database (encrypted again on the next open); after it, the encrypted one.
fn encrypt_plaintext(path: &Path, key: &DbKey) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".encrypting");
    let tmp = std::path::PathBuf::from(tmp);
    remove_if_present(&tmp)?;
    {
        let conn = Connection::open(path).map_err(classify_open_error)?;
        // Everything the log holds goes into the file first, so the export has it all.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(classify_open_error)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let target = tmp
            .to_str()
            .ok_or_else(|| Error::InvalidArgument("the database path is not UTF-8".into()))?
            .replace('\'', "''");
        conn.execute_batch(&format!(
            "ATTACH DATABASE '{target}' AS encrypted KEY {key};
             SELECT sqlcipher_export('encrypted');
             PRAGMA encrypted.user_version = {version};
             DETACH DATABASE encrypted;",
            key = key.literal(),
        ))?;
        // Closing the last connection removes the (checkpointed) log of the old file.
    }
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::Corrupt(format!("cannot write the encrypted database: {e}")))?;
    for side in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(side);
        remove_if_present(std::path::Path::new(&p))?;
    }
    std::fs::rename(&tmp, path)
        .map_err(|e| Error::Corrupt(format!("cannot replace the database file: {e}")))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself survives a power cut once the directory is synced.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    tracing::info!("the unencrypted database was encrypted");
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::Corrupt(format!("cannot remove a stale file: {e}"))),
    }
}

fn classify_open_error(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
            Error::Corrupt(e.to_string())
        }
        _ => Error::Sqlite(e),
    }
}

/// Reads a metadata value.
pub(crate) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Writes a metadata value.
pub(crate) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encrypted store runs on the crypto provider this workspace ships and tests
    /// (runsheet-cipher), not on one a build picked up from the system.
    #[test]
    fn the_encrypted_store_runs_on_runsheet_cipher() {
        let dir = tempfile::tempdir().unwrap();
        let key = DbKey::from_hex(&"5a".repeat(32)).unwrap();
        let store = Store::open_encrypted(&dir.path().join("store.db"), &key).unwrap();
        let provider: String = store
            .read(|c| Ok(c.query_row("PRAGMA cipher_provider", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(provider, runsheet_cipher::PROVIDER_NAME);
    }
}

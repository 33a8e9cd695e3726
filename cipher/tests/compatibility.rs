//! The Rust provider keeps SQLCipher 4's file format: it opens files written by SQLCipher over
//! OpenSSL, and what it writes passes SQLCipher's own integrity check, reopens with its key and
//! with no other.
//!
//! The fixtures in `tests/fixtures/` were written on 2026-12-06 by this workspace's build as it
//! was before this crate (rusqlite 0.41, SQLCipher 4.19.0 community, provider `openssl`,
//! OpenSSL 3.0.19 from Debian), SQLCipher 4's defaults (4096-byte pages, PBKDF2-HMAC-SHA512 with
//! 256,000 iterations, HMAC-SHA512): see `tests/fixtures/README.md`.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode};

// Links the provider SQLCipher was compiled to call (`runsheet_cipher_setup`).
use runsheet_cipher::{PROVIDER_NAME, PROVIDER_VERSION};

const PASSPHRASE: &str = "'correct horse battery staple'";
const RAW_KEY: &str = "\"x'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'\"";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of a fixture in a fresh directory (opening may write a journal next to it).
fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(fixture(name), &path).unwrap();
    (dir, path)
}

fn open(path: &Path, key: &str) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = {key};")).unwrap();
    conn
}

fn pragma(conn: &Connection, name: &str) -> String {
    conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

/// `PRAGMA cipher_integrity_check` lists one row per damaged page; none means every page's
/// HMAC verified.
fn integrity_errors(conn: &Connection) -> Vec<String> {
    let mut stmt = conn.prepare("PRAGMA cipher_integrity_check").unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

/// The row every fixture holds, and the row count (300 rows span several pages).
fn assert_fixture_rows(conn: &Connection) {
    let label: String = conn
        .query_row("SELECT label FROM parcel WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(label, "written by SQLCipher over OpenSSL");
    let (count, last): (i64, String) = conn
        .query_row(
            "SELECT count(*), (SELECT label FROM parcel WHERE id = 300) FROM parcel",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(count, 300);
    assert_eq!(last, format!("parcel 0300 {}", "x".repeat(40)));
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 7);
}

fn is_refused(conn: &Connection) -> bool {
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => false,
        Err(e) => e.sqlite_error_code() == Some(ErrorCode::NotADatabase),
    }
}

#[test]
fn sqlcipher_runs_on_this_provider() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("any.db"), PASSPHRASE);
    assert_eq!(pragma(&conn, "cipher_provider"), PROVIDER_NAME);
    assert_eq!(pragma(&conn, "cipher_provider_version"), PROVIDER_VERSION);
    assert!(pragma(&conn, "cipher_version").starts_with("4."));
}

#[test]
fn opens_a_passphrase_database_written_over_openssl() {
    let (_dir, path) = copy_of("openssl-passphrase.sqlcipher");
    let conn = open(&path, PASSPHRASE);
    assert_fixture_rows(&conn);
    assert_eq!(integrity_errors(&conn), Vec::<String>::new());
}

#[test]
fn opens_a_raw_key_database_written_over_openssl() {
    // The core keys its store this way (`DbKey::literal`).
    let (_dir, path) = copy_of("openssl-raw-key.sqlcipher");
    let conn = open(&path, RAW_KEY);
    assert_fixture_rows(&conn);
    assert_eq!(integrity_errors(&conn), Vec::<String>::new());
}

#[test]
fn refuses_the_openssl_fixtures_under_another_key() {
    for (name, wrong) in [
        (
            "openssl-passphrase.sqlcipher",
            "'correct horse battery stapler'",
        ),
        (
            "openssl-raw-key.sqlcipher",
            "\"x'ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'\"",
        ),
    ] {
        let (_dir, path) = copy_of(name);
        let conn = open(&path, wrong);
        assert!(is_refused(&conn), "{name} opened under a wrong key");
    }
}

#[test]
fn writes_what_sqlcipher_verifies_and_reopens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("written-here.db");
    {
        let conn = open(&path, RAW_KEY);
        conn.execute_batch(
            "CREATE TABLE parcel (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
             INSERT INTO parcel (id, label) VALUES (1, 'written by SQLCipher over OpenSSL');",
        )
        .unwrap();
        for i in 2..=300 {
            conn.execute(
                "INSERT INTO parcel (id, label) VALUES (?1, ?2)",
                rusqlite::params![i, format!("parcel {i:04} {}", "x".repeat(40))],
            )
            .unwrap();
        }
        conn.execute_batch("PRAGMA user_version = 7;").unwrap();
    }
    // The file is encrypted: no SQLite header, no plaintext row.
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3\0"));
    assert!(!bytes.windows(6).any(|w| w == b"parcel"));

    let conn = open(&path, RAW_KEY);
    assert_fixture_rows(&conn);
    assert_eq!(integrity_errors(&conn), Vec::<String>::new());
    drop(conn);

    let conn = open(
        &path,
        "\"x'ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'\"",
    );
    assert!(is_refused(&conn));
}

#[test]
fn a_flipped_byte_fails_the_integrity_check() {
    let (_dir, path) = copy_of("openssl-raw-key.sqlcipher");
    let mut bytes = std::fs::read(&path).unwrap();
    // A byte in the third page's ciphertext: its HMAC no longer matches.
    bytes[2 * 4096 + 100] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let conn = open(&path, RAW_KEY);
    let errors = integrity_errors(&conn);
    assert!(
        errors.iter().any(|e| e.contains("page 3")),
        "expected page 3 reported, got {errors:?}"
    );
}

#[test]
fn rekey_and_export_use_the_provider_too() {
    // sqlcipher_export (the core's migration of an unencrypted store) and PRAGMA rekey both
    // run every page through the provider.
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.db");
    let sealed = dir.path().join("sealed.db");
    {
        let conn = Connection::open(&plain).unwrap();
        conn.execute_batch(
            "CREATE TABLE parcel (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
             INSERT INTO parcel (id, label) VALUES (1, 'exported');",
        )
        .unwrap();
        conn.execute_batch(&format!(
            "ATTACH DATABASE '{}' AS sealed KEY {RAW_KEY};
             SELECT sqlcipher_export('sealed');
             DETACH DATABASE sealed;",
            sealed.display()
        ))
        .unwrap();
    }
    {
        let conn = open(&sealed, RAW_KEY);
        assert_eq!(integrity_errors(&conn), Vec::<String>::new());
        conn.execute_batch(&format!("PRAGMA rekey = {PASSPHRASE};"))
            .unwrap();
    }
    let conn = open(&sealed, PASSPHRASE);
    let label: String = conn
        .query_row("SELECT label FROM parcel WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(label, "exported");
    assert_eq!(integrity_errors(&conn), Vec::<String>::new());
    drop(conn);
    assert!(is_refused(&open(&sealed, RAW_KEY)));
}

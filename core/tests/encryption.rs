//! The store encrypted with SQLCipher: its files hold no customer data in the clear, a wrong
//! key is a typed error that leaves the file as it was, and an unencrypted store from an
//! earlier version is encrypted on the first open with a key, pending actions kept.

use std::path::Path;

use runsheet_core::schema::CURRENT_VERSION;
use runsheet_core::store::{DbKey, Store};
use runsheet_core::{outbox, task, Action, Error, TaskStatus};
use runsheet_protocol::{StopDoc, TaskDoc, TaskKind};

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const OTHER_KEY: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
const NAME: &str = "Wang Xiaoming";
const ADDRESS: &str = "Flat 2207, Lotus Garden";
const PHONE: &str = "+86 138 0000 4242";

fn key(hex: &str) -> DbKey {
    DbKey::from_hex(hex).unwrap()
}

fn doc(id: &str) -> TaskDoc {
    TaskDoc {
        id: id.into(),
        kind: TaskKind::Parcel,
        status: runsheet_protocol::TaskStatus::AtDropoff,
        pickup: None,
        dropoff: StopDoc {
            phone: Some(PHONE.into()),
            ..StopDoc::new(NAME, ADDRESS, 30.0, 120.0)
        },
        revision: 1,
        ordered_at: None,
        items: Vec::new(),
        return_to: None,
        handoff_code: None,
        contactless: false,
        proof: Default::default(),
        customer_locale: None,
        case_id: None,
        take_back: Vec::new(),
        handovers: Vec::new(),
        cash_due: None,
        locker: None,
    }
}

/// Whether `needle` is in the bytes of the database file or its write-ahead log.
fn on_disk(path: &Path, needle: &str) -> bool {
    ["", "-wal"].iter().any(|ext| {
        std::fs::read(format!("{}{ext}", path.display()))
            .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .unwrap_or(false)
    })
}

/// A task at the door, delivered: one action waiting in the outbox.
fn seed(store: &Store) {
    store
        .write(|tx| task::upsert_from_server(tx, &doc("A")))
        .unwrap();
    let deliver = Action::delivered("A");
    store
        .write(|tx| {
            task::apply_action(tx, &deliver)?;
            outbox::enqueue(tx, &deliver, 42, None)
        })
        .unwrap();
}

fn assert_seeded(store: &Store) {
    let a = store.read(|c| task::get(c, "A")).unwrap().unwrap();
    assert_eq!(a.status, TaskStatus::Delivered);
    assert_eq!(a.dropoff.address, ADDRESS);
    let pending = store.read(|c| outbox::pending(c, 10)).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].mutation_id, 1);
}

#[test]
fn an_encrypted_store_holds_no_customer_data_in_the_clear() {
    let dir = tempfile::tempdir().unwrap();
    // The same data in an unencrypted store is plainly there: the search does find it.
    let plain = dir.path().join("plain.db");
    seed(&Store::open(&plain).unwrap());
    assert!(on_disk(&plain, ADDRESS));

    let path = dir.path().join("d.db");
    let store = Store::open_encrypted(&path, &key(KEY)).unwrap();
    seed(&store);
    assert_seeded(&store);
    for seeded in [NAME, ADDRESS, PHONE, "SQLite format 3"] {
        assert!(!on_disk(&path, seeded), "{seeded:?} is readable on disk");
    }
    store.checkpoint().unwrap();
    drop(store);
    for seeded in [NAME, ADDRESS, PHONE] {
        assert!(!on_disk(&path, seeded), "{seeded:?} is readable on disk");
    }
    // The same key opens it again, data there.
    assert_seeded(&Store::open_encrypted(&path, &key(KEY)).unwrap());
}

#[test]
fn a_wrong_key_is_refused_with_a_typed_error_and_the_file_is_left_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let store = Store::open_encrypted(&path, &key(KEY)).unwrap();
    seed(&store);
    store.checkpoint().unwrap();
    drop(store);
    let before = std::fs::read(&path).unwrap();
    match Store::open_encrypted(&path, &key(OTHER_KEY)) {
        Err(Error::WrongKey) => {}
        other => panic!("expected WrongKey, got {:?}", other.err()),
    }
    // Without a key it is not a database at all, and nothing rewrote it.
    assert!(Store::open(&path).is_err());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was changed"
    );
    assert_seeded(&Store::open_encrypted(&path, &key(KEY)).unwrap());
    // A key that is not 32 bytes of hex is refused before the file is touched.
    assert!(matches!(
        DbKey::from_hex("abcd"),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        DbKey::from_hex(&"zz".repeat(32)),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn an_unencrypted_store_from_an_earlier_version_is_encrypted_keeping_its_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let store = Store::open(&path).unwrap();
    seed(&store);
    // The app is killed with the action still in the log, not yet in the file.
    std::mem::forget(store);
    assert!(on_disk(&path, ADDRESS));
    let client_id = {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.query_row("SELECT value FROM meta WHERE key = 'client_id'", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap()
    };

    let store = Store::open_encrypted(&path, &key(KEY)).unwrap();
    assert_seeded(&store);
    let (version, same_client): (i64, bool) = store
        .read(|c| {
            let v = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            let id: String =
                c.query_row("SELECT value FROM meta WHERE key = 'client_id'", [], |r| {
                    r.get(0)
                })?;
            Ok((v, id == client_id))
        })
        .unwrap();
    assert_eq!(version, CURRENT_VERSION);
    assert!(same_client, "the install keeps its client id");
    drop(store);
    for seeded in [NAME, ADDRESS, PHONE] {
        assert!(!on_disk(&path, seeded), "{seeded:?} is readable on disk");
    }
    assert!(!Path::new(&format!("{}.encrypting", path.display())).exists());
    // Encrypted once: the next open with the key is a plain open.
    assert_seeded(&Store::open_encrypted(&path, &key(KEY)).unwrap());
    assert!(matches!(
        Store::open_encrypted(&path, &key(OTHER_KEY)),
        Err(Error::WrongKey)
    ));
}

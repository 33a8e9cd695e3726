//! The device schema and its migrations.
//!
//! Each entry of [`MIGRATIONS`] upgrades the schema by one version and is never edited once
//! shipped: a new version appends an entry. A frozen copy of every shipped version lives in
//! `core/tests/fixtures/` and a test opens each with the current code.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// Migration `n` (1-based) takes a database from version `n - 1` to `n`.
pub const MIGRATIONS: &[&str] = &[
    // v1: tasks with their stops, the outbox and key/value metadata.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE tasks (
        id              TEXT PRIMARY KEY,
        kind            TEXT NOT NULL,
        status          TEXT NOT NULL,
        server_revision INTEGER NOT NULL,
        local_rev       INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE TABLE stops (
        task_id  TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        role     TEXT NOT NULL CHECK (role IN ('pickup', 'dropoff')),
        name     TEXT NOT NULL,
        address  TEXT NOT NULL,
        phone    TEXT,
        lat      REAL NOT NULL,
        lon      REAL NOT NULL,
        ready_at INTEGER,
        due_by   INTEGER,
        PRIMARY KEY (task_id, role)
    ) STRICT;
    CREATE TABLE outbox (
        mutation_id INTEGER PRIMARY KEY,
        task_id     TEXT NOT NULL,
        action      TEXT NOT NULL,
        device_time INTEGER NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT
    ) STRICT;
    "#,
    // v2: rejected mutations are kept as notices for the courier; outbox looked up by task.
    r#"
    CREATE TABLE rejections (
        mutation_id INTEGER PRIMARY KEY,
        task_id     TEXT NOT NULL,
        action      TEXT NOT NULL,
        code        TEXT NOT NULL,
        reason      TEXT NOT NULL,
        rejected_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX outbox_by_task ON outbox(task_id, mutation_id);
    "#,
    // v3: proof attachments waiting for (or done with) their upload.
    r#"
    CREATE TABLE attachments (
        sha256      TEXT PRIMARY KEY,
        path        TEXT NOT NULL,
        size        INTEGER NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('pending', 'uploaded', 'missing')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        created_at  INTEGER NOT NULL,
        uploaded_at INTEGER
    ) STRICT;
    "#,
    // v4: GPS fixes waiting to be sent (lowest priority, capped).
    r#"
    CREATE TABLE location_fixes (
        seq         INTEGER PRIMARY KEY,
        lat         REAL NOT NULL,
        lon         REAL NOT NULL,
        accuracy_m  REAL NOT NULL,
        recorded_at INTEGER NOT NULL
    ) STRICT;
    "#,
    // v5: the full courier workflow: task details, the local event log (transitions, contact
    // attempts, exceptions, shift events) with clock offset and location, action context in
    // the outbox, and the customer-data purge mark.
    r#"
    ALTER TABLE tasks ADD COLUMN ordered_at INTEGER;
    ALTER TABLE tasks ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE tasks ADD COLUMN return_to TEXT;
    ALTER TABLE tasks ADD COLUMN ended_at INTEGER;
    ALTER TABLE tasks ADD COLUMN purged_at INTEGER;
    ALTER TABLE stops ADD COLUMN not_before INTEGER;
    ALTER TABLE stops ADD COLUMN pin_corrected INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN context TEXT;
    CREATE TABLE task_events (
        id             INTEGER PRIMARY KEY,
        task_id        TEXT NOT NULL,
        kind           TEXT NOT NULL,
        detail         TEXT NOT NULL,
        at             INTEGER NOT NULL,
        clock_offset_s INTEGER,
        lat            REAL,
        lon            REAL,
        accuracy_m     REAL,
        source         TEXT
    ) STRICT;
    CREATE INDEX task_events_by_task ON task_events(task_id, id);
    CREATE INDEX task_events_by_time ON task_events(at);
    "#,
    // v6: barcode scans at handoffs, classified against the manifests; the customer's handoff
    // code (salted hash) with its failed attempts; SOP checklists (templates, the version each
    // task keeps, answers) and the task's proof policy; ratings received, and the courier's own
    // ratings of stops.
    r#"
    CREATE TABLE scans (
        id        INTEGER PRIMARY KEY,
        task_id   TEXT NOT NULL,
        stage     TEXT NOT NULL,
        key       TEXT NOT NULL,
        item_code TEXT,
        outcome   TEXT NOT NULL,
        at        INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX scans_by_task ON scans(task_id, stage);
    CREATE INDEX scans_by_key ON scans(key, id);
    ALTER TABLE tasks ADD COLUMN handoff_code TEXT;
    ALTER TABLE tasks ADD COLUMN handoff_failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN handoff_verified INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN contactless INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN proof TEXT NOT NULL DEFAULT 'none';
    CREATE TABLE checklist_templates (
        id      TEXT NOT NULL,
        version INTEGER NOT NULL,
        seq     INTEGER NOT NULL,
        body    TEXT NOT NULL,
        PRIMARY KEY (id, version)
    ) STRICT;
    CREATE TABLE task_checklists (
        task_id     TEXT NOT NULL,
        stage       TEXT NOT NULL,
        template_id TEXT NOT NULL,
        version     INTEGER NOT NULL,
        PRIMARY KEY (task_id, stage)
    ) STRICT;
    CREATE TABLE answers (
        task_id      TEXT NOT NULL,
        stage        TEXT NOT NULL,
        item_id      TEXT NOT NULL,
        value        TEXT NOT NULL,
        out_of_range INTEGER NOT NULL DEFAULT 0,
        at           INTEGER NOT NULL,
        PRIMARY KEY (task_id, stage, item_id)
    ) STRICT;
    CREATE TABLE ratings (
        id          TEXT PRIMARY KEY,
        task_id     TEXT NOT NULL,
        body        TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        seq         INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE stop_ratings (
        task_id TEXT NOT NULL,
        target  TEXT NOT NULL,
        stars   INTEGER NOT NULL,
        note    TEXT,
        at      INTEGER NOT NULL,
        PRIMARY KEY (task_id, target)
    ) STRICT;
    "#,
    // v7: mutations the server acknowledged, kept a while (the retention purge and a count cap
    // bound them) so they can be sent again to a server that lost them (restored a backup).
    r#"
    CREATE TABLE acked (
        mutation_id INTEGER PRIMARY KEY,
        task_id     TEXT NOT NULL,
        action      TEXT NOT NULL,
        device_time INTEGER NOT NULL,
        context     TEXT,
        acked_at    INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX acked_by_time ON acked(acked_at);
    "#,
    // v8: the customer's language (BCP 47), for the messages the courier sends them.
    r#"
    ALTER TABLE tasks ADD COLUMN customer_locale TEXT;
    "#,
    // v9: after-sales cases about the courier's deliveries (the server's document, with the
    // courier's statement shown until the server confirms it), recalls of product batches,
    // items set aside because a recall covers them, and each scan's GTIN, batch and expiry so
    // a recall issued later finds the goods already in the box.
    r#"
    CREATE TABLE cases (
        id            INTEGER PRIMARY KEY,
        task_id       TEXT NOT NULL,
        body          TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        fault         TEXT,
        opened_at     INTEGER NOT NULL,
        statement     TEXT,
        answered_at   INTEGER,
        answered_seq  INTEGER
    ) STRICT;
    CREATE INDEX cases_by_task ON cases(task_id);
    CREATE TABLE recalls (
        id    INTEGER PRIMARY KEY,
        body  TEXT NOT NULL,
        seq   INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE set_aside (
        task_id   TEXT NOT NULL,
        item_code TEXT NOT NULL,
        recall_id INTEGER NOT NULL,
        at        INTEGER NOT NULL,
        PRIMARY KEY (task_id, item_code)
    ) STRICT;
    ALTER TABLE scans ADD COLUMN gtin TEXT;
    ALTER TABLE scans ADD COLUMN batch TEXT;
    ALTER TABLE scans ADD COLUMN expiry TEXT;
    ALTER TABLE tasks ADD COLUMN case_id INTEGER;
    ALTER TABLE tasks ADD COLUMN take_back TEXT NOT NULL DEFAULT '[]';
    "#,
    // v10: this session's capabilities (issue 21), one block each.
    r#"
    -- offers
    CREATE TABLE offers (
        id             INTEGER PRIMARY KEY,
        body           TEXT NOT NULL,
        status         TEXT NOT NULL,
        expires_at     INTEGER NOT NULL,
        seq            INTEGER NOT NULL,
        answer         TEXT,
        decline_reason TEXT,
        refused        TEXT,
        refused_by     INTEGER
    ) STRICT;

    -- handover between couriers: the task's handovers as the server sent them (kept when the
    -- task leaves the phone: the chain of custody), and the receiving courier's bag scans.
    CREATE TABLE handovers (
        task_id TEXT NOT NULL,
        seq     INTEGER NOT NULL,
        body    TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
    ) STRICT;
    CREATE TABLE handover_scans (
        task_id    TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        item_code  TEXT NOT NULL,
        code       TEXT NOT NULL,
        scanned_at INTEGER NOT NULL,
        PRIMARY KEY (task_id, seq, item_code)
    ) STRICT;

    -- earnings
    CREATE TABLE earning_lines (
        id        TEXT PRIMARY KEY,
        task_id   TEXT,
        body      TEXT NOT NULL,
        earned_at INTEGER NOT NULL,
        seq       INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX earning_lines_by_time ON earning_lines(earned_at);

    -- training and qualifications: the newest version of each module dispatch published, the
    -- qualifications the server confirmed, and the quiz attempts made on the phone (with the
    -- server's code when it refused one).
    CREATE TABLE training_modules (
        id      TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        body    TEXT NOT NULL,
        seq     INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE qualifications (
        module_id TEXT PRIMARY KEY,
        body      TEXT NOT NULL,
        seq       INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE quiz_attempts (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        module_id      TEXT NOT NULL,
        module_version INTEGER NOT NULL,
        correct        INTEGER NOT NULL,
        total          INTEGER NOT NULL,
        passed         INTEGER NOT NULL,
        at             INTEGER NOT NULL,
        refused        TEXT
    ) STRICT;
    CREATE INDEX quiz_attempts_by_module ON quiz_attempts(module_id, id);

    -- door: cash on delivery (the amount due, what was collected and given back at the door,
    -- the hand-ins at the end of the shift), lockers and pickup points (the locker the task
    -- goes to, its codes scanned as the proof). Age and ID checks are checklist answers.
    ALTER TABLE tasks ADD COLUMN cash_due TEXT;
    ALTER TABLE tasks ADD COLUMN locker TEXT;
    CREATE TABLE cash_hand_ins (
        id        INTEGER PRIMARY KEY,
        currency  TEXT NOT NULL,
        held      INTEGER NOT NULL,
        handed    INTEGER NOT NULL,
        at        INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE cash_collections (
        task_id     TEXT PRIMARY KEY,
        currency    TEXT NOT NULL,
        due         INTEGER NOT NULL,
        collected   INTEGER NOT NULL,
        change      INTEGER NOT NULL,
        reason      TEXT,
        at          INTEGER NOT NULL,
        hand_in_id  INTEGER REFERENCES cash_hand_ins(id)
    ) STRICT;
    CREATE TABLE locker_drops (
        task_id      TEXT PRIMARY KEY,
        locker_code  TEXT NOT NULL,
        compartment  TEXT NOT NULL,
        at           INTEGER NOT NULL
    ) STRICT;
    "#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database to [`CURRENT_VERSION`] in one immediate transaction, or refuses a file
/// written by a newer build. A fresh database also gets its client id here.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > CURRENT_VERSION {
        return Err(Error::IncompatibleVersion {
            found,
            supported: CURRENT_VERSION,
        });
    }
    if found == CURRENT_VERSION {
        return Ok(());
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tracing::info!(from = i, to = i + 1, "migrating device schema");
        tx.execute_batch(sql)?;
    }
    if found == 0 {
        // A new install: a new client id, so mutation ids restarting at 1 never collide with
        // ids a previous install of this courier already sent.
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('client_id', ?1)",
            [uuid::Uuid::new_v4().to_string()],
        )?;
    }
    tx.pragma_update(None, "user_version", CURRENT_VERSION)?;
    tx.commit()?;
    Ok(())
}

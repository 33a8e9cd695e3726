//! The server schema, one migration per version, written once for both engines.

/// Migration `n` takes the server schema from version `n - 1` to `n`. Written in SQLite's
/// dialect; PostgreSQL runs [`super::postgres_dialect`] of the same text, so the versions match.
pub(crate) const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE couriers (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        token_sha256 TEXT NOT NULL UNIQUE,
        created_at   INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE tasks (
        id         TEXT PRIMARY KEY,
        courier_id TEXT REFERENCES couriers(id),
        kind       TEXT NOT NULL,
        status     TEXT NOT NULL,
        pickup     TEXT,
        dropoff    TEXT NOT NULL,
        revision   INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE changes (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        courier_id TEXT NOT NULL,
        task_id    TEXT NOT NULL,
        op         TEXT NOT NULL CHECK (op IN ('upsert', 'remove'))
    ) STRICT;
    CREATE INDEX changes_by_courier ON changes(courier_id, seq);
    CREATE TABLE clients (
        client_id        TEXT PRIMARY KEY,
        courier_id       TEXT NOT NULL REFERENCES couriers(id),
        last_mutation_id INTEGER NOT NULL DEFAULT 0,
        created_at       INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE mutations (
        client_id   TEXT NOT NULL,
        mutation_id INTEGER NOT NULL,
        courier_id  TEXT NOT NULL,
        task_id     TEXT NOT NULL,
        action      TEXT NOT NULL,
        device_time INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        outcome     TEXT NOT NULL CHECK (outcome IN ('applied', 'rejected')),
        reject_code TEXT,
        reason      TEXT,
        PRIMARY KEY (client_id, mutation_id)
    ) STRICT;
    CREATE INDEX mutations_by_task ON mutations(task_id);
"#,
    r#"
    CREATE TABLE attachments (
        sha256      TEXT PRIMARY KEY,
        courier_id  TEXT NOT NULL REFERENCES couriers(id),
        size        INTEGER NOT NULL,
        content     BLOB NOT NULL,
        received_at INTEGER NOT NULL
    ) STRICT;
"#,
    r#"
    CREATE TABLE location_fixes (
        client_id   TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        courier_id  TEXT NOT NULL,
        lat         REAL NOT NULL,
        lon         REAL NOT NULL,
        accuracy_m  REAL NOT NULL,
        recorded_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (client_id, seq)
    ) STRICT;
    CREATE INDEX fixes_by_courier ON location_fixes(courier_id, recorded_at);
    CREATE TABLE location_drops (
        courier_id  TEXT NOT NULL,
        dropped     INTEGER NOT NULL,
        reported_at INTEGER NOT NULL
    ) STRICT;
"#,
    r#"
    CREATE TABLE after_sales (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id     TEXT NOT NULL,
        courier_id  TEXT NOT NULL,
        client_id   TEXT NOT NULL,
        mutation_id INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        detail      TEXT NOT NULL,
        created_at  INTEGER NOT NULL
    ) STRICT;
"#,
    r#"
    CREATE TABLE settings (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL,
        body    TEXT NOT NULL
    ) STRICT;
"#,
    r#"
    ALTER TABLE tasks ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE mutations ADD COLUMN context TEXT;
    CREATE TABLE address_pins (
        address_key  TEXT PRIMARY KEY,
        lat          REAL NOT NULL,
        lon          REAL NOT NULL,
        courier_id   TEXT NOT NULL,
        task_id      TEXT NOT NULL,
        corrected_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE messages (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id    TEXT NOT NULL,
        courier_id TEXT NOT NULL,
        template   TEXT NOT NULL,
        body       TEXT NOT NULL,
        sent_at    INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE courier_status (
        courier_id TEXT PRIMARY KEY REFERENCES couriers(id),
        state      TEXT NOT NULL CHECK (state IN ('on_duty', 'on_break', 'off_duty')),
        since      INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE checklist_templates (
        id      TEXT NOT NULL,
        version INTEGER NOT NULL,
        seq     INTEGER NOT NULL UNIQUE,
        body    TEXT NOT NULL,
        PRIMARY KEY (id, version)
    ) STRICT;
    CREATE TABLE ratings (
        id            TEXT PRIMARY KEY,
        courier_id    TEXT NOT NULL,
        task_id       TEXT NOT NULL,
        source        TEXT NOT NULL,
        stars         INTEGER,
        tags          TEXT NOT NULL DEFAULT '[]',
        comment       TEXT,
        created_at    INTEGER NOT NULL,
        appeal        TEXT,
        appeal_note   TEXT,
        appeal_reason TEXT,
        evidence      TEXT,
        seq           INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX ratings_by_courier ON ratings(courier_id, seq);
    CREATE TABLE stop_ratings (
        task_id    TEXT NOT NULL,
        target     TEXT NOT NULL,
        courier_id TEXT NOT NULL,
        stars      INTEGER NOT NULL,
        tags       TEXT NOT NULL,
        note       TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (task_id, target)
    ) STRICT;
"#,
    r#"
    ALTER TABLE mutations ADD COLUMN content_sha256 TEXT;
"#,
    // Courier tokens with an expiry and a revocation time. Tokens issued before this version
    // never expired: they are carried over expiring 12 h after their courier was created, so
    // on an older store they are expired at once and the phones fetch fresh ones.
    r#"
    CREATE TABLE courier_tokens (
        token_sha256 TEXT PRIMARY KEY,
        courier_id   TEXT NOT NULL REFERENCES couriers(id),
        issued_at    INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        revoked_at   INTEGER
    ) STRICT;
    CREATE INDEX courier_tokens_by_courier ON courier_tokens(courier_id);
    INSERT INTO courier_tokens (token_sha256, courier_id, issued_at, expires_at)
        SELECT token_sha256, id, created_at, created_at + 43200 FROM couriers;
"#,
    r#"
    CREATE TABLE pin_corrections (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        address_key  TEXT NOT NULL,
        courier_id   TEXT NOT NULL,
        task_id      TEXT NOT NULL,
        lat          REAL NOT NULL,
        lon          REAL NOT NULL,
        original_lat REAL NOT NULL,
        original_lon REAL NOT NULL,
        corrected_at INTEGER NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
        decided_at   INTEGER
    ) STRICT;
    CREATE INDEX pin_corrections_by_address ON pin_corrections(address_key, courier_id);
    CREATE INDEX pin_corrections_by_status ON pin_corrections(status, id);
    ALTER TABLE mutations ADD COLUMN bounded_time INTEGER;
    CREATE INDEX mutations_by_courier_time ON mutations(courier_id, bounded_time);
    CREATE TABLE handoff_codes (
        task_id     TEXT PRIMARY KEY,
        code        TEXT NOT NULL,
        failures    INTEGER NOT NULL DEFAULT 0,
        verified_at INTEGER
    ) STRICT;
"#,
    // Each install's push token (FCM, APNs), for dispatch to wake the phone for a sync.
    r#"
    CREATE TABLE push_tokens (
        client_id     TEXT PRIMARY KEY,
        courier_id    TEXT NOT NULL REFERENCES couriers(id),
        platform      TEXT NOT NULL CHECK (platform IN ('fcm', 'apns')),
        token         TEXT NOT NULL,
        registered_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX push_tokens_by_courier ON push_tokens(courier_id, registered_at);
    CREATE INDEX push_tokens_by_token ON push_tokens(platform, token);
"#,
    // After-sales cases with a lifecycle (kind, team, status, deadlines, history), recalls of
    // a product batch. The old after_sales rows (a courier's fact or exception report, their
    // kind a free string) become cases of the matching kind, open, with the default deadlines
    // and their old kind kept as the case's cause.
    r#"
    CREATE TABLE cases (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id           TEXT NOT NULL,
        courier_id        TEXT,
        client_id         TEXT,
        mutation_id       INTEGER,
        kind              TEXT NOT NULL,
        cause             TEXT NOT NULL,
        team              TEXT NOT NULL,
        status            TEXT NOT NULL,
        summary           TEXT NOT NULL,
        opened_at         INTEGER NOT NULL,
        respond_by        INTEGER NOT NULL,
        resolve_by        INTEGER NOT NULL,
        answer_by         INTEGER,
        first_response_at INTEGER,
        settled_at        INTEGER,
        closed_at         INTEGER,
        satisfaction      INTEGER,
        courier_statement TEXT,
        evidence          TEXT,
        resolution_note   TEXT,
        fault             TEXT,
        follow_up_task_id TEXT,
        recall_id         INTEGER,
        breached          INTEGER NOT NULL DEFAULT 0,
        response_noted    INTEGER NOT NULL DEFAULT 0,
        resolution_noted  INTEGER NOT NULL DEFAULT 0,
        answer_noted      INTEGER NOT NULL DEFAULT 0,
        seq               INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX cases_by_courier ON cases(courier_id, seq);
    CREATE INDEX cases_by_task ON cases(task_id);
    CREATE INDEX cases_by_recall ON cases(recall_id);
    CREATE TABLE case_events (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id INTEGER NOT NULL,
        at      INTEGER NOT NULL,
        actor   TEXT NOT NULL,
        event   TEXT NOT NULL,
        note    TEXT
    ) STRICT;
    CREATE INDEX case_events_by_case ON case_events(case_id, id);
    CREATE TABLE recalls (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        gtin        TEXT NOT NULL,
        batch       TEXT NOT NULL,
        expiry_from TEXT,
        expiry_to   TEXT,
        reason      TEXT NOT NULL,
        issued_at   INTEGER NOT NULL,
        lifted_at   INTEGER,
        seq         INTEGER NOT NULL
    ) STRICT;
    INSERT INTO cases (task_id, courier_id, client_id, mutation_id, kind, cause, team, status,
            summary, opened_at, respond_by, resolve_by, seq)
        SELECT task_id, courier_id, client_id, mutation_id,
            CASE
                WHEN kind IN ('fact_on_closed_task', 'fact_on_reassigned_task') THEN 'conflict'
                WHEN kind = 'handoff_code_disputed' THEN 'handoff_code_failed'
                WHEN kind = 'exception:checklist_breach' THEN 'cold_chain_breach'
                ELSE 'delivery_exception'
            END,
            kind, 'delivery_problems', 'open', detail, created_at, created_at + 3600,
            created_at + 86400, id
        FROM after_sales ORDER BY id;
    INSERT INTO case_events (case_id, at, actor, event, note)
        SELECT id, opened_at, 'system', 'opened', cause FROM cases ORDER BY id;
    DROP TABLE after_sales;
"#,
    // Offers: a task or a stack of up to three offered to a courier until an expiry; the
    // tasks as offered (without the customer's name and phone), the answer and its reason.
    r#"
    CREATE TABLE offers (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        courier_id       TEXT NOT NULL REFERENCES couriers(id),
        tasks            TEXT NOT NULL,
        offered_at       INTEGER NOT NULL,
        expires_at       INTEGER NOT NULL,
        status           TEXT NOT NULL,
        decline_reason   TEXT,
        decline_note     TEXT,
        decided_at       INTEGER,
        late_acceptances INTEGER NOT NULL DEFAULT 0,
        seq              INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX offers_by_courier ON offers(courier_id, seq);
    CREATE INDEX offers_by_time ON offers(offered_at);
    CREATE TABLE offer_tasks (
        offer_id INTEGER NOT NULL,
        task_id  TEXT NOT NULL,
        PRIMARY KEY (offer_id, task_id)
    ) STRICT;
    CREATE INDEX offer_tasks_by_task ON offer_tasks(task_id);
"#,
    // Box capacity: each courier's vehicle and box as dispatch set it, versioned per courier
    // (the pull delivers it when newer than the phone's).
    r#"
    CREATE TABLE vehicles (
        courier_id TEXT PRIMARY KEY REFERENCES couriers(id),
        version    INTEGER NOT NULL,
        body       TEXT NOT NULL
    ) STRICT;
"#,
    // Earnings: the lines of each courier's pay (a delivered task's computed lines, tips,
    // adjustments, incentive bonuses), with the courier's appeal and dispatch's decision.
    r#"
    CREATE TABLE earning_lines (
        id            TEXT PRIMARY KEY,
        courier_id    TEXT NOT NULL,
        task_id       TEXT,
        kind          TEXT NOT NULL CHECK (kind IN ('base', 'distance', 'peak', 'waiting',
                                                    'tip', 'adjustment', 'bonus')),
        amount_minor  INTEGER NOT NULL,
        currency      TEXT NOT NULL,
        note          TEXT,
        earned_at     INTEGER NOT NULL,
        appeal        TEXT CHECK (appeal IN ('pending', 'upheld', 'rejected')),
        appeal_reason TEXT,
        appeal_note   TEXT,
        seq           INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX earning_lines_by_courier_seq ON earning_lines(courier_id, seq);
    CREATE INDEX earning_lines_by_courier_time ON earning_lines(courier_id, earned_at);
"#,
    // Training and qualifications: modules dispatch publishes (every version kept, numbered
    // in publication order), the quiz attempts couriers push as graded, and the qualification
    // each courier holds per module (the last pass, with its expiry).
    r#"
    CREATE TABLE training_modules (
        id      TEXT NOT NULL,
        version INTEGER NOT NULL,
        seq     INTEGER NOT NULL,
        body    TEXT NOT NULL,
        PRIMARY KEY (id, version)
    ) STRICT;
    CREATE INDEX training_modules_by_seq ON training_modules(seq);
    CREATE TABLE quiz_attempts (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        courier_id     TEXT NOT NULL,
        client_id      TEXT NOT NULL,
        mutation_id    INTEGER NOT NULL,
        module_id      TEXT NOT NULL,
        module_version INTEGER NOT NULL,
        answers        TEXT NOT NULL,
        correct        INTEGER NOT NULL,
        total          INTEGER NOT NULL,
        passed         INTEGER NOT NULL,
        at             INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX quiz_attempts_by_courier ON quiz_attempts(courier_id, id);
    CREATE TABLE qualifications (
        courier_id     TEXT NOT NULL,
        module_id      TEXT NOT NULL,
        module_version INTEGER NOT NULL,
        passed_at      INTEGER NOT NULL,
        expires_at     INTEGER,
        seq            INTEGER NOT NULL,
        PRIMARY KEY (courier_id, module_id)
    ) STRICT;
    CREATE INDEX qualifications_by_courier ON qualifications(courier_id, seq);
"#,
    // Cash on delivery (what each courier collected and gave back at the door; the hand-ins
    // at the end of a shift, reconciled against those collections) and lockers (the locker's
    // label and the compartment scanned at a locker or pickup-point drop-off).
    r#"
    CREATE TABLE cash_hand_ins (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        courier_id    TEXT NOT NULL,
        client_id     TEXT NOT NULL,
        mutation_id   INTEGER NOT NULL,
        currency      TEXT NOT NULL,
        held          INTEGER NOT NULL,
        held_on_phone INTEGER NOT NULL,
        handed        INTEGER NOT NULL,
        handed_at     INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX cash_hand_ins_by_courier ON cash_hand_ins(courier_id, id);
    CREATE TABLE cash_collections (
        task_id      TEXT PRIMARY KEY,
        courier_id   TEXT NOT NULL,
        currency     TEXT NOT NULL,
        due          INTEGER NOT NULL,
        collected    INTEGER NOT NULL,
        change_given INTEGER NOT NULL,
        reason       TEXT,
        recorded_at  INTEGER NOT NULL,
        hand_in_id   INTEGER
    ) STRICT;
    CREATE INDEX cash_collections_by_courier ON cash_collections(courier_id, hand_in_id);
    CREATE TABLE locker_drops (
        task_id     TEXT PRIMARY KEY,
        courier_id  TEXT NOT NULL,
        locker_id   TEXT NOT NULL,
        locker_code TEXT NOT NULL,
        compartment TEXT NOT NULL,
        dropped_at  INTEGER NOT NULL
    ) STRICT;
"#,
    // Offers dispatch withdraws: the reason it gave.
    r#"
    ALTER TABLE offers ADD COLUMN withdraw_reason TEXT;
"#,
    // The feeds numbered by `MAX(seq) + 1` on insert (pay lines, offers, ratings, cases,
    // recalls, qualifications) read their maximum from an index instead of the whole table,
    // which grew with every line ever written: an insert cost in proportion to the history
    // (0.28 ms per pay line under the load test, the fourth costliest statement). Recalls are
    // also pulled by `seq` alone.
    r#"
    CREATE INDEX earning_lines_by_seq ON earning_lines(seq);
    CREATE INDEX offers_by_seq ON offers(seq);
    CREATE INDEX ratings_by_seq ON ratings(seq);
    CREATE INDEX cases_by_seq ON cases(seq);
    CREATE INDEX recalls_by_seq ON recalls(seq);
    CREATE INDEX qualifications_by_seq ON qualifications(seq);
"#,
];

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    /// id, kind, cause, team, status, respond_by, resolve_by, seq.
    type CaseRow = (i64, String, String, String, String, i64, i64, i64);

    #[test]
    fn every_feed_numbered_by_its_maximum_reads_it_from_an_index() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for m in MIGRATIONS {
            conn.execute_batch(m).unwrap();
        }
        for table in [
            "earning_lines",
            "offers",
            "ratings",
            "cases",
            "recalls",
            "qualifications",
            "checklist_templates",
            "training_modules",
        ] {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN SELECT MAX(seq) FROM {table}"))
                .unwrap()
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            // The index the maximum is read from must lead with `seq` (one leading with the
            // courier would be read whole).
            let index = plan
                .iter()
                .find_map(|p| p.split("INDEX ").nth(1))
                .unwrap_or_else(|| panic!("{table}: no index in {plan:?}"));
            let first: String = conn
                .query_row(&format!("PRAGMA index_info({index})"), [], |r| r.get(2))
                .unwrap();
            assert_eq!(first, "seq", "{table}: {plan:?}");
        }
    }

    #[test]
    fn old_after_sales_rows_become_open_cases_of_their_kind() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for m in &MIGRATIONS[..10] {
            conn.execute_batch(m).unwrap();
        }
        for (kind, at) in [
            ("fact_on_closed_task", 100),
            ("exception:merchant_delay", 200),
            ("exception:checklist_breach", 300),
            ("handoff_code_disputed", 400),
        ] {
            conn.execute(
                "INSERT INTO after_sales (task_id, courier_id, client_id, mutation_id, kind,
                     detail, created_at)
                 VALUES ('T1', 'c1', 'phone', 1, ?1, 'what happened', ?2)",
                rusqlite::params![kind, at],
            )
            .unwrap();
        }
        conn.execute_batch(MIGRATIONS[10]).unwrap();
        let mut st = conn
            .prepare(
                "SELECT id, kind, cause, team, status, respond_by, resolve_by, seq FROM cases
                 ORDER BY id",
            )
            .unwrap();
        let rows: Vec<CaseRow> = st
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let kinds: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "conflict",
                "delivery_exception",
                "cold_chain_breach",
                "handoff_code_failed"
            ]
        );
        assert_eq!(rows[0].2, "fact_on_closed_task");
        assert!(rows
            .iter()
            .all(|r| r.3 == "delivery_problems" && r.4 == "open"));
        assert_eq!((rows[1].5, rows[1].6, rows[1].7), (3800, 86_600, 2));
        let events: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM case_events WHERE event = 'opened'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(events, 4);
        let old: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'after_sales'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(old, 0);
    }
}

//! Where PostgreSQL's time went in the measured window, per statement, from its own
//! `pg_stat_statements` (loaded by the cluster `cargo xtask loadtest` starts; a cluster without
//! it gives no figures, and the load test says so). Execution time is not CPU time, but on a
//! database held in memory (the load test's) the two are close, and the ranking is what tells
//! the next thing to make cheaper.

/// One statement's share of the window.
#[derive(Debug, Clone)]
pub struct Statement {
    /// The statement's text, whitespace folded, cut to a line.
    pub text: String,
    /// Times it ran in the window.
    pub calls: i64,
    /// Its execution time over the window, milliseconds.
    pub total_ms: f64,
    /// Whether it was sent by a client (else it ran inside a function, and its time is also in
    /// the function's).
    pub top_level: bool,
}

/// Empties the statistics of the database at `url` at the window's start; false when
/// `pg_stat_statements` is not loaded there.
pub fn reset(url: &str) -> bool {
    let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls) else {
        return false;
    };
    client
        .batch_execute(
            "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; \
             SELECT pg_stat_statements_reset();",
        )
        .is_ok()
}

/// The `n` statements of the database at `url` that took the most execution time since
/// [`reset`], most first; empty when the statistics cannot be read.
pub fn top(url: &str, n: i64) -> Vec<Statement> {
    let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls) else {
        return Vec::new();
    };
    let rows = client.query(
        "SELECT query, calls, total_exec_time, toplevel FROM pg_stat_statements \
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND query NOT LIKE '%pg_stat_statements%' \
         ORDER BY total_exec_time DESC LIMIT $1",
        &[&n],
    );
    let Ok(rows) = rows else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|r| {
            let text: String = r.try_get(0).ok()?;
            Some(Statement {
                text: one_line(&text, 110),
                calls: r.try_get(1).ok()?,
                total_ms: r.try_get(2).ok()?,
                top_level: r.try_get(3).ok()?,
            })
        })
        .collect()
}

/// `text` with its whitespace folded to single spaces, cut to `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        return folded;
    }
    let mut cut: String = folded.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_is_folded_to_one_short_line() {
        assert_eq!(
            one_line("SELECT a,\n     b\tFROM t", 80),
            "SELECT a, b FROM t"
        );
        assert_eq!(one_line("SELECT 1234567", 8), "SELECT …");
    }
}

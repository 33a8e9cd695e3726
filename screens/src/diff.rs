//! What changed between two screens: the first update is the whole screen, later ones only the
//! parts that changed, and the task list row by row (matrix-rust-sdk's listener style).

use crate::screen::{Body, Header, Screen, ShiftBar, SyncBanner, TaskRow};

/// One update to a screen listener.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[allow(clippy::large_enum_variant)] // UniFFI enums cannot hold a Box; one screen per update.
pub enum ScreenUpdate {
    /// The whole screen: the first update, and after a change of language.
    Reset {
        /// The screen.
        screen: Screen,
    },
    /// Parts that changed, to apply in order.
    Changed {
        /// The changes.
        changes: Vec<ScreenChange>,
    },
}

/// A part of the screen that changed.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[allow(clippy::large_enum_variant)] // UniFFI enums cannot hold a Box; one body per change.
pub enum ScreenChange {
    /// The header.
    Header {
        /// Its new value.
        header: Header,
    },
    /// The shift bar.
    ShiftBar {
        /// Its new value.
        bar: ShiftBar,
    },
    /// The sync banner.
    SyncBanner {
        /// Its new value.
        banner: SyncBanner,
    },
    /// The transient notice (a verdict, "report sent").
    Notice {
        /// Its new value.
        notice: Option<crate::screen::Verdict>,
    },
    /// Another page, or a page other than the task list changed.
    Body {
        /// The new body.
        body: Body,
    },
    /// The task list's summary line or empty text changed.
    TaskListSummary {
        /// The summary.
        summary: String,
        /// What an empty list says.
        empty_text: Option<String>,
    },
    /// The task list's rows changed.
    Rows {
        /// Row edits, to apply in order.
        diffs: Vec<RowDiff>,
    },
}

/// One edit of the task list's rows.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RowDiff {
    /// Replace the row at `index`.
    Set {
        /// Where.
        index: u32,
        /// The row.
        row: TaskRow,
    },
    /// Insert a row at `index`.
    Insert {
        /// Where.
        index: u32,
        /// The row.
        row: TaskRow,
    },
    /// Remove the row at `index`.
    Remove {
        /// Where.
        index: u32,
    },
}

/// The changes that turn `old` into `new` (empty when nothing changed).
pub fn diff(old: &Screen, new: &Screen) -> Vec<ScreenChange> {
    let mut out = Vec::new();
    if old.header != new.header {
        out.push(ScreenChange::Header {
            header: new.header.clone(),
        });
    }
    if old.shift_bar != new.shift_bar {
        out.push(ScreenChange::ShiftBar {
            bar: new.shift_bar.clone(),
        });
    }
    if old.sync_banner != new.sync_banner {
        out.push(ScreenChange::SyncBanner {
            banner: new.sync_banner.clone(),
        });
    }
    if old.notice != new.notice {
        out.push(ScreenChange::Notice {
            notice: new.notice.clone(),
        });
    }
    match (&old.body, &new.body) {
        (Body::Tasks { page: a }, Body::Tasks { page: b }) => {
            if a.summary != b.summary || a.empty_text != b.empty_text {
                out.push(ScreenChange::TaskListSummary {
                    summary: b.summary.clone(),
                    empty_text: b.empty_text.clone(),
                });
            }
            let diffs = rows(&a.rows, &b.rows);
            if !diffs.is_empty() {
                out.push(ScreenChange::Rows { diffs });
            }
        }
        (a, b) if a != b => out.push(ScreenChange::Body { body: b.clone() }),
        _ => {}
    }
    out
}

/// Row edits that turn `old` into `new`: removals of rows gone, then per position an insert
/// (new or moved row) or a replacement (changed row).
pub fn rows(old: &[TaskRow], new: &[TaskRow]) -> Vec<RowDiff> {
    let mut cur: Vec<&TaskRow> = old.iter().collect();
    let mut out = Vec::new();
    let keep: std::collections::HashSet<&str> = new.iter().map(|r| r.task_id.as_str()).collect();
    let mut i = cur.len();
    while i > 0 {
        i -= 1;
        if !keep.contains(cur[i].task_id.as_str()) {
            cur.remove(i);
            out.push(RowDiff::Remove { index: i as u32 });
        }
    }
    for (index, row) in new.iter().enumerate() {
        match cur.get(index) {
            Some(c) if c.task_id == row.task_id => {
                if *c != row {
                    out.push(RowDiff::Set {
                        index: index as u32,
                        row: row.clone(),
                    });
                    cur[index] = row;
                }
            }
            _ => {
                if let Some(from) = cur.iter().position(|c| c.task_id == row.task_id) {
                    cur.remove(from);
                    out.push(RowDiff::Remove { index: from as u32 });
                }
                cur.insert(index, row);
                out.push(RowDiff::Insert {
                    index: index as u32,
                    row: row.clone(),
                });
            }
        }
    }
    while cur.len() > new.len() {
        let last = cur.len() - 1;
        cur.remove(last);
        out.push(RowDiff::Remove { index: last as u32 });
    }
    out
}

/// Applies row edits (what a shell does with [`ScreenChange::Rows`]).
pub fn apply_rows(rows: &mut Vec<TaskRow>, diffs: &[RowDiff]) {
    for d in diffs {
        match d {
            RowDiff::Set { index, row } => {
                if let Some(r) = rows.get_mut(*index as usize) {
                    *r = row.clone();
                }
            }
            RowDiff::Insert { index, row } => {
                let at = (*index as usize).min(rows.len());
                rows.insert(at, row.clone());
            }
            RowDiff::Remove { index } => {
                if (*index as usize) < rows.len() {
                    rows.remove(*index as usize);
                }
            }
        }
    }
}

/// Applies a list of changes to a screen (what a shell does with [`ScreenUpdate::Changed`]).
pub fn apply(screen: &mut Screen, changes: &[ScreenChange]) {
    for c in changes {
        match c {
            ScreenChange::Header { header } => screen.header = header.clone(),
            ScreenChange::ShiftBar { bar } => screen.shift_bar = bar.clone(),
            ScreenChange::SyncBanner { banner } => screen.sync_banner = banner.clone(),
            ScreenChange::Notice { notice } => screen.notice = notice.clone(),
            ScreenChange::Body { body } => screen.body = body.clone(),
            ScreenChange::TaskListSummary {
                summary,
                empty_text,
            } => {
                if let Body::Tasks { page } = &mut screen.body {
                    page.summary = summary.clone();
                    page.empty_text = empty_text.clone();
                }
            }
            ScreenChange::Rows { diffs } => {
                if let Body::Tasks { page } = &mut screen.body {
                    apply_rows(&mut page.rows, diffs);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::{Lateness, Tone};
    use proptest::prelude::*;

    fn row(id: u8, rev: u8) -> TaskRow {
        TaskRow {
            task_id: format!("T{id}"),
            title: format!("rev {rev}"),
            kind: String::new(),
            status: String::new(),
            group: runsheet_core::Group::Now,
            group_label: String::new(),
            promised: None,
            lateness: Lateness::Unknown,
            lateness_text: None,
            unsent: None,
            tone: Tone::Neutral,
            primary: None,
            secondary: Vec::new(),
        }
    }

    fn rows_of(spec: &[(u8, u8)]) -> Vec<TaskRow> {
        let mut seen = std::collections::HashSet::new();
        spec.iter()
            .filter(|(id, _)| seen.insert(*id))
            .map(|&(id, rev)| row(id, rev))
            .collect()
    }

    proptest! {
        /// Applying the edits to the old rows gives exactly the new rows, whatever moved,
        /// appeared, changed or went.
        #[test]
        fn row_edits_turn_the_old_list_into_the_new(
            old in proptest::collection::vec((0u8..30, 0u8..3), 0..25),
            new in proptest::collection::vec((0u8..30, 0u8..3), 0..25),
        ) {
            let (old, new) = (rows_of(&old), rows_of(&new));
            let edits = rows(&old, &new);
            let mut applied = old.clone();
            apply_rows(&mut applied, &edits);
            prop_assert_eq!(&applied, &new);
            if old == new {
                prop_assert!(edits.is_empty());
            }
        }
    }

    #[test]
    fn one_changed_row_is_one_edit() {
        let old = vec![row(1, 0), row(2, 0), row(3, 0)];
        let new = vec![row(1, 0), row(2, 1), row(3, 0)];
        assert_eq!(
            rows(&old, &new),
            vec![RowDiff::Set {
                index: 1,
                row: row(2, 1)
            }]
        );
    }
}

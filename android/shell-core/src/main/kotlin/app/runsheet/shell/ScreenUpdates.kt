package app.runsheet.shell

import app.runsheet.screens.Body
import app.runsheet.screens.RowDiff
import app.runsheet.screens.Screen
import app.runsheet.screens.ScreenChange
import app.runsheet.screens.ScreenUpdate
import app.runsheet.screens.TaskListPage
import app.runsheet.screens.TaskRow

/**
 * Applies one update from the core's screen listener: a `Reset` is the whole screen; a
 * `Changed` lists the parts that changed, applied in order (the Rust `apply` in
 * `screens/src/diff.rs` does the same). A change before the first screen is dropped: the
 * first update of a subscription is always a `Reset`.
 */
fun Screen?.applying(update: ScreenUpdate): Screen? = when (update) {
    is ScreenUpdate.Reset -> update.screen
    is ScreenUpdate.Changed -> this?.let { screen -> update.changes.fold(screen) { s, c -> s.applying(c) } }
}

/** One changed part. */
fun Screen.applying(change: ScreenChange): Screen = when (change) {
    is ScreenChange.Header -> copy(header = change.header)
    is ScreenChange.ShiftBar -> copy(shiftBar = change.bar)
    is ScreenChange.SyncBanner -> copy(syncBanner = change.banner)
    is ScreenChange.Notice -> copy(notice = change.notice)
    is ScreenChange.Body -> copy(body = change.body)
    is ScreenChange.TaskListSummary -> withTaskList { it.copy(summary = change.summary, emptyText = change.emptyText) }
    is ScreenChange.Rows -> withTaskList { it.copy(rows = it.rows.applying(change.diffs)) }
}

private fun Screen.withTaskList(edit: (TaskListPage) -> TaskListPage): Screen {
    val tasks = body as? Body.Tasks ?: return this
    return copy(body = Body.Tasks(edit(tasks.page)))
}

/** Row edits in order: replace, insert, remove by index (out-of-range edits are skipped). */
fun List<TaskRow>.applying(diffs: List<RowDiff>): List<TaskRow> {
    val rows = toMutableList()
    for (d in diffs) {
        when (d) {
            is RowDiff.Set -> d.index.toInt().takeIf { it in rows.indices }?.let { rows[it] = d.row }
            is RowDiff.Insert -> rows.add(d.index.toInt().coerceAtMost(rows.size), d.row)
            is RowDiff.Remove -> d.index.toInt().takeIf { it in rows.indices }?.let { rows.removeAt(it) }
        }
    }
    return rows
}

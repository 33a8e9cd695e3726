package app.runsheet.shell

import app.runsheet.core.TaskGroup
import app.runsheet.screens.Lateness
import app.runsheet.screens.RowDiff
import app.runsheet.screens.Screen
import app.runsheet.screens.ScreenChange
import app.runsheet.screens.ScreenUpdate
import app.runsheet.screens.TaskRow
import app.runsheet.screens.Tone
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Test

/** The shell's copy of the core's screen, kept by applying the listener's updates in order. */
class ScreenUpdatesTest {
    private fun row(id: String, status: String = "Assigned") = TaskRow(
        taskId = id,
        title = "Task $id",
        kind = "Delivery",
        status = status,
        group = TaskGroup.NEXT,
        groupLabel = "Next",
        promised = null,
        lateness = Lateness.UNKNOWN,
        latenessText = null,
        unsent = null,
        tone = Tone.NEUTRAL,
        primary = null,
        secondary = emptyList(),
    )

    @Test
    fun rowEditsApplyInOrder() {
        val rows = listOf(row("a"), row("b"), row("c"))
        val after = rows.applying(
            listOf(
                RowDiff.Set(1u, row("b", status = "Picked up")),
                RowDiff.Remove(0u),
                RowDiff.Insert(2u, row("d")),
            ),
        )
        assertEquals(listOf("b", "c", "d"), after.map { it.taskId })
        assertEquals("Picked up", after[0].status)
    }

    @Test
    fun outOfRangeEditsAreSkippedAndInsertsClampToTheEnd() {
        val rows = listOf(row("a"))
        val after = rows.applying(
            listOf(RowDiff.Set(5u, row("x")), RowDiff.Remove(9u), RowDiff.Insert(7u, row("b"))),
        )
        assertEquals(listOf("a", "b"), after.map { it.taskId })
    }

    @Test
    fun aChangeBeforeTheFirstScreenIsDropped() {
        val none: Screen? = null
        assertNull(none.applying(ScreenUpdate.Changed(listOf(ScreenChange.Notice(null)))))
    }
}

package app.runsheet.shell

import app.runsheet.protocol.ChecklistStage
import app.runsheet.screens.EffectResult
import app.runsheet.screens.PhotoPurpose
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File

/**
 * A capture in progress when Android kills the app: the journal written before the camera
 * opened lets the recreated activity answer the core with the purpose it asked for.
 */
class PhotoCaptureTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private fun journal() = CaptureJournal(File(tmp.root, "capture-in-progress"))

    @Test
    fun everyPurposeSurvivesProcessDeath() {
        val purposes = listOf(
            PhotoPurpose.Proof("t-1"),
            PhotoPurpose.Problem("t-2"),
            PhotoPurpose.Item("t-3", "(01)09501101530003"),
            PhotoPurpose.ChecklistItem("t-4", ChecklistStage.entries.last(), "box=clean\nand cold"),
            PhotoPurpose.ChecklistItem(null, ChecklistStage.entries.first(), "helmet"),
        )
        for (purpose in purposes) {
            val photo = File(tmp.root, "photos/p.jpg")
            journal().begin(PendingCapture(purpose, photo))
            // A new process: nothing in memory but the journal.
            assertEquals(PendingCapture(purpose, photo), journal().pending())
        }
    }

    @Test
    fun theCamerasPhotoIsHandedToTheCoreWithTheSavedPurpose() {
        val photo = File(tmp.newFolder("photos"), "a.jpg")
        journal().begin(PendingCapture(PhotoPurpose.Proof("t-1"), photo))
        photo.writeBytes(ByteArray(1024) { it.toByte() })

        val capture = journal().take() ?: error("the capture was recorded")
        assertEquals(EffectResult.PhotoTaken(PhotoPurpose.Proof("t-1"), photo.path), capture.result(saved = true))
        assertNull("taken once: a second path finds nothing", journal().take())
    }

    @Test
    fun aCancelledCaptureIsCancelledAndItsEmptyFileRemoved() {
        val photo = File(tmp.newFolder("photos"), "b.jpg")
        photo.createNewFile()
        journal().begin(PendingCapture(PhotoPurpose.Problem("t-2"), photo))
        val capture = journal().take() ?: error("the capture was recorded")
        assertEquals(EffectResult.Cancelled, capture.result(saved = false))
        assertFalse(photo.exists())
    }

    @Test
    fun anAbandonedCaptureKeepsAPhotoTheCameraWrote() {
        val dir = tmp.newFolder("photos")
        val written = File(dir, "c.jpg").apply { writeBytes(byteArrayOf(1, 2, 3)) }
        assertEquals(
            EffectResult.PhotoTaken(PhotoPurpose.Proof("t"), written.path),
            PendingCapture(PhotoPurpose.Proof("t"), written).result(saved = null),
        )
        val empty = File(dir, "d.jpg")
        assertEquals(EffectResult.Cancelled, PendingCapture(PhotoPurpose.Proof("t"), empty).result(saved = null))
        assertEquals(
            "the camera said no: not sent even if a file exists",
            EffectResult.Cancelled,
            PendingCapture(PhotoPurpose.Proof("t"), written).result(saved = false),
        )
    }

    @Test
    fun aDamagedJournalReadsAsNoCapture() {
        val file = File(tmp.root, "capture-in-progress")
        file.writeText("kind=proof\n")
        assertNull("no path", CaptureJournal(file).pending())
        file.writeText("path=/x.jpg\nkind=unknown\ntask=t\n")
        assertNull("an unknown purpose", CaptureJournal(file).pending())
        file.writeText("path=/x.jpg\nkind=checklist\nstage=NOT_A_STAGE\nitem=i\n")
        assertNull("an unknown stage", CaptureJournal(file).pending())
    }
}

package app.runsheet.shell

import app.runsheet.protocol.ChecklistStage
import app.runsheet.screens.EffectResult
import app.runsheet.screens.PhotoPurpose
import java.io.File
import java.io.FileOutputStream
import java.io.IOException
import java.util.Properties

/** A photo the camera app was asked to write, and what the core asked it for. */
data class PendingCapture(val purpose: PhotoPurpose, val photo: File)

/**
 * The capture in progress, kept in a small file before the camera app opens: Android may kill
 * the app while the camera is in front, and the recreated activity then gets the camera's
 * answer with nothing in memory. [take] hands the capture to whichever path answers first (the
 * camera's result, or a fresh launch that abandoned it) and only once.
 */
class CaptureJournal(private val file: File) {
    /** Records the capture before the camera is launched (atomically, synced to disk). */
    @Synchronized
    fun begin(capture: PendingCapture) {
        val props = Properties()
        props.setProperty(PATH, capture.photo.path)
        when (val p = capture.purpose) {
            is PhotoPurpose.Proof -> {
                props.setProperty(KIND, "proof")
                props.setProperty(TASK, p.taskId)
            }
            is PhotoPurpose.Problem -> {
                props.setProperty(KIND, "problem")
                props.setProperty(TASK, p.taskId)
            }
            is PhotoPurpose.Item -> {
                props.setProperty(KIND, "item")
                props.setProperty(TASK, p.taskId)
                props.setProperty(ITEM, p.itemCode)
            }
            is PhotoPurpose.ChecklistItem -> {
                props.setProperty(KIND, "checklist")
                p.taskId?.let { props.setProperty(TASK, it) }
                props.setProperty(STAGE, p.stage.name)
                props.setProperty(ITEM, p.itemId)
            }
        }
        file.parentFile?.mkdirs()
        val tmp = File(file.path + ".tmp")
        FileOutputStream(tmp).use { out ->
            props.store(out, null)
            out.fd.sync()
        }
        if (!tmp.renameTo(file)) throw IOException("cannot record the capture in progress")
    }

    /** The capture in progress, if one was recorded; a damaged record reads as none. */
    @Synchronized
    fun pending(): PendingCapture? {
        if (!file.exists()) return null
        val props = Properties()
        try {
            file.inputStream().use { props.load(it) }
        } catch (e: IOException) {
            return null
        } catch (e: IllegalArgumentException) {
            return null
        }
        val path = props.getProperty(PATH) ?: return null
        val task = props.getProperty(TASK)
        val item = props.getProperty(ITEM)
        val purpose = when (props.getProperty(KIND)) {
            "proof" -> task?.let { PhotoPurpose.Proof(it) }
            "problem" -> task?.let { PhotoPurpose.Problem(it) }
            "item" -> if (task != null && item != null) PhotoPurpose.Item(task, item) else null
            "checklist" -> {
                val stage = ChecklistStage.entries.firstOrNull { it.name == props.getProperty(STAGE) }
                if (stage != null && item != null) PhotoPurpose.ChecklistItem(task, stage, item) else null
            }
            else -> null
        } ?: return null
        return PendingCapture(purpose, File(path))
    }

    /** The capture in progress, forgotten as it is handed out (null: none, or already taken). */
    @Synchronized
    fun take(): PendingCapture? {
        val capture = pending()
        file.delete()
        return capture
    }

    private companion object {
        const val PATH = "path"
        const val KIND = "kind"
        const val TASK = "task"
        const val ITEM = "item"
        const val STAGE = "stage"
    }
}

/**
 * The core's answer for a capture that came back: the photo when the camera wrote one (made
 * durable first: the core hashes and uploads it later, maybe after another process death),
 * otherwise `Cancelled` and the empty file removed. `saved` is the camera's answer, or null
 * when none will come (the app was launched anew while a capture was recorded): a photo on
 * disk then still counts.
 */
fun PendingCapture.result(saved: Boolean?): EffectResult {
    val written = photo.isFile && photo.length() > 0
    return if (saved != false && written && syncToDisk(photo)) {
        EffectResult.PhotoTaken(purpose, photo.path)
    } else {
        photo.delete()
        EffectResult.Cancelled
    }
}

/** Flushes a file the camera app wrote to the disk; false when it cannot be opened. */
private fun syncToDisk(file: File): Boolean = try {
    FileOutputStream(file, true).use { it.fd.sync() }
    true
} catch (e: IOException) {
    false
}

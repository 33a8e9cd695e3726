package app.runsheet.courier

import android.Manifest
import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Build
import androidx.core.content.ContextCompat
import app.runsheet.screens.Effect
import app.runsheet.screens.EffectResult
import app.runsheet.screens.Permission
import app.runsheet.screens.PhotoPurpose
import app.runsheet.shell.CaptureJournal
import app.runsheet.shell.PendingCapture
import app.runsheet.shell.result
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import java.io.File
import java.util.UUID

/** Platform work that needs the activity on screen: served one at a time, in order. */
sealed interface ShellRequest {
    /** Show the core's rationale, then the system's permission prompt. */
    data class AskPermission(val permission: Permission, val rationale: String) : ShellRequest

    /** Open the camera, writing to `file`. */
    data class TakePhoto(val purpose: PhotoPurpose, val prompt: String, val file: File) : ShellRequest

    /** Show the signature pad. */
    data class TakeSignature(val taskId: String, val prompt: String) : ShellRequest
}

/**
 * Carries out the core's effects (crux's bridge: one `when` over every effect kind, each done
 * and, where it has an answer, handed back through `resolve`). Runs on the main thread. Work
 * that needs no screen (notifications, location, background sync, links, dialling, the screen
 * flag) is done at once; work that needs the activity (permission prompts, camera, signature)
 * is queued in [requests] for it. It decides nothing about the shift.
 */
class EffectExecutor(
    private val context: Context,
    private val captures: CaptureJournal,
    private val resolve: (EffectResult) -> Unit,
    private val say: (String) -> Unit,
) {
    private val _requests = MutableStateFlow<List<ShellRequest>>(emptyList())

    /** What the activity must do, oldest first; it serves the first and answers it. */
    val requests: StateFlow<List<ShellRequest>> = _requests.asStateFlow()

    private val _keepScreenOn = MutableStateFlow(false)

    /** The window's keep-screen-on flag, as the core last asked. */
    val keepScreenOn: StateFlow<Boolean> = _keepScreenOn.asStateFlow()

    /** The core's last location mode, applied again once a location permission is granted. */
    private var locationMode: Effect.SetLocationMode? = null

    /** What the courier last answered per permission, to report changes made in settings. */
    private val reported = mutableMapOf<Permission, Boolean>()

    /** Carries out one effect. */
    fun execute(effect: Effect) {
        when (effect) {
            is Effect.Notify ->
                NotificationChannels.show(context, effect.id, effect.channel, effect.title, effect.body)
            is Effect.RequestPermission -> ask(effect.permission, effect.rationale)
            is Effect.SetLocationMode -> {
                locationMode = effect
                LocationService.apply(context, effect.accuracy, effect.intervalS, effect.background)
            }
            is Effect.ScheduleSync -> SyncWorker.schedule(context, effect.onNetwork)
            is Effect.OpenLink -> open(Intent(Intent.ACTION_VIEW, Uri.parse(effect.url)))
            is Effect.Dial -> open(Intent(Intent.ACTION_DIAL, Uri.fromParts("tel", effect.number, null)))
            is Effect.CapturePhoto -> enqueue(ShellRequest.TakePhoto(effect.purpose, effect.prompt, newPhotoFile()))
            is Effect.CaptureSignature -> enqueue(ShellRequest.TakeSignature(effect.taskId, effect.prompt))
            is Effect.KeepScreenOn -> _keepScreenOn.value = effect.on
        }
    }

    /** The platform permissions behind one of the core's; empty: nothing to ask on this Android. */
    fun androidPermissions(permission: Permission): List<String> = when (permission) {
        Permission.CAMERA -> listOf(Manifest.permission.CAMERA)
        Permission.LOCATION ->
            listOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION)
        Permission.BACKGROUND_LOCATION ->
            if (Build.VERSION.SDK_INT >= 29) listOf(Manifest.permission.ACCESS_BACKGROUND_LOCATION) else emptyList()
        Permission.NOTIFICATIONS ->
            if (Build.VERSION.SDK_INT >= 33) listOf(Manifest.permission.POST_NOTIFICATIONS) else emptyList()
    }

    /** Whether Android holds the permission now (location: fine or coarse). */
    fun granted(permission: Permission): Boolean {
        val needed = androidPermissions(permission)
        return needed.isEmpty() || needed.any {
            ContextCompat.checkSelfPermission(context, it) == PackageManager.PERMISSION_GRANTED
        }
    }

    private fun ask(permission: Permission, rationale: String) {
        if (granted(permission)) {
            answer(permission, true)
        } else {
            enqueue(ShellRequest.AskPermission(permission, rationale))
        }
    }

    /** The courier answered the permission prompt of `request` (or dismissed its rationale). */
    fun answerPermission(request: ShellRequest.AskPermission, granted: Boolean) {
        dequeue(request)
        answer(request.permission, granted)
    }

    private fun answer(permission: Permission, granted: Boolean) {
        reported[permission] = granted
        resolve(EffectResult.Permission(permission, granted))
        val mode = locationMode
        if (granted && mode != null && permission in LOCATION_PERMISSIONS) {
            LocationService.apply(context, mode.accuracy, mode.intervalS, mode.background)
        }
    }

    /**
     * The app came back to the front: permissions changed in the system settings since the
     * courier last answered are reported to the core.
     */
    fun recheckPermissions() {
        for ((permission, was) in reported.toMap()) {
            val now = granted(permission)
            if (now != was) answer(permission, now)
        }
    }

    /**
     * The camera is about to open for `request`: the capture is recorded on disk first, so
     * that its answer still reaches the core if Android kills the app meanwhile.
     */
    fun photoStarting(request: ShellRequest.TakePhoto) =
        captures.begin(PendingCapture(request.purpose, request.file))

    /**
     * The camera returned: the photo (synced to disk first) or `Cancelled`. The capture's
     * record is taken; if it is gone the answer was already given.
     */
    fun photoTaken(request: ShellRequest.TakePhoto, saved: Boolean) {
        dequeue(request)
        captures.take()
        resolve(PendingCapture(request.purpose, request.file).result(saved))
    }

    /** No camera app could be opened. */
    fun cameraUnavailable(request: ShellRequest.TakePhoto) {
        say(context.getString(R.string.camera_unavailable))
        photoTaken(request, saved = false)
    }

    /** The customer signed (`file`) or the courier cancelled (null). */
    fun signatureTaken(request: ShellRequest.TakeSignature, file: File?) {
        dequeue(request)
        resolve(if (file != null) EffectResult.SignatureTaken(request.taskId, file.path) else EffectResult.Cancelled)
    }

    /** Where captures are written: the app's private files, shared with the camera app. */
    val photoDir: File get() = File(context.filesDir, "photos").apply { mkdirs() }

    /** A new file for a capture, named by a random UUID (never by the clock). */
    fun newPhotoFile(extension: String = "jpg"): File = File(photoDir, "${UUID.randomUUID()}.$extension")

    private fun open(intent: Intent) {
        try {
            context.startActivity(intent.addFlags(Intent.FLAG_ACTIVITY_NEW_TASK))
        } catch (e: ActivityNotFoundException) {
            say(context.getString(R.string.link_unavailable))
        }
    }

    private fun enqueue(request: ShellRequest) = _requests.update { it + request }

    private fun dequeue(request: ShellRequest) = _requests.update { list -> list.filterNot { it === request } }

    private companion object {
        val LOCATION_PERMISSIONS = setOf(Permission.LOCATION, Permission.BACKGROUND_LOCATION)
    }
}

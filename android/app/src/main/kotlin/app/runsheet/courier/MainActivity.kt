package app.runsheet.courier

import android.content.ActivityNotFoundException
import android.content.Intent
import android.net.Uri
import android.os.Build
import android.os.Bundle
import android.provider.Settings
import android.view.WindowManager
import android.widget.Toast
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.activity.viewModels
import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.dynamicDarkColorScheme
import androidx.compose.material3.dynamicLightColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Dialog
import androidx.compose.ui.window.DialogProperties
import androidx.core.content.FileProvider
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.lifecycleScope
import androidx.lifecycle.repeatOnLifecycle
import app.runsheet.screens.OfferStyle
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch

/**
 * The one activity: renders the core's screen, asks for an offer's declared inputs before
 * tapping it, and serves the effects that need a visible activity (permission prompts with the
 * core's rationale, the camera, the signature pad, the keep-screen-on flag).
 */
class MainActivity : ComponentActivity() {
    private val store: ScreenStore by viewModels()

    /** Android will not show the prompt again: offer the app's settings. */
    private var deniedForever by mutableStateOf(false)

    private val askPermission = registerForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) { asked ->
        val request = store.inFlight as? ShellRequest.AskPermission ?: return@registerForActivityResult
        store.inFlight = null
        val granted = store.effects.granted(request.permission)
        store.effects.answerPermission(request, granted)
        if (!granted && asked.keys.none { shouldShowRequestPermissionRationale(it) }) deniedForever = true
    }

    private val takePicture = registerForActivityResult(ActivityResultContracts.TakePicture()) { saved ->
        val request = store.inFlight as? ShellRequest.TakePhoto
        if (request == null) {
            // Android killed the app while the camera was open: nothing in memory, the
            // capture's record on disk says what the core asked the photo for.
            store.resolveRecordedCapture(saved)
            return@registerForActivityResult
        }
        store.inFlight = null
        store.effects.photoTaken(request, saved)
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        // A fresh launch (not a restore) while a capture is recorded: the camera's answer will
        // never come (the courier left through the launcher), so the capture is answered now,
        // with the photo if the camera had written it.
        if (savedInstanceState == null) store.resolveRecordedCapture(saved = null)
        // Opened from one of the core's notifications: the core shows the page it is about.
        if (savedInstanceState == null) openNotification(intent)
        lifecycleScope.launch {
            repeatOnLifecycle(Lifecycle.State.STARTED) {
                launch { store.effects.keepScreenOn.collect { keepScreenOn(it) } }
                // Permissions changed in the system settings reach the core; the screen is
                // recomputed for the time that passed, then once a minute while visible.
                store.effects.recheckPermissions()
                while (isActive) {
                    store.refresh()
                    delay(if (store.countingDown()) COUNTDOWN_MILLIS else REFRESH_MILLIS)
                }
            }
        }
        setContent {
            RunsheetTheme {
                Surface(Modifier.fillMaxSize()) { Shell() }
            }
        }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        setIntent(intent)
        openNotification(intent)
    }

    /** The notification id the intent carries (`NotificationChannels.EXTRA_NOTIFICATION`), handed to the core once. */
    private fun openNotification(intent: Intent?) {
        val id = intent?.getStringExtra(NotificationChannels.EXTRA_NOTIFICATION) ?: return
        intent.removeExtra(NotificationChannels.EXTRA_NOTIFICATION)
        store.openNotification(id)
    }

    @Composable
    private fun Shell() {
        val screen by store.screen.collectAsStateWithLifecycle()
        val failure by store.failure.collectAsStateWithLifecycle()
        val requests by store.effects.requests.collectAsStateWithLifecycle()
        val snackbar = remember { SnackbarHostState() }
        val prompt = remember { OfferPrompt() }
        val scan = remember { ScanInput(store::tap) }
        LaunchedEffect(Unit) { store.messages.collect { snackbar.showSnackbar(it) } }

        val onOffer: OnOffer = { offer ->
            if (offer.inputs.isNotEmpty() || offer.style == OfferStyle.DESTRUCTIVE) {
                prompt.pending = offer
            } else {
                store.tap(offer.tap)
            }
        }
        val current = screen
        // The system's back gesture is the screen's back offer, when it has one.
        val back = current?.header?.back
        BackHandler(enabled = back?.enabled == true) { back?.let { store.tap(it.tap) } }
        if (current != null) {
            ScreenView(current, onOffer, snackbar, scan)
        } else {
            Column(Modifier.padding(24.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
                Text(failure ?: stringResource(R.string.opening))
            }
        }
        prompt.pending?.let { offer ->
            if (offer.inputs.isNotEmpty()) {
                InputDialog(
                    offer,
                    onSend = { values ->
                        prompt.pending = null
                        store.tap(offer, values)
                    },
                    onDismiss = { prompt.pending = null },
                )
            } else {
                ConfirmDialog(
                    offer,
                    onConfirm = {
                        prompt.pending = null
                        store.tap(offer.tap)
                    },
                    onDismiss = { prompt.pending = null },
                )
            }
        }
        requests.firstOrNull()?.let { Serve(it) }
        if (deniedForever) DeniedForever()
    }

    /** Serves the oldest platform request the core's effects made. */
    @Composable
    private fun Serve(request: ShellRequest) {
        when (request) {
            is ShellRequest.AskPermission -> {
                if (store.inFlight !== request) {
                    AlertDialog(
                        onDismissRequest = { store.effects.answerPermission(request, false) },
                        text = { Text(request.rationale) },
                        confirmButton = {
                            TextButton(onClick = {
                                store.inFlight = request
                                askPermission.launch(store.effects.androidPermissions(request.permission).toTypedArray())
                            }) { Text(stringResource(R.string.permission_continue)) }
                        },
                        dismissButton = {
                            TextButton(onClick = { store.effects.answerPermission(request, false) }) {
                                Text(stringResource(R.string.permission_not_now))
                            }
                        },
                    )
                }
            }
            is ShellRequest.TakePhoto -> LaunchedEffect(request) {
                if (store.inFlight !== request) openCamera(request)
            }
            is ShellRequest.TakeSignature -> {
                val file = remember(request) { store.effects.newPhotoFile("png") }
                Dialog(
                    onDismissRequest = { store.effects.signatureTaken(request, null) },
                    properties = DialogProperties(usePlatformDefaultWidth = false),
                ) {
                    Surface {
                        SignaturePad(
                            request.prompt,
                            file,
                            onSigned = { store.effects.signatureTaken(request, it) },
                            onCancel = {
                                file.delete()
                                store.effects.signatureTaken(request, null)
                            },
                        )
                    }
                }
            }
        }
    }

    private fun openCamera(request: ShellRequest.TakePhoto) {
        store.inFlight = request
        Toast.makeText(this, request.prompt, Toast.LENGTH_LONG).show()
        try {
            store.effects.photoStarting(request)
            takePicture.launch(FileProvider.getUriForFile(this, PHOTO_AUTHORITY, request.file))
        } catch (e: ActivityNotFoundException) {
            store.inFlight = null
            store.effects.cameraUnavailable(request)
        } catch (e: java.io.IOException) {
            store.inFlight = null
            store.effects.cameraUnavailable(request)
        }
    }

    @Composable
    private fun DeniedForever() {
        AlertDialog(
            onDismissRequest = { deniedForever = false },
            text = { Text(stringResource(R.string.permission_denied_forever)) },
            confirmButton = {
                TextButton(onClick = {
                    deniedForever = false
                    startActivity(
                        Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", packageName, null)),
                    )
                }) { Text(stringResource(R.string.permission_open_settings)) }
            },
            dismissButton = {
                TextButton(onClick = { deniedForever = false }) { Text(stringResource(R.string.permission_not_now)) }
            },
        )
    }

    private fun keepScreenOn(on: Boolean) {
        if (on) {
            window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        } else {
            window.clearFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        }
    }

    private companion object {
        const val PHOTO_AUTHORITY = "app.runsheet.courier.photos"
        const val REFRESH_MILLIS = 60_000L

        /** While an offer's seconds run on the screen. */
        const val COUNTDOWN_MILLIS = 1_000L
    }
}

/** Material 3 in the system's light or dark theme (the phone's own colours on Android 12+). */
@Composable
fun RunsheetTheme(content: @Composable () -> Unit) {
    val dark = isSystemInDarkTheme()
    val context = LocalContext.current
    val colors = when {
        Build.VERSION.SDK_INT >= 31 && dark -> dynamicDarkColorScheme(context)
        Build.VERSION.SDK_INT >= 31 -> dynamicLightColorScheme(context)
        dark -> darkColorScheme()
        else -> lightColorScheme()
    }
    MaterialTheme(colorScheme = colors, content = content)
}

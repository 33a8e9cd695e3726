package app.runsheet.courier

import android.app.Application
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import app.runsheet.ffi.RunsheetException
import app.runsheet.ffi.ScreenListener
import app.runsheet.ffi.ScreenSubscription
import app.runsheet.ffi.Screens
import app.runsheet.screens.Effect
import app.runsheet.screens.Offer
import app.runsheet.screens.EffectResult
import app.runsheet.screens.Screen
import app.runsheet.screens.ScreenUpdate
import app.runsheet.screens.Tap
import app.runsheet.screens.TapException
import app.runsheet.shell.CaptureJournal
import app.runsheet.shell.StoreKeyLost
import app.runsheet.shell.applying
import app.runsheet.shell.result
import app.runsheet.words.Language
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.receiveAsFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.Dispatchers

/**
 * The one store between the core's screens and Compose (crux's shell side, matrix-rust-sdk's
 * listener style): it subscribes to the core's screen listener, applies each update (the whole
 * screen first, then what changed) into [screen], forwards taps as one FFI call each, and
 * hands the effects the core asks for to the [EffectExecutor]. It holds no rule: what shows,
 * what is offered and every word come from the core; a refused tap's sentence is shown as it is.
 */
class ScreenStore(app: Application) : AndroidViewModel(app) {
    private val runsheetApp = app as RunsheetApplication

    private val _screen = MutableStateFlow<Screen?>(null)

    /** The screen as the core last drew it; null until the first `Reset`. */
    val screen: StateFlow<Screen?> = _screen.asStateFlow()

    private val _failure = MutableStateFlow<String?>(null)

    /** Why the core could not be opened (its sentence), if it could not. */
    val failure: StateFlow<String?> = _failure.asStateFlow()

    private val _messages = Channel<String>(Channel.BUFFERED)

    /** Sentences for the snackbar: a refused tap's, a platform failure's. */
    val messages: Flow<String> = _messages.receiveAsFlow()

    /**
     * The capture in progress, on disk: it outlives this store when Android kills the process
     * while the camera app is in front.
     */
    val captures = CaptureJournal(java.io.File(app.filesDir, "capture-in-progress"))

    /** The platform side of the core's effects. */
    val effects = EffectExecutor(app, captures, resolve = ::resolve, say = { _messages.trySend(it) })

    /**
     * The request handed to the system (a permission prompt, the camera) whose answer the
     * activity is waiting for; kept here so it survives the activity being recreated.
     */
    var inFlight by mutableStateOf<ShellRequest?>(null)

    private val incoming = Channel<Effect>(Channel.UNLIMITED)

    /** The core's screens once open: taps and answers made before then wait for it. */
    private val screens = CompletableDeferred<Screens>()
    private var subscription: ScreenSubscription? = null

    init {
        viewModelScope.launch { open() }
        // Effects are carried out on the main thread, one at a time, in the order asked.
        viewModelScope.launch { for (effect in incoming) effects.execute(effect) }
    }

    private suspend fun open() {
        try {
            val s = runsheetApp.open().screens()
            subscription = s.subscribe(Listener())
            screens.complete(s)
        } catch (e: RunsheetException) {
            _failure.value = e.message
        } catch (e: StoreKeyLost) {
            // The Keystore lost the store's key: the store is kept as it is, never replaced.
            _failure.value = runsheetApp.getString(R.string.store_key_lost)
        }
    }

    /** Called by the core on a background thread: apply and return. */
    private inner class Listener : ScreenListener {
        override fun onScreen(update: ScreenUpdate) {
            synchronized(this@ScreenStore) { _screen.value = _screen.value.applying(update) }
        }

        override fun onEffect(effect: Effect) {
            incoming.trySend(effect)
        }
    }

    /** The courier tapped an offer (with its inputs filled in): one call to the core. */
    fun tap(tap: Tap) {
        viewModelScope.launch {
            try {
                screens.await().tap(tap)
                // Platform work: a signed-in token is kept in the Keystore-sealed store, so the
                // session is restored after process death.
                if (tap is Tap.SignIn) withContext(Dispatchers.IO) { runsheetApp.secrets.keepToken(tap.token) }
            } catch (e: TapException) {
                _messages.send(e.sentence())
            }
        }
    }

    /**
     * The courier answered an offer's inputs: the core fills the tap (refusing, in the
     * screen's language, what does not fit), then it is tapped.
     */
    fun tap(offer: Offer, values: Map<String, String>) {
        val language = _screen.value?.language ?: Language.EN
        val filled = try {
            offer.filledWith(values, language)
        } catch (e: TapException) {
            _messages.trySend(e.sentence())
            return
        }
        tap(filled)
    }

    /** The shell's answer to an effect. */
    fun resolve(result: EffectResult) {
        viewModelScope.launch {
            try {
                screens.await().resolve(result)
            } catch (e: TapException) {
                _messages.send(e.sentence())
            }
        }
    }

    /**
     * Whether the screen shows a countdown (an offer's seconds left): then it is recomputed
     * every second instead of every minute. The count itself is the core's.
     */
    fun countingDown(): Boolean =
        (screen.value?.body as? app.runsheet.screens.Body.Offers)?.page?.offers?.any { it.timeLeft != null } == true

    /** Recomputes the screen for the time that passed (on start, then once a minute). */
    fun refresh() {
        if (!screens.isCompleted) return
        viewModelScope.launch { screens.await().refresh() }
    }

    /** The device's locale changed. */
    /** The courier tapped the core's notification `id`: the core opens the page it is about. */
    fun openNotification(id: String) {
        viewModelScope.launch { screens.await().openNotification(id) }
    }

    fun setLocale(tag: String) {
        viewModelScope.launch { screens.await().setLocale(tag) }
    }

    /**
     * The camera's answer reached an activity that has no capture in memory (Android killed
     * the process while the camera app was in front), or a fresh launch found a capture that
     * will get no answer (`saved` null): the journal's capture is answered with the purpose
     * the core asked for.
     */
    fun resolveRecordedCapture(saved: Boolean?) {
        viewModelScope.launch {
            val capture = withContext(Dispatchers.IO) { captures.take() } ?: return@launch
            resolve(withContext(Dispatchers.IO) { capture.result(saved) })
        }
    }

    override fun onCleared() {
        subscription?.cancel()
        incoming.close()
    }
}

/** The courier-facing sentence of a refused tap (never the exception's debug text). */
fun TapException.sentence(): String = when (this) {
    is TapException.NotOffered -> sentence
    is TapException.Blocked -> sentence
    is TapException.Invalid -> sentence
    is TapException.Refused -> sentence
}

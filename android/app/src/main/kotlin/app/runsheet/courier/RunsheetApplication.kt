package app.runsheet.courier

import android.app.Application
import android.content.Context
import android.content.res.Configuration
import android.net.ConnectivityManager
import android.net.Network
import android.util.Log
import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ProcessLifecycleOwner
import app.runsheet.ffi.LogLevel
import app.runsheet.ffi.LogRecord
import app.runsheet.ffi.LogSink
import app.runsheet.ffi.Runsheet
import app.runsheet.ffi.RunsheetConfig
import app.runsheet.ffi.TokenProvider
import app.runsheet.ffi.openRunsheet
import app.runsheet.ffi.setLogSink
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import java.io.File

/**
 * The process's one core. It is opened once, by whoever needs it first (the screen store, the
 * sync worker, the location service, a push), with the token kept in [SecretStore] (empty
 * before the first sign-in: the core's screens then show the sign-in page) and the device's
 * locale. It also routes the core's logs (no customer data, no tokens) into Logcat, creates the
 * notification channels, tells the core when the app comes to the foreground or leaves it, and
 * reports connectivity.
 */
class RunsheetApplication : Application() {
    /** The open core, if it is open yet. Read by the push service on its own thread. */
    @Volatile
    var core: Runsheet? = null
        private set

    /** The phone's secrets: the store's key and the session token. */
    val secrets: SecretStore by lazy { SecretStore(this) }

    private val opening = Mutex()
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main)

    /** The device locale the core was last told about. */
    private var locale: String? = null

    override fun onCreate() {
        super.onCreate()
        setLogSink(LogcatSink(), if (BuildConfig.DEBUG) LogLevel.DEBUG else LogLevel.INFO)
        NotificationChannels.create(this)
        // The whole app's visibility (any activity started), not one screen's: in the
        // foreground the core's auto-sync long-polls, in the background it syncs periodically.
        ProcessLifecycleOwner.get().lifecycle.addObserver(object : DefaultLifecycleObserver {
            override fun onStart(owner: LifecycleOwner) {
                core?.session()?.setForeground(true)
            }

            override fun onStop(owner: LifecycleOwner) {
                core?.session()?.setForeground(false)
            }
        })
    }

    /**
     * The core, opened on first use (the store is opened off the main thread by the core).
     * Throws `RunsheetException` (the core's sentence) or `StoreKeyLost`.
     */
    suspend fun open(): Runsheet = opening.withLock {
        core?.let { return@withLock it }
        val db = File(filesDir, "runsheet.db")
        val tag = deviceLocale(this)
        locale = tag
        // The session as the last process left it (after Android killed the app too): the
        // token (none: the core's screens show sign-in, its saved actions stay queued) and the
        // store's key, read before the core is opened.
        val session = withContext(Dispatchers.IO) { secrets.restore() }
        // The store holds customers' names, addresses and phones: encrypted under a key sealed
        // by the Android Keystore, and excluded from backups (data_extraction_rules).
        val opened = openRunsheet(
            RunsheetConfig(
                dbPath = db.path,
                serverUrl = BuildConfig.RUNSHEET_SERVER,
                token = session.token.orEmpty(),
                dbKey = session.databaseKey,
                locale = tag,
            ),
        )
        // After a 401 the core asks once for a fresh token: a platform build fetches it from
        // its sign-in backend; null makes the core's screens ask the courier to sign in.
        opened.session().setTokenProvider(object : TokenProvider {
            override fun freshToken(): String? = refreshToken()?.also { secrets.keepToken(it) }
        })
        opened.sync().startAuto(AUTO_SYNC_SECONDS)
        opened.session().setForeground(
            ProcessLifecycleOwner.get().lifecycle.currentState.isAtLeast(Lifecycle.State.STARTED),
        )
        watchNetwork(opened)
        core = opened
        opened
    }

    /**
     * The device's configuration changed: when its locale did, the core's screens switch to it
     * and the notification channels are renamed in it.
     */
    override fun onConfigurationChanged(newConfig: Configuration) {
        super.onConfigurationChanged(newConfig)
        val tag = newConfig.locales[0].toLanguageTag()
        if (tag == locale) return
        locale = tag
        NotificationChannels.create(this)
        val opened = core ?: return
        scope.launch { opened.screens().setLocale(tag) }
    }

    /** The platform's sign-in backend call for a fresh token (none in this reference app). */
    private fun refreshToken(): String? = null

    private fun watchNetwork(core: Runsheet) {
        val cm = getSystemService(Context.CONNECTIVITY_SERVICE) as ConnectivityManager
        cm.registerDefaultNetworkCallback(object : ConnectivityManager.NetworkCallback() {
            override fun onAvailable(network: Network) = core.sync().networkAvailable()
        })
    }

    private companion object {
        /** How often auto-sync runs when nothing else triggers it. */
        const val AUTO_SYNC_SECONDS: UInt = 60u
    }
}

/** The device's first locale as a BCP 47 tag (`zh-CN`, `en-GB`); the core falls back to English. */
fun deviceLocale(context: Context): String = context.resources.configuration.locales[0].toLanguageTag()

private class LogcatSink : LogSink {
    override fun log(record: LogRecord) {
        val tag = "Runsheet"
        val line = "${record.target}: ${record.text}"
        when (record.level) {
            LogLevel.TRACE, LogLevel.DEBUG -> Log.d(tag, line)
            LogLevel.INFO -> Log.i(tag, line)
            LogLevel.WARN -> Log.w(tag, line)
            LogLevel.ERROR -> Log.e(tag, line)
        }
    }
}

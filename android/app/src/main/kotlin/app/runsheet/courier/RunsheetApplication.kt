package app.runsheet.courier

import android.app.Application
import android.util.Log
import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ProcessLifecycleOwner
import app.runsheet.ffi.LogLevel
import app.runsheet.ffi.LogRecord
import app.runsheet.ffi.LogSink
import app.runsheet.ffi.Runsheet
import app.runsheet.ffi.setLogSink

/**
 * Routes the core's logs (no customer data, no tokens) into Logcat, tells the open core when the
 * app comes to the foreground or leaves it, and lends the core to [RunsheetPushService].
 */
class RunsheetApplication : Application() {
    /**
     * The core the [TaskListViewModel] opened after sign-in (null before, and after it closed it).
     * Read by the push service on its own thread.
     */
    @Volatile
    var core: Runsheet? = null
        private set

    override fun onCreate() {
        super.onCreate()
        setLogSink(LogcatSink(), if (BuildConfig.DEBUG) LogLevel.DEBUG else LogLevel.INFO)
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

    /** A core was opened (main thread): it learns whether the app is in the foreground now. */
    fun attach(core: Runsheet) {
        this.core = core
        core.session().setForeground(ProcessLifecycleOwner.get().lifecycle.currentState.isAtLeast(Lifecycle.State.STARTED))
    }

    /** The core is about to be closed. */
    fun detach(core: Runsheet) {
        if (this.core === core) this.core = null
    }
}

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

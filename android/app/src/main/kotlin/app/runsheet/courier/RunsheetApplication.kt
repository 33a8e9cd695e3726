package app.runsheet.courier

import android.app.Application
import android.util.Log
import app.runsheet.core.LogLevel
import app.runsheet.core.LogRecord
import app.runsheet.core.LogSink
import app.runsheet.core.setLogSink

/** Routes the core's logs (no customer data, no tokens) into Logcat. */
class RunsheetApplication : Application() {
    override fun onCreate() {
        super.onCreate()
        setLogSink(LogcatSink(), if (BuildConfig.DEBUG) LogLevel.DEBUG else LogLevel.INFO)
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

package app.runsheet.courier

import android.content.Context
import android.util.Log
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import app.runsheet.ffi.RunsheetException

/**
 * The core's `ScheduleSync` on Android: one unique piece of work that wakes the app (even after
 * Android stopped it) when the network is back and runs one sync. Retrying, backing off and
 * keeping actions are the core's (its outbox and auto-sync); the worker only wakes it, so a
 * failed sync ends the work as done and the core asks again when it needs to.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        try {
            val core = (applicationContext as RunsheetApplication).open()
            core.sync().now()
        } catch (e: RunsheetException) {
            Log.i("Runsheet", "background sync did not complete: ${e.message}")
        }
        return Result.success()
    }

    companion object {
        private const val WORK = "runsheet-sync"

        /**
         * Schedules the sync: with `onNetwork`, only once a network is connected. The core's
         * `at` is by the core's clock; the shell reads no clock, so the work runs as soon as
         * its constraint holds and the core's own auto-sync keeps any later schedule.
         */
        fun schedule(context: Context, onNetwork: Boolean) {
            val constraints = Constraints.Builder()
                .setRequiredNetworkType(if (onNetwork) NetworkType.CONNECTED else NetworkType.NOT_REQUIRED)
                .build()
            val request = OneTimeWorkRequestBuilder<SyncWorker>().setConstraints(constraints).build()
            WorkManager.getInstance(context).enqueueUniqueWork(WORK, ExistingWorkPolicy.REPLACE, request)
        }
    }
}

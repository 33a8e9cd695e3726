package app.runsheet.courier

import android.content.Context
import android.content.pm.ServiceInfo
import android.os.Build
import android.util.Log
import androidx.core.app.NotificationCompat
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingWorkPolicy
import androidx.work.ForegroundInfo
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.OutOfQuotaPolicy
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import app.runsheet.ffi.RunsheetException
import app.runsheet.shell.StoreKeyLost
import app.runsheet.shell.WakeOutcome
import app.runsheet.shell.wakeOutcome
import java.util.concurrent.TimeUnit

/**
 * Background sync through WorkManager, which wakes the app even after Android stopped it: the
 * core's `ScheduleSync`, and a push that arrived (maybe while the process was dead) handed
 * to the core first. The core keeps every action in its outbox; the worker only wakes it, and
 * what it does after a run is `wakeOutcome`'s (shell-core): retry a transient failure with
 * back-off, forget a refused token (the screens then show sign-in; the store is kept).
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext as RunsheetApplication
        val error = try {
            val core = app.open()
            inputData.getString(PUSH_PAYLOAD)?.let { core.session().handlePush(it) }
            core.sync().now()
            null
        } catch (e: RunsheetException) {
            e
        } catch (e: StoreKeyLost) {
            // The store cannot be opened any more: nothing to sync; the app says so on screen.
            return Result.failure()
        }
        return when (wakeOutcome(error, runAttemptCount)) {
            WakeOutcome.DONE -> {
                error?.let { Log.i(TAG, "background sync ended: ${it.javaClass.simpleName}") }
                Result.success()
            }
            WakeOutcome.RETRY -> Result.retry()
            WakeOutcome.SIGN_IN -> {
                app.secrets.forgetToken()
                Result.success()
            }
        }
    }

    /** Before Android 12 expedited work runs as a foreground service with this notification. */
    override suspend fun getForegroundInfo(): ForegroundInfo {
        val notification = NotificationCompat.Builder(applicationContext, NotificationChannels.SYNC)
            .setSmallIcon(android.R.drawable.stat_notify_sync)
            .setContentTitle(applicationContext.getString(R.string.sync_title))
            .setOngoing(true)
            .build()
        return if (Build.VERSION.SDK_INT >= 29) {
            ForegroundInfo(SYNC_NOTIFICATION, notification, ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC)
        } else {
            ForegroundInfo(SYNC_NOTIFICATION, notification)
        }
    }

    companion object {
        private const val TAG = "Runsheet"
        private const val WORK = "runsheet-sync"
        private const val PUSH_WORK = "runsheet-push"
        private const val PUSH_PAYLOAD = "push"
        private const val SYNC_NOTIFICATION = 18

        /**
         * The core's `ScheduleSync`: with `onNetwork`, only once a network is connected. The
         * core's `at` is by the core's clock; the shell reads no clock, so the work runs as
         * soon as its constraint holds and the core's own auto-sync keeps any later schedule.
         */
        fun schedule(context: Context, onNetwork: Boolean) {
            val request = OneTimeWorkRequestBuilder<SyncWorker>()
                .setConstraints(constraints(onNetwork))
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, BACKOFF_SECONDS, TimeUnit.SECONDS)
                .build()
            WorkManager.getInstance(context).enqueueUniqueWork(WORK, ExistingWorkPolicy.REPLACE, request)
        }

        /**
         * A push arrived: expedited work (run at once where the quota allows, as ordinary work
         * otherwise) that opens the core (starting the process if it was dead), hands it the
         * payload and syncs. Each push is appended, never replacing one still queued, so none
         * is dropped.
         */
        fun wake(context: Context, payloadJson: String) {
            val request = OneTimeWorkRequestBuilder<SyncWorker>()
                .setInputData(workDataOf(PUSH_PAYLOAD to payloadJson))
                .setConstraints(constraints(onNetwork = true))
                .setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, BACKOFF_SECONDS, TimeUnit.SECONDS)
                .build()
            WorkManager.getInstance(context)
                .enqueueUniqueWork(PUSH_WORK, ExistingWorkPolicy.APPEND_OR_REPLACE, request)
        }

        private fun constraints(onNetwork: Boolean) = Constraints.Builder()
            .setRequiredNetworkType(if (onNetwork) NetworkType.CONNECTED else NetworkType.NOT_REQUIRED)
            .build()

        private const val BACKOFF_SECONDS = 30L
    }
}

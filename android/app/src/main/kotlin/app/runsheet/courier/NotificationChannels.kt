package app.runsheet.courier

import android.Manifest
import android.annotation.SuppressLint
import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Context
import android.content.pm.PackageManager
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import app.runsheet.screens.Channel

/**
 * The app's notification channels, created at start-up (a channel's importance cannot change
 * once created, so the ids carry a version), and the core's `Notify` effect shown on them. The
 * channel names are the shell's words (string resources, en and zh-CN); the title and text of
 * each notification are the core's.
 */
object NotificationChannels {
    private const val NEW_TASK = "new-task-v1"
    private const val LATENESS = "lateness-v1"
    private const val REFUSAL = "refusal-v1"
    private const val RATINGS = "ratings-v1"
    private const val CASES = "cases-v1"
    private const val OFFERS = "offers-v1"
    private const val TRAINING = "training-v1"

    /** The intent extra holding the id of the core's notification the courier tapped. */
    const val EXTRA_NOTIFICATION = "app.runsheet.courier.NOTIFICATION"

    /** The ongoing notification of the location foreground service. */
    const val TRACKING = "tracking-v1"

    /** The short notification of a push's sync running in the foreground (before Android 12). */
    const val SYNC = "sync-v1"

    /** Creates (or renames, after a language change) every channel. */
    fun create(context: Context) {
        val manager = context.getSystemService(NotificationManager::class.java) ?: return
        val channels = listOf(
            channel(context, NEW_TASK, R.string.channel_new_task, R.string.channel_new_task_description, NotificationManager.IMPORTANCE_HIGH),
            channel(context, LATENESS, R.string.channel_lateness, R.string.channel_lateness_description, NotificationManager.IMPORTANCE_HIGH),
            channel(context, REFUSAL, R.string.channel_refusal, R.string.channel_refusal_description, NotificationManager.IMPORTANCE_DEFAULT),
            channel(context, RATINGS, R.string.channel_ratings, R.string.channel_ratings_description, NotificationManager.IMPORTANCE_DEFAULT),
            channel(context, CASES, R.string.channel_cases, R.string.channel_cases_description, NotificationManager.IMPORTANCE_HIGH),
            channel(context, OFFERS, R.string.channel_offers, R.string.channel_offers_description, NotificationManager.IMPORTANCE_HIGH),
            channel(context, TRAINING, R.string.channel_training, R.string.channel_training_description, NotificationManager.IMPORTANCE_DEFAULT),
            channel(context, TRACKING, R.string.channel_tracking, R.string.channel_tracking_description, NotificationManager.IMPORTANCE_LOW),
            channel(context, SYNC, R.string.channel_sync, R.string.channel_sync_description, NotificationManager.IMPORTANCE_MIN),
        )
        manager.createNotificationChannels(channels)
    }

    private fun channel(context: Context, id: String, name: Int, description: Int, importance: Int) =
        NotificationChannel(id, context.getString(name), importance).apply {
            this.description = context.getString(description)
        }

    /** The Android channel of one of the core's channels. */
    private fun idOf(channel: Channel): String = when (channel) {
        Channel.NEW_TASK -> NEW_TASK
        Channel.LATENESS -> LATENESS
        Channel.REFUSAL -> REFUSAL
        Channel.RATINGS -> RATINGS
        Channel.CASES -> CASES
        Channel.OFFERS -> OFFERS
        Channel.TRAINING -> TRAINING
    }

    /**
     * Shows the core's notification: the same `id` replaces the earlier one. Without the
     * notification permission (Android 13+) nothing is shown: the core asked for it at sign-in
     * and shows the same facts on its screens.
     */
    @SuppressLint("MissingPermission") // checked first
    fun show(context: Context, id: String, channel: Channel, title: String, body: String) {
        val allowed = ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) ==
            PackageManager.PERMISSION_GRANTED || android.os.Build.VERSION.SDK_INT < 33
        if (!allowed) return
        // Tapping it opens the app on the page the core says it is about (MainActivity hands the
        // id to the core); one request code per id, so each keeps its own extra.
        val open = context.packageManager.getLaunchIntentForPackage(context.packageName)?.let {
            it.putExtra(EXTRA_NOTIFICATION, id)
            it.addFlags(android.content.Intent.FLAG_ACTIVITY_SINGLE_TOP)
            android.app.PendingIntent.getActivity(
                context,
                id.hashCode(),
                it,
                android.app.PendingIntent.FLAG_IMMUTABLE or android.app.PendingIntent.FLAG_UPDATE_CURRENT,
            )
        }
        val notification = NotificationCompat.Builder(context, idOf(channel))
            .setSmallIcon(android.R.drawable.stat_notify_more)
            .setContentTitle(title)
            .setContentText(body)
            .setStyle(NotificationCompat.BigTextStyle().bigText(body))
            .setAutoCancel(true)
            .setContentIntent(open)
            .build()
        NotificationManagerCompat.from(context).notify(id, 0, notification)
    }
}

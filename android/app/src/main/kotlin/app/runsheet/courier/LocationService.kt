package app.runsheet.courier

import android.Manifest
import android.annotation.SuppressLint
import android.app.Notification
import android.app.Service
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.content.pm.ServiceInfo
import android.os.IBinder
import android.os.Looper
import android.util.Log
import androidx.core.app.NotificationCompat
import androidx.core.app.ServiceCompat
import androidx.core.content.ContextCompat
import app.runsheet.core.LocationAccuracy
import com.google.android.gms.location.FusedLocationProviderClient
import com.google.android.gms.location.LocationCallback
import com.google.android.gms.location.LocationRequest
import com.google.android.gms.location.LocationResult
import com.google.android.gms.location.LocationServices
import com.google.android.gms.location.Priority
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch

/**
 * The core's `SetLocationMode` on Android: a foreground service of type location that asks the
 * fused provider for exactly the accuracy and interval the core requested and hands every fix
 * to `navigation().recordLocation` (the core buffers it, detects arrivals and sends it through
 * its outbox). It decides nothing: the core says when to start (on duty), how precisely, how
 * often, and when to stop (`Off`). Fixes are never logged.
 */
class LocationService : Service() {
    private lateinit var client: FusedLocationProviderClient
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main)

    private val callback = object : LocationCallback() {
        override fun onLocationResult(result: LocationResult) {
            val fixes = result.locations.toList()
            scope.launch {
                val core = runCatching { (application as RunsheetApplication).open() }.getOrNull() ?: return@launch
                for (fix in fixes) {
                    runCatching {
                        core.navigation().recordLocation(fix.latitude, fix.longitude, fix.accuracy.toDouble())
                    }.onFailure { Log.w(TAG, "a location fix was not recorded: ${it.message}") }
                }
            }
        }
    }

    override fun onCreate() {
        super.onCreate()
        client = LocationServices.getFusedLocationProviderClient(this)
    }

    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        val priority = intent?.getIntExtra(EXTRA_PRIORITY, Priority.PRIORITY_BALANCED_POWER_ACCURACY)
            ?: Priority.PRIORITY_BALANCED_POWER_ACCURACY
        val intervalS = intent?.getLongExtra(EXTRA_INTERVAL_S, DEFAULT_INTERVAL_S) ?: DEFAULT_INTERVAL_S
        val background = intent?.getBooleanExtra(EXTRA_BACKGROUND, true) ?: true
        if (!hasLocationPermission(this)) {
            // The core asked for the permission; the executor starts this again once granted.
            stopSelf()
            return START_NOT_STICKY
        }
        if (background) {
            try {
                ServiceCompat.startForeground(this, ONGOING_ID, ongoing(), ServiceInfo.FOREGROUND_SERVICE_TYPE_LOCATION)
            } catch (e: RuntimeException) {
                // Android refused a location foreground service now (not started from a
                // visible action, or the permission was withdrawn): report and stop.
                Log.w(TAG, "location service could not start in the foreground: ${e.javaClass.simpleName}")
                stopSelf()
                return START_NOT_STICKY
            }
        }
        request(priority, intervalS)
        return START_REDELIVER_INTENT
    }

    @SuppressLint("MissingPermission") // checked in onStartCommand
    private fun request(priority: Int, intervalS: Long) {
        client.removeLocationUpdates(callback)
        val millis = intervalS.coerceAtLeast(1) * 1000L
        val request = LocationRequest.Builder(priority, millis)
            .setMinUpdateIntervalMillis(millis / 2)
            .build()
        client.requestLocationUpdates(request, callback, Looper.getMainLooper())
    }

    private fun ongoing(): Notification =
        NotificationCompat.Builder(this, NotificationChannels.TRACKING)
            .setSmallIcon(android.R.drawable.ic_menu_mylocation)
            .setContentTitle(getString(R.string.tracking_title))
            .setContentText(getString(R.string.tracking_text))
            .setOngoing(true)
            .setContentIntent(
                packageManager.getLaunchIntentForPackage(packageName)?.let {
                    android.app.PendingIntent.getActivity(this, 0, it, android.app.PendingIntent.FLAG_IMMUTABLE)
                },
            )
            .build()

    override fun onDestroy() {
        client.removeLocationUpdates(callback)
        scope.cancel()
        super.onDestroy()
    }

    override fun onBind(intent: Intent?): IBinder? = null

    companion object {
        private const val TAG = "Runsheet"
        private const val ONGOING_ID = 17
        private const val EXTRA_PRIORITY = "priority"
        private const val EXTRA_INTERVAL_S = "interval"
        private const val EXTRA_BACKGROUND = "background"
        private const val DEFAULT_INTERVAL_S = 30L

        /** Whether fine or coarse location is granted. */
        fun hasLocationPermission(context: Context): Boolean =
            listOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION).any {
                ContextCompat.checkSelfPermission(context, it) == PackageManager.PERMISSION_GRANTED
            }

        /** The fused provider's priority for the core's accuracy; null: stop tracking. */
        private fun priorityOf(accuracy: LocationAccuracy): Int? = when (accuracy) {
            LocationAccuracy.OFF -> null
            LocationAccuracy.COARSE -> Priority.PRIORITY_LOW_POWER
            LocationAccuracy.BALANCED -> Priority.PRIORITY_BALANCED_POWER_ACCURACY
            LocationAccuracy.FINE -> Priority.PRIORITY_HIGH_ACCURACY
        }

        /**
         * Applies the core's location mode: starts (or re-tunes) the service, or stops it.
         * `background`: keep tracking with the app out of sight (a foreground service with its
         * ongoing notification); otherwise a plain service that Android throttles once the app
         * leaves the screen.
         */
        fun apply(context: Context, accuracy: LocationAccuracy, intervalS: UInt, background: Boolean) {
            val intent = Intent(context, LocationService::class.java)
            val priority = priorityOf(accuracy)
            if (priority == null) {
                context.stopService(intent)
                return
            }
            if (!hasLocationPermission(context)) return
            intent.putExtra(EXTRA_PRIORITY, priority)
                .putExtra(EXTRA_INTERVAL_S, intervalS.toLong())
                .putExtra(EXTRA_BACKGROUND, background)
            try {
                if (background) ContextCompat.startForegroundService(context, intent) else context.startService(intent)
            } catch (e: IllegalStateException) {
                Log.w(TAG, "location service not started: ${e.javaClass.simpleName}")
            }
        }
    }
}

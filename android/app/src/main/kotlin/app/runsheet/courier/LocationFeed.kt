package app.runsheet.courier

import android.annotation.SuppressLint
import android.content.Context
import android.location.Location
import android.location.LocationListener
import android.location.LocationManager
import android.os.Looper
import app.runsheet.core.LocationAccuracy
import app.runsheet.core.LocationRequest
import app.runsheet.ffi.Runsheet
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch

/**
 * Feeds the platform's location fixes to the core and asks the platform for exactly what the
 * core requests (GPS every 3 s near a stop, network every 30 s far from it, nothing off duty).
 * It decides nothing: after each fix it re-reads the core's request and re-registers if it
 * changed. The core's calls are suspend functions, launched in the owner's `scope` (main-safe).
 */
class LocationFeed(
    context: Context,
    private val core: Runsheet,
    private val scope: CoroutineScope,
) : LocationListener {
    private val manager = context.getSystemService(Context.LOCATION_SERVICE) as LocationManager
    private var applied: LocationRequest? = null

    /** Applies the core's current request (call on start, and after shift changes). */
    fun refresh() {
        scope.launch { applyRequest() }
    }

    @SuppressLint("MissingPermission") // the activity asks for the permission first
    private suspend fun applyRequest() {
        val wanted = runCatching { core.navigation().locationRequest() }.getOrNull() ?: return
        if (wanted == applied) return
        manager.removeUpdates(this)
        applied = wanted
        val provider = when (wanted.accuracy) {
            LocationAccuracy.OFF -> return
            LocationAccuracy.FINE -> LocationManager.GPS_PROVIDER
            LocationAccuracy.BALANCED, LocationAccuracy.COARSE -> LocationManager.NETWORK_PROVIDER
        }
        if (!manager.isProviderEnabled(provider)) return
        val minDistance = if (wanted.accuracy == LocationAccuracy.FINE) 0f else 25f
        manager.requestLocationUpdates(
            provider,
            wanted.intervalSeconds.toLong() * 1000L,
            minDistance,
            this,
            Looper.getMainLooper(),
        )
    }

    override fun onLocationChanged(location: Location) {
        scope.launch {
            runCatching { core.navigation().recordLocation(location.latitude, location.longitude, location.accuracy.toDouble()) }
            applyRequest()
        }
    }

    /** Stops all updates. */
    fun stop() {
        manager.removeUpdates(this)
        applied = null
    }
}

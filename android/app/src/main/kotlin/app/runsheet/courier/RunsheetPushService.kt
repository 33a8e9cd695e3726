package app.runsheet.courier

import android.util.Log
import app.runsheet.ffi.RunsheetException
import com.google.firebase.messaging.FirebaseMessagingService
import com.google.firebase.messaging.RemoteMessage
import org.json.JSONObject

/**
 * FCM data messages, forwarded to the core as JSON. The core decides whether a payload is
 * Runsheet's sync hint (and then its auto-sync syncs at once); the shell only forwards.
 */
class RunsheetPushService : FirebaseMessagingService() {
    /** Called on a background thread. */
    override fun onMessageReceived(message: RemoteMessage) {
        // No core before sign-in: nothing to wake; opening one syncs at once anyway.
        val core = (application as RunsheetApplication).core ?: return
        val payload = JSONObject(message.data).toString()
        try {
            core.session().handlePush(payload)
        } catch (e: RunsheetException) {
            Log.w("Runsheet", "push payload refused by the core: ${e.message}")
        } catch (e: IllegalStateException) {
            // The view model closed the core while the message was being delivered.
            Log.d("Runsheet", "push arrived while the core was closing")
        }
    }

    /**
     * FCM issued a new registration token for this install. It must reach the platform's push
     * registration endpoint (the dispatch platform's own device-registration API, tied to the
     * signed-in courier) so the server can address sync hints to this phone. That endpoint is
     * the platform's and is not part of this repository or the core's API; wire the call here
     * when it exists. The token is a credential: do not log it.
     */
    override fun onNewToken(token: String) {
        // Intentionally not sent anywhere yet: see above.
    }
}

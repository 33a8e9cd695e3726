package app.runsheet.courier

import android.util.Log
import app.runsheet.core.PushPlatform
import app.runsheet.ffi.RunsheetException
import app.runsheet.shell.StoreKeyLost
import com.google.firebase.messaging.FirebaseMessagingService
import com.google.firebase.messaging.RemoteMessage
import kotlinx.coroutines.runBlocking
import org.json.JSONObject

/**
 * FCM: data messages wake the app and reach the core; the registration token is registered
 * with the core, which sends it to the dispatch server for this install.
 */
class RunsheetPushService : FirebaseMessagingService() {
    /**
     * Called on a background thread, possibly in a process started just for it. The push only
     * wakes: it is handed to expedited WorkManager work that opens the core, gives it the
     * payload (the core decides whether it is Runsheet's sync hint) and syncs; the work
     * survives this service being stopped, so a push is never dropped.
     */
    override fun onMessageReceived(message: RemoteMessage) {
        SyncWorker.wake(this, JSONObject(message.data).toString())
    }

    /**
     * FCM issued a registration token for this install: the core registers it with the server
     * (and keeps it to register again after a sign-in). The token is a credential: never logged.
     */
    override fun onNewToken(token: String) {
        val app = application as RunsheetApplication
        try {
            runBlocking { app.open().session().registerPushToken(token, PushPlatform.FCM) }
        } catch (e: RunsheetException) {
            Log.w("Runsheet", "push token not registered yet: ${e.javaClass.simpleName}")
        } catch (e: StoreKeyLost) {
            Log.w("Runsheet", "push token not registered: the store cannot be opened")
        }
    }
}

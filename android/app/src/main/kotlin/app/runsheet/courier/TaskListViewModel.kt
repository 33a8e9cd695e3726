package app.runsheet.courier

import android.app.Application
import android.content.Context
import android.net.ConnectivityManager
import android.net.Network
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import app.runsheet.core.CourierTask
import app.runsheet.core.Runsheet
import app.runsheet.core.RunsheetConfig
import app.runsheet.core.RunsheetException
import app.runsheet.core.Subscription
import app.runsheet.core.SyncEvent
import app.runsheet.core.SyncListener
import app.runsheet.core.SyncStatus
import app.runsheet.core.TaskListUpdate
import app.runsheet.core.TaskListener
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import java.io.File

/** What the task screen shows. Everything in it comes from the core. */
data class TaskListState(
    val tasks: List<CourierTask> = emptyList(),
    val status: SyncStatus? = null,
    val notice: String? = null,
    val needsSignIn: Boolean = false,
)

/**
 * Holds the core for the screen's lifetime and turns its listeners into a StateFlow. No business
 * logic: the core says which tasks can be delivered and when to sync; this only forwards.
 */
class TaskListViewModel(app: Application) : AndroidViewModel(app) {
    private val _state = MutableStateFlow(TaskListState())
    val state: StateFlow<TaskListState> = _state.asStateFlow()

    private var core: Runsheet? = null
    private val subscriptions = mutableListOf<Subscription>()
    private var networkCallback: ConnectivityManager.NetworkCallback? = null

    /** Opens the core in the app's private storage with the courier's token. */
    fun signIn(token: String) {
        core?.let {
            it.setToken(token)
            it.networkAvailable()
            _state.update { s -> s.copy(needsSignIn = false) }
            return
        }
        try {
            val db = File(getApplication<Application>().filesDir, "runsheet.db")
            val c = Runsheet(RunsheetConfig(db.path, BuildConfig.RUNSHEET_SERVER, token))
            subscriptions += c.subscribeTasks(object : TaskListener {
                override fun onUpdate(update: TaskListUpdate) {
                    _state.update { it.copy(tasks = update.tasks) }
                }
            })
            subscriptions += c.subscribeSync(object : SyncListener {
                override fun onSyncEvent(event: SyncEvent) {
                    _state.update {
                        it.copy(
                            status = event.status,
                            needsSignIn = event.authRequired,
                            notice = event.newRejections.firstOrNull()
                                ?.let { r -> "Task ${r.taskId}: ${r.reason}" } ?: it.notice,
                        )
                    }
                }
            })
            c.startAutoSync(60u)
            core = c
            watchNetwork(c)
        } catch (e: RunsheetException) {
            _state.update { it.copy(notice = e.message) }
        }
    }

    fun deliver(task: CourierTask) {
        val c = core ?: return
        try {
            c.markDelivered(task.id)
            _state.update { it.copy(notice = null) }
        } catch (e: RunsheetException) {
            _state.update { it.copy(notice = e.message) }
        }
    }

    fun sync() {
        val c = core ?: return
        viewModelScope.launch {
            try {
                c.sync()
                _state.update { it.copy(notice = null) }
            } catch (e: RunsheetException) {
                _state.update { it.copy(notice = e.message) }
            }
        }
    }

    private fun watchNetwork(c: Runsheet) {
        val cm = getApplication<Application>().getSystemService(Context.CONNECTIVITY_SERVICE) as ConnectivityManager
        val cb = object : ConnectivityManager.NetworkCallback() {
            override fun onAvailable(network: Network) = c.networkAvailable()
        }
        cm.registerDefaultNetworkCallback(cb)
        networkCallback = cb
    }

    override fun onCleared() {
        networkCallback?.let {
            val cm = getApplication<Application>().getSystemService(Context.CONNECTIVITY_SERVICE) as ConnectivityManager
            cm.unregisterNetworkCallback(it)
        }
        subscriptions.forEach { it.cancel() }
        core?.stopAutoSync()
        core?.close()
    }
}

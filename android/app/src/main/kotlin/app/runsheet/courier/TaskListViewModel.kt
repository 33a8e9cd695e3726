package app.runsheet.courier

import android.app.Application
import android.content.Context
import android.net.ConnectivityManager
import android.net.Network
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import app.runsheet.core.Checklist
import app.runsheet.core.ChecklistItem
import app.runsheet.core.CourierTask
import app.runsheet.core.EvidenceBundle
import app.runsheet.core.KpiPeriod
import app.runsheet.core.NextAction
import app.runsheet.core.ScanProgress
import app.runsheet.core.ShiftSummary
import app.runsheet.core.Step
import app.runsheet.core.SyncEvent
import app.runsheet.core.SyncStatus
import app.runsheet.core.TaskList
import app.runsheet.core.TaskListUpdate
import app.runsheet.core.NextStopHint
import app.runsheet.ffi.Runsheet
import app.runsheet.ffi.openRunsheet
import app.runsheet.ffi.RunsheetConfig
import app.runsheet.ffi.RunsheetException
import app.runsheet.ffi.ScanResult
import app.runsheet.ffi.ScanSymbology
import app.runsheet.ffi.Subscription
import app.runsheet.ffi.SyncListener
import app.runsheet.ffi.TaskListener
import app.runsheet.protocol.ChecklistAnswer
import app.runsheet.protocol.ChecklistStage
import app.runsheet.protocol.ContactChannel
import app.runsheet.protocol.ExceptionReason
import app.runsheet.protocol.Item
import app.runsheet.protocol.Kpis
import app.runsheet.protocol.MessageTemplate
import app.runsheet.protocol.Rating
import app.runsheet.protocol.RatingTarget
import app.runsheet.ffi.TokenProvider
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import java.io.File

/** What the screens show. Everything in it comes from the core. */
data class TaskListState(
    val list: TaskList? = null,
    val shiftNext: NextAction? = null,
    val hint: NextStopHint? = null,
    val summary: ShiftSummary? = null,
    val status: SyncStatus? = null,
    val notice: String? = null,
    val needsSignIn: Boolean = false,
    /** The task whose handoff is being scanned, its progress and the last verdict. */
    val scanning: String? = null,
    val scanProgress: ScanProgress? = null,
    val lastScan: ScanResult? = null,
    /** The checklist open on screen: its task (null: the shift's), stage and content. */
    val checklistTask: String? = null,
    val checklistStage: ChecklistStage? = null,
    val checklist: Checklist? = null,
    /** The KPI screen: open or not, its period, the figures and the ratings. */
    val showKpis: Boolean = false,
    val kpiPeriod: KpiPeriod = KpiPeriod.TODAY,
    val kpis: Kpis? = null,
    val ratings: List<Rating> = emptyList(),
)

/**
 * Holds the core for the app's lifetime and turns its listeners into a StateFlow. No business
 * logic: which button a task shows, what blocks it and in which words, come from the core;
 * this forwards taps and shows the core's sentences. The core's calls that touch its store or
 * the network are suspend functions that run off the main thread in the core; they are
 * launched in [viewModelScope] and are main-safe.
 */
class TaskListViewModel(app: Application) : AndroidViewModel(app) {
    private val _state = MutableStateFlow(TaskListState())
    val state: StateFlow<TaskListState> = _state.asStateFlow()

    private var core: Runsheet? = null
    private val secrets = SecretStore(app)

    /** The platform's sign-in backend call for a fresh token (none in this reference app). */
    private fun refreshToken(): String? = null
    private var location: LocationFeed? = null
    private val subscriptions = mutableListOf<Subscription>()
    private var networkCallback: ConnectivityManager.NetworkCallback? = null

    /** Where photos are written (the app's private files, shared with the camera app). */
    val photoDir: File get() = File(getApplication<Application>().filesDir, "photos").apply { mkdirs() }

    /** Opens the core in the app's private storage with the courier's token. */
    fun signIn(token: String) {
        secrets.setSessionToken(token)
        core?.let {
            it.session().setToken(token)
            it.sync().networkAvailable()
            _state.update { s -> s.copy(needsSignIn = false) }
            return
        }
        viewModelScope.launch { open(token) }
    }

    private suspend fun open(token: String) {
        try {
            val db = File(getApplication<Application>().filesDir, "runsheet.db")
            // The store holds customers' names, addresses and phones: encrypted under a key
            // sealed by the Android Keystore, and excluded from backups (data_extraction_rules).
            val c = openRunsheet(RunsheetConfig(db.path, BuildConfig.RUNSHEET_SERVER, token, secrets.databaseKey()))
            // After a 401 (expired or revoked token) the core asks once for a fresh token: a
            // platform build fetches it from its sign-in backend (which calls dispatch's
            // POST /v1/dispatch/couriers/{id}/tokens); null shows the sign-in screen.
            c.session().setTokenProvider(object : TokenProvider {
                override fun freshToken(): String? = refreshToken()?.also { secrets.setSessionToken(it) }
            })
            core = c
            subscriptions += c.tasks().subscribe(object : TaskListener {
                override fun onUpdate(update: TaskListUpdate) = refresh()
            })
            subscriptions += c.sync().subscribe(object : SyncListener {
                override fun onSyncEvent(event: SyncEvent) {
                    _state.update {
                        it.copy(
                            status = event.status,
                            needsSignIn = event.authRequired,
                            ratings = if (event.newRatings.isEmpty()) it.ratings else it.ratings + event.newRatings,
                            notice = event.newRejections.firstOrNull()
                                ?.let { r -> "Task ${r.taskId}: ${r.reason}" } ?: it.notice,
                        )
                    }
                }
            })
            c.sync().startAuto(60u)
            // Foreground/background (long-poll or periodic sync) and push hints reach it from here.
            getApplication<RunsheetApplication>().attach(c)
            watchNetwork(c)
            refresh()
        } catch (e: RunsheetException) {
            _state.update { it.copy(notice = e.message) }
        }
    }

    /** Starts feeding locations once the courier granted the permission. */
    fun locationGranted() {
        val c = core ?: return
        location = location ?: LocationFeed(getApplication(), c, viewModelScope)
        location?.refresh()
    }

    /** Re-reads the grouped list, the shift's button and the next-stop hint from the core. */
    fun refresh() {
        val c = core ?: return
        viewModelScope.launch {
            try {
                val list = c.tasks().grouped()
                val shiftNext = c.shift().nextAction()
                val hint = c.navigation().nextStopHint()
                val summary = c.shift().summary()
                _state.update { it.copy(list = list, shiftNext = shiftNext, hint = hint, summary = summary) }
            } catch (e: RunsheetException) {
                _state.update { it.copy(notice = e.message) }
            }
            location?.refresh()
        }
    }

    private fun act(block: suspend (Runsheet) -> Unit) {
        val c = core ?: return
        viewModelScope.launch {
            try {
                block(c)
                _state.update { it.copy(notice = null) }
            } catch (e: RunsheetException) {
                _state.update { it.copy(notice = e.message) }
            }
            refresh()
        }
    }

    /** Performs a primary action the core offered (the one button of a task or of the shift). */
    fun perform(action: NextAction) = act { c ->
        val id = action.taskId
        when (action.step) {
            Step.StartShift -> c.shift().start()
            Step.EndBreak -> c.shift().endBreak()
            Step.EndShift -> c.shift().end()
            Step.Accept -> c.tasks().accept(id!!)
            Step.PickUp -> c.tasks().pickUp(id!!)
            Step.Deliver -> c.tasks().markDelivered(id!!)
            Step.Return -> c.tasks().markReturned(id!!)
            // Arrivals are detected from GPS; the button only opens the manual arrival dialog.
            is Step.Arrive, Step.WaitForTasks -> Unit
        }
    }

    fun arriveManually(task: CourierTask, reason: String) = act { it.tasks().arriveManually(task.id, reason) }

    fun startBreak() = act { it.shift().startBreak() }

    /** Reports an exception with the photos taken for it (files in [photoDir]). */
    fun report(task: CourierTask, reason: ExceptionReason, note: String?, photos: List<File>, readyInMinutes: Int?) =
        act { c ->
            val hashes = photos.map { c.scans().attachFile(it.path).sha256 }
            // The core moves the ready time by its own clock; the sheet only asks for minutes.
            if (readyInMinutes != null) c.tasks().reportMerchantDelay(task.id, note, hashes, readyInMinutes.toUInt())
            else c.tasks().reportException(task.id, reason, note, hashes, null)
        }

    fun contactAttempt(task: CourierTask, channel: ContactChannel, answered: Boolean) =
        act { it.tasks().recordContactAttempt(task.id, channel, answered) }

    /** The template's text as the customer would get it now (a preview). */
    suspend fun messagePreview(task: CourierTask, template: MessageTemplate): String =
        runCatching { core?.tasks()?.messageText(task.id, template) }.getOrNull() ?: ""

    fun sendMessage(task: CourierTask, template: MessageTemplate) = act { it.tasks().sendMessage(task.id, template) }

    /** Moves the drop-off pin to where the phone is now (the courier stands at the real door). */
    fun correctPinHere(task: CourierTask, lat: Double, lon: Double) = act { it.tasks().correctPin(task.id, lat, lon) }

    fun deliverWithProof(task: CourierTask, photo: File) = act { c ->
        c.tasks().markDeliveredWithProof(task.id, listOf(c.scans().attachFile(photo.path).sha256))
    }

    /** Opens a checklist (`taskId` null: the start-of-shift one). */
    fun openChecklist(taskId: String?, stage: ChecklistStage) {
        val c = core ?: return
        viewModelScope.launch {
            val checklist = runCatching { c.checklists().checklist(taskId, stage) }.getOrNull()
            _state.update { it.copy(checklistTask = taskId, checklistStage = stage, checklist = checklist) }
        }
    }

    fun closeChecklist() {
        _state.update { it.copy(checklistTask = null, checklistStage = null, checklist = null) }
        refresh()
    }

    /** Answers an item of the open checklist (out-of-range answers are reported by the core). */
    fun answer(item: ChecklistItem, answer: ChecklistAnswer) = act { c ->
        val stage = _state.value.checklistStage ?: return@act
        val task = _state.value.checklistTask
        c.checklists().answer(task, stage, item.def.id, answer)
        val checklist = c.checklists().checklist(task, stage)
        _state.update { it.copy(checklist = checklist) }
    }

    /** Answers a photo or signature item with files the app wrote. */
    fun answerWithFiles(item: ChecklistItem, files: List<File>, signature: Boolean) = act { c ->
        val hashes = files.map { c.scans().attachFile(it.path).sha256 }
        val answer = if (signature) ChecklistAnswer.Signature(hashes.first()) else ChecklistAnswer.Photos(hashes)
        val stage = _state.value.checklistStage ?: return@act
        val task = _state.value.checklistTask
        c.checklists().answer(task, stage, item.def.id, answer)
        val checklist = c.checklists().checklist(task, stage)
        _state.update { it.copy(checklist = checklist) }
    }

    /** Opens the KPI screen for a period (figures computed on the phone). */
    fun showKpis(period: KpiPeriod) {
        val c = core ?: return
        viewModelScope.launch {
            val kpis = runCatching { c.ratings().kpis(period) }.getOrNull()
            val ratings = runCatching { c.ratings().received() }.getOrElse { emptyList() }
            _state.update { it.copy(showKpis = true, kpiPeriod = period, kpis = kpis, ratings = ratings) }
        }
    }

    fun closeKpis() = _state.update { it.copy(showKpis = false) }

    /** Appeals a rating; the core attaches the task's evidence bundle. */
    fun appeal(rating: Rating, reason: String) = act { c ->
        c.ratings().appeal(rating.id, reason)
        val ratings = c.ratings().received()
        _state.update { it.copy(ratings = ratings) }
    }

    /** Rates the merchant or drop-off of a finished task (editable for a while, queued offline). */
    fun rateStop(task: CourierTask, target: RatingTarget, stars: Int, note: String?) =
        act { it.ratings().rateStop(task.id, target, stars.toUByte(), emptyList(), note) }

    /** The task's evidence bundle to share with support for an appeal. */
    suspend fun evidence(task: CourierTask): EvidenceBundle? = runCatching { core?.tasks()?.evidenceBundle(task.id) }.getOrNull()

    /** Opens the scanner on the task's current handoff. */
    fun openScanner(task: CourierTask) {
        val c = core ?: return
        viewModelScope.launch {
            val progress = runCatching { c.scans().progress(task.id) }.getOrNull()
            _state.update { it.copy(scanning = task.id, scanProgress = progress, lastScan = null) }
        }
    }

    fun closeScanner() {
        _state.update { it.copy(scanning = null, scanProgress = null, lastScan = null) }
        refresh()
    }

    /** A code the camera read: the core classifies it (repeats of a burst count once). */
    fun scan(raw: String, symbology: ScanSymbology) {
        val c = core ?: return
        val task = _state.value.scanning ?: return
        viewModelScope.launch {
            try {
                val r = c.scans().scan(task, raw, symbology)
                _state.update { it.copy(lastScan = r, scanProgress = r.progress) }
            } catch (e: RunsheetException) {
                _state.update { it.copy(notice = e.message) }
            }
        }
    }

    /** A damaged label: the item confirmed by hand with a reason and a photo. */
    fun confirmByHand(item: Item, reason: String, photos: List<File>) = act { c ->
        val task = _state.value.scanning ?: return@act
        c.scans().confirmItemManually(task, item.code, reason, photos.map { c.scans().attachFile(it.path).sha256 })
        val progress = c.scans().progress(task)
        _state.update { it.copy(scanProgress = progress) }
    }

    fun sync() {
        val c = core ?: return
        viewModelScope.launch {
            try {
                c.sync().now()
                _state.update { it.copy(notice = null) }
            } catch (e: RunsheetException) {
                _state.update { it.copy(notice = e.message) }
            }
            refresh()
        }
    }

    private fun watchNetwork(c: Runsheet) {
        val cm = getApplication<Application>().getSystemService(Context.CONNECTIVITY_SERVICE) as ConnectivityManager
        val cb = object : ConnectivityManager.NetworkCallback() {
            override fun onAvailable(network: Network) = c.sync().networkAvailable()
        }
        cm.registerDefaultNetworkCallback(cb)
        networkCallback = cb
    }

    override fun onCleared() {
        networkCallback?.let {
            val cm = getApplication<Application>().getSystemService(Context.CONNECTIVITY_SERVICE) as ConnectivityManager
            cm.unregisterNetworkCallback(it)
        }
        location?.stop()
        subscriptions.forEach { it.cancel() }
        core?.let { getApplication<RunsheetApplication>().detach(it) }
        core?.sync()?.stopAuto()
        core?.close()
    }
}

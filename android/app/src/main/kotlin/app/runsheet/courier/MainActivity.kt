package app.runsheet.courier

import android.Manifest
import android.content.Intent
import android.net.Uri
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.activity.viewModels
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.core.content.FileProvider
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.runsheet.core.ChecklistItem
import app.runsheet.core.CourierTask
import app.runsheet.core.KpiPeriod
import app.runsheet.protocol.ChecklistAnswer
import app.runsheet.protocol.ChecklistStage
import java.io.File

class MainActivity : ComponentActivity() {
    private val model: TaskListViewModel by viewModels()
    private var pendingPhoto: File? = null
    private val photos = mutableStateListOf<File>()

    private val askLocation = registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        if (granted) model.locationGranted()
    }

    private val takePicture = registerForActivityResult(ActivityResultContracts.TakePicture()) { saved ->
        pendingPhoto?.takeIf { saved }?.let { photos.add(it) }
        pendingPhoto = null
    }

    private fun takePhoto() {
        val file = File(model.photoDir, "photo-${System.currentTimeMillis()}.jpg")
        pendingPhoto = file
        takePicture.launch(FileProvider.getUriForFile(this, "app.runsheet.courier.photos", file))
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContent {
            MaterialTheme {
                val state by model.state.collectAsStateWithLifecycle()
                var arriving by remember { mutableStateOf<CourierTask?>(null) }
                var problem by remember { mutableStateOf<CourierTask?>(null) }
                var contact by remember { mutableStateOf<CourierTask?>(null) }
                val scanning = state.scanning
                val checklist = state.checklist
                var signing by remember { mutableStateOf<ChecklistItem?>(null) }
                var rating by remember { mutableStateOf<CourierTask?>(null) }
                rating?.let { task ->
                    RateStopDialog(
                        task,
                        onRate = { target, stars, note -> model.rateStop(task, target, stars, note) },
                        onDismiss = { rating = null },
                    )
                }
                if (state.showKpis) {
                    KpiScreen(
                        state.kpiPeriod,
                        state.kpis,
                        state.ratings,
                        onPeriod = model::showKpis,
                        onAppeal = model::appeal,
                        onClose = model::closeKpis,
                    )
                } else if (signing != null) {
                    SignaturePad(
                        onSigned = { file -> model.answerWithFiles(signing!!, listOf(file), signature = true); signing = null },
                        dir = model.photoDir,
                        onCancel = { signing = null },
                    )
                } else if (checklist != null) {
                    ChecklistScreen(
                        title = state.checklistTask?.let { "Checklist for $it" } ?: "Start of shift",
                        list = checklist,
                        inputs = ChecklistInputs(
                            answer = model::answer,
                            takePhotos = { item ->
                                if (photos.isEmpty()) takePhoto() else model.answerWithFiles(item, photos.toList(), signature = false)
                            },
                            signature = { signing = it },
                            scan = { item -> model.answer(item, ChecklistAnswer.Scan(item.def.id)) },
                            done = model::closeChecklist,
                        ),
                    )
                } else if (scanning != null) {
                    ScanScreen(
                        scanning,
                        state.scanProgress,
                        state.lastScan,
                        onScan = model::scan,
                        onConfirmByHand = { item ->
                            if (photos.isEmpty()) takePhoto() else model.confirmByHand(item, "label damaged", photos.toList())
                        },
                        onDone = model::closeScanner,
                    )
                } else if (state.status == null || state.needsSignIn) {
                    SignInScreen(state.notice) { token ->
                        model.signIn(token)
                        askLocation.launch(Manifest.permission.ACCESS_FINE_LOCATION)
                    }
                } else {
                    TaskListScreen(
                        state,
                        TaskListActions(
                            perform = model::perform,
                            arriveManually = { arriving = it },
                            problem = { photos.clear(); problem = it },
                            scan = { photos.clear(); model.openScanner(it) },
                            checklist = { task ->
                                photos.clear()
                                // The core says which stage a task's procedure is at.
                                val stage = task?.checklistStage() ?: ChecklistStage.START_OF_SHIFT
                                model.openChecklist(task?.id, stage)
                            },
                            contact = { contact = it },
                            openMaps = { link -> startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(link.url))) },
                            startBreak = model::startBreak,
                            kpis = { model.showKpis(KpiPeriod.TODAY) },
                            rate = { rating = it },
                            sync = model::sync,
                        ),
                    )
                }
                arriving?.let { task ->
                    ArrivalReasonDialog(
                        onReason = { model.arriveManually(task, it); arriving = null },
                        onDismiss = { arriving = null },
                    )
                }
                problem?.let { task ->
                    ProblemSheet(
                        task,
                        photos,
                        onTakePhoto = ::takePhoto,
                        onReport = { reason, note, readyIn ->
                            model.report(task, reason, note, photos.toList(), readyIn)
                            problem = null
                        },
                        onDismiss = { problem = null },
                    )
                }
                contact?.let { task ->
                    ContactSheet(
                        task,
                        preview = { model.messagePreview(task, it) },
                        onCall = {
                            task.dropoff.phone?.let { startActivity(Intent(Intent.ACTION_DIAL, Uri.parse("tel:$it"))) }
                        },
                        onAttempt = { channel, answered -> model.contactAttempt(task, channel, answered) },
                        onMessage = { model.sendMessage(task, it) },
                        onDismiss = { contact = null },
                    )
                }
            }
        }
    }
}

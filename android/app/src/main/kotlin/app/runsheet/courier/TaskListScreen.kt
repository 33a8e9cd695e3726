package app.runsheet.courier

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AssistChip
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.runsheet.core.Blocker
import app.runsheet.core.CourierTask
import app.runsheet.route.MapApp
import app.runsheet.core.NextAction
import app.runsheet.route.Risk
import app.runsheet.core.ShiftState
import app.runsheet.core.ShiftSummary
import app.runsheet.core.Step
import app.runsheet.core.SyncStatus
import app.runsheet.core.TaskGroup
import app.runsheet.route.NavigationLink
import app.runsheet.core.NextStopHint
import app.runsheet.protocol.TaskKind
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

/** What the list asks the activity to do (taps go to the view model or to other apps). */
class TaskListActions(
    val perform: (NextAction) -> Unit,
    val arriveManually: (CourierTask) -> Unit,
    val problem: (CourierTask) -> Unit,
    val scan: (CourierTask) -> Unit,
    val checklist: (CourierTask?) -> Unit,
    val contact: (CourierTask) -> Unit,
    val openMaps: (NavigationLink) -> Unit,
    val startBreak: () -> Unit,
    val kpis: () -> Unit,
    val rate: (CourierTask) -> Unit,
    val sync: () -> Unit,
)

/**
 * The courier's shift on one screen: the shift's one button, the hint to the next stop with the
 * maps hand-off, and the tasks grouped now / next / later / done today in planned order, each
 * with its one primary button (disabled with the core's reason while something blocks it).
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun TaskListScreen(state: TaskListState, actions: TaskListActions) {
    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text("Runsheet") },
                actions = {
                    if (state.summary?.state == ShiftState.ON_DUTY) {
                        TextButton(onClick = actions.startBreak) { Text("Break") }
                    }
                    TextButton(onClick = actions.kpis) { Text("My figures") }
                    TextButton(onClick = actions.sync) { Text("Sync") }
                },
            )
        },
    ) { padding ->
        LazyColumn(
            modifier = Modifier.fillMaxSize().padding(padding),
            verticalArrangement = Arrangement.spacedBy(8.dp),
        ) {
            item { SyncStatusLine(state.status, state.notice) }
            item { ShiftBar(state.shiftNext, state.summary, actions) }
            state.hint?.let { hint -> item { HintCard(hint, actions.openMaps) } }
            val entries = state.list?.entries.orEmpty()
            for (group in TaskGroup.values()) {
                val inGroup = entries.filter { it.group == group }
                if (inGroup.isEmpty()) continue
                item(key = "header-$group") {
                    Text(
                        "${groupLabel(group)} (${inGroup.size})",
                        style = MaterialTheme.typography.titleSmall,
                        modifier = Modifier.padding(horizontal = 16.dp, vertical = 4.dp),
                    )
                }
                items(inGroup, key = { it.task.id }) { entry -> TaskRow(entry.task, entry.nextAction, actions) }
            }
        }
    }
}

@Composable
private fun ShiftBar(next: NextAction?, summary: ShiftSummary?, actions: TaskListActions) {
    Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp)) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            if (summary != null) {
                Text(
                    "${summary.openTasks} open · ${summary.delivered} delivered " +
                        "(${summary.deliveredOnTime} on time) · ${summary.failed} failed · " +
                        "${"%.1f".format(summary.distanceM / 1000)} km",
                    style = MaterialTheme.typography.bodySmall,
                )
                summary.expectedFinish?.let {
                    Text("Expected to finish at ${clock(it)}", style = MaterialTheme.typography.bodySmall)
                }
            }
            if (next != null && next.taskId == null && next.step != Step.WaitForTasks) {
                Button(onClick = { actions.perform(next) }, enabled = next.blockers.isEmpty()) {
                    Text(next.step.label())
                }
                next.blockers.forEach { Text(it.toString(), color = MaterialTheme.colorScheme.error) }
                if (next.blockers.any { it is Blocker.ChecklistIncomplete }) {
                    OutlinedButton(onClick = { actions.checklist(null) }) { Text("Start-of-shift checklist") }
                }
            } else if (next?.step == Step.WaitForTasks) {
                Text(next.step.label(), style = MaterialTheme.typography.bodyMedium)
            }
        }
    }
}

@Composable
private fun HintCard(hint: NextStopHint, openMaps: (NavigationLink) -> Unit) {
    Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp)) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text("Next: task ${hint.stop.taskId}", style = MaterialTheme.typography.titleMedium)
            val distance = hint.distanceM?.let { if (it >= 1000) "%.1f km".format(it / 1000) else "${it.toInt()} m" }
            Text(
                listOfNotNull(distance, hint.compass, hint.eta?.let { "ETA ${clock(it)}" }).joinToString(" · "),
                style = MaterialTheme.typography.bodyMedium,
            )
            hint.risk?.let { risk ->
                Text(
                    riskLabel(risk),
                    color = if (risk == Risk.ON_TIME) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.error,
                )
            }
            Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                hint.links.forEach { link ->
                    OutlinedButton(onClick = { openMaps(link) }) { Text(appLabel(link.app)) }
                }
            }
        }
    }
}

@Composable
private fun TaskRow(task: CourierTask, next: NextAction?, actions: TaskListActions) {
    Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp)) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                AssistChip(onClick = {}, label = { Text(kindLabel(task.kind)) })
                Text(
                    if (task.customerDataPurged) "Task ${task.id}" else task.dropoff.name,
                    style = MaterialTheme.typography.titleMedium,
                )
            }
            if (!task.customerDataPurged) Text(task.dropoff.address, style = MaterialTheme.typography.bodyMedium)
            Text(task.statusLabel(), style = MaterialTheme.typography.bodySmall)
            task.dropoff.dueBy?.let { Text("Promised by ${clock(it)}", style = MaterialTheme.typography.bodySmall) }
            if (task.items.isNotEmpty()) {
                Text(
                    task.items.joinToString { "${it.name} (${it.temperature.name.lowercase()})" },
                    style = MaterialTheme.typography.bodySmall,
                )
            }
            if (task.pendingActions > 0u) {
                Text("${task.pendingActions} not sent yet", color = MaterialTheme.colorScheme.tertiary)
            }
            next?.let { PrimaryButton(task, it, actions) }
            if (task.mayRate()) {
                TextButton(onClick = { actions.rate(task) }) { Text("Rate the pickup and the drop-off") }
            }
            if (next != null) {
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    if (task.dropoff.phone != null) TextButton(onClick = { actions.contact(task) }) { Text("Contact") }
                    TextButton(onClick = { actions.problem(task) }) { Text("Report a problem") }
                }
            }
        }
    }
}

@Composable
private fun PrimaryButton(task: CourierTask, next: NextAction, actions: TaskListActions) {
    val isArrival = next.step is Step.Arrive
    if (isArrival) {
        // GPS records the arrival by itself; the button is the manual fallback with a reason.
        OutlinedButton(onClick = { actions.arriveManually(task) }) { Text("${next.step.label()} (confirm)") }
    } else {
        Button(onClick = { actions.perform(next) }, enabled = next.blockers.isEmpty()) { Text(next.step.label()) }
        if (next.blockers.any { it is Blocker.ItemsNotConfirmed }) {
            OutlinedButton(onClick = { actions.scan(task) }) { Text("Scan items") }
        }
        if (next.blockers.any { it is Blocker.ChecklistIncomplete || it is Blocker.ProofMissing }) {
            OutlinedButton(onClick = { actions.checklist(task) }) { Text("Checklist") }
        }
    }
    next.blockers.forEach { Text(it.toString(), style = MaterialTheme.typography.bodySmall) }
}

/** The manual-arrival dialog's reasons; "Other" lets the courier type one. */
val ARRIVAL_REASONS = listOf("GPS signal lost", "Indoors or underground", "The map pin is wrong")

/** Asks why the arrival is confirmed by hand. */
@Composable
fun ArrivalReasonDialog(onReason: (String) -> Unit, onDismiss: () -> Unit) {
    var other by remember { mutableStateOf("") }
    androidx.compose.material3.AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text("Why confirm by hand?") },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                ARRIVAL_REASONS.forEach { r -> TextButton(onClick = { onReason(r) }) { Text(r) } }
                OutlinedTextField(value = other, onValueChange = { other = it }, label = { Text("Other") })
            }
        },
        confirmButton = { TextButton(onClick = { onReason(other) }, enabled = other.isNotBlank()) { Text("Confirm") } },
        dismissButton = { TextButton(onClick = onDismiss) { Text("Cancel") } },
    )
}

@Composable
private fun SyncStatusLine(status: SyncStatus?, notice: String?) {
    Column(Modifier.padding(horizontal = 16.dp)) {
        if (status != null) {
            if (status.online == false) {
                Text("Offline: actions are kept on this phone", style = MaterialTheme.typography.bodySmall)
            }
            Text(
                if (status.pending == 0uL) "All actions sent"
                else "${status.pending} action(s) waiting for the network",
                style = MaterialTheme.typography.bodyMedium,
            )
            if (status.pendingUploads > 0uL) {
                Text("${status.pendingUploads} photo(s) to upload", style = MaterialTheme.typography.bodySmall)
            }
        }
        if (notice != null) {
            Text(notice, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodySmall)
        }
    }
}

private val TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault())

private fun clock(unixSeconds: Long): String = TIME.format(Instant.ofEpochSecond(unixSeconds))

private fun groupLabel(g: TaskGroup) = when (g) {
    TaskGroup.NOW -> "Now"
    TaskGroup.NEXT -> "Next"
    TaskGroup.LATER -> "Later"
    TaskGroup.DONE_TODAY -> "Done today"
}

private fun riskLabel(r: Risk) = when (r) {
    Risk.ON_TIME -> "On time"
    Risk.AT_RISK -> "At risk of being late"
    Risk.LATE -> "Will be late"
}

private fun appLabel(app: MapApp) = when (app) {
    MapApp.GOOGLE -> "Google Maps"
    MapApp.APPLE -> "Apple Maps"
    MapApp.WAZE -> "Waze"
    MapApp.AMAP -> "Amap"
    MapApp.BAIDU -> "Baidu"
}

private fun kindLabel(kind: TaskKind) = when (kind) {
    TaskKind.FOOD -> "Food"
    TaskKind.GROCERY -> "Grocery"
    TaskKind.PARCEL -> "Parcel"
    TaskKind.RETURN_PICKUP -> "Return"
}

/** Asks for the courier's token (a platform's sign-in flow replaces this). */
@Composable
fun SignInScreen(notice: String?, onSignIn: (String) -> Unit) {
    var token by remember { mutableStateOf("") }
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("Runsheet", style = MaterialTheme.typography.headlineMedium)
        OutlinedTextField(value = token, onValueChange = { token = it }, label = { Text("Courier token") })
        if (notice != null) Text(notice, color = MaterialTheme.colorScheme.error)
        Button(onClick = { onSignIn(token) }, enabled = token.isNotBlank()) { Text("Sign in") }
    }
}

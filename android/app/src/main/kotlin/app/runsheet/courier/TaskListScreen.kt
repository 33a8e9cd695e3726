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
import app.runsheet.core.CourierTask
import app.runsheet.core.SyncStatus
import app.runsheet.core.TaskKind
import app.runsheet.core.TaskStatus

/** The courier's list: one row per task, "Delivered" only where the core allows it. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun TaskListScreen(state: TaskListState, onDeliver: (CourierTask) -> Unit, onSync: () -> Unit) {
    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text("Runsheet") },
                actions = { TextButton(onClick = onSync) { Text("Sync") } },
            )
        },
    ) { padding ->
        LazyColumn(
            modifier = Modifier.fillMaxSize().padding(padding),
            verticalArrangement = Arrangement.spacedBy(8.dp),
        ) {
            item { SyncStatusLine(state.status, state.notice) }
            items(state.tasks, key = { it.id }) { task -> TaskRow(task, onDeliver) }
        }
    }
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

@Composable
private fun TaskRow(task: CourierTask, onDeliver: (CourierTask) -> Unit) {
    Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp)) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                AssistChip(onClick = {}, label = { Text(kindLabel(task.kind)) })
                Text(task.dropoff.name, style = MaterialTheme.typography.titleMedium)
            }
            Text(task.dropoff.address, style = MaterialTheme.typography.bodyMedium)
            Text(statusLabel(task.status), style = MaterialTheme.typography.bodySmall)
            if (task.pendingActions > 0u) {
                Text("${task.pendingActions} not sent yet", color = MaterialTheme.colorScheme.tertiary)
            }
            if (task.canDeliver) {
                Button(onClick = { onDeliver(task) }) { Text("Delivered") }
            }
        }
    }
}

private fun kindLabel(kind: TaskKind) = when (kind) {
    TaskKind.FOOD -> "Food"
    TaskKind.GROCERY -> "Grocery"
    TaskKind.PARCEL -> "Parcel"
    TaskKind.RETURN_PICKUP -> "Return"
}

private fun statusLabel(status: TaskStatus) = when (status) {
    TaskStatus.ASSIGNED -> "To do"
    TaskStatus.DELIVERED -> "Delivered"
    TaskStatus.CANCELLED -> "Cancelled"
}

/** Asks for the courier's token (a platform's sign-in flow replaces this). */
@Composable
fun SignInScreen(notice: String?, onSignIn: (String) -> Unit) {
    var token by remember { mutableStateOf("") }
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("Runsheet", style = MaterialTheme.typography.headlineMedium)
        OutlinedTextField(value = token, onValueChange = { token = it }, label = { Text("Courier token") })
        if (notice != null) Text(notice, color = MaterialTheme.colorScheme.error)
        Button(onClick = { onSignIn(token) }, enabled = token.isNotBlank()) { Text("Start shift") }
    }
}

package app.runsheet.courier

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.FilterChip
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.unit.dp
import app.runsheet.core.CourierTask
import app.runsheet.protocol.ContactChannel
import app.runsheet.protocol.ExceptionReason
import app.runsheet.protocol.MessageTemplate
import java.io.File

/** The reasons a courier can report, with the words shown. */
val PROBLEMS = listOf(
    ExceptionReason.CUSTOMER_UNREACHABLE to "Customer unreachable",
    ExceptionReason.WRONG_ADDRESS to "Wrong or incomplete address",
    ExceptionReason.CUSTOMER_REFUSED to "Customer refused",
    ExceptionReason.GOODS_DAMAGED to "Goods damaged",
    ExceptionReason.MERCHANT_DELAY to "Food not ready (merchant delay)",
    ExceptionReason.VEHICLE_BREAKDOWN to "Vehicle breakdown",
    ExceptionReason.ACCIDENT to "Accident or safety issue",
)

/**
 * Reporting a problem: the reason, a note, photos (taken with the camera into the app's files),
 * the new ready time for a merchant delay. Whether the report is allowed now (attempts made,
 * wait timer, photo required) is the core's decision; its refusal text is shown as it comes.
 */
@Composable
fun ProblemSheet(
    task: CourierTask,
    photos: List<File>,
    onTakePhoto: () -> Unit,
    onReport: (ExceptionReason, String?, Int?) -> Unit,
    onDismiss: () -> Unit,
) {
    var reason by remember { mutableStateOf<ExceptionReason?>(null) }
    var note by remember { mutableStateOf("") }
    var readyIn by remember { mutableStateOf("15") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text("Problem with task ${task.id}") },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                PROBLEMS.forEach { (r, label) ->
                    FilterChip(selected = reason == r, onClick = { reason = r }, label = { Text(label) })
                }
                OutlinedTextField(value = note, onValueChange = { note = it }, label = { Text("Note") })
                if (reason == ExceptionReason.MERCHANT_DELAY) {
                    OutlinedTextField(
                        value = readyIn,
                        onValueChange = { readyIn = it.filter(Char::isDigit) },
                        label = { Text("Ready in (minutes)") },
                    )
                }
                Row {
                    TextButton(onClick = onTakePhoto) { Text("Take photo (${photos.size})") }
                }
            }
        },
        confirmButton = {
            TextButton(
                enabled = reason != null,
                onClick = {
                    val r = reason ?: return@TextButton
                    val ready = if (r == ExceptionReason.MERCHANT_DELAY) readyIn.toIntOrNull() else null
                    onReport(r, note.ifBlank { null }, ready)
                },
            ) { Text("Report") }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text("Cancel") } },
    )
}

/**
 * Contacting the customer through the platform's masked number: call (the dialer opens on the
 * masked number), record whether they answered, or send a templated message whose text the
 * core fills with the live ETA.
 */
@Composable
fun ContactSheet(
    task: CourierTask,
    preview: suspend (MessageTemplate) -> String,
    onCall: () -> Unit,
    onAttempt: (ContactChannel, Boolean) -> Unit,
    onMessage: (MessageTemplate) -> Unit,
    onDismiss: () -> Unit,
) {
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text("Contact the customer") },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                task.dropoff.phone?.let { TextButton(onClick = onCall) { Text("Call $it") } }
                Row {
                    TextButton(onClick = { onAttempt(ContactChannel.CALL, true) }) { Text("Answered") }
                    TextButton(onClick = { onAttempt(ContactChannel.CALL, false) }) { Text("No answer") }
                }
                MessageTemplate.values().forEach { t ->
                    // The core fills the text off the UI thread; the button shows it once read.
                    val text by produceState("", t) { value = preview(t) }
                    TextButton(onClick = { onMessage(t) }) { Text(text) }
                }
            }
        },
        confirmButton = { TextButton(onClick = onDismiss) { Text("Done") } },
    )
}

/** Rating the merchant and the drop-off after a delivery (stars and an access note). */
@Composable
fun RateStopDialog(
    task: CourierTask,
    onRate: (app.runsheet.core.RatingTarget, Int, String?) -> Unit,
    onDismiss: () -> Unit,
) {
    var merchant by remember { mutableStateOf(0) }
    var door by remember { mutableStateOf(0) }
    var note by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text("Rate task ${task.id}") },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                if (task.pickup != null) {
                    Text("Merchant (food ready, packaging)")
                    Row { (1..5).forEach { s -> FilterChip(merchant == s, { merchant = s }, { Text("$s") }) } }
                }
                Text("Drop-off (easy to find)")
                Row { (1..5).forEach { s -> FilterChip(door == s, { door = s }, { Text("$s") }) } }
                OutlinedTextField(value = note, onValueChange = { note = it }, label = { Text("Access note for the next courier") })
            }
        },
        confirmButton = {
            TextButton(onClick = {
                if (merchant > 0) onRate(app.runsheet.core.RatingTarget.MERCHANT, merchant, null)
                if (door > 0) onRate(app.runsheet.core.RatingTarget.DROPOFF, door, note.ifBlank { null })
                onDismiss()
            }) { Text("Send") }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text("Cancel") } },
    )
}

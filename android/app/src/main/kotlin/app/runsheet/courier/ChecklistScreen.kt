package app.runsheet.courier

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.runsheet.core.Checklist
import app.runsheet.core.ChecklistItem
import app.runsheet.protocol.ChecklistAnswer
import app.runsheet.protocol.ChecklistItemKind

/** What a checklist screen asks the activity for: photos, a signature pad, the scanner. */
class ChecklistInputs(
    val answer: (ChecklistItem, ChecklistAnswer) -> Unit,
    val takePhotos: (ChecklistItem) -> Unit,
    val signature: (ChecklistItem) -> Unit,
    val scan: (ChecklistItem) -> Unit,
    val done: () -> Unit,
)

/**
 * A checklist as the core describes it: one control per item kind, hidden while its condition
 * does not hold, marked when the answer is outside the procedure. The shell decides nothing:
 * what applies, what satisfies and what is still missing come from the core.
 */
@Composable
fun ChecklistScreen(title: String, list: Checklist, inputs: ChecklistInputs) {
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(title, style = MaterialTheme.typography.titleMedium)
        Text("Version ${list.version}", style = MaterialTheme.typography.bodySmall)
        val missing = list.missing()
        if (missing.isNotEmpty()) {
            Text("To do: ${missing.joinToString()}", color = MaterialTheme.colorScheme.error)
        }
        LazyColumn(verticalArrangement = Arrangement.spacedBy(6.dp)) {
            items(list.items.filter { it.applies }, key = { it.def.id }) { item -> ItemCard(item, inputs) }
        }
        Button(onClick = inputs.done) { Text("Done") }
    }
}

@Composable
private fun ItemCard(item: ChecklistItem, inputs: ChecklistInputs) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(
                item.def.label + if (item.def.required) "" else " (optional)",
                style = MaterialTheme.typography.bodyLarge,
            )
            val answer = item.answer?.value
            when (val kind = item.def.kind) {
                is ChecklistItemKind.Confirm -> Row {
                    Checkbox(
                        checked = answer is ChecklistAnswer.Confirmed,
                        onCheckedChange = { if (it) inputs.answer(item, ChecklistAnswer.Confirmed) },
                    )
                    Text("Done")
                }
                is ChecklistItemKind.YesNo -> Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    val yes = (answer as? ChecklistAnswer.YesNo)?.yes
                    FilterChip(yes == true, { inputs.answer(item, ChecklistAnswer.YesNo(true)) }, { Text("Yes") })
                    FilterChip(yes == false, { inputs.answer(item, ChecklistAnswer.YesNo(false)) }, { Text("No") })
                }
                is ChecklistItemKind.Number -> {
                    var text by remember { mutableStateOf((answer as? ChecklistAnswer.Number)?.value?.toString() ?: "") }
                    val range = listOfNotNull(kind.min?.let { "from $it" }, kind.max?.let { "to $it" }).joinToString(" ")
                    OutlinedTextField(
                        value = text,
                        onValueChange = { text = it },
                        label = { Text("${kind.unit} $range".trim()) },
                    )
                    TextButton(onClick = { text.toDoubleOrNull()?.let { inputs.answer(item, ChecklistAnswer.Number(it)) } }) {
                        Text("Save")
                    }
                }
                is ChecklistItemKind.Choice -> Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                    val chosen = (answer as? ChecklistAnswer.Choice)?.option
                    kind.options.forEach { option ->
                        FilterChip(chosen == option, { inputs.answer(item, ChecklistAnswer.Choice(option)) }, { Text(option) })
                    }
                }
                is ChecklistItemKind.Text -> {
                    var text by remember { mutableStateOf((answer as? ChecklistAnswer.Text)?.text ?: "") }
                    OutlinedTextField(value = text, onValueChange = { text = it })
                    TextButton(onClick = { if (text.isNotBlank()) inputs.answer(item, ChecklistAnswer.Text(text)) }) { Text("Save") }
                }
                is ChecklistItemKind.Photo -> {
                    val n = (answer as? ChecklistAnswer.Photos)?.hashes?.size ?: 0
                    TextButton(onClick = { inputs.takePhotos(item) }) { Text("Take photos ($n of at least ${kind.minCount})") }
                }
                is ChecklistItemKind.Signature -> TextButton(onClick = { inputs.signature(item) }) {
                    Text(if (item.answer != null) "Signed (sign again)" else "Customer signs")
                }
                is ChecklistItemKind.Scan -> TextButton(onClick = { inputs.scan(item) }) {
                    Text((answer as? ChecklistAnswer.Scan)?.code ?: "Scan")
                }
            }
            if (item.answer?.outOfRange == true) {
                Text("Outside the procedure: reported to dispatch", color = MaterialTheme.colorScheme.error)
            } else if (item.satisfied) {
                Text("✓", color = MaterialTheme.colorScheme.primary)
            }
        }
    }
}

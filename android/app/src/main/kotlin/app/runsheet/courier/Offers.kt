package app.runsheet.courier

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.CheckCircle
import androidx.compose.material.icons.filled.Close
import androidx.compose.material.icons.filled.Info
import androidx.compose.material.icons.filled.Lock
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateMapOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.semantics.stateDescription
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import app.runsheet.screens.InputSpec
import app.runsheet.screens.Offer
import app.runsheet.screens.OfferStyle
import app.runsheet.screens.Tone

/**
 * What a renderer calls when the courier taps an offer; the activity decides only how to ask
 * for the offer's declared inputs (a dialog) and whether to confirm a destructive one.
 */
typealias OnOffer = (Offer) -> Unit

/** Taps an offer. */
fun OnOffer.tap(offer: Offer) = this(offer)

/** The icon of a tone: always shown with words (never colour alone). */
fun toneIcon(tone: Tone) = when (tone) {
    Tone.NEUTRAL -> Icons.Filled.Info
    Tone.GOOD -> Icons.Filled.CheckCircle
    Tone.WARNING -> Icons.Filled.Warning
    Tone.BAD -> Icons.Filled.Close
}

/** The words TalkBack reads for a tone's icon. */
@Composable
fun toneWords(tone: Tone): String = stringResource(
    when (tone) {
        Tone.NEUTRAL -> R.string.tone_neutral
        Tone.GOOD -> R.string.tone_good
        Tone.WARNING -> R.string.tone_warning
        Tone.BAD -> R.string.tone_bad
    },
)

/** The colour that goes with a tone (beside its icon and words). */
@Composable
fun toneColor(tone: Tone): Color = when (tone) {
    Tone.NEUTRAL -> MaterialTheme.colorScheme.onSurfaceVariant
    Tone.GOOD -> MaterialTheme.colorScheme.primary
    Tone.WARNING -> MaterialTheme.colorScheme.tertiary
    Tone.BAD -> MaterialTheme.colorScheme.error
}

/** A line of the core's words with its tone's icon. */
@Composable
fun ToneLine(text: String, tone: Tone, modifier: Modifier = Modifier) {
    val words = toneWords(tone)
    Row(
        modifier.semantics(mergeDescendants = true) { stateDescription = words },
        horizontalArrangement = Arrangement.spacedBy(6.dp),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Icon(toneIcon(tone), contentDescription = words, tint = toneColor(tone), modifier = Modifier.size(18.dp))
        Text(text, color = toneColor(tone), style = MaterialTheme.typography.bodyMedium)
    }
}

/**
 * One offer as a button styled by the core's [OfferStyle], disabled while something blocks it,
 * with the core's sentences for what blocks it under it (and in TalkBack's reading).
 */
@Composable
fun OfferButton(offer: Offer, onOffer: OnOffer, modifier: Modifier = Modifier) {
    val blocked = stringResource(R.string.blocked_because)
    val description = if (offer.why.isEmpty()) offer.label else "${offer.label}. $blocked: ${offer.why.joinToString(" ")}"
    Column(modifier, verticalArrangement = Arrangement.spacedBy(2.dp)) {
        val click = { onOffer(offer) }
        val a11y = Modifier.semantics { contentDescription = description }
        when (offer.style) {
            OfferStyle.PRIMARY ->
                Button(onClick = click, enabled = offer.enabled, modifier = a11y.fillMaxWidth()) { Text(offer.label) }
            OfferStyle.SECONDARY ->
                OutlinedButton(onClick = click, enabled = offer.enabled, modifier = a11y) { Text(offer.label) }
            OfferStyle.DESTRUCTIVE ->
                OutlinedButton(
                    onClick = click,
                    enabled = offer.enabled,
                    modifier = a11y,
                    colors = ButtonDefaults.outlinedButtonColors(contentColor = MaterialTheme.colorScheme.error),
                ) { Text(offer.label) }
            OfferStyle.NAVIGATION ->
                TextButton(onClick = click, enabled = offer.enabled, modifier = a11y) { Text(offer.label) }
        }
        for (why in offer.why) {
            Row(horizontalArrangement = Arrangement.spacedBy(4.dp), verticalAlignment = Alignment.CenterVertically) {
                Icon(Icons.Filled.Lock, contentDescription = blocked, modifier = Modifier.size(14.dp))
                Text(why, style = MaterialTheme.typography.bodySmall)
            }
        }
    }
}

/** Several offers, wrapping. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun OfferRow(offers: List<Offer>, onOffer: OnOffer) {
    if (offers.isEmpty()) return
    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        for (offer in offers) OfferButton(offer, onOffer)
    }
}

/**
 * Asks for the inputs an offer declares (labels, required, ranges: the core's), then sends
 * its tap filled in (by the core: `Tap.withInput`). Send waits for
 * the required fields and for numbers that parse; the core checks everything else and refuses
 * with its own sentence.
 */
@Composable
fun InputDialog(offer: Offer, onSend: (Map<String, String>) -> Unit, onDismiss: () -> Unit) {
    val values = remember(offer) { mutableStateMapOf<String, String>() }
    val ready = offer.inputs.all { spec ->
        val v = values[spec.field].orEmpty().trim()
        val filled = !spec.required || v.isNotEmpty()
        val parses = !spec.numeric || v.isEmpty() || v.replace(',', '.').toDoubleOrNull() != null
        filled && parses
    }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(offer.label) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                for (why in offer.why) ToneLine(why, Tone.WARNING)
                for (spec in offer.inputs) {
                    if (spec.options.isNotEmpty()) {
                        ChoiceInput(spec, spec.options, values[spec.field]) { values[spec.field] = it }
                    } else {
                        TextInput(spec, offer, values[spec.field].orEmpty()) { values[spec.field] = it }
                    }
                }
            }
        },
        confirmButton = {
            TextButton(onClick = { onSend(values.toMap()) }, enabled = ready) { Text(stringResource(R.string.input_send)) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.input_cancel)) } },
    )
}

@Composable
private fun TextInput(spec: InputSpec, offer: Offer, value: String, onChange: (String) -> Unit) {
    val min = spec.min
    val max = spec.max
    val hint = when {
        min != null && max != null -> stringResource(R.string.input_range, min, max)
        spec.required -> stringResource(R.string.input_required)
        else -> null
    }
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(spec.label) },
        supportingText = if (hint != null) { { Text(hint) } } else null,
        singleLine = spec.numeric || spec.secret,
        keyboardOptions = KeyboardOptions(
            keyboardType = when {
                spec.numeric -> KeyboardType.Decimal
                spec.secret -> KeyboardType.Password
                else -> KeyboardType.Text
            },
        ),
        modifier = Modifier.fillMaxWidth(),
    )
}

@Composable
private fun ChoiceInput(spec: InputSpec, choices: List<String>, chosen: String?, onChoose: (String) -> Unit) {
    Column {
        Text(spec.label, style = MaterialTheme.typography.labelLarge)
        for (choice in choices) {
            Row(
                Modifier.fillMaxWidth().selectable(selected = choice == chosen, role = Role.RadioButton) { onChoose(choice) },
                verticalAlignment = Alignment.CenterVertically,
            ) {
                RadioButton(selected = choice == chosen, onClick = null)
                Text(choice)
            }
        }
    }
}

/** Confirms a destructive offer (its label is the question's subject). */
@Composable
fun ConfirmDialog(offer: Offer, onConfirm: () -> Unit, onDismiss: () -> Unit) {
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.confirm_title)) },
        text = { Text(offer.label) },
        confirmButton = { TextButton(onClick = onConfirm) { Text(stringResource(R.string.confirm_yes)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.confirm_no)) } },
    )
}

/** Keeps the state of one open input dialog or confirmation. */
class OfferPrompt {
    /** The offer waiting for inputs or a confirmation. */
    var pending by mutableStateOf<Offer?>(null)
}

package app.runsheet.courier

import app.runsheet.protocol.ChecklistAnswer
import app.runsheet.screens.InputSpec
import app.runsheet.screens.Offer
import app.runsheet.screens.Tap

/**
 * The names of the inputs an offer declares (`InputSpec.field`), as the core spells them. The
 * shell asks the courier for each declared input and puts the answers into the offer's tap.
 */
object Field {
    const val TOKEN = "token"
    const val REASON = "reason"
    const val NOTE = "note"
    const val READY_IN_MIN = "ready_in_min"
    const val CODE = "code"
    const val STARS = "stars"
    const val COMMENT = "comment"
    const val VALUE = "value"
    const val OPTION = "option"
    const val TEXT = "text"
}

/** Whether a field takes a number (its keyboard). */
fun InputSpec.numeric(tap: Tap): Boolean =
    min != null || max != null || (tap is Tap.Answer && tap.value is ChecklistAnswer.Number)

/** The offer's tap with the courier's answers to its inputs put in. */
fun Offer.filledWith(values: Map<String, String>): Tap = tap.filledWith(values)

/**
 * The tap with `values` (by field name) put into its fields. A number that does not parse is
 * sent empty (or zero), and the core refuses it with its own sentence.
 */
fun Tap.filledWith(values: Map<String, String>): Tap {
    fun text(field: String): String = values[field].orEmpty().trim()
    return when (this) {
        is Tap.SignIn -> copy(token = text(Field.TOKEN))
        is Tap.ArriveManually -> copy(reason = text(Field.REASON))
        is Tap.EnterHandoffCode -> copy(code = text(Field.CODE))
        is Tap.Scan -> copy(code = text(Field.CODE))
        is Tap.ConfirmItemByHand -> copy(reason = text(Field.REASON))
        is Tap.Appeal -> copy(reason = text(Field.REASON))
        is Tap.ReportProblem ->
            copy(note = text(Field.NOTE), readyInMin = text(Field.READY_IN_MIN).toUIntOrNull())
        is Tap.RateStop ->
            copy(stars = text(Field.STARS).toUByteOrNull() ?: 0u, comment = text(Field.COMMENT))
        is Tap.Answer -> copy(value = value.filledWith(::text))
        else -> this
    }
}

private fun ChecklistAnswer.filledWith(text: (String) -> String): ChecklistAnswer = when (this) {
    is ChecklistAnswer.Number -> ChecklistAnswer.Number(text(Field.VALUE).replace(',', '.').toDoubleOrNull() ?: Double.NaN)
    is ChecklistAnswer.Choice -> ChecklistAnswer.Choice(text(Field.OPTION))
    is ChecklistAnswer.Text -> ChecklistAnswer.Text(text(Field.TEXT))
    is ChecklistAnswer.Scan -> ChecklistAnswer.Scan(text(Field.CODE))
    else -> this
}

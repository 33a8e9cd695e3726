package app.runsheet.courier

import app.runsheet.screens.InputKind
import app.runsheet.screens.InputSpec
import app.runsheet.screens.Offer
import app.runsheet.screens.Tap
import app.runsheet.words.Language

/** Whether the input takes a number (its keyboard). */
val InputSpec.numeric: Boolean get() = kind is InputKind.Number

/** Whether the input is a secret (hidden while typed). */
val InputSpec.secret: Boolean get() = kind is InputKind.Secret

/** The options of a choice input (empty for the other kinds). */
val InputSpec.options: List<String> get() = (kind as? InputKind.Choice)?.options.orEmpty()

/**
 * The offer's tap with the courier's answers to its inputs put in by the core
 * (`Tap.withInput`), which parses numbers and throws a `TapException` with a sentence in
 * `language` for what does not fit.
 */
fun Offer.filledWith(values: Map<String, String>, language: Language): Tap =
    inputs.fold(tap) { t, spec -> t.withInput(spec.field, values[spec.field].orEmpty(), language) }

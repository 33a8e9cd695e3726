import RunsheetCore
import SwiftUI

/// What a page calls when the courier taps an offer, with the choices of a choice answer (the
/// root view asks for the offer's declared inputs, or confirms a destructive one).
typealias OnOffer = (Offer, [String]) -> Void

/// The names of the inputs an offer declares (`InputSpec.field`), as the core spells them. The
/// shell asks for each declared input and puts the answers into the offer's tap.
enum Field {
    static let token = "token"
    static let reason = "reason"
    static let note = "note"
    static let readyInMin = "ready_in_min"
    static let code = "code"
    static let stars = "stars"
    static let comment = "comment"
    static let value = "value"
    static let option = "option"
    static let text = "text"
}

extension Tap {
    /// The tap with the courier's answers (by field name) put into its fields. A number that
    /// does not parse is sent empty (or zero) and the core refuses it with its own sentence.
    func filled(with values: [String: String]) -> Tap {
        func text(_ field: String) -> String {
            (values[field] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        switch self {
        case .signIn:
            return .signIn(token: text(Field.token))
        case .arriveManually(let taskId, _):
            return .arriveManually(taskId: taskId, reason: text(Field.reason))
        case .enterHandoffCode(let taskId, _):
            return .enterHandoffCode(taskId: taskId, code: text(Field.code))
        case .scan(let taskId, _, let symbology):
            return .scan(taskId: taskId, code: text(Field.code), symbology: symbology)
        case .confirmItemByHand(let taskId, let itemCode, _):
            return .confirmItemByHand(taskId: taskId, itemCode: itemCode, reason: text(Field.reason))
        case .appeal(let ratingId, _):
            return .appeal(ratingId: ratingId, reason: text(Field.reason))
        case .reportProblem(let taskId, let reason, _, _):
            return .reportProblem(taskId: taskId, reason: reason, note: text(Field.note), readyInMin: UInt32(text(Field.readyInMin)))
        case .rateStop(let taskId, let target, _, _):
            return .rateStop(taskId: taskId, target: target, stars: UInt8(text(Field.stars)) ?? 0, comment: text(Field.comment))
        case .answer(let taskId, let stage, let itemId, let value):
            return .answer(taskId: taskId, stage: stage, itemId: itemId, value: value.filled(text))
        default:
            return self
        }
    }

    /// Whether the tap answers a checklist item with a number (its keyboard).
    var takesNumber: Bool {
        if case .answer(_, _, _, .number) = self {
            return true
        }
        return false
    }
}

extension ChecklistAnswer {
    func filled(_ text: (String) -> String) -> ChecklistAnswer {
        switch self {
        case .number:
            return .number(value: Double(text(Field.value).replacingOccurrences(of: ",", with: ".")) ?? .nan)
        case .choice:
            return .choice(option: text(Field.option))
        case .text:
            return .text(text: text(Field.text))
        case .scan:
            return .scan(code: text(Field.code))
        default:
            return self
        }
    }
}

extension InputSpec {
    /// Whether the field takes a number (its keyboard).
    func numeric(_ tap: Tap) -> Bool {
        min != nil || max != nil || tap.takesNumber
    }
}

/// A tone's SF Symbol, always shown with words (never colour alone).
func toneSymbol(_ tone: Tone) -> String {
    switch tone {
    case .neutral: return "info.circle"
    case .good: return "checkmark.circle.fill"
    case .warning: return "exclamationmark.triangle.fill"
    case .bad: return "xmark.octagon.fill"
    }
}

/// The colour that goes with a tone, beside its symbol and words.
func toneColor(_ tone: Tone) -> Color {
    switch tone {
    case .neutral: return .secondary
    case .good: return .green
    case .warning: return .orange
    case .bad: return .red
    }
}

/// What VoiceOver says a tone means.
func toneWords(_ tone: Tone) -> String {
    switch tone {
    case .neutral: return ShellWords.text("tone.neutral")
    case .good: return ShellWords.text("tone.good")
    case .warning: return ShellWords.text("tone.warning")
    case .bad: return ShellWords.text("tone.bad")
    }
}

/// A line of the core's words with its tone's symbol.
struct ToneLabel: View {
    let text: String
    let tone: Tone

    var body: some View {
        Label {
            Text(text)
        } icon: {
            Image(systemName: toneSymbol(tone))
                .foregroundStyle(toneColor(tone))
        }
        .accessibilityElement(children: .combine)
        .accessibilityLabel(Text(text))
        .accessibilityValue(Text(toneWords(tone)))
    }
}

/// One offer as a button styled by the core's style, disabled while something blocks it, with
/// the core's sentences for what blocks it under it (and in VoiceOver's reading).
struct OfferButton: View {
    let offer: Offer
    let onOffer: OnOffer
    var choices: [String] = []

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            button
                .disabled(!offer.enabled)
                .accessibilityHint(Text(offer.why.joined(separator: " ")))
            ForEach(offer.why, id: \.self) { why in
                Label(why, systemImage: "lock.fill")
                    .font(.footnote)
                    .foregroundStyle(.secondary)
                    .accessibilityHidden(true)
            }
        }
    }

    @ViewBuilder
    private var button: some View {
        let tap = { onOffer(offer, choices) }
        switch offer.style {
        case .primary:
            Button(action: tap) { Text(offer.label).frame(maxWidth: .infinity) }
                .buttonStyle(.borderedProminent)
        case .secondary:
            Button(offer.label, action: tap)
                .buttonStyle(.bordered)
        case .destructive:
            Button(offer.label, role: .destructive, action: tap)
                .buttonStyle(.bordered)
        case .navigation:
            Button(offer.label, action: tap)
                .buttonStyle(.borderless)
        }
    }
}

/// Several offers, one under the other.
struct OfferList: View {
    let offers: [Offer]
    let onOffer: OnOffer

    var body: some View {
        ForEach(Array(offers.enumerated()), id: \.offset) { _, offer in
            OfferButton(offer: offer, onOffer: onOffer)
        }
    }
}

/// Asks for the inputs an offer declares (labels, required, ranges: the core's), then sends
/// its tap filled in. Send waits for required fields and for numbers that parse; the core
/// checks everything else and refuses with its own sentence.
struct InputSheet: View {
    let offer: Offer
    let choices: [String]
    let send: ([String: String]) -> Void
    let cancel: () -> Void
    @State private var values: [String: String] = [:]

    private var ready: Bool {
        offer.inputs.allSatisfy { spec in
            let value = (values[spec.field] ?? "").trimmingCharacters(in: .whitespaces)
            let filled = !spec.required || !value.isEmpty
            let parses = !spec.numeric(offer.tap) || value.isEmpty
                || Double(value.replacingOccurrences(of: ",", with: ".")) != nil
            return filled && parses
        }
    }

    var body: some View {
        NavigationStack {
            Form {
                ForEach(offer.why, id: \.self) { why in
                    ToneLabel(text: why, tone: .warning)
                }
                ForEach(offer.inputs, id: \.field) { spec in
                    Section {
                        field(spec)
                    } header: {
                        Text(spec.label)
                    } footer: {
                        footer(spec)
                    }
                }
            }
            .navigationTitle(offer.label)
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button(ShellWords.text("input.cancel"), action: cancel)
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button(ShellWords.text("input.send")) { send(values) }
                        .disabled(!ready)
                }
            }
        }
    }

    @ViewBuilder
    private func field(_ spec: InputSpec) -> some View {
        let binding = Binding(
            get: { values[spec.field] ?? "" },
            set: { values[spec.field] = $0 }
        )
        if !choices.isEmpty && spec.field == Field.option {
            Picker(spec.label, selection: binding) {
                ForEach(choices, id: \.self) { choice in
                    Text(choice).tag(choice)
                }
            }
            .pickerStyle(.inline)
            .labelsHidden()
        } else if spec.numeric(offer.tap) {
            TextField(spec.label, text: binding)
                .keyboardType(.decimalPad)
        } else if spec.field == Field.token {
            SecureField(spec.label, text: binding)
                .textInputAutocapitalization(.never)
        } else {
            TextField(spec.label, text: binding, axis: .vertical)
        }
    }

    @ViewBuilder
    private func footer(_ spec: InputSpec) -> some View {
        if let min = spec.min, let max = spec.max {
            Text(ShellWords.text("input.range", min, max))
        } else if spec.required {
            Text(ShellWords.text("input.required"))
        }
    }
}

/// An offer waiting for its inputs or its confirmation.
struct PendingOffer: Identifiable {
    let id = UUID()
    let offer: Offer
    let choices: [String]
}

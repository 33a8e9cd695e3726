import RunsheetCore
import SwiftUI

/// What a page calls when the courier taps an offer (the root view asks for the offer's
/// declared inputs, or confirms a destructive one).
typealias OnOffer = (Offer) -> Void

extension InputSpec {
    /// Whether the input takes a number (its keyboard).
    var numeric: Bool {
        if case .number = kind { return true }
        return false
    }

    /// Whether the input is a secret (hidden while typed).
    var secret: Bool {
        if case .secret = kind { return true }
        return false
    }

    /// The options of a choice input (empty for the other kinds).
    var options: [String] {
        if case .choice(let options) = kind { return options }
        return []
    }
}

extension Offer {
    /// The offer's tap with the courier's answers put in by the core (`Tap.withInput`), which
    /// parses numbers and throws a `TapError` with a sentence in `language` for what does not fit.
    func filled(with values: [String: String], language: Language) throws -> Tap {
        try inputs.reduce(tap) { tap, spec in
            try tap.withInput(field: spec.field, text: values[spec.field] ?? "", language: language)
        }
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
        let tap = { onOffer(offer) }
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
    let send: ([String: String]) -> Void
    let cancel: () -> Void
    @State private var values: [String: String] = [:]

    private var ready: Bool {
        offer.inputs.allSatisfy { spec in
            let value = (values[spec.field] ?? "").trimmingCharacters(in: .whitespaces)
            let filled = !spec.required || !value.isEmpty
            let parses = !spec.numeric || value.isEmpty
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
        if !spec.options.isEmpty {
            Picker(spec.label, selection: binding) {
                ForEach(spec.options, id: \.self) { choice in
                    Text(choice).tag(choice)
                }
            }
            .pickerStyle(.inline)
            .labelsHidden()
        } else if spec.numeric {
            TextField(spec.label, text: binding)
                .keyboardType(.decimalPad)
        } else if spec.secret {
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
}

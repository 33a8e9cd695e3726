import RunsheetCore
import SwiftUI

/// A checklist as the core describes it: one control per item kind, hidden while its condition
/// does not hold, marked when the answer is outside the procedure. What applies, what satisfies
/// and what is missing all come from the core.
struct ChecklistScreen: View {
    let title: String
    let taskId: String?
    let stage: ChecklistStage
    @ObservedObject var store: TaskListStore
    @State private var list: Checklist?
    @State private var photoFor: ChecklistItem?
    @State private var numbers: [String: String] = [:]
    @State private var texts: [String: String] = [:]

    var body: some View {
        NavigationStack {
            List {
                if let list {
                    Section {
                        Text("Version \(list.version)").font(.caption)
                        let missing = list.missing()
                        if !missing.isEmpty {
                            Text("To do: \(missing.joined(separator: ", "))").foregroundStyle(.red)
                        }
                    }
                    ForEach(list.items.filter(\.applies), id: \.def.id) { item in
                        Section(item.def.label + (item.def.required ? "" : " (optional)")) {
                            control(item)
                            if item.answer?.outOfRange == true {
                                Text("Outside the procedure: reported to dispatch").foregroundStyle(.red)
                            } else if item.satisfied {
                                Image(systemName: "checkmark.circle").foregroundStyle(.green)
                            }
                        }
                    }
                } else {
                    Text("No checklist for this stage.")
                }
            }
            .navigationTitle(title)
            .onAppear(perform: reload)
            .sheet(item: $photoFor) { item in
                CameraView { url in
                    answerWithFile(item, url: url)
                    photoFor = nil
                }
            }
        }
    }

    @ViewBuilder
    private func control(_ item: ChecklistItem) -> some View {
        switch item.def.kind {
        case .confirm:
            Button(item.answer == nil ? "Mark done" : "Done") { answer(item, .confirmed) }
        case .yesNo:
            HStack {
                Button("Yes") { answer(item, .yesNo(yes: true)) }.buttonStyle(.bordered)
                Button("No") { answer(item, .yesNo(yes: false)) }.buttonStyle(.bordered)
            }
        case let .number(unit, min, max):
            HStack {
                TextField(
                    rangeText(unit: unit, min: min, max: max),
                    text: Binding(get: { numbers[item.def.id] ?? "" }, set: { numbers[item.def.id] = $0 })
                )
                    .keyboardType(.decimalPad)
                Button("Save") {
                    if let value = Double(numbers[item.def.id] ?? "") {
                        answer(item, .number(value: value))
                    }
                }
            }
        case let .choice(options):
            Picker("Choice", selection: Binding(
                get: { chosen(item) ?? "" },
                set: { answer(item, .choice(option: $0)) }
            )) {
                ForEach(options, id: \.self) { Text($0).tag($0) }
            }
        case .text:
            HStack {
                TextField("Text", text: Binding(get: { texts[item.def.id] ?? "" }, set: { texts[item.def.id] = $0 }))
                Button("Save") {
                    if let text = texts[item.def.id], !text.isEmpty {
                        answer(item, .text(text: text))
                    }
                }
            }
        case let .photo(minCount):
            Button("Take photo (at least \(minCount))") { photoFor = item }
        case .signature:
            Button(item.answer == nil ? "Customer signs" : "Signed") { photoFor = item }
        case .scan:
            Button("Scan") { photoFor = item }
        }
    }

    private func chosen(_ item: ChecklistItem) -> String? {
        if case let .choice(option) = item.answer?.value {
            return option
        }
        return nil
    }

    private func rangeText(unit: String, min: Double?, max: Double?) -> String {
        var parts = [unit]
        if let min { parts.append("from \(min)") }
        if let max { parts.append("to \(max)") }
        return parts.joined(separator: " ")
    }

    private func answer(_ item: ChecklistItem, _ value: ChecklistAnswer) {
        Task {
            await store.answerChecklist(taskId: taskId, stage: stage, itemId: item.def.id, answer: value)
            reload()
        }
    }

    private func answerWithFile(_ item: ChecklistItem, url: URL) {
        Task {
            guard let hash = await store.attach(url) else { return }
            switch item.def.kind {
            case .signature:
                answer(item, .signature(hash: hash))
            default:
                answer(item, .photos(hashes: [hash]))
            }
        }
    }

    private func reload() {
        Task {
            list = await store.checklist(taskId: taskId, stage: stage)
        }
    }
}

extension ChecklistItem: Identifiable {
    public var id: String { def.id }
}

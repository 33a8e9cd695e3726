import RunsheetCore
import SwiftUI

/// The reasons a courier can report, with the words shown.
let problems: [(ExceptionReason, String)] = [
    (.customerUnreachable, "Customer unreachable"),
    (.wrongAddress, "Wrong or incomplete address"),
    (.customerRefused, "Customer refused"),
    (.goodsDamaged, "Goods damaged"),
    (.merchantDelay, "Food not ready (merchant delay)"),
    (.vehicleBreakdown, "Vehicle breakdown"),
    (.accident, "Accident or safety issue"),
]

/// Reporting a problem: reason, note, photos (camera), and the new ready time for a merchant
/// delay. Whether it is allowed now is the core's decision; its refusal is shown as it comes.
struct ProblemSheet: View {
    let task: CourierTask
    let report: (ExceptionReason, String?, [URL], Int?) -> Void
    @State private var reason: ExceptionReason?
    @State private var note = ""
    @State private var readyIn = 15
    @State private var photos: [URL] = []
    @State private var showCamera = false

    var body: some View {
        NavigationStack {
            Form {
                Section("What happened") {
                    Picker("Reason", selection: $reason) {
                        ForEach(problems, id: \.0) { item in
                            Text(item.1).tag(Optional(item.0))
                        }
                    }
                    .pickerStyle(.inline)
                }
                Section("Details") {
                    TextField("Note", text: $note)
                    if reason == .merchantDelay {
                        Stepper("Ready in \(readyIn) min", value: $readyIn, in: 5...120, step: 5)
                    }
                    Button("Take photo (\(photos.count))") { showCamera = true }
                }
            }
            .navigationTitle("Problem with \(task.id)")
            .toolbar {
                Button("Report") {
                    if let reason {
                        report(reason, note.isEmpty ? nil : note, photos, reason == .merchantDelay ? readyIn : nil)
                    }
                }
                .disabled(reason == nil)
            }
            .sheet(isPresented: $showCamera) {
                CameraView { url in
                    photos.append(url)
                    showCamera = false
                }
            }
        }
    }
}

/// Asks why the arrival is confirmed by hand.
struct ArrivalReasonSheet: View {
    let confirm: (String) -> Void
    @State private var other = ""

    var body: some View {
        NavigationStack {
            List {
                ForEach(["GPS signal lost", "Indoors or underground", "The map pin is wrong"], id: \.self) { reason in
                    Button(reason) { confirm(reason) }
                }
                Section("Other") {
                    TextField("Reason", text: $other)
                    Button("Confirm") { confirm(other) }
                        .disabled(other.trimmingCharacters(in: .whitespaces).isEmpty)
                }
            }
            .navigationTitle("Why confirm by hand?")
        }
    }
}

/// Contacting the customer through the platform's masked number: call, record whether they
/// answered, or send a templated message whose text the core fills with the live ETA.
struct ContactSheet: View {
    let task: CourierTask
    @ObservedObject var store: TaskListStore
    @Environment(\.openURL) private var openURL

    var body: some View {
        NavigationStack {
            List {
                if let phone = task.dropoff.phone,
                   let url = URL(string: "tel:\(phone.filter { $0.isNumber || $0 == "+" })") {
                    Button("Call \(phone)") { openURL(url) }
                }
                Section("After the call") {
                    Button("Answered") { store.contactAttempt(task, channel: .call, answered: true) }
                    Button("No answer") { store.contactAttempt(task, channel: .call, answered: false) }
                }
                Section("Send a message") {
                    ForEach([MessageTemplate.arrivingIn, .atTheDoor, .leftAtReception, .leftAtDoor], id: \.self) { template in
                        MessageButton(store: store, task: task, template: template)
                    }
                }
            }
            .navigationTitle("Contact the customer")
        }
    }
}

/// One template's button, labelled with the text the core fills with the live ETA (read off
/// the main thread when the button appears).
private struct MessageButton: View {
    @ObservedObject var store: TaskListStore
    let task: CourierTask
    let template: MessageTemplate
    @State private var text = ""

    var body: some View {
        Button(text) { store.sendMessage(task, template: template) }
            .task { text = await store.messagePreview(task, template: template) }
    }
}

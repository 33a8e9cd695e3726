import RunsheetCore
import SwiftUI

/// The courier's shift on one screen: the shift's one button, the hint to the next stop with the
/// maps hand-off, and the tasks grouped now / next / later / done today in planned order, each
/// with its one primary button (disabled with the core's reason while something blocks it).
struct TaskListView: View {
    @ObservedObject var store: TaskListStore
    @State private var arriving: CourierTask?
    @State private var problem: CourierTask?
    @State private var contact: CourierTask?
    @State private var scanning: CourierTask?
    @State private var checklistFor: CourierTask?
    @State private var ratingFor: CourierTask?

    var body: some View {
        List {
            Section {
                SyncStatusRow(status: store.status, notice: store.notice)
                ShiftBar(next: store.shiftNext, summary: store.summary) { store.perform($0) }
            }
            if let hint = store.hint {
                Section("Next stop") {
                    HintCard(hint: hint)
                }
            }
            ForEach(groups, id: \.0) { group, entries in
                Section("\(groupLabel(group)) (\(entries.count))") {
                    ForEach(entries, id: \.task.id) { entry in
                        TaskRow(
                            task: entry.task,
                            next: entry.nextAction,
                            perform: { store.perform($0) },
                            arrive: { arriving = entry.task },
                            reportProblem: { problem = entry.task },
                            contact: { contact = entry.task },
                            scan: { scanning = entry.task },
                            checklist: { checklistFor = entry.task },
                            rate: { ratingFor = entry.task }
                        )
                    }
                }
            }
        }
        .refreshable {
            await store.sync()
        }
        .toolbar {
            NavigationLink("My figures") { KpiView(store: store) }
            if store.summary?.state == .onDuty {
                Button("Break") { store.startBreak() }
            }
            Button("Sync") {
                Task {
                    await store.sync()
                }
            }
        }
        .navigationTitle("Runsheet")
        .sheet(item: $arriving) { task in
            ArrivalReasonSheet { reason in
                store.arriveManually(task, reason: reason)
                arriving = nil
            }
        }
        .sheet(item: $problem) { task in
            ProblemSheet(task: task) { reason, note, photos, readyIn in
                store.report(task, reason: reason, note: note, photos: photos, readyInMinutes: readyIn)
                problem = nil
            }
        }
        .sheet(item: $contact) { task in
            ContactSheet(task: task, store: store)
        }
        .sheet(item: $scanning) { task in
            ScanView(task: task, store: store)
        }
        .sheet(item: $ratingFor) { task in
            RateStopView(task: task, store: store)
        }
        .sheet(item: $checklistFor) { task in
            ChecklistScreen(
                title: "Checklist for \(task.id)",
                taskId: task.id,
                stage: task.checklistStage(),
                store: store
            )
        }
    }

    private var groups: [(TaskGroup, [TaskListEntry])] {
        let entries = store.list?.entries ?? []
        return [TaskGroup.now, .next, .later, .doneToday].compactMap { group in
            let inGroup = entries.filter { $0.group == group }
            return inGroup.isEmpty ? nil : (group, inGroup)
        }
    }

    private func groupLabel(_ group: TaskGroup) -> String {
        switch group {
        case .now: return "Now"
        case .next: return "Next"
        case .later: return "Later"
        case .doneToday: return "Done today"
        }
    }
}

extension CourierTask: Identifiable {}

/// The shift's one button and its figures.
struct ShiftBar: View {
    let next: NextAction?
    let summary: ShiftSummary?
    let perform: (NextAction) -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            if let summary {
                Text("\(summary.openTasks) open · \(summary.delivered) delivered (\(summary.deliveredOnTime) on time) · \(summary.failed) failed · \(String(format: "%.1f", summary.distanceM / 1000)) km")
                    .font(.caption)
                if let finish = summary.expectedFinish {
                    Text("Expected to finish at \(clock(finish))")
                        .font(.caption)
                }
            }
            if let next, next.taskId == nil {
                if next.step == .waitForTasks {
                    Text(next.step.label())
                } else {
                    Button(next.step.label()) { perform(next) }
                        .buttonStyle(.borderedProminent)
                        .disabled(!next.blockers.isEmpty)
                    ForEach(next.blockers, id: \.self) { blocker in
                        Text(blocker.description).font(.caption).foregroundStyle(.red)
                    }
                }
            }
        }
    }
}

/// Distance, direction, ETA and risk to the next stop, and the maps apps to navigate with.
struct HintCard: View {
    let hint: NextStopHint

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text("Task \(hint.stop.taskId)")
                .font(.headline)
            Text(line)
                .font(.subheadline)
            if let risk = hint.risk {
                Text(riskLabel(risk))
                    .foregroundStyle(risk == .onTime ? Color.green : Color.red)
            }
            HStack {
                ForEach(hint.links, id: \.app) { link in
                    if let url = URL(string: link.url) {
                        Link(appLabel(link.app), destination: url)
                            .buttonStyle(.bordered)
                    }
                }
            }
        }
    }

    private var line: String {
        var parts: [String] = []
        if let d = hint.distanceM {
            parts.append(d >= 1000 ? String(format: "%.1f km", d / 1000) : "\(Int(d)) m")
        }
        if let compass = hint.compass {
            parts.append(compass)
        }
        if let eta = hint.eta {
            parts.append("ETA \(clock(eta))")
        }
        return parts.joined(separator: " · ")
    }

    private func riskLabel(_ risk: Risk) -> String {
        switch risk {
        case .onTime: return "On time"
        case .atRisk: return "At risk of being late"
        case .late: return "Will be late"
        }
    }

    private func appLabel(_ app: MapApp) -> String {
        switch app {
        case .google: return "Google Maps"
        case .apple: return "Apple Maps"
        case .waze: return "Waze"
        case .amap: return "Amap"
        case .baidu: return "Baidu"
        }
    }
}

/// One task: kind, where to, status, goods, unsent actions, and its one primary button.
struct TaskRow: View {
    let task: CourierTask
    /// The task's primary action with the shift and position taken into account.
    let next: NextAction?
    let perform: (NextAction) -> Void
    let arrive: () -> Void
    let reportProblem: () -> Void
    let contact: () -> Void
    let scan: () -> Void
    let checklist: () -> Void
    let rate: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            HStack {
                Text(kindLabel)
                    .font(.caption)
                    .padding(.horizontal, 6)
                    .background(Color.secondary.opacity(0.2), in: Capsule())
                Text(task.customerDataPurged ? "Task \(task.id)" : task.dropoff.name)
                    .font(.headline)
                Spacer()
                Text(task.statusLabel())
                    .font(.subheadline)
                    .foregroundStyle(.secondary)
            }
            if !task.customerDataPurged {
                Text(task.dropoff.address)
                    .font(.subheadline)
            }
            if let due = task.dropoff.dueBy {
                Text("Promised by \(clock(due))")
                    .font(.caption)
            }
            if !task.items.isEmpty {
                Text(task.items.map { "\($0.name) (\($0.temperature))" }.joined(separator: ", "))
                    .font(.caption)
            }
            if task.pendingActions > 0 {
                Label("\(task.pendingActions) not sent yet", systemImage: "icloud.slash")
                    .font(.caption)
                    .foregroundStyle(.orange)
            }
            if task.mayRate() {
                Button("Rate the pickup and the drop-off", action: rate)
                    .font(.caption)
            }
            if let next {
                primary(next)
                HStack {
                    if task.dropoff.phone != nil {
                        Button("Contact", action: contact)
                    }
                    Button("Report a problem", action: reportProblem)
                }
                .buttonStyle(.borderless)
                .font(.caption)
            }
        }
        .padding(.vertical, 4)
    }

    @ViewBuilder
    private func primary(_ next: NextAction) -> some View {
        switch next.step {
        case .arrive:
            // GPS records the arrival by itself; the button is the manual fallback with a reason.
            Button("\(next.step.label()) (confirm)", action: arrive)
                .buttonStyle(.bordered)
        default:
            Button(next.step.label()) { perform(next) }
                .buttonStyle(.borderedProminent)
                .disabled(!next.blockers.isEmpty)
            if next.blockers.contains(where: { blocker in
                if case .itemsNotConfirmed = blocker { return true }
                return false
            }) {
                Button("Scan items", action: scan)
                    .buttonStyle(.bordered)
            }
            if next.blockers.contains(where: { blocker in
                switch blocker {
                case .checklistIncomplete, .proofMissing: return true
                default: return false
                }
            }) {
                Button("Checklist", action: checklist)
                    .buttonStyle(.bordered)
            }
        }
        ForEach(next.blockers, id: \.self) { blocker in
            Text(blocker.description)
                .font(.caption)
                .foregroundStyle(.secondary)
        }
    }

    private var kindLabel: String {
        switch task.kind {
        case .food: return "Food"
        case .grocery: return "Grocery"
        case .parcel: return "Parcel"
        case .returnPickup: return "Return"
        }
    }
}

/// Pending actions and the last problem, so a courier knows when the phone is holding work.
struct SyncStatusRow: View {
    let status: SyncStatus?
    let notice: String?

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            if let status {
                if status.online == false {
                    Label("Offline: actions are kept on this phone", systemImage: "wifi.slash")
                        .foregroundStyle(.secondary)
                }
                if status.pending == 0 {
                    Label("All actions sent", systemImage: "checkmark.icloud")
                } else {
                    Label("\(status.pending) action(s) waiting for the network", systemImage: "icloud.and.arrow.up")
                        .foregroundStyle(.orange)
                }
                if status.pendingUploads > 0 {
                    Text("\(status.pendingUploads) photo(s) to upload")
                        .font(.caption)
                }
            }
            if let notice {
                Text(notice)
                    .font(.caption)
                    .foregroundStyle(.red)
            }
        }
    }
}

/// Local clock time of a Unix timestamp.
func clock(_ unixSeconds: Int64) -> String {
    let formatter = DateFormatter()
    formatter.dateFormat = "HH:mm"
    return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(unixSeconds)))
}

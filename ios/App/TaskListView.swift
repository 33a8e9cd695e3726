import RunsheetCore
import SwiftUI

/// The courier's task list: one row per task, a single primary button when the core allows it,
/// and whether the courier's actions have left the phone.
struct TaskListView: View {
    @ObservedObject var store: TaskListStore

    var body: some View {
        List {
            Section {
                SyncStatusRow(status: store.status, notice: store.notice)
            }
            Section("Tasks") {
                ForEach(store.tasks, id: \.id) { task in
                    TaskRow(task: task) {
                        store.deliver(task)
                    }
                }
            }
        }
        .refreshable {
            await store.sync()
        }
        .toolbar {
            Button("Sync") {
                Task {
                    await store.sync()
                }
            }
        }
        .navigationTitle("Runsheet")
    }
}

/// One task: kind, where to, status, unsent actions, and "Delivered" when allowed.
struct TaskRow: View {
    let task: CourierTask
    let deliver: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            HStack {
                Text(kindLabel)
                    .font(.caption)
                    .padding(.horizontal, 6)
                    .background(Color.secondary.opacity(0.2), in: Capsule())
                Text(task.dropoff.name)
                    .font(.headline)
                Spacer()
                Text(statusLabel)
                    .font(.subheadline)
                    .foregroundStyle(.secondary)
            }
            Text(task.dropoff.address)
                .font(.subheadline)
            if task.pendingActions > 0 {
                Label("\(task.pendingActions) not sent yet", systemImage: "icloud.slash")
                    .font(.caption)
                    .foregroundStyle(.orange)
            }
            if task.canDeliver {
                Button("Delivered", action: deliver)
                    .buttonStyle(.borderedProminent)
            }
        }
        .padding(.vertical, 4)
    }

    private var kindLabel: String {
        switch task.kind {
        case .food: return "Food"
        case .grocery: return "Grocery"
        case .parcel: return "Parcel"
        case .returnPickup: return "Return"
        }
    }

    private var statusLabel: String {
        switch task.status {
        case .assigned: return "To do"
        case .delivered: return "Delivered"
        case .cancelled: return "Cancelled"
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

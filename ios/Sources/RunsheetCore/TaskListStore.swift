import Foundation

/// Hands the core's task-list updates to SwiftUI on the main actor. It decides nothing: what the
/// courier may do next comes from the core (`CourierTask.canDeliver`), and every error's text is
/// the core's own sentence.
@MainActor
public final class TaskListStore: ObservableObject {
    /// The courier's tasks in the order the core gives them.
    @Published public private(set) var tasks: [CourierTask] = []
    /// Whether actions have left the phone.
    @Published public private(set) var status: SyncStatus?
    /// The last message to show the courier (an error or a refusal from the server).
    @Published public private(set) var notice: String?
    /// The server refused the token: show the sign-in screen.
    @Published public private(set) var needsSignIn = false

    private let core: Runsheet
    private var subscriptions: [Subscription] = []

    /// Subscribes to the core's task list and sync state.
    public init(core: Runsheet) throws {
        self.core = core
        let taskBridge = TaskListBridge { [weak self] update in
            Task { @MainActor in
                self?.tasks = update.tasks
            }
        }
        let syncBridge = SyncBridge { [weak self] event in
            Task { @MainActor in
                self?.apply(event)
            }
        }
        subscriptions.append(try core.subscribeTasks(listener: taskBridge))
        subscriptions.append(try core.subscribeSync(listener: syncBridge))
    }

    deinit {
        for subscription in subscriptions {
            subscription.cancel()
        }
    }

    private func apply(_ event: SyncEvent) {
        status = event.status
        needsSignIn = event.authRequired
        if let rejection = event.newRejections.first {
            notice = "Task \(rejection.taskId): \(rejection.reason)"
        }
    }

    /// Marks the task delivered (saved on the phone at once; sent when the network allows).
    public func deliver(_ task: CourierTask) {
        do {
            try core.markDelivered(taskId: task.id)
            notice = nil
        } catch {
            notice = error.localizedDescription
        }
    }

    /// Sends saved actions and fetches the dispatcher's changes.
    public func sync() async {
        do {
            _ = try await core.sync()
            notice = nil
        } catch {
            notice = error.localizedDescription
        }
    }

    /// Lets the core sync on its own (after each action, on network changes, periodically).
    public func startAutoSync() {
        do {
            try core.startAutoSync(intervalSeconds: 60)
        } catch {
            notice = error.localizedDescription
        }
    }

    /// The platform reports connectivity (NWPathMonitor): the core syncs now.
    public func networkAvailable() {
        core.networkAvailable()
    }

    /// The courier signed in again.
    public func signedIn(token: String) {
        core.setToken(token: token)
        needsSignIn = false
        core.networkAvailable()
    }
}

/// Receives task-list updates on the core's thread.
final class TaskListBridge: TaskListener {
    private let handler: @Sendable (TaskListUpdate) -> Void

    init(_ handler: @escaping @Sendable (TaskListUpdate) -> Void) {
        self.handler = handler
    }

    func onUpdate(update: TaskListUpdate) {
        handler(update)
    }
}

/// Receives sync events on the core's thread.
final class SyncBridge: SyncListener {
    private let handler: @Sendable (SyncEvent) -> Void

    init(_ handler: @escaping @Sendable (SyncEvent) -> Void) {
        self.handler = handler
    }

    func onSyncEvent(event: SyncEvent) {
        handler(event)
    }
}

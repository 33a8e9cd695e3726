import Foundation

/// Hands the core's state to SwiftUI on the main actor. It decides nothing: which button each
/// task shows, what blocks it and in which words, the route and the hint all come from the core,
/// and every error's text is the core's own sentence.
@MainActor
public final class TaskListStore: ObservableObject {
    /// The grouped list (now, next, later, done today) in planned order.
    @Published public private(set) var list: TaskList?
    /// The shift's one button (start shift, end break, the next stop's action, end shift).
    @Published public private(set) var shiftNext: NextAction?
    /// Distance, direction, ETA and risk to the next stop, with maps deep links.
    @Published public private(set) var hint: NextStopHint?
    /// The shift's figures.
    @Published public private(set) var summary: ShiftSummary?
    /// Whether actions have left the phone.
    @Published public private(set) var status: SyncStatus?
    /// The last message to show the courier (an error or a refusal from the server).
    @Published public private(set) var notice: String?
    /// The server refused the token: show the sign-in screen.
    @Published public private(set) var needsSignIn = false

    /// The core, for the location feed.
    public let core: Runsheet
    private var subscriptions: [Subscription] = []

    /// Subscribes to the core's task list and sync state.
    public init(core: Runsheet) async throws {
        self.core = core
        let taskBridge = TaskListBridge { [weak self] _ in
            Task { @MainActor in
                self?.refresh()
            }
        }
        let syncBridge = SyncBridge { [weak self] event in
            Task { @MainActor in
                self?.apply(event)
            }
        }
        subscriptions.append(try await core.tasks().subscribe(listener: taskBridge))
        subscriptions.append(try await core.sync().subscribe(listener: syncBridge))
        await reload()
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

    /// Re-reads the list, the shift's button, the hint and the summary from the core.
    public func refresh() {
        Task { await reload() }
    }

    /// Re-reads the list, the shift's button, the hint and the summary (the core reads its store
    /// off the main thread).
    public func reload() async {
        do {
            list = try await core.tasks().grouped()
            shiftNext = try await core.shift().nextAction()
            hint = try await core.navigation().nextStopHint()
            summary = try await core.shift().summary()
        } catch {
            notice = error.localizedDescription
        }
    }

    /// Starts an action and returns at once; the lists reload when it is saved.
    private func act(_ body: @escaping () async throws -> Void) {
        Task { await run(body) }
    }

    /// Performs an action, shows its refusal if any, and reloads.
    private func run(_ body: () async throws -> Void) async {
        do {
            try await body()
            notice = nil
        } catch {
            notice = error.localizedDescription
        }
        await reload()
    }

    /// Performs a primary action the core offered. Arrivals are recorded from GPS by the core;
    /// their button opens the manual arrival sheet instead (see `arriveManually`).
    public func perform(_ action: NextAction) {
        let core = core
        act {
            let id = action.taskId ?? ""
            switch action.step {
            case .startShift: try await core.shift().start()
            case .endBreak: try await core.shift().endBreak()
            case .endShift: try await core.shift().end()
            case .accept: try await core.tasks().accept(taskId: id)
            case .pickUp: try await core.tasks().pickUp(taskId: id)
            case .deliver: try await core.tasks().markDelivered(taskId: id)
            case .return: try await core.tasks().markReturned(taskId: id)
            case .arrive, .waitForTasks: break
            }
        }
    }

    /// Confirms the arrival by hand, with the courier's reason.
    public func arriveManually(_ task: CourierTask, reason: String) {
        let core = core
        act { try await core.tasks().arriveManually(taskId: task.id, reason: reason) }
    }

    /// Starts a break.
    public func startBreak() {
        let core = core
        act { try await core.shift().startBreak() }
    }

    /// Reports a problem with photo files the app wrote; `readyInMinutes` for a merchant delay.
    public func report(
        _ task: CourierTask,
        reason: ExceptionReason,
        note: String?,
        photos: [URL],
        readyInMinutes: Int?
    ) {
        let core = core
        act {
            var hashes: [String] = []
            for photo in photos {
                hashes.append(try await core.scans().attachFile(path: photo.path).sha256)
            }
            // The core moves the ready time by its own clock; the sheet only asks for minutes.
            if let minutes = readyInMinutes {
                try await core.tasks().reportMerchantDelay(
                    taskId: task.id,
                    note: note,
                    photoHashes: hashes,
                    readyInMinutes: UInt32(max(0, minutes))
                )
            } else {
                try await core.tasks().reportException(
                    taskId: task.id,
                    reason: reason,
                    note: note,
                    photoHashes: hashes,
                    newReadyAt: nil
                )
            }
        }
    }

    /// Records a call or message attempt to the masked number.
    public func contactAttempt(_ task: CourierTask, channel: ContactChannel, answered: Bool) {
        let core = core
        act { try await core.tasks().recordContactAttempt(taskId: task.id, channel: channel, answered: answered) }
    }

    /// The template's text as the customer would get it now.
    public func messagePreview(_ task: CourierTask, template: MessageTemplate) async -> String {
        (try? await core.tasks().messageText(taskId: task.id, template: template)) ?? ""
    }

    /// Queues a templated message; the server sends it through the masked channel.
    public func sendMessage(_ task: CourierTask, template: MessageTemplate) {
        let core = core
        act { try await core.tasks().sendMessage(taskId: task.id, template: template) }
    }

    /// Moves the drop-off pin to where the phone is (the courier stands at the real door).
    public func correctPin(_ task: CourierTask, lat: Double, lon: Double) {
        let core = core
        act { try await core.tasks().correctPin(taskId: task.id, lat: lat, lon: lon) }
    }

    /// A code the camera read for the task's current handoff; the core classifies it (a burst
    /// of the same code counts once) and says how far the handoff is.
    public func scan(_ task: CourierTask, raw: String, symbology: ScanSymbology) async -> ScanResult? {
        do {
            let result = try await core.scans().scan(taskId: task.id, raw: raw, symbology: symbology)
            refresh()
            return result
        } catch {
            notice = error.localizedDescription
            return nil
        }
    }

    /// The handoff's progress ("3 of 4 items confirmed") and the missing items.
    public func scanProgress(_ task: CourierTask) async -> ScanProgress? {
        try? await core.scans().progress(taskId: task.id)
    }

    /// A damaged label: the item confirmed by hand with a reason and photos; returns once saved.
    public func confirmByHand(_ task: CourierTask, item: Item, reason: String, photos: [URL]) async {
        let core = core
        await run {
            var hashes: [String] = []
            for photo in photos {
                hashes.append(try await core.scans().attachFile(path: photo.path).sha256)
            }
            try await core.scans().confirmItemManually(
                taskId: task.id,
                itemCode: item.code,
                reason: reason,
                photoHashes: hashes
            )
        }
    }

    /// A stage's checklist (`taskId` nil: the start-of-shift checklist).
    public func checklist(taskId: String?, stage: ChecklistStage) async -> Checklist? {
        try? await core.checklists().checklist(taskId: taskId, stage: stage)
    }

    /// Answers a checklist item (an answer outside the procedure is recorded and reported);
    /// returns once saved.
    public func answerChecklist(taskId: String?, stage: ChecklistStage, itemId: String, answer: ChecklistAnswer) async {
        let core = core
        await run { _ = try await core.checklists().answer(taskId: taskId, stage: stage, itemId: itemId, answer: answer) }
    }

    /// Records a file the app wrote (photo, signature) and returns its hash.
    public func attach(_ url: URL) async -> String? {
        do {
            return try await core.scans().attachFile(path: url.path).sha256
        } catch {
            notice = error.localizedDescription
            return nil
        }
    }

    /// The courier's figures for a period (computed on the phone, the same as the server's).
    public func kpis(_ period: KpiPeriod) async -> Kpis? {
        try? await core.ratings().kpis(period: period)
    }

    /// The ratings received, newest first.
    public func ratings() async -> [Rating] {
        (try? await core.ratings().received()) ?? []
    }

    /// Appeals a rating with a reason (the core attaches the task's evidence bundle); returns
    /// once saved.
    public func appeal(_ rating: Rating, reason: String) async {
        let core = core
        await run { try await core.ratings().appeal(ratingId: rating.id, reason: reason) }
    }

    /// Rates the merchant or the drop-off of a finished task (queued offline, editable a while).
    public func rateStop(_ task: CourierTask, target: RatingTarget, stars: UInt8, note: String?) {
        let core = core
        act { try await core.ratings().rateStop(taskId: task.id, target: target, stars: stars, tags: [], note: note) }
    }

    /// The task's evidence bundle to share with support for an appeal.
    public func evidenceBundle(_ task: CourierTask) async -> EvidenceBundle? {
        try? await core.tasks().evidenceBundle(taskId: task.id)
    }

    /// Sends saved actions and fetches the dispatcher's changes.
    public func sync() async {
        do {
            _ = try await core.sync().now()
            notice = nil
        } catch {
            notice = error.localizedDescription
        }
        await reload()
    }

    /// Lets the core sync on its own (after each action, on network changes, periodically).
    public func startAutoSync() {
        do {
            try core.sync().startAuto(intervalSeconds: 60)
        } catch {
            notice = error.localizedDescription
        }
    }

    /// The platform reports connectivity (NWPathMonitor): the core syncs now.
    public func networkAvailable() {
        core.sync().networkAvailable()
    }

    /// The app came to the foreground (scene phase `.active`) or left it: in the foreground the
    /// core's auto-sync long-polls, so a new task shows within about a second.
    public func setForeground(_ foreground: Bool) {
        core.session().setForeground(foreground: foreground)
    }

    /// A push notification's user info as JSON: true when the core took it as Runsheet's sync
    /// hint (its auto-sync then syncs at once), false for anything else.
    public func handlePush(payloadJson: String) -> Bool {
        do {
            return try core.session().handlePush(payloadJson: payloadJson)
        } catch {
            return false
        }
    }

    /// The courier signed in again.
    public func signedIn(token: String) {
        core.session().setToken(token: token)
        needsSignIn = false
        core.sync().networkAvailable()
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

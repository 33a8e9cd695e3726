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
    public init(core: Runsheet) throws {
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
        subscriptions.append(try core.subscribeTasks(listener: taskBridge))
        subscriptions.append(try core.subscribeSync(listener: syncBridge))
        refresh()
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
        do {
            list = try core.taskList()
            shiftNext = try core.shiftNextAction()
            hint = try core.nextStopHint()
            summary = try core.shiftSummary()
        } catch {
            notice = error.localizedDescription
        }
    }

    private func act(_ body: () throws -> Void) {
        do {
            try body()
            notice = nil
        } catch {
            notice = error.localizedDescription
        }
        refresh()
    }

    /// Performs a primary action the core offered. Arrivals are recorded from GPS by the core;
    /// their button opens the manual arrival sheet instead (see `arriveManually`).
    public func perform(_ action: NextAction) {
        act {
            let id = action.taskId ?? ""
            switch action.step {
            case .startShift: try core.startShift()
            case .endBreak: try core.endBreak()
            case .endShift: try core.endShift()
            case .accept: try core.accept(taskId: id)
            case .pickUp: try core.pickUp(taskId: id)
            case .deliver: try core.markDelivered(taskId: id)
            case .return: try core.markReturned(taskId: id)
            case .arrive, .waitForTasks: break
            }
        }
    }

    /// Confirms the arrival by hand, with the courier's reason.
    public func arriveManually(_ task: CourierTask, reason: String) {
        act { try core.arriveManually(taskId: task.id, reason: reason) }
    }

    /// Starts a break.
    public func startBreak() {
        act { try core.startBreak() }
    }

    /// Reports a problem with photo files the app wrote; `readyInMinutes` for a merchant delay.
    public func report(
        _ task: CourierTask,
        reason: ExceptionReason,
        note: String?,
        photos: [URL],
        readyInMinutes: Int?
    ) {
        act {
            let hashes = try photos.map { try core.attachFile(path: $0.path).sha256 }
            // The core moves the ready time by its own clock; the sheet only asks for minutes.
            if let minutes = readyInMinutes {
                try core.reportMerchantDelay(
                    taskId: task.id,
                    note: note,
                    photoHashes: hashes,
                    readyInMinutes: UInt32(max(0, minutes))
                )
            } else {
                try core.reportException(
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
        act { try core.recordContactAttempt(taskId: task.id, channel: channel, answered: answered) }
    }

    /// The template's text as the customer would get it now.
    public func messagePreview(_ task: CourierTask, template: MessageTemplate) -> String {
        (try? core.messageText(taskId: task.id, template: template)) ?? ""
    }

    /// Queues a templated message; the server sends it through the masked channel.
    public func sendMessage(_ task: CourierTask, template: MessageTemplate) {
        act { try core.sendMessage(taskId: task.id, template: template) }
    }

    /// Moves the drop-off pin to where the phone is (the courier stands at the real door).
    public func correctPin(_ task: CourierTask, lat: Double, lon: Double) {
        act { try core.correctPin(taskId: task.id, lat: lat, lon: lon) }
    }

    /// A code the camera read for the task's current handoff; the core classifies it (a burst
    /// of the same code counts once) and says how far the handoff is.
    public func scan(_ task: CourierTask, raw: String, symbology: ScanSymbology) -> ScanResult? {
        do {
            let result = try core.scan(taskId: task.id, raw: raw, symbology: symbology)
            refresh()
            return result
        } catch {
            notice = error.localizedDescription
            return nil
        }
    }

    /// The handoff's progress ("3 of 4 items confirmed") and the missing items.
    public func scanProgress(_ task: CourierTask) -> ScanProgress? {
        try? core.scanProgress(taskId: task.id)
    }

    /// A damaged label: the item confirmed by hand with a reason and photos.
    public func confirmByHand(_ task: CourierTask, item: Item, reason: String, photos: [URL]) {
        act {
            let hashes = try photos.map { try core.attachFile(path: $0.path).sha256 }
            try core.confirmItemManually(taskId: task.id, itemCode: item.code, reason: reason, photoHashes: hashes)
        }
    }

    /// A stage's checklist (`taskId` nil: the start-of-shift checklist).
    public func checklist(taskId: String?, stage: ChecklistStage) -> Checklist? {
        try? core.checklist(taskId: taskId, stage: stage)
    }

    /// Answers a checklist item; an answer outside the procedure is recorded and reported.
    public func answerChecklist(taskId: String?, stage: ChecklistStage, itemId: String, answer: ChecklistAnswer) {
        act { _ = try core.answerChecklistItem(taskId: taskId, stage: stage, itemId: itemId, answer: answer) }
    }

    /// Records a file the app wrote (photo, signature) and returns its hash.
    public func attach(_ url: URL) -> String? {
        do {
            return try core.attachFile(path: url.path).sha256
        } catch {
            notice = error.localizedDescription
            return nil
        }
    }

    /// The courier's figures for a period (computed on the phone, the same as the server's).
    public func kpis(_ period: KpiPeriod) -> Kpis? {
        try? core.kpis(period: period)
    }

    /// The ratings received, newest first.
    public func ratings() -> [Rating] {
        (try? core.ratings()) ?? []
    }

    /// Appeals a rating with a reason; the core attaches the task's evidence bundle.
    public func appeal(_ rating: Rating, reason: String) {
        act { try core.appeal(ratingId: rating.id, reason: reason) }
    }

    /// Rates the merchant or the drop-off of a finished task (queued offline, editable a while).
    public func rateStop(_ task: CourierTask, target: RatingTarget, stars: UInt8, note: String?) {
        act { try core.rateStop(taskId: task.id, target: target, stars: stars, tags: [], note: note) }
    }

    /// The task's evidence bundle to share with support for an appeal.
    public func evidenceBundle(_ task: CourierTask) -> EvidenceBundle? {
        try? core.evidenceBundle(taskId: task.id)
    }

    /// Sends saved actions and fetches the dispatcher's changes.
    public func sync() async {
        do {
            _ = try await core.sync()
            notice = nil
        } catch {
            notice = error.localizedDescription
        }
        refresh()
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

    /// The app came to the foreground (scene phase `.active`) or left it: in the foreground the
    /// core's auto-sync long-polls, so a new task shows within about a second.
    public func setForeground(_ foreground: Bool) {
        core.setForeground(foreground: foreground)
    }

    /// A push notification's user info as JSON: true when the core took it as Runsheet's sync
    /// hint (its auto-sync then syncs at once), false for anything else.
    public func handlePush(payloadJson: String) -> Bool {
        do {
            return try core.handlePush(payloadJson: payloadJson)
        } catch {
            return false
        }
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

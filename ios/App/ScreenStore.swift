import Foundation
import Network
import RunsheetCore

/// The one store between the core's screens and SwiftUI (crux's shell side, matrix-rust-sdk's
/// listener style): it opens the core, subscribes to its screen listener, applies each update
/// (the whole screen first, then what changed) into `screen`, forwards taps as one call each,
/// and hands the effects the core asks for to the `EffectExecutor`. It holds no rule: what
/// shows, what is offered and every word come from the core; a refused tap's sentence is shown
/// as it is.
@MainActor
final class ScreenStore: ObservableObject {
    /// The screen as the core last drew it; nil until the first `reset`.
    @Published private(set) var screen: Screen?
    /// Why the core could not be opened (its sentence), if it could not.
    @Published private(set) var failure: String?
    /// An error to show once (a refused tap's sentence, a platform failure's words).
    @Published var message: ShownError?

    /// The platform side of the core's effects.
    let effects: EffectExecutor
    /// The open core (for push, background sync and location fixes).
    private(set) var core: Runsheet?

    private var screens: Screens?
    private var subscription: ScreenSubscription?
    private let monitor = NWPathMonitor()
    private var foreground = false
    /// The APNs device token (hex), registered with the core once it is open and again after
    /// each sign-in (the server ties it to the signed-in courier).
    private var pushToken: String?

    init() {
        OSLogSink.install()
        effects = EffectExecutor()
        effects.resolve = { [weak self] result in self?.resolve(result) }
        effects.say = { [weak self] sentence in self?.message = ShownError(sentence: sentence) }
        Task { await open() }
    }

    /// Opens the store (off the main thread, in the core) and subscribes to the screens.
    private func open() async {
        do {
            let support = try FileManager.default.url(
                for: .applicationSupportDirectory,
                in: .userDomainMask,
                appropriateFor: nil,
                create: true
            )
            // The store holds customers' names, addresses and phones: encrypted under a key
            // kept in the Keychain (this device only), and never in an iCloud or iTunes backup.
            let dbURL = support.appendingPathComponent("runsheet.db")
            let config = RunsheetConfig(
                dbPath: dbURL.path,
                serverUrl: Self.serverURL,
                token: (try? SecretStore.sessionToken()) ?? "",
                dbKey: try SecretStore.databaseKey(),
                locale: Self.deviceLocale
            )
            let core = try await openRunsheet(config: config)
            for suffix in ["", "-wal", "-shm"] {
                var file = URL(fileURLWithPath: dbURL.path + suffix)
                var noBackup = URLResourceValues()
                noBackup.isExcludedFromBackup = true
                try? file.setResourceValues(noBackup)
            }
            // A platform build passes its sign-in backend's refresh call here.
            core.session().setTokenProvider(provider: KeychainTokenProvider(refresh: { nil }))
            try core.sync().startAuto(intervalSeconds: 60)
            core.session().setForeground(foreground: foreground)
            watchNetwork(core)
            self.core = core
            if let pushToken {
                // Not awaited: the screens need not wait for the server.
                Task { await register(pushToken: pushToken, on: core) }
            }
            effects.core = core
            let screens = core.screens()
            self.screens = screens
            var queue: AsyncStream<Incoming>.Continuation?
            let stream = AsyncStream<Incoming> { queue = $0 }
            // Updates and effects arrive on the core's threads; they are handled here, on the
            // main actor, one at a time and in the order they came.
            Task { [weak self] in
                for await event in stream {
                    self?.handle(event)
                }
            }
            subscription = await screens.subscribe(listener: ScreenRelay(queue))
            if let id = pendingNotification {
                pendingNotification = nil
                await screens.openNotification(id: id)
            }
        } catch {
            failure = sentence(of: error)
        }
    }

    private func handle(_ event: Incoming) {
        switch event {
        case .update(let update):
            screen = screen.applying(update)
        case .effect(let effect):
            effects.execute(effect)
        }
    }

    /// The courier tapped an offer (with its inputs filled in): one call to the core.
    func tap(_ tap: Tap) {
        guard let screens else { return }
        Task {
            do {
                try await screens.tap(tap: tap)
                // Platform work: a signed-in token is kept in the Keychain.
                if case .signIn(let token) = tap {
                    try? SecretStore.setSessionToken(token)
                    if let pushToken, let core {
                        await register(pushToken: pushToken, on: core)
                    }
                }
            } catch {
                message = ShownError(error)
            }
        }
    }

    /// iOS handed the app its APNs device token (at every launch): the core registers it with
    /// the server for this install, now or as soon as the core is open.
    func registerPushToken(_ hex: String) {
        pushToken = hex
        guard let core else { return }
        Task { await register(pushToken: hex, on: core) }
    }

    /// One registration; a failure is retried at the next launch or sign-in, when iOS hands
    /// the token again. The token is a credential: it is never logged or shown.
    private func register(pushToken hex: String, on runsheet: Runsheet) async {
        do {
            try await runsheet.session().registerPushToken(token: hex, platform: .apns)
        } catch {
            // Without a registered token the core still syncs (long-poll in front, periodically
            // in the background); the sign-in screen follows from the core on AuthRequired.
        }
    }

    /// The courier answered an offer's inputs: the core fills the tap (refusing, in the
    /// screen's language, what does not fit), then it is tapped.
    func tap(_ offer: Offer, values: [String: String]) {
        do {
            tap(try offer.filled(with: values, language: screen?.language ?? .en))
        } catch {
            message = ShownError(error)
        }
    }

    /// The shell's answer to an effect.
    private func resolve(_ result: EffectResult) {
        guard let screens else { return }
        Task {
            do {
                try await screens.resolve(result: result)
            } catch {
                message = ShownError(error)
            }
        }
    }

    /// Whether the screen shows a countdown (an offer's seconds left): then it is recomputed
    /// every second instead of every minute. The count itself is the core's.
    var countingDown: Bool {
        guard case .offers(let page) = screen?.body else { return false }
        return page.offers.contains { $0.timeLeft != nil }
    }

    /// The courier tapped the core's notification `id`: the core opens the page it is about.
    /// Before the screens are open (a cold start from the notification) it waits for them.
    func openNotification(_ id: String) {
        guard let screens else {
            pendingNotification = id
            return
        }
        Task { await screens.openNotification(id: id) }
    }

    /// A notification tapped before the screens were open, opened once they are.
    private var pendingNotification: String?

    /// Recomputes the screen for the time that passed (on return to the front, then each minute).
    func refresh() {
        guard let screens else { return }
        Task { await screens.refresh() }
    }

    /// The device's locale changed.
    func setLocale(_ tag: String) {
        guard let screens else { return }
        Task { await screens.setLocale(locale: tag) }
    }

    /// The scene phase changed: in the foreground the core long-polls for new tasks.
    func setForeground(_ active: Bool) {
        foreground = active
        core?.session().setForeground(foreground: active)
        if active {
            effects.recheckPermissions()
            refresh()
        }
    }

    private func watchNetwork(_ core: Runsheet) {
        monitor.pathUpdateHandler = { path in
            // The network path, platform state: the core decides what a return of the network means.
            guard case .satisfied = path.status else { return }
            core.sync().networkAvailable()
        }
        monitor.start(queue: DispatchQueue(label: "app.runsheet.network"))
    }

    /// The dispatch server: the app target's `RunsheetServer` Info.plist entry.
    private static var serverURL: String {
        (Bundle.main.object(forInfoDictionaryKey: "RunsheetServer") as? String) ?? "https://dispatch.example.com"
    }

    /// The device's preferred language as a BCP 47 tag (`zh-Hans-CN`, `en-GB`).
    static var deviceLocale: String {
        Locale.preferredLanguages.first ?? Locale.current.identifier
    }
}

/// What the core's listener delivers.
enum Incoming {
    case update(ScreenUpdate)
    case effect(Effect)
}

/// The core's screen listener: called on the core's threads, it only queues what it receives.
final class ScreenRelay: ScreenListener, @unchecked Sendable {
    private let queue: AsyncStream<Incoming>.Continuation?

    init(_ queue: AsyncStream<Incoming>.Continuation?) {
        self.queue = queue
    }

    func onScreen(update: ScreenUpdate) {
        queue?.yield(.update(update))
    }

    func onEffect(effect: Effect) {
        queue?.yield(.effect(effect))
    }
}

extension Optional where Wrapped == Screen {
    /// Applies one update: a `reset` is the whole screen; `changed` lists the parts that
    /// changed, applied in order (the Rust `apply` in `screens/src/diff.rs` does the same). A
    /// change before the first screen is dropped: a subscription always starts with a reset.
    func applying(_ update: ScreenUpdate) -> Screen? {
        switch update {
        case .reset(let screen):
            return screen
        case .changed(let changes):
            guard let current = self else { return nil }
            return changes.reduce(current) { screen, change in screen.applying(change) }
        }
    }
}

extension Screen {
    /// One changed part.
    func applying(_ change: ScreenChange) -> Screen {
        switch change {
        case .header(let header):
            return replacing(header: header)
        case .shiftBar(let bar):
            return replacing(shiftBar: bar)
        case .syncBanner(let banner):
            return replacing(syncBanner: banner)
        case .notice(let notice):
            return replacing(notice: .some(notice))
        case .body(let body):
            return replacing(body: body)
        case .taskListSummary(let summary, let emptyText):
            guard case .tasks(let page) = body else { return self }
            return replacing(body: .tasks(page: TaskListPage(summary: summary, emptyText: emptyText, rows: page.rows)))
        case .rows(let diffs):
            guard case .tasks(let page) = body else { return self }
            let rows = page.rows.applying(diffs)
            return replacing(body: .tasks(page: TaskListPage(summary: page.summary, emptyText: page.emptyText, rows: rows)))
        }
    }

    private func replacing(
        header: Header? = nil,
        shiftBar: ShiftBar? = nil,
        syncBanner: SyncBanner? = nil,
        notice: Verdict?? = nil,
        body: RunsheetCore.Body? = nil
    ) -> Screen {
        Screen(
            language: language,
            header: header ?? self.header,
            shiftBar: shiftBar ?? self.shiftBar,
            syncBanner: syncBanner ?? self.syncBanner,
            notice: notice ?? self.notice,
            body: body ?? self.body
        )
    }
}

extension Array where Element == TaskRow {
    /// Row edits in order: replace, insert, remove by index (out-of-range edits are skipped).
    func applying(_ diffs: [RowDiff]) -> [TaskRow] {
        var rows = self
        for diff in diffs {
            switch diff {
            case .set(let index, let row):
                let at = Int(index)
                if rows.indices.contains(at) {
                    rows[at] = row
                }
            case .insert(let index, let row):
                rows.insert(row, at: Swift.min(Int(index), rows.count))
            case .remove(let index):
                let at = Int(index)
                if rows.indices.contains(at) {
                    rows.remove(at: at)
                }
            }
        }
        return rows
    }
}

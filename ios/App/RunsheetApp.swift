import Network
import RunsheetCore
import SwiftUI

/// The courier app: sign in, then the task list. All decisions are the core's.
@main
struct RunsheetApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var appDelegate
    @Environment(\.scenePhase) private var scenePhase
    @StateObject private var session = CourierSession()

    var body: some Scene {
        WindowGroup {
            Group {
                if let store = session.store {
                    NavigationStack {
                        TaskListView(store: store)
                    }
                } else {
                    SignInView(session: session)
                }
            }
            .onAppear {
                appDelegate.session = session
            }
        }
        .onChange(of: scenePhase) { phase in
            session.setForeground(phase == .active)
        }
    }
}

/// Opens the core in the app's private storage and reports connectivity to it.
@MainActor
final class CourierSession: ObservableObject {
    @Published private(set) var store: TaskListStore?
    @Published private(set) var error: String?

    private let monitor = NWPathMonitor()
    private var location: LocationFeed?
    /// The last scene phase was `.active`; a core opened later starts with it.
    private var foreground = false

    init() {
        OSLogSink.install()
    }

    func signIn(serverURL: String, token: String) {
        Task { await open(serverURL: serverURL, token: token) }
    }

    /// Opens the store (off the main thread, in the core) and subscribes the task list to it.
    private func open(serverURL: String, token: String) async {
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
            try SecretStore.setSessionToken(token)
            let config = RunsheetConfig(
                dbPath: dbURL.path,
                serverUrl: serverURL,
                token: token,
                dbKey: try SecretStore.databaseKey()
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
            let store = try await TaskListStore(core: core)
            store.startAutoSync()
            store.setForeground(foreground)
            watchNetwork(store)
            let feed = LocationFeed(core: store.core) { [weak store] in
                Task { @MainActor in
                    store?.refresh()
                }
            }
            feed.start()
            location = feed
            self.store = store
            error = nil
        } catch {
            self.error = error.localizedDescription
        }
    }

    /// The scene phase changed: in the foreground the core long-polls for new tasks.
    func setForeground(_ active: Bool) {
        foreground = active
        store?.setForeground(active)
    }

    private func watchNetwork(_ store: TaskListStore) {
        monitor.pathUpdateHandler = { path in
            guard path.status == .satisfied else { return }
            Task { @MainActor in
                store.networkAvailable()
            }
        }
        monitor.start(queue: DispatchQueue(label: "app.runsheet.network"))
    }
}

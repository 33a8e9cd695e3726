import Network
import RunsheetCore
import SwiftUI

/// The courier app: sign in, then the task list. All decisions are the core's.
@main
struct RunsheetApp: App {
    @StateObject private var session = CourierSession()

    var body: some Scene {
        WindowGroup {
            if let store = session.store {
                NavigationStack {
                    TaskListView(store: store)
                }
            } else {
                SignInView(session: session)
            }
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

    init() {
        OSLogSink.install()
    }

    func signIn(serverURL: String, token: String) {
        do {
            let support = try FileManager.default.url(
                for: .applicationSupportDirectory,
                in: .userDomainMask,
                appropriateFor: nil,
                create: true
            )
            let config = RunsheetConfig(
                dbPath: support.appendingPathComponent("runsheet.db").path,
                serverUrl: serverURL,
                token: token
            )
            let store = try TaskListStore(core: Runsheet(config: config))
            store.startAutoSync()
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

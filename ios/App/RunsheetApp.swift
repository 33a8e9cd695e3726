import RunsheetCore
import SwiftUI

/// The courier app: the core's screens, and the platform work its effects ask for. All
/// decisions are the core's.
@main
struct RunsheetApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var appDelegate
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            RootView(store: appDelegate.store, effects: appDelegate.store.effects)
                .onReceive(NotificationCenter.default.publisher(for: NSLocale.currentLocaleDidChangeNotification)) { _ in
                    appDelegate.store.setLocale(ScreenStore.deviceLocale)
                }
                .task(id: scenePhase) {
                    // While in front, the screen is recomputed for the time that passed once a
                    // minute, every second while an offer's seconds run on it (a timer, not a
                    // clock read: the core reads its own clock).
                    while scenePhase == .active, !Task.isCancelled {
                        let seconds: UInt64 = appDelegate.store.countingDown ? 1 : 60
                        try? await Task.sleep(nanoseconds: seconds * 1_000_000_000)
                        appDelegate.store.refresh()
                    }
                }
        }
        .onChange(of: scenePhase) { phase in
            appDelegate.store.setForeground(phase == .active)
        }
    }
}

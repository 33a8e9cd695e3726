import RunsheetCore
import UIKit
import UserNotifications

/// The app's lifetime: it owns the one `ScreenStore` (so a background launch for a sync or a
/// push finds the core), registers the background sync task, shows the core's notifications
/// while the app is in front, and forwards remote notifications to the core as JSON. Whether a
/// push is Runsheet's sync hint is the core's call; this only forwards.
@MainActor
final class AppDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    /// The core's screens and effects, for the app's lifetime.
    let store = ScreenStore()

    func application(
        _ application: UIApplication,
        didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
        // Registered before launch ends, as BGTaskScheduler requires.
        BackgroundSync.register(store: store)
        UNUserNotificationCenter.current().delegate = self
        // Silent (content-available) pushes need no permission prompt, only this registration,
        // the Push Notifications capability and the "remote-notification" background mode.
        application.registerForRemoteNotifications()
        return true
    }

    func application(_ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken deviceToken: Data) {
        // Only forwarded (Element X's delegate does the same): the core registers the token
        // with the server for this install. It is a credential: never logged.
        let hex = deviceToken.map { String(format: "%02x", $0) }.joined()
        store.registerPushToken(hex)
    }

    func application(_ application: UIApplication, didFailToRegisterForRemoteNotificationsWithError error: Error) {
        // Without push the core still syncs: long-poll in the foreground, periodically otherwise.
    }

    func application(
        _ application: UIApplication,
        didReceiveRemoteNotification userInfo: [AnyHashable: Any],
        fetchCompletionHandler completionHandler: @escaping (UIBackgroundFetchResult) -> Void
    ) {
        guard let core = store.core, let payload = Self.json(userInfo) else {
            completionHandler(.noData)
            return
        }
        guard (try? core.session().handlePush(payloadJson: payload)) == true else {
            completionHandler(.noData)
            return
        }
        // iOS suspends the app once the handler is called: complete after the sync the hint
        // asked for (the core's own sync; its outcome decides nothing here).
        Task {
            let synced = (try? await core.sync().now()) != nil
            completionHandler(synced ? .newData : .failed)
        }
    }

    /// The core's notifications show as banners while the app is in front, too.
    nonisolated func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        willPresent notification: UNNotification,
        withCompletionHandler completionHandler: @escaping (UNNotificationPresentationOptions) -> Void
    ) {
        completionHandler([.banner, .list, .sound])
    }

    /// The courier tapped one of the core's notifications: the core opens the page it is about
    /// (the training page for a qualification about to expire, ...). Its request id is the
    /// core's notification id.
    nonisolated func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        didReceive response: UNNotificationResponse,
        withCompletionHandler completionHandler: @escaping () -> Void
    ) {
        let id = response.notification.request.identifier
        Task { @MainActor in
            self.store.openNotification(id)
            completionHandler()
        }
    }

    /// The user info as a JSON object (APNs payloads are JSON, so their keys are strings).
    private static func json(_ userInfo: [AnyHashable: Any]) -> String? {
        var object: [String: Any] = [:]
        for (key, value) in userInfo {
            if let key = key as? String {
                object[key] = value
            }
        }
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object)
        else {
            return nil
        }
        return String(data: data, encoding: .utf8)
    }
}

import AVFoundation
import BackgroundTasks
import CoreLocation
import Foundation
import RunsheetCore
import UIKit
import UserNotifications

/// Platform work that needs the screen: served one at a time, in order.
struct ShellRequest: Identifiable {
    /// What to do.
    enum Kind {
        /// Show the core's rationale, then the system's permission prompt.
        case askPermission(Permission, rationale: String)
        /// Open the camera.
        case photo(PhotoPurpose, prompt: String)
        /// Show the signature pad.
        case signature(taskId: String, prompt: String)
    }

    let id = UUID()
    let kind: Kind
}

/// Carries out the core's effects (crux's bridge: one `switch` over every effect kind, each
/// done and, where it has an answer, handed back through `resolve`). Work that needs no screen
/// (notifications, location, background sync, links, dialling, the idle timer) is done at once;
/// work that needs the courier (permission prompts, camera, signature) is queued in `requests`
/// for the root view. It decides nothing about the shift.
@MainActor
final class EffectExecutor: NSObject, ObservableObject, CLLocationManagerDelegate {
    /// What the root view must show, oldest first; it serves the first and answers it.
    @Published private(set) var requests: [ShellRequest] = []

    /// Hands an answer back to the core (`Screens.resolve`).
    var resolve: (EffectResult) -> Void = { _ in }
    /// Shows a sentence to the courier.
    var say: (String) -> Void = { _ in }
    /// The open core, for location fixes.
    weak var core: Runsheet?

    private let location = CLLocationManager()
    /// The location permission asked, answered when the authorisation changes.
    private var askedLocation: Permission?
    /// The core's interval between fixes, seconds (iOS has no interval: fixes are thinned).
    private var interval: TimeInterval = 30
    private var lastFix: CLLocation?
    /// What the courier last answered per permission, to report changes made in Settings.
    private var reported: [Permission: Bool] = [:]

    override init() {
        super.init()
        location.delegate = self
        location.pausesLocationUpdatesAutomatically = false
    }

    /// Carries out one effect.
    func execute(_ effect: Effect) {
        switch effect {
        case .notify(let id, let channel, let title, let body):
            notify(id: id, channel: channel, title: title, body: body)
        case .requestPermission(let permission, let rationale):
            ask(permission, rationale: rationale)
        case .setLocationMode(let accuracy, let intervalS, let background):
            setLocationMode(accuracy, intervalS: intervalS, background: background)
        case .scheduleSync(_, let onNetwork):
            BackgroundSync.schedule(onNetwork: onNetwork)
        case .openLink(let url):
            open(URL(string: url))
        case .dial(let number):
            open(URL(string: "tel:" + number.filter { character in !character.isWhitespace }))
        case .capturePhoto(let purpose, let prompt):
            requests.append(ShellRequest(kind: .photo(purpose, prompt: prompt)))
        case .captureSignature(let taskId, let prompt):
            requests.append(ShellRequest(kind: .signature(taskId: taskId, prompt: prompt)))
        case .keepScreenOn(let on):
            UIApplication.shared.isIdleTimerDisabled = on
        }
    }

    // MARK: Notifications

    private func notify(id: String, channel: Channel, title: String, body: String) {
        let content = UNMutableNotificationContent()
        content.title = title
        content.body = body
        content.threadIdentifier = Self.category(channel)
        content.categoryIdentifier = Self.category(channel)
        content.sound = .default
        // The same id replaces the earlier notification.
        let request = UNNotificationRequest(identifier: id, content: content, trigger: nil)
        UNUserNotificationCenter.current().add(request)
    }

    /// The notification category (and thread) of one of the core's channels.
    private static func category(_ channel: Channel) -> String {
        switch channel {
        case .newTask: return "new-task"
        case .lateness: return "lateness"
        case .refusal: return "refusal"
        case .ratings: return "ratings"
        case .cases: return "cases"
        case .offers: return "offers"
        case .training: return "training"
        }
    }

    // MARK: Permissions

    private func ask(_ permission: Permission, rationale: String) {
        Task {
            if await granted(permission) {
                answer(permission, granted: true)
            } else {
                requests.append(ShellRequest(kind: .askPermission(permission, rationale: rationale)))
            }
        }
    }

    /// The courier read the rationale and continued: the system's prompt, or Settings when iOS
    /// will not prompt again.
    func proceed(_ request: ShellRequest, permission: Permission) {
        // The rationale goes; the answer comes from the system's prompt.
        drop(request)
        switch permission {
        case .camera:
            if AVCaptureDevice.authorizationStatus(for: .video) == .notDetermined {
                AVCaptureDevice.requestAccess(for: .video) { ok in
                    Task { @MainActor in self.answer(request, permission, granted: ok) }
                }
            } else {
                openSettings(request, permission)
            }
        case .location:
            if location.authorizationStatus == .notDetermined {
                askedLocation = .location
                location.requestWhenInUseAuthorization()
            } else {
                openSettings(request, permission)
            }
        case .backgroundLocation:
            if location.authorizationStatus == .authorizedWhenInUse || location.authorizationStatus == .notDetermined {
                askedLocation = .backgroundLocation
                location.requestAlwaysAuthorization()
            } else {
                openSettings(request, permission)
            }
        case .notifications:
            UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]) { ok, _ in
                Task { @MainActor in self.answer(request, permission, granted: ok) }
            }
        }
    }

    /// The courier declined at the rationale.
    func decline(_ request: ShellRequest, permission: Permission) {
        answer(request, permission, granted: false)
    }

    private func openSettings(_ request: ShellRequest, _ permission: Permission) {
        open(URL(string: UIApplication.openSettingsURLString))
        // The answer comes when the app is back in front (`recheckPermissions`).
        answer(request, permission, granted: false)
    }

    private func answer(_ request: ShellRequest, _ permission: Permission, granted: Bool) {
        drop(request)
        answer(permission, granted: granted)
    }

    private func answer(_ permission: Permission, granted: Bool) {
        reported[permission] = granted
        resolve(.permission(permission: permission, granted: granted))
    }

    /// Whether iOS holds the permission now.
    private func granted(_ permission: Permission) async -> Bool {
        switch permission {
        case .camera:
            return AVCaptureDevice.authorizationStatus(for: .video) == .authorized
        case .location:
            let status = location.authorizationStatus
            return status == .authorizedWhenInUse || status == .authorizedAlways
        case .backgroundLocation:
            return location.authorizationStatus == .authorizedAlways
        case .notifications:
            let settings = await UNUserNotificationCenter.current().notificationSettings()
            return settings.authorizationStatus == .authorized || settings.authorizationStatus == .provisional
        }
    }

    /// Back in front: permissions changed in Settings since the last answer reach the core.
    func recheckPermissions() {
        Task {
            for (permission, was) in reported {
                let now = await granted(permission)
                if now != was {
                    answer(permission, granted: now)
                }
            }
        }
    }

    nonisolated func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
        Task { @MainActor in self.authorisationChanged() }
    }

    private func authorisationChanged() {
        guard let asked = askedLocation else { return }
        askedLocation = nil
        Task {
            answer(asked, granted: await granted(asked))
        }
    }

    // MARK: Location

    private func setLocationMode(_ accuracy: LocationAccuracy, intervalS: UInt32, background: Bool) {
        interval = TimeInterval(intervalS)
        switch accuracy {
        case .off:
            location.stopUpdatingLocation()
            location.allowsBackgroundLocationUpdates = false
            location.showsBackgroundLocationIndicator = false
            return
        case .fine:
            location.desiredAccuracy = kCLLocationAccuracyBest
            location.distanceFilter = 5
        case .balanced:
            location.desiredAccuracy = kCLLocationAccuracyNearestTenMeters
            location.distanceFilter = 25
        case .coarse:
            location.desiredAccuracy = kCLLocationAccuracyHundredMeters
            location.distanceFilter = 100
        }
        // Needs the `location` background mode in the app target (see ios/README.md).
        location.allowsBackgroundLocationUpdates = background
        location.showsBackgroundLocationIndicator = background
        location.startUpdatingLocation()
    }

    nonisolated func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        Task { @MainActor in self.record(locations) }
    }

    /// Hands fixes to the core, at most one per interval the core asked for (by the fixes' own
    /// timestamps). Fixes are never logged.
    private func record(_ fixes: [CLLocation]) {
        guard let core else { return }
        for fix in fixes {
            if let last = lastFix, fix.timestamp.timeIntervalSince(last.timestamp) < interval {
                continue
            }
            lastFix = fix
            Task {
                _ = try? await core.navigation().recordLocation(
                    lat: fix.coordinate.latitude,
                    lon: fix.coordinate.longitude,
                    accuracyM: fix.horizontalAccuracy
                )
            }
        }
    }

    // MARK: Captures

    /// The camera returned a file, or was cancelled (nil).
    func photoTaken(_ request: ShellRequest, purpose: PhotoPurpose, file: URL?) {
        drop(request)
        if let file {
            resolve(.photoTaken(purpose: purpose, path: file.path))
        } else {
            resolve(.cancelled)
        }
    }

    /// The customer signed (file) or the courier cancelled (nil).
    func signatureTaken(_ request: ShellRequest, taskId: String, file: URL?) {
        drop(request)
        if let file {
            resolve(.signatureTaken(taskId: taskId, path: file.path))
        } else {
            resolve(.cancelled)
        }
    }

    /// The camera is not available on this device.
    func cameraUnavailable(_ request: ShellRequest, purpose: PhotoPurpose) {
        say(ShellWords.text("camera.unavailable"))
        photoTaken(request, purpose: purpose, file: nil)
    }

    /// A new file for a capture in the app's private storage, named by a random UUID (never by
    /// the clock). Protected until the phone's first unlock, not while locked: a sync that
    /// runs with the phone locked must still read it.
    nonisolated static func captureFile(extension ext: String) -> URL? {
        guard let support = try? FileManager.default.url(
            for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true
        ) else { return nil }
        var dir = support.appendingPathComponent("photos", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var noBackup = URLResourceValues()
        noBackup.isExcludedFromBackup = true
        try? dir.setResourceValues(noBackup)
        return dir.appendingPathComponent("\(UUID().uuidString).\(ext)")
    }

    /// Writes a capture durably with the protection above.
    nonisolated static func write(_ data: Data, to url: URL) -> Bool {
        (try? data.write(to: url, options: [.atomic, .completeFileProtectionUntilFirstUserAuthentication])) != nil
    }

    // MARK: Links

    private func open(_ url: URL?) {
        guard let url else {
            say(ShellWords.text("link.unavailable"))
            return
        }
        UIApplication.shared.open(url) { [weak self] opened in
            if !opened {
                Task { @MainActor in self?.say(ShellWords.text("link.unavailable")) }
            }
        }
    }

    private func drop(_ request: ShellRequest) {
        requests.removeAll { $0.id == request.id }
    }
}

/// The core's `ScheduleSync` on iOS: one app-refresh task that wakes the app and runs one sync
/// (Element X's pattern: registered at launch, bounded, completed on expiry). Retrying and
/// backing off are the core's; the task only wakes it.
enum BackgroundSync {
    /// Listed in the app target's `BGTaskSchedulerPermittedIdentifiers`.
    static let identifier = "app.runsheet.courier.sync"

    /// Registers the handler; call once, at launch, before the app finishes launching.
    static func register(store: ScreenStore) {
        _ = BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            Task { @MainActor in
                run(task, store: store)
            }
        }
    }

    /// Asks iOS to wake the app for a sync. The core's `at` is by its own clock; the shell
    /// reads no clock, so the earliest date is left to iOS (app refresh runs with a network),
    /// and the core's auto-sync keeps any later schedule while the app runs.
    static func schedule(onNetwork: Bool) {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = nil
        do {
            try BGTaskScheduler.shared.submit(request)
        } catch {
            // Background refresh is off for this app (Settings), or the simulator: the core
            // still syncs whenever the app runs.
        }
    }

    @MainActor
    private static func run(_ task: BGTask, store: ScreenStore) {
        guard let core = store.core else {
            task.setTaskCompleted(success: false)
            return
        }
        let work = Task {
            let synced = (try? await core.sync().now()) != nil
            task.setTaskCompleted(success: synced)
        }
        task.expirationHandler = {
            work.cancel()
        }
    }
}

#if canImport(CoreLocation)
import CoreLocation

/// Feeds Core Location's fixes to the core and configures Core Location exactly as the core
/// requests (best accuracy every few seconds near a stop, hundred-metre accuracy far from it,
/// nothing off duty). After each fix it re-reads the core's request.
public final class LocationFeed: NSObject, CLLocationManagerDelegate {
    private let manager = CLLocationManager()
    private let core: Runsheet
    private var applied: LocationRequest?
    private let onFix: () -> Void

    /// `onFix` runs after each fix the core took (refresh the hint and the list).
    public init(core: Runsheet, onFix: @escaping () -> Void) {
        self.core = core
        self.onFix = onFix
        super.init()
        manager.delegate = self
        manager.activityType = .otherNavigation
    }

    /// Asks for permission (when in use) and applies the core's request.
    public func start() {
        manager.requestWhenInUseAuthorization()
        refresh()
    }

    /// Applies the core's current request if it changed (read from the core off the main
    /// thread, applied on the main actor, where Core Location's manager lives).
    public func refresh() {
        let core = core
        Task { @MainActor in
            guard let wanted = try? await core.navigation().locationRequest() else { return }
            self.apply(wanted)
        }
    }

    @MainActor
    private func apply(_ wanted: LocationRequest) {
        guard wanted != applied else { return }
        applied = wanted
        switch wanted.accuracy {
        case .off:
            manager.stopUpdatingLocation()
            return
        case .fine:
            manager.desiredAccuracy = kCLLocationAccuracyBest
            manager.distanceFilter = kCLDistanceFilterNone
        case .balanced:
            manager.desiredAccuracy = kCLLocationAccuracyNearestTenMeters
            manager.distanceFilter = 25
        case .coarse:
            manager.desiredAccuracy = kCLLocationAccuracyHundredMeters
            manager.distanceFilter = 100
        }
        manager.startUpdatingLocation()
    }

    public func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        let core = core
        let fixes = locations.filter { $0.horizontalAccuracy >= 0 }
        Task { @MainActor in
            for fix in fixes {
                _ = try? await core.navigation().recordLocation(
                    lat: fix.coordinate.latitude,
                    lon: fix.coordinate.longitude,
                    accuracyM: fix.horizontalAccuracy
                )
            }
            self.onFix()
            self.refresh()
        }
    }
}
#endif

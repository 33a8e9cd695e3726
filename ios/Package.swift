// swift-tools-version:5.9
// RunsheetCore: the Runsheet courier core for iOS. The Rust library ships as an XCFramework
// (RunsheetFFI, built by build-xcframework.sh: iOS device, iOS simulator and macOS slices, the
// last so `swift test` links on a Mac); the Swift target holds the uniffi-generated
// bindings (Sources/RunsheetCore/Generated, from `cargo xtask bindings`) and a thin SwiftUI bridge.
import PackageDescription

let package = Package(
    name: "RunsheetCore",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "RunsheetCore", targets: ["RunsheetCore"]),
    ],
    targets: [
        .binaryTarget(name: "RunsheetFFI", path: "RunsheetFFI.xcframework"),
        .target(
            name: "RunsheetCore",
            dependencies: ["RunsheetFFI"],
            path: "Sources/RunsheetCore",
            // Security.framework was the need of SQLCipher's CommonCrypto provider. SQLCipher now
            // runs on runsheet-cipher, whose random bytes come from CCRandomGenerateBytes in
            // libSystem; the framework stays linked (harmless) until a Mac's `nm -u` on the
            // XCFramework confirms nothing else asks for it.
            linkerSettings: [.linkedFramework("Security")]
        ),
        .testTarget(
            name: "RunsheetCoreTests",
            dependencies: ["RunsheetCore"],
            path: "Tests/RunsheetCoreTests"
        ),
    ]
)

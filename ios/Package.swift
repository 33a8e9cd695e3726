// swift-tools-version:5.9
// RunsheetCore: the Runsheet courier core for iOS. The Rust library ships as an XCFramework
// (RunsheetFFI, built by build-xcframework.sh); the Swift target holds the uniffi-generated
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
            path: "Sources/RunsheetCore"
        ),
        .testTarget(
            name: "RunsheetCoreTests",
            dependencies: ["RunsheetCore"],
            path: "Tests/RunsheetCoreTests"
        ),
    ]
)

import XCTest
@testable import RunsheetCore

/// The Swift bindings over the real library (run on macOS with the XCFramework built).
final class RunsheetCoreTests: XCTestCase {
    private func freshCore() throws -> Runsheet {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = RunsheetConfig(
            dbPath: dir.appendingPathComponent("courier.db").path,
            serverUrl: "http://127.0.0.1:9",
            token: "test-token"
        )
        return try Runsheet(config: config)
    }

    func testAFreshStoreHasNoTasksAndNothingPending() throws {
        let core = try freshCore()
        XCTAssertTrue(try core.tasks().isEmpty)
        XCTAssertEqual(try core.syncStatus().pending, 0)
    }

    func testAnUnknownTaskIsATypedError() throws {
        let core = try freshCore()
        XCTAssertThrowsError(try core.markDelivered(taskId: "nope")) { error in
            guard case RunsheetError.NotFound(let message) = error else {
                return XCTFail("expected NotFound, got \(error)")
            }
            XCTAssertEqual(message, "Task nope is not on your list.")
        }
    }

    func testSyncWithoutAServerIsOfflineAndKeepsNothingBack() async throws {
        let core = try freshCore()
        do {
            _ = try await core.sync()
            XCTFail("sync succeeded without a server")
        } catch RunsheetError.Offline(let message) {
            XCTAssertTrue(message.contains("saved"))
        }
        XCTAssertNotNil(try core.syncStatus().lastError)
    }
}

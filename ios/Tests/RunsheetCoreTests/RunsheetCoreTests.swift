import XCTest
@testable import RunsheetCore

/// The Swift bindings over the real library (run on macOS with the XCFramework built).
final class RunsheetCoreTests: XCTestCase {
    private func freshCore() async throws -> Runsheet {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = RunsheetConfig(
            dbPath: dir.appendingPathComponent("courier.db").path,
            serverUrl: "http://127.0.0.1:9",
            token: "test-token"
        )
        return try await openRunsheet(config: config)
    }

    func testAFreshStoreHasNoTasksAndNothingPending() async throws {
        let core = try await freshCore()
        let tasks = try await core.tasks().all()
        XCTAssertTrue(tasks.isEmpty)
        let status = try await core.sync().status()
        XCTAssertEqual(status.pending, 0)
    }

    func testAnUnknownTaskIsATypedError() async throws {
        let core = try await freshCore()
        do {
            try await core.tasks().markDelivered(taskId: "nope")
            XCTFail("an unknown task was delivered")
        } catch RunsheetError.NotFound(let message) {
            XCTAssertEqual(message, "Task nope is not on your list.")
        }
    }

    func testSyncWithoutAServerIsOfflineAndKeepsNothingBack() async throws {
        let core = try await freshCore()
        do {
            _ = try await core.sync().now()
            XCTFail("sync succeeded without a server")
        } catch RunsheetError.Offline(let message) {
            XCTAssertTrue(message.contains("saved"))
        }
        let status = try await core.sync().status()
        XCTAssertNotNil(status.lastError)
    }
}

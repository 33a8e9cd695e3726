import Foundation
import os

/// Forwards the core's logs to the unified logging system (Console.app, `log stream`).
/// The core's records carry no customer data or tokens.
public final class OSLogSink: LogSink {
    private let logger = Logger(subsystem: "app.runsheet.core", category: "core")

    public init() {}

    public func log(record: LogRecord) {
        let line = "\(record.target): \(record.text)"
        switch record.level {
        case .trace, .debug:
            logger.debug("\(line, privacy: .public)")
        case .info:
            logger.info("\(line, privacy: .public)")
        case .warn:
            logger.warning("\(line, privacy: .public)")
        case .error:
            logger.error("\(line, privacy: .public)")
        }
    }

    /// Installs the sink for records at `level` and above.
    public static func install(level: LogLevel = .info) {
        setLogSink(sink: OSLogSink(), minLevel: level)
    }
}

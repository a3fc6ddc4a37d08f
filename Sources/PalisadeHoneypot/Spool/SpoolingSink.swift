import Foundation
public import Logging
public import PalisadeCore
import Synchronization

/// The standalone sensor's sink: each event gets an `id` (UUIDv7) so a batch sent twice is
/// recognised by the server as duplicates, and goes to the disk spool before anything else — the
/// forwarder delivers from there. A failed write or a full spool is logged and counted.
public final class SpoolingSink: HoneypotSink {
    private let spool: EventSpool
    private let logger: Logger
    private let failed = Mutex(0)

    /// A sink writing to `spool`.
    public init(spool: EventSpool, logger: Logger) {
        self.spool = spool
        self.logger = logger
    }

    /// Events that could not be written to the spool.
    public var failures: Int { failed.withLock { $0 } }

    public func record(_ events: [JSONValue]) async {
        var generator = SystemRandomNumberGenerator()
        let now = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
        let identified = events.map { event -> JSONValue in
            guard case .object(var members) = event, members["id"] == nil else { return event }
            members["id"] = .string(UUID.version7(at: now, using: &generator).lowercasedString)
            return .object(members)
        }
        do {
            let dropped = try spool.append(identified)
            if dropped > 0 {
                logger.error(
                    "palisade.honeypot.spool_full",
                    metadata: ["dropped_events": "\(dropped)", "advice": "the server has been unreachable; raise sensor.spool_segments"]
                )
            }
        } catch {
            failed.withLock { $0 += events.count }
            logger.error("palisade.honeypot.spool_write_failed", metadata: ["events": "\(events.count)", "error": "\(error)"])
        }
    }
}

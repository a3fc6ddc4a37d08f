public import PalisadeCore
import Synchronization

/// A wall clock that moves only when told to.
public final class ManualWallClock: WallClock, Sendable {
    private let current: Mutex<Timestamp>

    /// A clock reading `start` (default 2026-11-22T12:00:00Z).
    public init(start: Timestamp = Timestamp(rfc3339: "2026-11-22T12:00:00Z")!) {
        current = Mutex(start)
    }

    /// The current reading.
    public func now() -> Timestamp { current.withLock { $0 } }

    /// Moves the clock forward.
    public func advance(seconds: Int64) {
        current.withLock { $0 = $0.adding(microseconds: seconds * 1_000_000) }
    }
}

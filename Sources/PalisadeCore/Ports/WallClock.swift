/// The source of wall-clock time for timestamps (receipt times, checkpoint ages).
///
/// Core never reads the system clock: the executable passes a system clock, tests a manual one.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Timestamp
}

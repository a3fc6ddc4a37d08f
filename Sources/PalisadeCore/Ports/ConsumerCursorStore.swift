/// Where ledger consumers (detection, SIEM exporters) keep their place in each tenant's log: the
/// next log index to read and whatever state the consumer needs to resume exactly where it stopped
/// (sliding windows, baselines), saved together in one write.
///
/// Implemented by every store and checked by the conformance suite; every method is scoped to one
/// tenant and one consumer name.
public protocol ConsumerCursorStore: Sendable {
    /// The consumer's saved cursor in the tenant's log, if it saved one.
    func consumerCursor(_ consumer: String, of tenant: TenantID) async throws -> ConsumerCursor?

    /// Saves the consumer's cursor and state, replacing the previous ones.
    ///
    /// - Throws: ``StoreError`` `rejected` when `position` is behind the saved one (a second
    ///   instance of the consumer is running, or an old one woke up): cursors only move forward.
    func saveConsumerCursor(_ cursor: ConsumerCursor, consumer: String, of tenant: TenantID) async throws
}

/// A consumer's place in one tenant's log.
public struct ConsumerCursor: Hashable, Sendable {
    /// The next log index to read: every event below it has been processed.
    public var position: UInt64
    /// The consumer's own state as of `position`, in its own encoding.
    public var state: [UInt8]

    /// Creates a cursor.
    public init(position: UInt64, state: [UInt8] = []) {
        self.position = position
        self.state = state
    }
}

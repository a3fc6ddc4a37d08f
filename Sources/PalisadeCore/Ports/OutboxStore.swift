public import Foundation

/// Alert delivery's durable outbox: a notification is written here before it is sent, retried from
/// here after a failure or a restart, and ends delivered or dead-lettered — so nothing is lost, and
/// nothing is sent twice for the same state of the same group to the same receiver.
///
/// Implemented by every store and checked by the conformance suite; every read is scoped to one
/// tenant except ``dueNotifications(at:limit:)``, which the delivery worker runs for all.
public protocol OutboxStore: Sendable {
    /// Writes a new notification.
    ///
    /// - Returns: `false` (and writes nothing) when the tenant already has one for the same
    ///   receiver and state key.
    func enqueueNotification(_ notification: OutboxNotification) async throws -> Bool

    /// Pending notifications of every tenant whose next attempt is due at `now`, soonest first.
    func dueNotifications(at now: Timestamp, limit: Int) async throws -> [OutboxNotification]

    /// Stores the outcomes of attempts (status, attempts, next attempt, last error, delivery time),
    /// all in one write.
    ///
    /// - Returns: the ids of those that were not stored because the notification does not exist
    ///   or is no longer pending (a delivered or dead notification never changes again).
    func recordAttempts(_ notifications: [OutboxNotification]) async throws -> [UUID]

    /// A tenant's notifications in one status, newest first.
    func notifications(of tenant: TenantID, status: OutboxStatus, limit: Int) async throws -> [OutboxNotification]
}

extension OutboxStore {
    /// Stores the outcome of one attempt.
    ///
    /// - Throws: ``StoreError`` `rejected` when the notification does not exist or is no longer
    ///   pending.
    public func recordAttempt(_ notification: OutboxNotification) async throws {
        guard try await recordAttempts([notification]).isEmpty else {
            throw StoreError(.rejected, "notification \(notification.id.lowercasedString) is not pending")
        }
    }
}

/// Where a notification is.
public enum OutboxStatus: String, Hashable, Sendable, CaseIterable {
    /// Waiting for its (next) attempt.
    case pending
    /// Accepted by the receiver.
    case delivered
    /// Failed for good, or for longer than the retry horizon: the dead-letter list.
    case dead
}

/// One notification to one receiver, with its delivery history.
public struct OutboxNotification: Hashable, Sendable {
    /// Its id (also sent to the receiver, so it can drop a duplicate after a crash mid-send).
    public var id: UUID
    /// Its tenant.
    public var tenant: TenantID
    /// The receiver (channel) name.
    public var receiver: String
    /// What it says, as a key: the same key to the same receiver is never enqueued twice.
    public var stateKey: String
    /// The rendered notification the channel sends (JSON).
    public var payload: [UInt8]
    /// Where it is.
    public var status: OutboxStatus
    /// Attempts made.
    public var attempts: Int
    /// When it was written.
    public var createdAt: Timestamp
    /// When the next attempt is due (pending), or the last one was made.
    public var nextAttemptAt: Timestamp
    /// Why the last attempt failed, if it did.
    public var lastError: String?
    /// When the receiver accepted it.
    public var deliveredAt: Timestamp?

    /// A new pending notification, due at once.
    public init(id: UUID, tenant: TenantID, receiver: String, stateKey: String, payload: [UInt8], createdAt: Timestamp) {
        self.id = id
        self.tenant = tenant
        self.receiver = receiver
        self.stateKey = stateKey
        self.payload = payload
        self.status = .pending
        self.attempts = 0
        self.createdAt = createdAt
        self.nextAttemptAt = createdAt
        self.lastError = nil
        self.deliveredAt = nil
    }
}

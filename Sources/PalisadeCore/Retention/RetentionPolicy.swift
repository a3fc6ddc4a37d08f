/// How long a tenant keeps events of some types before a retention sweep may archive and prune
/// them (e.g. authentication events for 400 days). Pruning removes an event's row, never its leaf
/// hash: every proof and checkpoint still verifies, and the entry is reported as pruned.
public struct RetentionPolicy: Hashable, Sendable {
    /// The tenant the policy applies to.
    public var tenant: TenantID
    /// The event types it covers; empty covers every type (the tenant's default).
    public var eventTypes: Set<EventType>
    /// How many days an event is kept after its timestamp (at least 1).
    public var keepDays: Int

    /// The longest retention accepted (100 years): beyond it, keep events forever by having no policy.
    public static let maxKeepDays = 36_525

    /// Creates a policy.
    ///
    /// - Throws: ``RetentionError`` when `keepDays` is not in 1...``maxKeepDays``.
    public init(tenant: TenantID, eventTypes: Set<EventType> = [], keepDays: Int) throws(RetentionError) {
        guard (1...Self.maxKeepDays).contains(keepDays) else {
            throw RetentionError("keep_days must be between 1 and \(Self.maxKeepDays), not \(keepDays)")
        }
        self.tenant = tenant
        self.eventTypes = eventTypes
        self.keepDays = keepDays
    }

    /// Whether the policy covers events of this tenant and type.
    public func covers(tenant: TenantID, eventType: EventType) -> Bool {
        self.tenant == tenant && (eventTypes.isEmpty || eventTypes.contains(eventType))
    }

    /// The instant from which an event with this timestamp may be pruned.
    public func expiry(of timestamp: Timestamp) -> Timestamp {
        timestamp.adding(microseconds: Int64(keepDays) * 86_400_000_000)
    }
}

/// A retention rule or legal hold that is not valid; the message says which value is wrong.
public struct RetentionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}

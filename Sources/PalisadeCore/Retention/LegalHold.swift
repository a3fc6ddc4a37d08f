public import Foundation

/// A legal hold: while it is active, no event it matches may be pruned, whatever the retention
/// policies say. It matches by tenant and, optionally, actor, resource and a time range; every
/// criterion given must match.
public struct LegalHold: Hashable, Sendable {
    /// The hold's id.
    public var id: UUID
    /// The tenant whose events it holds.
    public var tenant: TenantID
    /// Only events by this actor, when set.
    public var actor: String?
    /// Only events on this resource, when set.
    public var resource: String?
    /// Only events at or after this instant, when set.
    public var start: Timestamp?
    /// Only events before this instant, when set.
    public var end: Timestamp?
    /// Why (a case or matter reference), for the audit trail.
    public var reason: String
    /// When it was placed.
    public var createdAt: Timestamp
    /// When it was released; `nil` while active.
    public var releasedAt: Timestamp?

    /// Creates a hold.
    ///
    /// - Throws: ``RetentionError`` for an empty reason or a time range that ends before it starts.
    public init(
        id: UUID = UUID(),
        tenant: TenantID,
        actor: String? = nil,
        resource: String? = nil,
        start: Timestamp? = nil,
        end: Timestamp? = nil,
        reason: String,
        createdAt: Timestamp,
        releasedAt: Timestamp? = nil
    ) throws(RetentionError) {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RetentionError("a legal hold needs a reason (a case or matter reference)")
        }
        if let start, let end, end <= start { throw RetentionError("the hold's end \(end) is not after its start \(start)") }
        self.id = id
        self.tenant = tenant
        self.actor = actor
        self.resource = resource
        self.start = start
        self.end = end
        self.reason = reason
        self.createdAt = createdAt
        self.releasedAt = releasedAt
    }

    /// Whether the hold is in force at `instant`.
    public func isActive(at instant: Timestamp) -> Bool {
        createdAt <= instant && (releasedAt.map { instant < $0 } ?? true)
    }

    /// Whether the hold covers the event (whether or not it is active).
    public func matches(_ event: AuditEvent) -> Bool {
        guard event.tenant == tenant else { return false }
        if let actor, event.actor != actor { return false }
        if let resource, event.resource != resource { return false }
        if let start, event.timestamp < start { return false }
        if let end, event.timestamp >= end { return false }
        return true
    }
}

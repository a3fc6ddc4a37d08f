public import Foundation

/// A filter over a tenant's incidents, with keyset pagination: most recently opened first.
public struct IncidentQuery: Hashable, Sendable {
    /// The largest page.
    public static let maxLimit = 500

    /// The tenant (every query is scoped to one).
    public var tenant: TenantID
    /// Only these statuses (empty: all).
    public var statuses: Set<IncidentStatus>
    /// Only these types (empty: all).
    public var types: Set<IncidentType>
    /// Only at this level or above.
    public var minimumLevel: ThreatLevel?
    /// Only assigned to this person.
    public var assignee: String?
    /// Only opened at or after this time.
    public var openedSince: Timestamp?
    /// Only opened before this time.
    public var openedBefore: Timestamp?
    /// Start after this position (the ``IncidentPosition`` of the previous page's last incident).
    public var after: IncidentPosition?
    /// The page size, 1 … ``maxLimit``.
    public var limit: Int

    /// A query for all of a tenant's incidents, newest first.
    public init(tenant: TenantID, limit: Int = 50) {
        self.tenant = tenant
        self.statuses = []
        self.types = []
        self.minimumLevel = nil
        self.assignee = nil
        self.openedSince = nil
        self.openedBefore = nil
        self.after = nil
        self.limit = min(max(1, limit), Self.maxLimit)
    }

    /// Whether an incident passes the filters (not the position): the reference semantics that
    /// stores implement in SQL and the memory store applies directly.
    public func admits(_ incident: Incident) -> Bool {
        incident.tenant == tenant
            && (statuses.isEmpty || statuses.contains(incident.status))
            && (types.isEmpty || types.contains(incident.type))
            && minimumLevel.map { incident.threatLevel >= $0 } ?? true
            && assignee.map { incident.assignee == $0 } ?? true
            && openedSince.map { incident.openedAt >= $0 } ?? true
            && openedBefore.map { incident.openedAt < $0 } ?? true
            && after.map { IncidentPosition(incident) < $0 } ?? true
    }
}

/// Where an incident sorts in a listing: by opening time, then id. Pages continue strictly below
/// the previous page's last position, so incidents opened meanwhile never shift a page.
public struct IncidentPosition: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// When the incident was opened.
    public var openedAt: Timestamp
    /// Its id.
    public var id: UUID

    /// The position of an incident.
    public init(_ incident: Incident) {
        self.openedAt = incident.openedAt
        self.id = incident.id
    }

    /// Reads the text form `<microseconds>.<uuid>` (what the API hands out as `next`).
    public init?(text: String) {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(text: String(parts[1])) else { return nil }
        self.openedAt = Timestamp(microseconds: micros)
        self.id = id
    }

    /// `<microseconds>.<uuid>`.
    public var description: String { "\(openedAt.microseconds).\(id.lowercasedString)" }

    /// Older first: opening time, then the id's bytes.
    public static func < (lhs: IncidentPosition, rhs: IncidentPosition) -> Bool {
        if lhs.openedAt != rhs.openedAt { return lhs.openedAt < rhs.openedAt }
        return lhs.id.lowercasedString < rhs.id.lowercasedString
    }
}

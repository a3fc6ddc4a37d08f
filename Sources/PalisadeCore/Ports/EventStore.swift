public import Foundation

/// Reads of the events the ledger holds: filtered pages, single events, and raw records for audit.
///
/// Implemented by every store next to ``LedgerBackend``; every method is scoped to one tenant.
public protocol EventStore: Sendable {
    /// One page of the tenant's events matching the query.
    func events(matching query: ValidatedEventQuery) async throws -> EventPage

    /// The event with this id in this tenant's log, if any.
    func event(id: UUID, of tenant: TenantID) async throws -> StoredEvent?

    /// The stored records of log indices `range`, in index order, exactly as stored (for `verify`
    /// and entry bundles). Missing indices (pruned, or deleted behind the ledger's back) are simply
    /// absent, so a verifier can name them; a redacted event has its redacted entry.
    func records(of tenant: TenantID, in range: Range<UInt64>) async throws -> [LogRecord]

    /// The tenant's erasures (pruned and redacted events) with an index in `range`, in index order.
    func erasures(of tenant: TenantID, in range: Range<UInt64>) async throws -> [Erasure]

    /// The erasure of the event with this id, if it was pruned or redacted.
    func erasure(ofEvent id: UUID, tenant: TenantID) async throws -> Erasure?

    /// The number of stored event rows of the tenant, whatever their indices (for tamper checks).
    func recordCount(of tenant: TenantID) async throws -> UInt64

    /// Checks the store's own derived data (indexes kept outside the events, such as facets)
    /// against the stored events; `nil` when it matches.
    func auditDerivedIndexes(of tenant: TenantID) async throws -> IntegrityFinding?
}

/// Something wrong found by an integrity check: the first log index at fault, if any, and why.
public struct IntegrityFinding: Hashable, Sendable, CustomStringConvertible {
    /// The first log index at fault, when the problem is at an index.
    public var index: UInt64?
    /// What is wrong.
    public var reason: String

    /// Creates a finding.
    public init(index: UInt64?, reason: String) {
        self.index = index
        self.reason = reason
    }

    /// `index N: reason` or the reason alone.
    public var description: String { index.map { "index \($0): \(reason)" } ?? reason }
}

/// An event row as stored: its entry bytes and the columns indexed for queries.
///
/// A verifier re-derives ``columns`` from the decoded entry; a difference means the row was edited
/// behind the ledger's back.
public struct LogRecord: Hashable, Sendable {
    /// The log index the row claims.
    public var index: UInt64
    /// The canonical entry bytes.
    public var entry: [UInt8]
    /// The query columns as stored.
    public var columns: IndexedColumns

    /// Creates a record.
    public init(index: UInt64, entry: [UInt8], columns: IndexedColumns) {
        self.index = index
        self.entry = entry
        self.columns = columns
    }
}

/// The copies of event fields that stores keep in columns for filtering.
public struct IndexedColumns: Hashable, Sendable {
    /// `id`.
    public var id: UUID
    /// `timestamp`, microseconds.
    public var timestamp: Int64
    /// `event_type`.
    public var eventType: String
    /// `severity` rank (0 = info … 4 = critical).
    public var severity: Int
    /// `actor`.
    public var actor: String?
    /// `action`.
    public var action: String
    /// `resource`.
    public var resource: String?
    /// `success`.
    public var success: Bool
    /// `source_ip`, canonical text.
    public var sourceIP: String?
    /// `session_id`.
    public var sessionID: String?
    /// `request_id`.
    public var requestID: String?

    /// The columns of an event.
    public init(_ event: AuditEvent) {
        self.init(
            id: event.id,
            timestamp: event.timestamp.microseconds,
            eventType: event.eventType.rawValue,
            severity: event.severity.rawValue,
            actor: event.actor,
            action: event.action,
            resource: event.resource,
            success: event.success,
            sourceIP: event.sourceIP?.text,
            sessionID: event.sessionID,
            requestID: event.requestID
        )
    }

    /// Creates columns from stored values.
    public init(
        id: UUID,
        timestamp: Int64,
        eventType: String,
        severity: Int,
        actor: String?,
        action: String,
        resource: String?,
        success: Bool,
        sourceIP: String?,
        sessionID: String?,
        requestID: String?
    ) {
        self.id = id
        self.timestamp = timestamp
        self.eventType = eventType
        self.severity = severity
        self.actor = actor
        self.action = action
        self.resource = resource
        self.success = success
        self.sourceIP = sourceIP
        self.sessionID = sessionID
        self.requestID = requestID
    }
}

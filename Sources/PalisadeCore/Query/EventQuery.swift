/// A filtered, paginated read of one tenant's events.
///
/// Filters combine with AND. Time ranges are half-open: `start` inclusive, `end` exclusive; an
/// inverted range is an error, not an empty page. Pages are ordered by (timestamp, log index) and
/// continue from an opaque ``EventCursor``, so a page never repeats or skips an event even while
/// new ones arrive.
///
/// ```swift
/// var query = EventQuery(tenant: .default)
/// query.actor = "alice"
/// query.minSeverity = .high
/// let page = try await store.events(matching: query.validated())
/// ```
public struct EventQuery: Hashable, Sendable {
    /// Which end of the time order a page starts from.
    public enum Order: String, Hashable, Sendable, CaseIterable {
        /// Newest first (the default).
        case newestFirst = "newest"
        /// Oldest first.
        case oldestFirst = "oldest"
    }

    /// The default page size.
    public static let defaultLimit = 100
    /// The largest page size; larger requests are capped and the page says so.
    public static let maxLimit = 1000

    /// The tenant whose events are read (always exactly one).
    public var tenant: TenantID
    /// Events at or after this time.
    public var start: Timestamp?
    /// Events before this time.
    public var end: Timestamp?
    /// Events of any of these types (empty: all types).
    public var eventTypes: Set<EventType> = []
    /// Events at least this severe.
    public var minSeverity: Severity?
    /// Events at most this severe.
    public var maxSeverity: Severity?
    /// Events by exactly this actor.
    public var actor: String?
    /// Events on exactly this resource.
    public var resource: String?
    /// Events that succeeded (`true`) or failed (`false`).
    public var success: Bool?
    /// Events from this address.
    public var sourceIP: IPAddress?
    /// Events of this session.
    public var sessionID: String?
    /// Events of this request.
    public var requestID: String?
    /// Events whose action contains this text (case-sensitive).
    public var actionContains: String?
    /// The order of the page.
    public var order: Order = .newestFirst
    /// The page size asked for.
    public var limit: Int = EventQuery.defaultLimit
    /// Where the previous page ended.
    public var cursor: EventCursor?

    /// A query for all events of a tenant.
    public init(tenant: TenantID) {
        self.tenant = tenant
    }

    /// Checks the query and caps its limit.
    ///
    /// - Returns: the query to run, with ``limit`` at most ``maxLimit``, and whether it was capped.
    /// - Throws: ``EventValidationError`` naming the parameter at fault (an inverted time or
    ///   severity range, a limit below 1).
    public func validated() throws(EventValidationError) -> ValidatedEventQuery {
        var issues = [EventValidationError.Issue]()
        if let start, let end, start > end {
            issues.append(.init(field: "end", message: "is before start; the range is start (inclusive) to end (exclusive)"))
        }
        if let minSeverity, let maxSeverity, minSeverity > maxSeverity {
            issues.append(.init(field: "max_severity", message: "is below min_severity"))
        }
        if limit < 1 { issues.append(.init(field: "limit", message: "must be at least 1")) }
        if let actionContains, actionContains.isEmpty { issues.append(.init(field: "action_contains", message: "must not be empty")) }
        guard issues.isEmpty else { throw EventValidationError(issues: issues) }
        var query = self
        let capped = limit > Self.maxLimit
        if capped { query.limit = Self.maxLimit }
        return ValidatedEventQuery(query: query, requestedLimit: limit, limitWasCapped: capped)
    }
}

/// An ``EventQuery`` that passed ``EventQuery/validated()``; stores accept only this.
public struct ValidatedEventQuery: Hashable, Sendable {
    /// The query, with its limit capped.
    public let query: EventQuery
    /// The limit the caller asked for.
    public let requestedLimit: Int
    /// Whether the limit was lowered to ``EventQuery/maxLimit``.
    public let limitWasCapped: Bool

    /// Whether no event can match (an empty time range), so stores can answer without a query.
    public var isEmptyRange: Bool {
        if let start = query.start, let end = query.end { return start >= end }
        return false
    }
}

/// The position after the last event of a page: (timestamp, log index), opaque to clients.
public struct EventCursor: Hashable, Sendable, CustomStringConvertible {
    /// The last event's timestamp.
    public var timestamp: Timestamp
    /// The last event's log index.
    public var index: UInt64

    /// Creates a cursor.
    public init(timestamp: Timestamp, index: UInt64) {
        self.timestamp = timestamp
        self.index = index
    }

    /// The opaque token: `<microseconds>.<index>` in URL-safe text.
    public var token: String { "\(timestamp.microseconds)_\(index)" }

    /// Parses a token.
    ///
    /// - Returns: `nil` when the token was not made by ``token``.
    public init?(token: String) {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, let micros = Int64(parts[0]), let index = UInt64(parts[1]) else { return nil }
        self.init(timestamp: Timestamp(microseconds: micros), index: index)
    }

    /// The token.
    public var description: String { token }
}

/// One page of events.
public struct EventPage: Hashable, Sendable {
    /// The events, in the query's order.
    public var events: [StoredEvent]
    /// Where the next page starts, or `nil` when this is the last page.
    public var next: EventCursor?
    /// The page size used.
    public var limit: Int
    /// Whether the caller's limit was capped to ``EventQuery/maxLimit``.
    public var limitWasCapped: Bool

    /// Creates a page.
    public init(events: [StoredEvent], next: EventCursor?, limit: Int, limitWasCapped: Bool) {
        self.events = events
        self.next = next
        self.limit = limit
        self.limitWasCapped = limitWasCapped
    }

    /// A page from rows a store read with `LIMIT limit + 1`: the rows beyond the limit only say
    /// that another page follows, which starts after this page's last event.
    ///
    /// - Parameter decode: turns a row (log index and stored entry) into its event.
    public init<Row>(
        rows: [(index: UInt64, entry: Row)],
        for validated: ValidatedEventQuery,
        decode: (UInt64, Row) throws -> AuditEvent
    ) rethrows {
        let limit = validated.query.limit
        var events = [StoredEvent]()
        events.reserveCapacity(min(rows.count, limit))
        for (index, entry) in rows.prefix(limit) {
            events.append(StoredEvent(index: index, event: try decode(index, entry)))
        }
        let next = rows.count > limit ? events.last.map { EventCursor(timestamp: $0.event.timestamp, index: $0.index) } : nil
        self.init(events: events, next: next, limit: limit, limitWasCapped: validated.limitWasCapped)
    }
}

/// An event and its position in its tenant's log.
public struct StoredEvent: Hashable, Sendable {
    /// The log index (leaf number).
    public var index: UInt64
    /// The event.
    public var event: AuditEvent

    /// Creates a stored event.
    public init(index: UInt64, event: AuditEvent) {
        self.index = index
        self.event = event
    }
}

extension EventQuery {
    /// Whether `event` passes every filter except the time range and cursor (for in-memory stores
    /// and for cross-checking database stores in tests).
    public func matches(_ event: AuditEvent) -> Bool {
        if !eventTypes.isEmpty && !eventTypes.contains(event.eventType) { return false }
        if let minSeverity, event.severity < minSeverity { return false }
        if let maxSeverity, event.severity > maxSeverity { return false }
        if let actor, event.actor != actor { return false }
        if let resource, event.resource != resource { return false }
        if let success, event.success != success { return false }
        if let sourceIP, event.sourceIP != sourceIP { return false }
        if let sessionID, event.sessionID != sessionID { return false }
        if let requestID, event.requestID != requestID { return false }
        if let actionContains, !event.action.contains(actionContains) { return false }
        if let start, event.timestamp < start { return false }
        if let end, event.timestamp >= end { return false }
        return true
    }
}

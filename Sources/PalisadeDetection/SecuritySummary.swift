public import PalisadeCore

/// The dashboard's figures over a real time window `[start, end)` (the original design computed
/// its "24 hour" figures over all time): incidents opened in the window by type, level and status,
/// the active incidents now, failed authentications and their top sources, the latest critical
/// incidents, and mean times to acknowledge and to resolve.
public struct SecuritySummary: Hashable, Sendable {
    /// The window's start (inclusive).
    public let start: Timestamp
    /// The window's end (exclusive): the time the summary was asked for.
    public let end: Timestamp
    /// Incidents opened (or reopened) in the window.
    public private(set) var opened = 0
    /// Incidents active now (open, acknowledged or investigating), whenever opened.
    public private(set) var active = 0
    /// Incidents opened in the window, by type.
    public private(set) var byType: [String: Int] = [:]
    /// Incidents opened in the window, by threat level.
    public private(set) var byLevel: [String: Int] = [:]
    /// Incidents opened in the window, by current status.
    public private(set) var byStatus: [String: Int] = [:]
    /// Failed authentication events in the window.
    public private(set) var failedAuthentications = 0
    /// Whether the failed authentications were too many to read in full (counts are then lower bounds).
    public var failedAuthenticationsTruncated = false
    private var sourceCounts: [String: Int] = [:]
    private var actorCounts: [String: Int] = [:]
    private var critical: [Incident] = []
    private var acknowledgeMicroseconds: [Int64] = []
    private var resolveMicroseconds: [Int64] = []

    /// An empty summary of `[start, end)`.
    public init(start: Timestamp, end: Timestamp) {
        self.start = start
        self.end = end
    }

    /// Whether a time is in the window.
    public func contains(_ time: Timestamp) -> Bool { time >= start && time < end }

    /// Counts an incident opened in the window (others are ignored).
    public mutating func add(opened incident: Incident) {
        guard contains(incident.openedAt) else { return }
        opened += 1
        byType[incident.type.rawValue, default: 0] += 1
        byLevel[incident.threatLevel.name, default: 0] += 1
        byStatus[incident.status.rawValue, default: 0] += 1
        if incident.threatLevel == .critical {
            critical.append(incident)
            critical.sort { IncidentPosition($0) > IncidentPosition($1) }
            if critical.count > 5 { critical.removeLast() }
        }
        if let acknowledged = incident.acknowledgedAt { acknowledgeMicroseconds.append(acknowledged.microseconds - incident.openedAt.microseconds) }
        if let resolved = incident.resolvedAt { resolveMicroseconds.append(resolved.microseconds - incident.openedAt.microseconds) }
    }

    /// Counts an incident active now.
    public mutating func add(active incident: Incident) {
        if incident.status.isActive { active += 1 }
    }

    /// Counts a failed authentication event in the window (others are ignored).
    public mutating func add(failedAuthentication event: AuditEvent) {
        guard contains(event.timestamp), event.eventType == .authentication, !event.success else { return }
        failedAuthentications += 1
        if let address = event.sourceIP { sourceCounts[address.text, default: 0] += 1 }
        if let actor = event.actor { actorCounts[actor, default: 0] += 1 }
    }

    /// The ten source addresses with the most failed authentications, most first (ties by name).
    public var topSourceIPs: [(String, Int)] { Self.top(sourceCounts) }
    /// The ten actors with the most failed authentications, most first (ties by name).
    public var topActors: [(String, Int)] { Self.top(actorCounts) }
    /// The five most recently opened critical incidents of the window.
    public var latestCritical: [Incident] { critical }
    /// Mean time from opening to acknowledgement of the window's acknowledged incidents, seconds.
    public var meanTimeToAcknowledge: Double? { Self.mean(acknowledgeMicroseconds) }
    /// Mean time from opening to resolution of the window's resolved incidents, seconds.
    public var meanTimeToResolve: Double? { Self.mean(resolveMicroseconds) }

    /// The summary as the API shows it.
    public var jsonValue: JSONValue {
        func counts(_ values: [String: Int]) -> JSONValue { .object(values.mapValues { .number(Double($0)) }) }
        func ranking(_ entries: [(String, Int)], _ name: String) -> JSONValue {
            .array(entries.map { .object([name: .string($0.0), "count": .number(Double($0.1))]) })
        }
        return .object([
            "window": .object([
                "start": .string(start.rfc3339), "end": .string(end.rfc3339),
                "seconds": .number(Double((end.microseconds - start.microseconds) / 1_000_000)),
            ]),
            "incidents": .object([
                "opened": .number(Double(opened)), "active": .number(Double(active)),
                "by_type": counts(byType), "by_level": counts(byLevel), "by_status": counts(byStatus),
            ]),
            "failed_authentications": .number(Double(failedAuthentications)),
            "failed_authentications_truncated": .bool(failedAuthenticationsTruncated),
            "top_source_ips": ranking(topSourceIPs, "source_ip"),
            "top_actors": ranking(topActors, "actor"),
            "latest_critical": .array(critical.map(\.jsonValue)),
            "mtta_seconds": meanTimeToAcknowledge.map { .number($0) } ?? .null,
            "mttr_seconds": meanTimeToResolve.map { .number($0) } ?? .null,
        ])
    }

    private static func top(_ counts: [String: Int]) -> [(String, Int)] {
        Array(counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10).map { ($0.key, $0.value) })
    }

    private static func mean(_ values: [Int64]) -> Double? {
        values.isEmpty ? nil : Double(values.reduce(0, +)) / Double(values.count) / 1_000_000
    }

    /// Reads a window length: `30m`, `24h`, `7d` or seconds (`3600s`), at most 366 days.
    ///
    /// - Throws: ``RuleError`` saying what is accepted.
    public static func windowSeconds(_ text: String) throws(RuleError) -> Int64 {
        let seconds = try DetectionRule.seconds(text, "window")
        guard seconds <= 366 * 86_400 else { throw RuleError("window must be at most 366d") }
        return seconds
    }
}

/// Builds a ``SecuritySummary`` from the stores.
public enum SecuritySummaryReader {
    /// The most failed authentications read for one summary; beyond it counts are lower bounds.
    public static let maxFailedAuthentications = 1_000_000

    /// The tenant's summary of `[now − seconds, now)`.
    public static func summary(
        of tenant: TenantID,
        windowSeconds seconds: Int64,
        now: Timestamp,
        incidents: any IncidentStore,
        events: any EventStore
    )
        async throws -> SecuritySummary
    {
        var summary = SecuritySummary(start: now.adding(microseconds: -seconds * 1_000_000), end: now)
        var query = IncidentQuery(tenant: tenant)
        query.openedSince = summary.start
        query.openedBefore = summary.end
        for stored in try await incidents.allIncidents(matching: query) { summary.add(opened: stored.incident) }
        var active = IncidentQuery(tenant: tenant)
        active.statuses = [.open, .acknowledged, .investigating]
        for stored in try await incidents.allIncidents(matching: active) { summary.add(active: stored.incident) }

        var failed = EventQuery(tenant: tenant)
        failed.start = summary.start
        failed.end = summary.end
        failed.eventTypes = [.authentication]
        failed.success = false
        failed.limit = EventQuery.maxLimit
        var read = 0
        while true {
            let page = try await events.events(matching: try failed.validated())
            for stored in page.events { summary.add(failedAuthentication: stored.event) }
            read += page.events.count
            guard let next = page.next else { break }
            guard read < maxFailedAuthentications else {
                summary.failedAuthenticationsTruncated = true
                break
            }
            failed.cursor = next
        }
        return summary
    }

}

public import PalisadeCore

/// What alerting routes, groups and delivers: a firing or resolved incident, as labels
/// (Alertmanager's model) and annotations, identified by a fingerprint (its incident id).
public struct Alert: Hashable, Sendable {
    /// Labels routing, grouping, inhibition and silences match on: `tenant`, `incident_id`,
    /// `incident_type`, `threat_level`, `rule`, `entity` (what the rule grouped by), `status`, and
    /// the incident's own labels.
    public var labels: [String: String]
    /// Text for people: `title`, `description`.
    public var annotations: [String: String]
    /// The alert's identity: the incident id.
    public var fingerprint: String
    /// Firing (the incident is active) or resolved.
    public var isFiring: Bool
    /// When the incident was opened.
    public var startsAt: Timestamp
    /// When this state was reached.
    public var updatedAt: Timestamp

    /// Creates an alert.
    public init(
        labels: [String: String],
        annotations: [String: String] = [:],
        fingerprint: String,
        isFiring: Bool,
        startsAt: Timestamp,
        updatedAt: Timestamp
    ) {
        self.labels = labels
        self.annotations = annotations
        self.fingerprint = fingerprint
        self.isFiring = isFiring
        self.startsAt = startsAt
        self.updatedAt = updatedAt
    }

    /// The alert an incident record (`palisade.incident`) stands for: firing while the incident is
    /// open, acknowledged or investigating; resolved otherwise. `nil` for other events.
    public init?(incidentRecord event: AuditEvent) {
        guard event.eventType == .palisadeIncident, case .string(let id)? = event.metadata["incident_id"] else { return nil }
        func text(_ name: String) -> String? {
            if case .string(let value)? = event.metadata[name] { value } else { nil }
        }
        let status = text("status").flatMap(IncidentStatus.init(rawValue:))
        var labels = [
            "tenant": event.tenant.rawValue, "incident_id": id, "incident_type": text("incident_type") ?? "",
            "threat_level": text("threat_level") ?? "",
            "rule": text("source") ?? "", "status": status?.rawValue ?? "",
        ]
        if let key = text("dedup_key"), let bar = key.firstIndex(of: "|") { labels["entity"] = String(key[key.index(after: bar)...]) }
        self.init(
            labels: labels,
            annotations: ["title": text("title") ?? "", "action": event.action],
            fingerprint: id,
            isFiring: status?.isActive ?? true,
            startsAt: event.timestamp,
            updatedAt: event.timestamp
        )
    }
}

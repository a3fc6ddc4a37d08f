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
    /// When a firing alert resolves by itself if nothing else happens first (a pending approval
    /// request's expiry); nil: it fires until a new state arrives.
    public var endsAt: Timestamp?

    /// Creates an alert.
    public init(
        labels: [String: String],
        annotations: [String: String] = [:],
        fingerprint: String,
        isFiring: Bool,
        startsAt: Timestamp,
        updatedAt: Timestamp,
        endsAt: Timestamp? = nil
    ) {
        self.labels = labels
        self.annotations = annotations
        self.fingerprint = fingerprint
        self.isFiring = isFiring
        self.startsAt = startsAt
        self.updatedAt = updatedAt
        self.endsAt = endsAt
    }

    /// What the alert is about, for people: `incident`, or `approval request`.
    public var subject: String { labels["kind"] == "approval" ? "approval request" : "incident" }

    /// The alert a vault approval record (`palisade.vault`, `approval.*`) stands for: it fires while
    /// the request waits for decisions (until its expiry) or, approved, for its execution — so
    /// the approvers hear of it through the tenant's receivers — and resolves when it is executed,
    /// rejected, cancelled or expires. Labels: `kind=approval`, `incident_type=approval`,
    /// `operation`, `target`, `status`, `requester`, `tenant`; `nil` for other events.
    public init?(approvalRecord event: AuditEvent) {
        guard event.eventType == .palisadeVault, event.action.hasPrefix("approval."), case .string(let id)? = event.metadata["approval"] else {
            return nil
        }
        func text(_ name: String) -> String {
            if case .string(let value)? = event.metadata[name] { value } else { "" }
        }
        func number(_ name: String) -> Int {
            if case .number(let value)? = event.metadata[name] { Int(value) } else { 0 }
        }
        let (status, operation, target) = (text("status"), text("operation"), text("target"))
        let title: String
        switch status {
        case "pending": title = "Approval needed: \(operation) of \(target) (\(number("approvals"))/\(number("quorum")) approvals)"
        case "approved": title = "Approved, to be carried out after \(text("execute_after")): \(operation) of \(target)"
        default: title = "Request \(status): \(operation) of \(target)"
        }
        self.init(
            labels: [
                "tenant": event.tenant.rawValue, "kind": "approval", "incident_type": "approval", "approval_id": id, "operation": operation,
                "target": target, "status": status, "requester": text("requester"), "threat_level": "medium",
            ],
            annotations: ["title": title, "action": event.action],
            fingerprint: "approval-\(id)",
            isFiring: status == "pending" || status == "approved",
            startsAt: event.timestamp,
            updatedAt: event.timestamp,
            endsAt: status == "pending" ? Timestamp(rfc3339: text("expires_at")) : nil
        )
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

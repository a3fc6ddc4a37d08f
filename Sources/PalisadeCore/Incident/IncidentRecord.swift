public import Foundation

/// The ledger record of something that happened to an incident: a ``EventType/palisadeIncident``
/// event whose action names the change (`opened`, `evidence`, `reopened`, `escalated`, a lifecycle
/// action such as `acknowledge`, `assign`, `note`) and whose metadata holds the incident's id,
/// type, level and status after the change plus what the change itself carried.
///
/// Records of automatic changes have ids derived from what they record (see
/// ``UUID/derived(from:)``), so a detection replayed after a restart appends nothing new.
public struct IncidentRecord: Hashable, Sendable {
    /// What changed.
    public enum Change: Hashable, Sendable {
        /// A detection opened the incident.
        case opened
        /// A detection added evidence to the active incident.
        case evidence([UInt64])
        /// A detection reopened a resolved incident, with its new evidence.
        case reopened([UInt64])
        /// A missed SLA deadline escalated it.
        case escalated(SLABreach)
        /// A person applied a lifecycle action.
        case transition(IncidentAction)
        /// A person (un)assigned it.
        case assigned(String?)
        /// A person added a note.
        case noted(String)

        /// The record's action.
        public var action: String {
            switch self {
            case .opened: "opened"
            case .evidence: "evidence"
            case .reopened: "reopened"
            case .escalated: "escalated"
            case .transition(let action): action.name
            case .assigned: "assign"
            case .noted: "note"
            }
        }
    }

    /// The incident after the change.
    public var incident: Incident
    /// The change.
    public var change: Change
    /// Who made it (a person, or the detection consumer).
    public var actor: String
    /// Whether alert routing should pick it up (the incident is at or above the alerting level).
    public var alert: Bool

    /// Creates a record.
    public init(incident: Incident, change: Change, actor: String, alert: Bool) {
        self.incident = incident
        self.change = change
        self.actor = actor
        self.alert = alert
    }

    /// The id automatic changes are recorded under, derived from the incident and the change
    /// (`nil` for a person's change, which gets a fresh id).
    public var derivedID: UUID? {
        let base = "palisade.incident/\(incident.tenant.rawValue)/\(incident.id.lowercasedString)"
        switch change {
        case .opened: return .derived(from: "\(base)/opened")
        case .evidence(let fresh): return fresh.min().map { .derived(from: "\(base)/evidence/\($0)") }
        case .reopened(let fresh): return fresh.min().map { .derived(from: "\(base)/reopened/\($0)") }
        case .escalated: return .derived(from: "\(base)/escalated/\(incident.escalations)")
        case .transition, .assigned, .noted: return nil
        }
    }

    /// The ledger event, with `id` (use ``derivedID`` when there is one).
    public func event(id: UUID, at now: Timestamp) -> AuditEvent {
        var metadata: [String: JSONValue] = [
            "incident_id": .string(incident.id.lowercasedString),
            "incident_type": .string(incident.type.rawValue),
            "threat_level": .string(incident.threatLevel.name),
            "status": .string(incident.status.rawValue),
            "source": .string(incident.source),
            "dedup_key": .string(incident.dedupKey),
            "title": .string(incident.title),
            "alert": .bool(alert),
        ]
        switch change {
        case .opened:
            metadata["evidence"] = .array(incident.evidence.map { .number(Double($0)) })
        case .evidence(let fresh), .reopened(let fresh):
            metadata["evidence"] = .array(fresh.map { .number(Double($0)) })
        case .escalated(let breach):
            metadata["breach"] = .string(breach.kind.rawValue)
            metadata["due"] = .string(breach.due.rfc3339)
            if case .notifyEscalationRoute = breach.escalation { metadata["escalation_route"] = .bool(true) }
        case .transition(let action):
            switch action {
            case .resolve(let resolution, let cause):
                metadata["resolution"] = .string(resolution)
                if let cause { metadata["root_cause"] = .string(cause) }
            case .reopen(let reason), .markFalsePositive(let reason): metadata["reason"] = .string(reason)
            case .acknowledge, .investigate, .close: break
            }
        case .assigned(let person):
            metadata["assignee"] = person.map { .string($0) } ?? .null
        case .noted(let text):
            metadata["note"] = .string(text)
        }
        return AuditEvent.palisadeRecord(
            tenant: incident.tenant,
            id: id,
            at: now,
            actor: actor,
            type: .palisadeIncident,
            action: change.action,
            severity: Severity(rawValue: incident.threatLevel.rawValue) ?? .medium,
            resource: "incident/\(incident.id.lowercasedString)",
            metadata: metadata
        )
    }
}

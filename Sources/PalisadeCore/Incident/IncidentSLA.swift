/// How fast incidents must be acknowledged and resolved, per threat level, and what happens when
/// they are not: the level is raised (a critical one is handed to the escalation route instead).
/// Deadlines count from the incident's ``Incident/slaClock``: an escalation restarts it, so the
/// raised level gets its own full deadline instead of cascading to critical in one step.
public struct IncidentSLA: Hashable, Sendable {
    /// Seconds from opening to acknowledgement, per level.
    public var acknowledgeWithin: [ThreatLevel: Int64]
    /// Seconds from opening to resolution, per level.
    public var resolveWithin: [ThreatLevel: Int64]

    /// Defaults: critical 15 min / 4 h, high 1 h / 24 h, medium 8 h / 3 days, low 24 h / 7 days.
    public static let standard = IncidentSLA(
        acknowledgeWithin: [.critical: 900, .high: 3_600, .medium: 28_800, .low: 86_400],
        resolveWithin: [.critical: 14_400, .high: 86_400, .medium: 259_200, .low: 604_800]
    )

    /// Creates a policy.
    public init(acknowledgeWithin: [ThreatLevel: Int64], resolveWithin: [ThreatLevel: Int64]) {
        self.acknowledgeWithin = acknowledgeWithin
        self.resolveWithin = resolveWithin
    }

    /// When the incident must be acknowledged by, if it has a deadline and is not yet acknowledged.
    public func acknowledgeDue(_ incident: Incident) -> Timestamp? {
        guard incident.status == .open, let seconds = acknowledgeWithin[incident.threatLevel] else { return nil }
        return incident.slaClock.adding(microseconds: seconds * 1_000_000)
    }

    /// When the incident must be resolved by, while it is active.
    public func resolveDue(_ incident: Incident) -> Timestamp? {
        guard incident.status.isActive, let seconds = resolveWithin[incident.threatLevel] else { return nil }
        return incident.slaClock.adding(microseconds: seconds * 1_000_000)
    }

    /// The breach at `now`, if a deadline has passed: the earlier of the two.
    public func breach(of incident: Incident, at now: Timestamp) -> SLABreach? {
        if let due = acknowledgeDue(incident), due <= now { return SLABreach(kind: .notAcknowledged, due: due, escalation: escalation(incident)) }
        if let due = resolveDue(incident), due <= now { return SLABreach(kind: .notResolved, due: due, escalation: escalation(incident)) }
        return nil
    }

    private func escalation(_ incident: Incident) -> SLABreach.Escalation {
        incident.threatLevel == .critical ? .notifyEscalationRoute : .raiseLevel(to: incident.threatLevel.raised)
    }
}

/// A missed SLA deadline and what to do about it.
public struct SLABreach: Hashable, Sendable {
    /// Which deadline.
    public enum Kind: String, Hashable, Sendable {
        /// Nobody acknowledged it in time.
        case notAcknowledged = "not_acknowledged"
        /// Not resolved in time.
        case notResolved = "not_resolved"
    }

    /// The response.
    public enum Escalation: Hashable, Sendable {
        /// Raise the threat level (its own SLA then applies).
        case raiseLevel(to: ThreatLevel)
        /// Already critical: notify the escalation route.
        case notifyEscalationRoute
    }

    /// Which deadline passed.
    public var kind: Kind
    /// When it was due.
    public var due: Timestamp
    /// What to do.
    public var escalation: Escalation

    /// Creates a breach.
    public init(kind: Kind, due: Timestamp, escalation: Escalation) {
        self.kind = kind
        self.due = due
        self.escalation = escalation
    }
}

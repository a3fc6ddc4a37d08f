import Foundation
import PalisadeCore
import Testing

/// The incident lifecycle: every legal transition works, every illegal one is an error that says
/// what is allowed, dedup folds evidence in with bounds, and SLA breaches escalate.
struct IncidentLifecycleTests {
    static let t0 = Timestamp(rfc3339: "2026-03-01T10:00:00Z")!

    static func incident(level: ThreatLevel = .high) -> Incident {
        Incident(
            id: UUID(),
            tenant: .default,
            type: .bruteForceAttack,
            threatLevel: level,
            title: "10 failed logins for alice",
            description: "threshold rule",
            source: "auth.brute_force",
            dedupKey: "auth.brute_force|actor=alice",
            entities: IncidentEntities(actors: ["alice"], addresses: ["203.0.113.7"]),
            evidence: [3, 4, 5],
            seenAt: t0,
            openedAt: t0
        )
    }

    static func at(_ seconds: Int64) -> Timestamp { t0.adding(microseconds: seconds * 1_000_000) }

    @Test func theStateMachineAllowsExactlyTheDocumentedTransitions() throws {
        let actions: [IncidentAction] = [
            .acknowledge, .investigate, .resolve(resolution: "blocked the IP", rootCause: nil), .close, .reopen(reason: "again"),
            .markFalsePositive(reason: "pentest"),
        ]
        let expected: [IncidentStatus: [String: IncidentStatus]] = [
            .open: ["acknowledge": .acknowledged, "investigate": .investigating, "resolve": .resolved, "false_positive": .falsePositive],
            .acknowledged: ["investigate": .investigating, "resolve": .resolved, "false_positive": .falsePositive],
            .investigating: ["resolve": .resolved, "false_positive": .falsePositive],
            .resolved: ["close": .closed, "reopen": .open],
            .closed: ["reopen": .open],
            .falsePositive: ["close": .closed, "reopen": .open],
        ]
        for status in IncidentStatus.allCases {
            for action in actions {
                if let next = expected[status]?[action.name] {
                    #expect(try status.applying(action) == next, "\(status) + \(action.name)")
                } else {
                    #expect(throws: IncidentTransitionError.self, "\(status) must refuse \(action.name)") { try status.applying(action) }
                }
            }
            #expect(Set(status.allowedActions) == Set(expected[status]!.keys))
        }
        // The original design's four statuses are among ours.
        for name in ["open", "investigating", "resolved", "false_positive"] { #expect(IncidentStatus(rawValue: name) != nil) }
    }

    @Test func aWorkedIncidentRecordsWhoAndWhen() throws {
        var incident = Self.incident()
        try incident.apply(.acknowledge, by: "oncall", at: Self.at(60))
        #expect(incident.status == .acknowledged && incident.assignee == "oncall" && incident.acknowledgedAt == Self.at(60))
        incident.assign(to: "bob", at: Self.at(70))
        incident.addNote("looking at the firewall logs", by: "bob", at: Self.at(80))
        try incident.apply(.investigate, by: "bob", at: Self.at(90))
        #expect(throws: IncidentTransitionError.self) { try incident.apply(.resolve(resolution: " ", rootCause: nil), by: "bob", at: Self.at(95)) }
        #expect(incident.status == .investigating, "a refused action changes nothing")
        try incident.apply(.resolve(resolution: "blocked 203.0.113.7", rootCause: "password spraying"), by: "bob", at: Self.at(120))
        #expect(incident.status == .resolved && incident.resolution == "blocked 203.0.113.7" && incident.rootCause == "password spraying")
        #expect(incident.resolvedAt == Self.at(120))
        let error = #expect(throws: IncidentTransitionError.self) { try incident.apply(.acknowledge, by: "x", at: Self.at(130)) }
        #expect(error?.description == "an incident that is resolved cannot acknowledge; allowed: close, reopen")
        try incident.apply(.reopen(reason: "same IP is back"), by: "detector", at: Self.at(600))
        #expect(incident.status == .open && incident.openedAt == Self.at(600) && incident.resolution == nil && incident.resolvedAt == nil)
        #expect(incident.notes.map(\.text) == ["looking at the firewall logs", "reopened: same IP is back"])
    }

    @Test func dedupFoldsEvidenceInWithinBounds() {
        var incident = Self.incident()
        incident.absorb(evidence: [9, 10], entities: IncidentEntities(actors: ["alice"], addresses: ["198.51.100.1"]), at: Self.at(30))
        #expect(incident.count == 2 && incident.evidence == [3, 4, 5, 9, 10] && incident.evidenceCount == 5)
        #expect(incident.entities.addresses == ["203.0.113.7", "198.51.100.1"] && incident.lastSeen == Self.at(30))
        incident.absorb(evidence: Array(100..<2_100), entities: IncidentEntities(), at: Self.at(20))
        #expect(incident.evidence.count == Incident.maxEvidence && incident.evidenceCount == 2_005)
        #expect(incident.lastSeen == Self.at(30) && incident.firstSeen == Self.t0, "late evidence does not move last seen back")
        var many = IncidentEntities()
        many.formUnion(IncidentEntities(actors: Set((0..<500).map { "user-\($0)" })))
        #expect(many.actors.count == IncidentEntities.maxPerKind)
    }

    @Test func missedDeadlinesEscalate() throws {
        let sla = IncidentSLA.standard
        var high = Self.incident(level: .high)
        #expect(sla.breach(of: high, at: Self.at(3_599)) == nil)
        #expect(
            sla.breach(of: high, at: Self.at(3_600)) == SLABreach(kind: .notAcknowledged, due: Self.at(3_600), escalation: .raiseLevel(to: .critical))
        )
        try high.apply(.acknowledge, by: "oncall", at: Self.at(100))
        #expect(sla.breach(of: high, at: Self.at(86_399)) == nil)
        #expect(sla.breach(of: high, at: Self.at(86_400))?.kind == .notResolved)
        high.escalate(to: .critical)
        high.escalate(to: .low)
        #expect(high.threatLevel == .critical, "escalation never lowers the level")
        #expect(sla.breach(of: high, at: Self.at(14_400))?.escalation == .notifyEscalationRoute)
        try high.apply(.resolve(resolution: "done", rootCause: nil), by: "oncall", at: Self.at(14_000))
        #expect(sla.breach(of: high, at: Self.at(1_000_000)) == nil, "a resolved incident has no running SLA")
        #expect(ThreatLevel.low < .medium && ThreatLevel.high < .critical && ThreatLevel(name: "critical") == .critical)
        #expect(IncidentType("brute_force_attack") == .bruteForceAttack && IncidentType("Bad-Name") == nil && IncidentType.wellKnown.count == 13)
    }
}

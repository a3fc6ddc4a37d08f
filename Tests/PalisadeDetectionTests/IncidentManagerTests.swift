import Foundation
import PalisadeCore
import PalisadeDetection
import PalisadeTesting
import Synchronization
import Testing

/// Detections become incidents: one per entity while active, replays change nothing, a quick
/// recurrence reopens, a late one opens anew.
struct IncidentManagerTests {
    static let t0 = Timestamp(rfc3339: "2026-03-01T10:00:00Z")!
    static func at(_ seconds: Int64) -> Timestamp { t0.adding(microseconds: seconds * 1_000_000) }

    static func detection(_ evidence: [UInt64], level: ThreatLevel = .high, at seconds: Int64 = 0) -> Detection {
        Detection(
            rule: "auth.brute_force.actor",
            incident: .bruteForceAttack,
            level: level,
            title: "Brute force against alice",
            group: "actor=alice",
            evidence: evidence,
            entities: IncidentEntities(actors: ["alice"], addresses: ["203.0.113.\(evidence.first ?? 0)"]),
            first: Self.at(seconds),
            last: Self.at(seconds + 10)
        )
    }

    @Test func mergedFiringsOpenOneIncidentThatCountsEachFiring() async throws {
        var merged = Self.detection([7, 9], level: .medium, at: 30)
        merged.merge(Self.detection([8, 12], level: .critical, at: 0))
        merged.merge(Self.detection([13], at: 50))
        #expect(merged.evidence == [7, 8, 9, 12, 13], "each index once, oldest first, whatever order the firings came in")
        #expect(merged.firings == 3 && merged.level == .critical && merged.first == Self.at(0) && merged.last == Self.at(60))
        #expect(merged.entities.addresses == ["203.0.113.7", "203.0.113.8", "203.0.113.13"])
        let manager = IncidentManager(store: MemoryStore(), records: nil)
        guard case .opened(let opened) = try await manager.file(merged, tenant: .default, now: Self.at(61)) else {
            Issue.record("the merged firings open an incident")
            return
        }
        #expect(opened.count == 3 && opened.evidenceCount == 5 && opened.firstSeen == Self.at(0) && opened.lastSeen == Self.at(60))
        var later = Self.detection([20], at: 70)
        later.merge(Self.detection([21], at: 80))
        guard case .updated(let updated) = try await manager.file(later, tenant: .default, now: Self.at(91)) else {
            Issue.record("later merged firings update it")
            return
        }
        #expect(updated.count == 5 && updated.evidence == [7, 8, 9, 12, 13, 20, 21] && updated.lastSeen == Self.at(90))
    }

    @Test func oneIncidentPerEntityWhileActiveAndReplaysChangeNothing() async throws {
        let store = MemoryStore()
        let manager = IncidentManager(store: store, records: nil)
        guard case .opened(let opened) = try await manager.file(Self.detection([1, 2, 3]), tenant: .default, now: Self.at(11)) else {
            Issue.record("the first detection opens an incident")
            return
        }
        #expect(opened.dedupKey == "auth.brute_force.actor|actor=alice" && opened.evidence == [1, 2, 3] && opened.openedAt == Self.at(11))
        let second = try await manager.file(Self.detection([4, 5, 6], level: .critical, at: 60), tenant: .default, now: Self.at(71))
        guard case .updated(let updated) = second else {
            Issue.record("a second firing updates the active incident, got \(second)")
            return
        }
        #expect(updated.id == opened.id && updated.count == 2 && updated.evidence == [1, 2, 3, 4, 5, 6] && updated.threatLevel == .critical)
        #expect(updated.lastSeen == Self.at(70) && updated.entities.addresses.count == 2)
        // A replay after a restart from the cursor: same evidence, nothing changes.
        let replay = try await manager.file(Self.detection([4, 5, 6], at: 60), tenant: .default, now: Self.at(90))
        #expect(replay == .unchanged(updated))
        #expect(try await store.incident(id: opened.id, of: .default)?.version == 2)
        #expect(try await store.incidents(matching: IncidentQuery(tenant: .default)).count == 1)
    }

    @Test func aQuickRecurrenceReopensALateOneOpensAnew() async throws {
        let store = MemoryStore()
        let manager = IncidentManager(store: store, records: nil, reopenWindowSeconds: 3_600)
        guard case .opened(var incident) = try await manager.file(Self.detection([1, 2]), tenant: .default, now: Self.at(11)) else {
            Issue.record("opens")
            return
        }
        let version = try #require(try await store.incident(id: incident.id, of: .default)).version
        try incident.apply(.resolve(resolution: "blocked", rootCause: nil), by: "oncall", at: Self.at(100))
        _ = try await store.updateIncident(incident, expectedVersion: version)
        let again = try await manager.file(Self.detection([7, 8], at: 1_000), tenant: .default, now: Self.at(1_010))
        guard case .reopened(let reopened) = again else {
            Issue.record("within the window it reopens, got \(again)")
            return
        }
        #expect(
            reopened.id == incident.id && reopened.status == .open && reopened.notes.last?.text.hasPrefix("reopened: auth.brute_force.actor") == true
        )
        var closing = reopened
        try closing.apply(.resolve(resolution: "blocked again", rootCause: nil), by: "oncall", at: Self.at(2_000))
        try closing.apply(.close, by: "oncall", at: Self.at(2_001))
        _ = try await store.updateIncident(closing, expectedVersion: 3)
        let late = try await manager.file(Self.detection([20, 21], at: 9_000), tenant: .default, now: Self.at(9_011))
        guard case .opened(let fresh) = late else {
            Issue.record("after the window a new incident opens, got \(late)")
            return
        }
        #expect(fresh.id != incident.id && fresh.evidence == [20, 21])
        #expect(try await store.latestIncident(dedupKey: fresh.dedupKey, of: .default)?.incident.id == fresh.id)
    }

    /// A sink that keeps the records in memory (their content is what these tests check).
    final class Records: RecordSink {
        let kept = Mutex([AuditEvent]())
        func appendRecords(_ records: [AuditEvent]) async throws {
            kept.withLock { kept in
                for record in records where !kept.contains(where: { $0.id == record.id }) { kept.append(record) }
            }
        }
        var actions: [String] { kept.withLock { $0.map(\.action) } }
    }

    @Test func missedDeadlinesEscalateOnceAndRestartTheClock() async throws {
        let store = MemoryStore()
        let records = Records()
        let manager = IncidentManager(store: store, records: records)
        let sla = IncidentSLA(acknowledgeWithin: [.medium: 600, .high: 300, .critical: 120], resolveWithin: [:])
        guard case .opened(let opened) = try await manager.file(Self.detection([1], level: .medium), tenant: .default, now: Self.at(0)) else {
            Issue.record("opens")
            return
        }
        #expect(try await manager.escalateOverdue(tenant: .default, sla: sla, at: Self.at(599)).isEmpty, "not yet due")
        let first = try await manager.escalateOverdue(tenant: .default, sla: sla, at: Self.at(600))
        #expect(first.map(\.threatLevel) == [.high] && first[0].escalations == 1 && first[0].slaClock == Self.at(600))
        #expect(
            try await manager.escalateOverdue(tenant: .default, sla: sla, at: Self.at(601)).isEmpty,
            "the raised level gets its own deadline instead of cascading"
        )
        #expect(try await manager.escalateOverdue(tenant: .default, sla: sla, at: Self.at(900)).map(\.threatLevel) == [.critical])
        let notify = try await manager.escalateOverdue(tenant: .default, sla: sla, at: Self.at(1_020))
        #expect(notify.map(\.threatLevel) == [.critical] && notify[0].escalations == 3, "critical: notify the escalation route")
        let escalated = records.kept.withLock { $0.filter { $0.action == "escalated" } }
        #expect(escalated.count == 3 && escalated.last?.metadata["escalation_route"] == .bool(true))
        #expect(escalated.allSatisfy { $0.metadata["alert"] == .bool(true) }, "high and critical records are alerts")
        // Acknowledged in time: nothing more.
        _ = try await manager.apply(.acknowledge, to: opened.id, tenant: .default, by: "oncall", at: Self.at(1_030))
        #expect(try await manager.escalateOverdue(tenant: .default, sla: sla, at: Self.at(5_000)).isEmpty)
        #expect(records.actions == ["opened", "escalated", "escalated", "escalated", "acknowledge"])
    }

    @Test func peoplesChangesAreRecordedAndIllegalOnesRefused() async throws {
        let store = MemoryStore()
        let records = Records()
        let manager = IncidentManager(store: store, records: records)
        guard case .opened(let opened) = try await manager.file(Self.detection([1]), tenant: .default, now: Self.at(0)) else { return }
        await #expect(throws: IncidentTransitionError.self) {
            _ = try await manager.apply(.close, to: opened.id, tenant: .default, by: "oncall", at: Self.at(5))
        }
        _ = try await manager.assign(opened.id, tenant: .default, to: "bob", by: "lead", at: Self.at(6))
        _ = try await manager.note(opened.id, tenant: .default, text: "looking", by: "bob", at: Self.at(7))
        #expect(try await manager.apply(.investigate, to: UUID(), tenant: .default, by: "bob", at: Self.at(8)) == nil)
        #expect(records.actions == ["opened", "assign", "note"], "a refused change records nothing")
        let stored = try #require(try await store.incident(id: opened.id, of: .default))
        #expect(stored.version == 3 && stored.incident.assignee == "bob" && stored.incident.notes.map(\.text) == ["looking"])
        #expect(records.kept.withLock { $0.last?.metadata["note"] } == .string("looking"))
    }
}

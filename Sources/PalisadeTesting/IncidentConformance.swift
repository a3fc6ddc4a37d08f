import Foundation
import PalisadeCore
import Testing

/// How every store keeps incidents: the whole document round-trips, versions stop lost updates,
/// tenants are isolated, and lists filter and order. Part of ``StoreConformance/checks``.
enum IncidentConformance {
    static let acme = StoreConformance.acme
    static let globex = StoreConformance.globex
    static let t0 = Timestamp(rfc3339: "2026-03-01T10:00:00Z")!

    static func incident(_ tenant: TenantID = acme, key: String = "auth.brute_force|actor=alice", openedAt seconds: Int64 = 0) -> Incident {
        Incident(
            id: UUID(),
            tenant: tenant,
            type: .bruteForceAttack,
            threatLevel: .high,
            title: "Brute force against alice",
            description: "10 failed logins in 5 minutes",
            source: "auth.brute_force",
            dedupKey: key,
            entities: IncidentEntities(actors: ["alice"], addresses: ["203.0.113.7", "2001:db8::1"]),
            evidence: [1, 2, 3],
            seenAt: t0.adding(microseconds: seconds * 1_000_000),
            openedAt: t0.adding(microseconds: seconds * 1_000_000 + 5),
            labels: ["team": "identity"]
        )
    }

    static func incidentsRoundTripWithVersions(_ store: any LedgerStore) async throws {
        var worked = incident()
        try await store.insertIncident(worked)
        #expect(try await store.incident(id: worked.id, of: acme) == StoredIncident(incident: worked, version: 1))
        await #expect(throws: StoreError(.conflict, "")) { try await store.insertIncident(worked) }

        try worked.apply(.acknowledge, by: "oncall", at: t0.adding(microseconds: 60_000_000))
        worked.addNote("blocked at the edge — \"é\" and ünïcode kept", by: "oncall", at: t0.adding(microseconds: 70_000_000))
        worked.absorb(evidence: [9], entities: IncidentEntities(addresses: ["198.51.100.1"]), at: t0.adding(microseconds: 80_000_000))
        #expect(try await store.updateIncident(worked, expectedVersion: 1) == 2)
        let stored = try #require(try await store.incident(id: worked.id, of: acme))
        #expect(stored.version == 2 && stored.incident == worked, "the whole document round-trips")
        // A writer holding the old version loses, and says so; a missing incident is rejected.
        await #expect(throws: StoreError(.conflict, "")) { _ = try await store.updateIncident(worked, expectedVersion: 1) }
        await #expect(throws: StoreError(.rejected, "")) { _ = try await store.updateIncident(incident(), expectedVersion: 1) }
        // Tenants are isolated.
        #expect(try await store.incident(id: worked.id, of: globex) == nil)
        #expect(try await store.latestIncident(dedupKey: worked.dedupKey, of: globex) == nil)
        await #expect(throws: StoreError.self) { _ = try await store.updateIncident(try relabel(worked, to: globex), expectedVersion: 2) }

        // The latest by dedup key is the most recently opened.
        let later = incident(openedAt: 3_600)
        try await store.insertIncident(later)
        try await store.insertIncident(incident(key: "other", openedAt: 7_200))
        try await store.insertIncident(incident(globex, openedAt: 9_000))
        #expect(try await store.latestIncident(dedupKey: worked.dedupKey, of: acme)?.incident.id == later.id)
        // Lists: newest first, filtered, paged by position.
        func list(_ adjust: (inout IncidentQuery) -> Void = { _ in }) async throws -> [UUID] {
            var query = IncidentQuery(tenant: acme, limit: 10)
            adjust(&query)
            return try await store.incidents(matching: query).map(\.incident.id)
        }
        let all = try await store.incidents(matching: IncidentQuery(tenant: acme))
        #expect(all.map(\.incident.openedAt) == all.map(\.incident.openedAt).sorted(by: >) && all.count == 3)
        #expect(try await list { $0.statuses = [.acknowledged] } == [worked.id])
        #expect(
            try await list {
                $0.statuses = [.open, .acknowledged]
                $0.limit = 2
            }.count == 2
        )
        #expect(try await list { $0.assignee = "oncall" } == [worked.id])
        #expect(try await list { $0.assignee = "nobody" }.isEmpty)
        #expect(try await list { $0.types = [.credentialStuffing] }.isEmpty)
        #expect(
            try await list {
                $0.types = [.bruteForceAttack]
                $0.minimumLevel = .high
            }.count == 3
        )
        #expect(try await list { $0.minimumLevel = .critical }.isEmpty)
        // Time range: [since, before) on the opening time, edges included and excluded exactly.
        let laterOpened = later.openedAt
        #expect(try await list { $0.openedSince = laterOpened } == all.prefix(2).map(\.incident.id))
        #expect(try await list { $0.openedSince = laterOpened.adding(microseconds: 1) }.count == 1)
        #expect(try await list { $0.openedBefore = laterOpened } == [worked.id])
        // Pages continue strictly after the last position, also between equal opening times.
        let twin = Incident(
            id: UUID(),
            tenant: acme,
            type: .bruteForceAttack,
            threatLevel: .low,
            title: "twin",
            description: "",
            source: "r",
            dedupKey: "twin",
            entities: IncidentEntities(),
            evidence: [],
            seenAt: later.firstSeen,
            openedAt: later.openedAt
        )
        try await store.insertIncident(twin)
        var pages = [UUID]()
        var position: IncidentPosition?
        while true {
            let page = try await list {
                $0.limit = 1
                $0.after = position
            }
            guard let last = page.last else { break }
            pages += page
            position = IncidentPosition(try #require(try await store.incident(id: last, of: acme)).incident)
        }
        #expect(pages == (try await list()) && pages.count == 4, "pages of one visit every incident once, in order")
        #expect(try await store.incidents(matching: IncidentQuery(tenant: TenantID("nobody")!)).isEmpty)
    }

    /// Consumer cursors: absent until saved, saved with their state, per tenant and consumer, and
    /// never moved backwards.
    static func consumerCursorsMoveForward(_ store: any LedgerStore) async throws {
        #expect(try await store.consumerCursor("detection", of: acme) == nil)
        let state = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await store.saveConsumerCursor(ConsumerCursor(position: 10, state: state), consumer: "detection", of: acme)
        #expect(try await store.consumerCursor("detection", of: acme) == ConsumerCursor(position: 10, state: state))
        #expect(try await store.consumerCursor("detection", of: globex) == nil)
        #expect(try await store.consumerCursor("export", of: acme) == nil)
        try await store.saveConsumerCursor(ConsumerCursor(position: 10, state: [1]), consumer: "detection", of: acme)
        try await store.saveConsumerCursor(ConsumerCursor(position: 12, state: []), consumer: "detection", of: acme)
        await #expect(throws: StoreError(.rejected, "")) {
            try await store.saveConsumerCursor(ConsumerCursor(position: 11, state: [9]), consumer: "detection", of: acme)
        }
        #expect(try await store.consumerCursor("detection", of: acme) == ConsumerCursor(position: 12, state: []))
    }

    /// The same incident claimed by another tenant (a forged update).
    static func relabel(_ incident: Incident, to tenant: TenantID) throws -> Incident {
        guard case .object(var members) = incident.jsonValue else { return incident }
        members["tenant"] = .string(tenant.rawValue)
        return try Incident(json: .object(members))
    }
}

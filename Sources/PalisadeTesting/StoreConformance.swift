import Crypto
import Foundation
import Logging
public import PalisadeCore
import PalisadeIngest
import PalisadeLedger
import Testing

/// The behaviour every store must have, run against memory, SQLite and PostgreSQL by
/// PalisadeStoreTests. Nothing here knows which store it is talking to.
public enum StoreConformance {
    /// The checks, by name, for `@Test(arguments:)`.
    public static let checks: [String: @Sendable (any LedgerStore) async throws -> Void] = [
        "appendsAreNumberedContiguouslyPerTenant": appendsAreNumberedContiguouslyPerTenant,
        "tenantsAreIsolated": tenantsAreIsolated,
        "duplicateIDsAreReportedNotAppended": duplicateIDsAreReportedNotAppended,
        "aConflictingCommitWritesNothing": aConflictingCommitWritesNothing,
        "queriesMatchABruteForceFilter": queriesMatchABruteForceFilter,
        "queryEdgeCases": queryEdgeCases,
        "paginationVisitsEveryEventOnce": paginationVisitsEveryEventOnce,
        "proofsFromStoredTilesVerify": proofsFromStoredTilesVerify,
        "checkpointHistoryIsKept": checkpointHistoryIsKept,
        "erasuresKeepTheTreeAndOnlyWhatTheyName": ErasureConformance.erasuresKeepTheTreeAndOnlyWhatTheyName,
        "incidentsRoundTripWithVersions": IncidentConformance.incidentsRoundTripWithVersions,
        "consumerCursorsMoveForward": IncidentConformance.consumerCursorsMoveForward,
        "notificationsAreSentOnceAndEndDeliveredOrDead": OutboxConformance.notificationsAreSentOnceAndEndDeliveredOrDead,
        "tenantsRegisterOnceAndDisable": AccessConformance.tenantsRegisterOnceAndDisable,
        "tokensRoundTripAndRevokeWithinTheirTenant": AccessConformance.tokensRoundTripAndRevokeWithinTheirTenant,
    ]

    static let signer = try! NoteSigner(name: "conformance.test", privateKey: Curve25519.Signing.PrivateKey())
    static let acme = TenantID("acme")!
    static let globex = TenantID("globex")!

    static func sequencer(_ store: any LedgerStore, history: Int64 = 0) -> LogSequencer {
        LogSequencer(
            backend: store,
            signer: signer,
            clock: ManualWallClock(),
            configuration: .init(origin: "conformance.test", historyIntervalSeconds: history),
            logger: Logger(label: "conformance")
        )
    }

    static func appendsAreNumberedContiguouslyPerTenant(_ store: any LedgerStore) async throws {
        let sequencer = sequencer(store)
        let factory = EventFactory()
        let first = try await sequencer.append((0..<5).map { _ in PreparedEvent(factory.event(tenant: acme)) })
        let second = try await sequencer.append(
            (0..<3).map { _ in PreparedEvent(factory.event(tenant: globex)) } + (0..<4).map { _ in PreparedEvent(factory.event(tenant: acme)) }
        )
        #expect(first.map(\.index) == [0, 1, 2, 3, 4])
        #expect(second.map(\.index) == [0, 1, 2, 5, 6, 7, 8])
        #expect(try await store.logHead(of: acme)?.size == 9)
        #expect(try await store.logHead(of: globex)?.size == 3)
        #expect(try await store.tenants() == [acme, globex])
        let records = try await store.records(of: acme, in: 0..<100)
        #expect(records.map(\.index) == Array(0..<9))
        #expect(try await store.recordCount(of: acme) == 9)
        // A fresh sequencer resumes from storage and keeps numbering.
        let resumed = try await Self.sequencer(store).append([PreparedEvent(factory.event(tenant: acme))])
        #expect(resumed == [.appended(index: 9)])
    }

    static func tenantsAreIsolated(_ store: any LedgerStore) async throws {
        let factory = EventFactory()
        let secret = factory.event(tenant: globex, actor: "mallory")
        _ = try await sequencer(store).append([PreparedEvent(factory.event(tenant: acme)), PreparedEvent(secret)])
        #expect(try await store.event(id: secret.id, of: acme) == nil)
        #expect(try await store.event(id: secret.id, of: globex)?.event == secret)
        var query = EventQuery(tenant: acme)
        query.actor = "mallory"
        #expect(try await store.events(matching: query.validated()).events.isEmpty)
        #expect(try await store.events(matching: EventQuery(tenant: TenantID("nobody")!).validated()).events.isEmpty)
        #expect(try await store.existingEvents([secret.id], of: acme).isEmpty)
    }

    static func duplicateIDsAreReportedNotAppended(_ store: any LedgerStore) async throws {
        let sequencer = sequencer(store)
        let factory = EventFactory()
        let event = factory.event(tenant: acme)
        let other = factory.event(tenant: acme)
        #expect(try await sequencer.append([PreparedEvent(event)]) == [.appended(index: 0)])
        let outcomes = try await sequencer.append([PreparedEvent(other), PreparedEvent(event), PreparedEvent(other)])
        #expect(outcomes == [.appended(index: 1), .duplicate(existingIndex: 0), .duplicate(existingIndex: 1)])
        #expect(try await store.logHead(of: acme)?.size == 2)
        // The same id in another tenant is a different event.
        let moved = factory.event(tenant: globex, id: event.id)
        #expect(try await sequencer.append([PreparedEvent(moved)]) == [.appended(index: 0)])
    }

    static func aConflictingCommitWritesNothing(_ store: any LedgerStore) async throws {
        let factory = EventFactory()
        _ = try await sequencer(store).append([PreparedEvent(factory.event(tenant: acme))])
        let stray = LogAppend(
            tenant: acme,
            firstIndex: 0,
            events: [PreparedEvent(factory.event(tenant: acme))],
            tiles: [],
            head: LogHead(size: 1, checkpoint: "x"),
            recordInHistory: false
        )
        await #expect(throws: StoreError(.conflict, "")) { try await store.commit([stray]) }
        #expect(try await store.recordCount(of: acme) == 1)
        // Two sequencers over one store (two processes): the second reloads and carries on.
        let a = sequencer(store)
        let b = sequencer(store)
        _ = try await a.append([PreparedEvent(factory.event(tenant: acme))])
        _ = try await b.append([PreparedEvent(factory.event(tenant: acme))])
        _ = try await a.append([PreparedEvent(factory.event(tenant: acme))])
        #expect(try await store.records(of: acme, in: 0..<10).map(\.index) == [0, 1, 2, 3])
    }

    /// A varied population of events for query tests.
    static func population(_ store: any LedgerStore, count: Int = 300) async throws -> [AuditEvent] {
        let clock = ManualWallClock()
        let factory = EventFactory(clock: clock)
        var random = SystemRandomNumberGenerator()
        let actors = ["alice", "bob", "carol", nil]
        let types = ["authentication", "data_access", "configuration", "security"]
        let severities = ["info", "low", "medium", "high", "critical"]
        var events = [AuditEvent]()
        for index in 0..<count {
            // Timestamps collide often, to exercise the (timestamp, index) tie-break.
            let offset = Int64.random(in: 0...40, using: &random)
            let time = clock.now().adding(microseconds: -offset * 1_000_000).rfc3339
            events.append(
                factory.event(
                    tenant: acme,
                    type: types.randomElement(using: &random)!,
                    severity: severities.randomElement(using: &random)!,
                    actor: actors.randomElement(using: &random)!,
                    action: ["login", "logout", "read row", "export"].randomElement(using: &random)!,
                    resource: index % 3 == 0 ? "db/users" : nil,
                    success: Bool.random(using: &random),
                    sourceIP: index % 4 == 0 ? "203.0.113.\(index % 5)" : nil,
                    sessionID: index % 5 == 0 ? "s\(index % 3)" : nil,
                    requestID: index % 7 == 0 ? "r\(index % 2)" : nil,
                    timestamp: time
                )
            )
        }
        // Several commits, so stores with deferred indexes hold both indexed events and a tail.
        let sequencer = sequencer(store)
        for start in stride(from: 0, to: events.count, by: 37) {
            _ = try await sequencer.append(events[start..<min(events.count, start + 37)].map { PreparedEvent($0) })
        }
        return events
    }

    static func everything(_ store: any LedgerStore, _ query: EventQuery) async throws -> [StoredEvent] {
        var query = query
        var all = [StoredEvent]()
        while true {
            let page = try await store.events(matching: query.validated())
            all += page.events
            guard let next = page.next else { return all }
            #expect(page.events.count == query.limit, "a page before the last is full")
            query.cursor = next
        }
    }

    static func bruteForce(_ events: [AuditEvent], _ query: EventQuery) -> [UInt64] {
        let matching = events.enumerated().filter { query.matches($0.element) }.map { (t: $0.element.timestamp, i: UInt64($0.offset)) }
        let sorted = matching.sorted { query.order == .oldestFirst ? ($0.t, $0.i) < ($1.t, $1.i) : ($0.t, $0.i) > ($1.t, $1.i) }
        return sorted.map(\.i)
    }

    static func queriesMatchABruteForceFilter(_ store: any LedgerStore) async throws {
        let events = try await population(store)
        var random = SystemRandomNumberGenerator()
        let now = ManualWallClock().now()
        for round in 0..<60 {
            var query = EventQuery(tenant: acme)
            if Bool.random(using: &random) { query.actor = ["alice", "bob", "nobody"].randomElement(using: &random)! }
            if Bool.random(using: &random) {
                query.eventTypes = [EventType(["authentication", "security", "data_access"].randomElement(using: &random)!)!]
            }
            if round % 5 == 0 { query.eventTypes = [.authentication, .security] }
            if Bool.random(using: &random) { query.minSeverity = Severity.allCases.randomElement(using: &random)! }
            if Bool.random(using: &random) {
                query.maxSeverity = Severity.allCases.filter { $0 >= (query.minSeverity ?? .info) }.randomElement(using: &random)!
            }
            if Int.random(in: 0..<4, using: &random) == 0 { query.resource = "db/users" }
            if Int.random(in: 0..<4, using: &random) == 0 { query.success = Bool.random(using: &random) }
            if Int.random(in: 0..<5, using: &random) == 0 { query.sourceIP = IPAddress("203.0.113.\(Int.random(in: 0..<5, using: &random))") }
            if Int.random(in: 0..<6, using: &random) == 0 { query.sessionID = "s\(Int.random(in: 0..<3, using: &random))" }
            if Int.random(in: 0..<6, using: &random) == 0 { query.requestID = "r\(Int.random(in: 0..<2, using: &random))" }
            if Int.random(in: 0..<4, using: &random) == 0 { query.actionContains = ["log", "row", "x"].randomElement(using: &random)! }
            if Bool.random(using: &random) { query.start = now.adding(microseconds: -Int64.random(in: 0...40, using: &random) * 1_000_000) }
            if Bool.random(using: &random) { query.end = now.adding(microseconds: -Int64.random(in: 0...20, using: &random) * 1_000_000) }
            if let start = query.start, let end = query.end, start > end { query.end = start }
            query.order = Bool.random(using: &random) ? .newestFirst : .oldestFirst
            query.limit = [1, 7, 50, 1000].randomElement(using: &random)!
            let got = try await everything(store, query).map(\.index)
            #expect(got == bruteForce(events, query), "round \(round): \(query)")
        }
    }

    static func queryEdgeCases(_ store: any LedgerStore) async throws {
        // Empty results: a tenant with no events at all.
        #expect(try await store.events(matching: EventQuery(tenant: acme).validated()).events.isEmpty)
        let events = try await population(store, count: 120)
        var query = EventQuery(tenant: acme)
        query.limit = 1000
        // Severity bounds at both ends.
        query.minSeverity = .info
        #expect(try await store.events(matching: query.validated()).events.count == 120)
        query.minSeverity = .critical
        #expect(try await store.events(matching: query.validated()).events.allSatisfy { $0.event.severity == .critical })
        query.minSeverity = nil
        query.maxSeverity = .info
        #expect(try await store.events(matching: query.validated()).events.count == events.filter { $0.severity == .info }.count)
        query.maxSeverity = .critical
        #expect(try await store.events(matching: query.validated()).events.count == 120)
        // No matches.
        query.actor = "nobody"
        let none = try await store.events(matching: query.validated())
        #expect(none.events.isEmpty && none.next == nil)
        // start == end is empty; an inverted range is an error.
        query = EventQuery(tenant: acme)
        let t = events[0].timestamp
        query.start = t
        query.end = t
        #expect(try await store.events(matching: query.validated()).events.isEmpty)
        query.end = t.adding(microseconds: -1)
        #expect(throws: EventValidationError.self) { try query.validated() }
        // Start inclusive, end exclusive.
        query.end = t.adding(microseconds: 1)
        let exact = try await store.events(matching: query.validated()).events
        #expect(!exact.isEmpty && exact.allSatisfy { $0.event.timestamp == t })
        // A huge limit is capped, and the page says so.
        query = EventQuery(tenant: acme)
        query.limit = 10_000_000
        let capped = try await store.events(matching: query.validated())
        #expect(capped.limitWasCapped && capped.limit == EventQuery.maxLimit && capped.events.count == 120)
        // Every filter combined.
        let target = events.first { $0.sourceIP != nil && $0.sessionID != nil && $0.actor != nil }!
        query = EventQuery(tenant: acme)
        query.start = target.timestamp
        query.end = target.timestamp.adding(microseconds: 1)
        query.eventTypes = [target.eventType]
        query.minSeverity = target.severity
        query.maxSeverity = target.severity
        query.actor = target.actor
        query.resource = target.resource
        query.success = target.success
        query.sourceIP = target.sourceIP
        query.sessionID = target.sessionID
        query.requestID = target.requestID
        query.actionContains = String(target.action.prefix(3))
        let combined = try await store.events(matching: query.validated()).events.map(\.event)
        #expect(combined.contains(target))
        #expect(combined.allSatisfy { query.matches($0) })
    }

    static func paginationVisitsEveryEventOnce(_ store: any LedgerStore) async throws {
        let events = try await population(store, count: 250)
        for order in EventQuery.Order.allCases {
            var query = EventQuery(tenant: acme)
            query.order = order
            query.limit = 17
            let all = try await everything(store, query)
            #expect(all.count == events.count)
            #expect(Set(all.map(\.index)).count == events.count)
            #expect(all.map(\.index) == bruteForce(events, query))
        }
    }

    static func proofsFromStoredTilesVerify(_ store: any LedgerStore) async throws {
        let sequencer = sequencer(store)
        let factory = EventFactory()
        var leaves = [MerkleHash]()
        for batch in [1, 255, 1, 300, 3] {
            let prepared = (0..<batch).map { _ in PreparedEvent(factory.event(tenant: acme)) }
            leaves += prepared.map(\.leafHash)
            _ = try await sequencer.append(prepared)
        }
        let size = UInt64(leaves.count)
        let head = try #require(try await store.logHead(of: acme))
        let checkpoint = try Checkpoint(parsing: String(head.checkpoint.split(separator: "\n\n")[0]) + "\n")
        #expect(checkpoint.size == size)
        let prover = LogProver(backend: store)
        for index in [0, 1, 255, 256, 511, 557, Int(size) - 1] {
            let proof = try await prover.inclusionProof(tenant: acme, index: UInt64(index))
            #expect(proof.leafHash == leaves[index])
            #expect(
                ProofVerifier.verifyInclusion(
                    leafHash: leaves[index],
                    index: UInt64(index),
                    size: size,
                    proof: proof.proof,
                    root: checkpoint.rootHash
                ) == .valid
            )
        }
        let root300 = try await prover.root(tenant: acme, size: 300)
        let consistency = try await prover.consistencyProof(tenant: acme, from: 300, to: size)
        #expect(
            ProofVerifier.verifyConsistency(first: 300, second: size, firstRoot: root300, secondRoot: checkpoint.rootHash, proof: consistency.proof)
                == .valid
        )
        // The level-0 tiles hold exactly the leaf hashes, and the first one is full.
        let tiles = try await store.tiles([TileID(level: 0, index: 0), TileID(level: 0, index: 2)], of: acme)
        #expect(tiles[TileID(level: 0, index: 0)]?.hashes == Array(leaves[0..<256]))
        #expect(tiles[TileID(level: 0, index: 2)]?.hashes == Array(leaves[512...]))
    }

    static func checkpointHistoryIsKept(_ store: any LedgerStore) async throws {
        let sequencer = sequencer(store)
        let factory = EventFactory()
        for _ in 0..<3 { _ = try await sequencer.append([PreparedEvent(factory.event(tenant: acme))]) }
        let history = try await store.checkpoints(of: acme)
        #expect(history.map(\.size) == [1, 2, 3])
        for stored in history {
            let note = try SignedNote(parsing: stored.note)
            guard case .verified(let text) = signer.verifier.verify(note) else {
                Issue.record("checkpoint \(stored.size) does not verify")
                continue
            }
            #expect(try Checkpoint(parsing: text).size == stored.size)
        }
    }
}

import Foundation
import PalisadeCore
import PalisadeIngest
import PalisadeLedger
import Testing

/// How every store prunes and redacts: rows go or change, leaf hashes and ids stay, and only what
/// a record accounts for is let through. Part of ``StoreConformance/checks``.
enum ErasureConformance {
    static let acme = StoreConformance.acme

    /// Twelve events with every filterable field set, and a log of them.
    static func populate(_ store: any LedgerStore, _ sequencer: LogSequencer, _ factory: EventFactory) async throws -> [AuditEvent] {
        let events = (0..<12).map { i in
            factory.event(
                tenant: acme,
                actor: "user\(i % 3)",
                resource: "doc\(i)",
                sourceIP: "10.0.0.\(i)",
                sessionID: "s\(i)",
                requestID: "r\(i)",
                metadata: .object(["email": .string("u\(i)@example.com"), "n": .number(Double(i))])
            )
        }
        _ = try await sequencer.append(events.map { PreparedEvent($0) })
        return events
    }

    static func pruneRecord(_ requests: [ErasureRequest], _ factory: EventFactory) -> PreparedEvent {
        let record = ErasureRecord.pruneRecord(
            tenant: acme,
            id: UUID(),
            at: factory.clock.now(),
            actor: "conformance",
            erasures: requests,
            archive: ("acme/test", "00", 12)
        )
        return PreparedEvent(record, idIsClientSupplied: false)
    }

    static func erasuresKeepTheTreeAndOnlyWhatTheyName(_ store: any LedgerStore) async throws {
        let sequencer = StoreConformance.sequencer(store)
        let factory = EventFactory()
        let events = try await populate(store, sequencer, factory)
        let tilesBefore = try await store.tiles([TileID(level: 0, index: 0)], of: acme)

        let prunes = [1, 3].map { ErasureRequest(index: UInt64($0), eventID: events[$0].id, kind: .pruned) }
        #expect(try await sequencer.appendRecord(pruneRecord(prunes, factory), erasing: prunes) == 12)
        let redaction = try Redaction(fields: ["actor", "metadata.email", "source_ip"])
        let redacted = try redaction.apply(to: events[5])
        let redactionRecord = ErasureRecord.redactionRecord(
            id: UUID(),
            at: factory.clock.now(),
            index: 5,
            original: events[5],
            redaction: redaction,
            redactedEntry: redacted.canonicalEntry,
            actor: "conformance",
            reason: "erasure request 1",
            approval: "test"
        )
        let redactionIndex = try await sequencer.appendRecord(
            PreparedEvent(redactionRecord, idIsClientSupplied: false),
            erasing: [ErasureRequest(index: 5, eventID: events[5].id, kind: .redacted, redactedEntry: redacted.canonicalEntry)]
        )
        #expect(redactionIndex == 13)

        // Rows: the pruned are gone, the redacted one is its redacted copy.
        let records = try await store.records(of: acme, in: 0..<100)
        #expect(records.map(\.index) == (0..<14).filter { $0 != 1 && $0 != 3 }.map(UInt64.init))
        #expect(records.first { $0.index == 5 }?.entry == redacted.canonicalEntry)
        #expect(redacted.actor == nil && redacted.sourceIP == nil && redacted.metadata["email"] == nil && redacted.metadata["n"] != nil)
        #expect(try await store.recordCount(of: acme) == 12)
        #expect(try await store.event(id: events[1].id, of: acme) == nil)
        #expect(try await store.event(id: events[5].id, of: acme)?.event == redacted)
        #expect(try await store.erasure(ofEvent: events[1].id, tenant: acme)?.record == 12)
        #expect(try await store.erasure(ofEvent: events[5].id, tenant: acme)?.redactedEntry == redacted.canonicalEntry)
        #expect(try await store.erasure(ofEvent: events[0].id, tenant: acme) == nil)
        #expect(try await store.erasures(of: acme, in: 0..<100).map(\.index) == [1, 3, 5])
        #expect(try await store.erasures(of: acme, in: 2..<5).map(\.kind) == [.pruned])
        #expect(try await store.erasures(of: StoreConformance.globex, in: 0..<100).isEmpty)

        // Queries no longer find what was removed.
        var byActor = EventQuery(tenant: acme)
        byActor.actor = "user2"
        #expect(try await store.events(matching: byActor.validated()).events.map(\.index).sorted() == [2, 8, 11])
        var byResource = EventQuery(tenant: acme)
        byResource.resource = "doc1"
        #expect(try await store.events(matching: byResource.validated()).events.isEmpty)
        var byIP = EventQuery(tenant: acme)
        byIP.sourceIP = IPAddress("10.0.0.5")
        #expect(try await store.events(matching: byIP.validated()).events.isEmpty)
        var bySession = EventQuery(tenant: acme)
        bySession.sessionID = "s5"
        #expect(try await store.events(matching: bySession.validated()).events.map(\.index) == [5])

        // A pruned id stays taken.
        #expect(try await sequencer.append([PreparedEvent(events[1])]) == [.duplicate(existingIndex: 1)])

        // Erasing what is already erased, or naming the wrong id, is rejected and writes nothing.
        let again = [ErasureRequest(index: 1, eventID: events[1].id, kind: .pruned)]
        await #expect(throws: StoreError(.rejected, "")) { try await sequencer.appendRecord(pruneRecord(again, factory), erasing: again) }
        let wrongID = [ErasureRequest(index: 2, eventID: events[4].id, kind: .pruned)]
        await #expect(throws: StoreError(.rejected, "")) { try await sequencer.appendRecord(pruneRecord(wrongID, factory), erasing: wrongID) }
        let beyond = [ErasureRequest(index: 99, eventID: events[4].id, kind: .pruned)]
        await #expect(throws: StoreError(.rejected, "")) { try await sequencer.appendRecord(pruneRecord(beyond, factory), erasing: beyond) }
        #expect(try await store.logHead(of: acme)?.size == 14)
        #expect(try await store.records(of: acme, in: 2..<3).count == 1)

        // The tree is untouched, and the verifier accounts for every erasure.
        let tilesAfter = try await store.tiles([TileID(level: 0, index: 0)], of: acme)
        #expect(tilesAfter[TileID(level: 0, index: 0)]?.hashes.prefix(12) == tilesBefore[TileID(level: 0, index: 0)]?.hashes.prefix(12))
        let report = try await LogVerifier(backend: store, events: store, verifier: StoreConformance.signer.verifier).verify(tenant: acme)
        #expect(report.failure == nil, "\(String(describing: report.failure))")
        #expect(report.pruned == 2 && report.redacted == 1 && report.erasureRecords == 2)

        // A pruned event's inclusion is still proven from the stored tiles.
        let head = try #require(try await store.logHead(of: acme))
        let checkpoint = try Checkpoint(parsing: String(head.checkpoint.split(separator: "\n\n")[0]) + "\n")
        let proof = try await LogProver(backend: store).inclusionProof(tenant: acme, index: 1)
        #expect(proof.leafHash == RFC9162.leafHash(of: events[1].canonicalEntry))
        #expect(
            ProofVerifier.verifyInclusion(leafHash: proof.leafHash, index: 1, size: head.size, proof: proof.proof, root: checkpoint.rootHash)
                == .valid
        )
    }
}

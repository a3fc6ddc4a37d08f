import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite
import PalisadeTesting
import Testing

/// The facet index is derived data: `verify` must notice when it is edited behind the ledger's back.
struct FacetIndexTests {
    static func makeLog() async throws -> (path: String, store: SQLiteStore, verifier: NoteVerifier) {
        let path = try TemporaryDirectory.make().appendingPathComponent("palisade.db").path
        let store = try SQLiteStore(path: path, configuration: .init(facetIndexBatch: 50))
        let signer = try NoteSigner(name: "facet.test", privateKey: Curve25519.Signing.PrivateKey())
        let sequencer = LogSequencer(backend: store, signer: signer, clock: ManualWallClock(), logger: Logger(label: "test"))
        let factory = EventFactory()
        let events = (0..<130).map { PreparedEvent(factory.event(actor: "user-\($0 % 4)", sourceIP: "198.51.100.\($0 % 3)", requestID: "r\($0)")) }
        _ = try await sequencer.append(Array(events[0..<60]))
        _ = try await sequencer.append(Array(events[60...]))
        return (path, store, signer.verifier)
    }

    @Test func facetQueriesAndTailAgreeAndVerifyPasses() async throws {
        let (_, store, verifier) = try await Self.makeLog()
        var query = EventQuery(tenant: .default)
        query.actor = "user-1"
        query.limit = 1000
        let page = try await store.events(matching: query.validated())
        #expect(page.events.count == 130 / 4 + (130 % 4 > 1 ? 1 : 0))
        #expect(page.events.map(\.index) == page.events.map(\.index).sorted(by: >))
        let report = try await LogVerifier(backend: store, events: store, verifier: verifier).verify(tenant: .default)
        #expect(report.failure == nil)
    }

    @Test(arguments: [
        ("DELETE FROM event_facets WHERE log_index = 17 AND facet = 1;", "index 17: the actor facet index entry"),
        ("UPDATE event_facets SET value = 'user-9' WHERE log_index = 21 AND facet = 1;", "index 21: the actor facet index entry"),
        ("INSERT INTO event_facets VALUES (1, 1, 'user-1', 0, 3);", "entries that match no event"),
    ])
    func verifyCatchesFacetTampering(sql: String, expected: String) async throws {
        let (path, store, verifier) = try await Self.makeLog()
        let edit = try ExternalProcess.run("/usr/bin/env", ["sqlite3", path], input: Data(sql.utf8))
        #expect(edit.status == 0, "\(edit.stderr)")
        let report = try await LogVerifier(backend: store, events: store, verifier: verifier).verify(tenant: .default)
        #expect(report.failure?.description.contains(expected) == true, "\(String(describing: report.failure))")
    }
}

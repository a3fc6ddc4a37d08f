import Foundation
public import PalisadeCore
import Testing

/// How every store keeps the vault's documents: the header is written once, documents round-trip
/// with revisions that stop lost updates, tenants are isolated, and lists page and filter. Run by
/// PalisadeStoreTests against memory, SQLite and PostgreSQL.
public enum KeyStoreConformance {
    static let acme = TenantID("acme")!
    static let globex = TenantID("globex")!

    /// The checks, by name, for `@Test(arguments:)`.
    public static let checks: [String: @Sendable (any KeyStore) async throws -> Void] = [
        "theHeaderIsWrittenOnce": theHeaderIsWrittenOnce,
        "keysRoundTripWithRevisionsPerTenant": keysRoundTripWithRevisionsPerTenant,
        "approvalsListNewestFirstAndFilter": approvalsListNewestFirstAndFilter,
    ]

    static func theHeaderIsWrittenOnce(_ store: any KeyStore) async throws {
        #expect(try await store.vaultHeader() == nil)
        let header = Array(#"{"format":1,"sealed":"\u0000é"}"#.utf8) + [0, 255]
        try await store.initializeVault(header: header)
        #expect(try await store.vaultHeader() == header)
        await #expect(throws: StoreError(.conflict, "")) { try await store.initializeVault(header: [1]) }
        #expect(try await store.vaultHeader() == header, "the first header stays")
    }

    static func keysRoundTripWithRevisionsPerTenant(_ store: any KeyStore) async throws {
        let payments = StoredDocument(tenant: acme, id: "payments", status: "active", document: Array("{\"v\":1}".utf8) + [0, 7])
        try await store.insertKey(payments)
        #expect(try await store.key(named: "payments", of: acme) == payments)
        await #expect(throws: StoreError(.conflict, "")) { try await store.insertKey(payments) }
        #expect(try await store.key(named: "payments", of: globex) == nil, "another tenant does not see it")

        var rotated = payments
        rotated.status = "revoked"
        rotated.document = Array("{\"v\":2}".utf8)
        #expect(try await store.updateKey(rotated, expectedRevision: 1) == 2)
        let stored = try #require(try await store.key(named: "payments", of: acme))
        #expect(stored.revision == 2 && stored.status == "revoked" && stored.document == rotated.document)
        await #expect(throws: StoreError(.conflict, "")) { try await store.updateKey(payments, expectedRevision: 1) }
        #expect(try await store.key(named: "payments", of: acme)?.document == rotated.document, "a stale writer changed nothing")
        var elsewhere = rotated
        elsewhere.tenant = globex
        await #expect(throws: StoreError(.rejected, "")) { try await store.updateKey(elsewhere, expectedRevision: 2) }
        await #expect(throws: StoreError(.rejected, "")) {
            try await store.updateKey(StoredDocument(tenant: acme, id: "missing", status: "active", document: [1]), expectedRevision: 1)
        }

        // The same name in another tenant is another key; lists page by name.
        try await store.insertKey(StoredDocument(tenant: globex, id: "payments", status: "active", document: [2]))
        for name in ["zeta", "alpha", "mid.key", "beta-2"] {
            try await store.insertKey(StoredDocument(tenant: acme, id: name, status: "active", document: Array(name.utf8)))
        }
        #expect(try await store.keys(of: acme, after: nil, limit: 10).map(\.id) == ["alpha", "beta-2", "mid.key", "payments", "zeta"])
        #expect(try await store.keys(of: acme, after: "beta-2", limit: 2).map(\.id) == ["mid.key", "payments"])
        #expect(try await store.keys(of: globex, after: nil, limit: 10).map(\.document) == [[2]])
        #expect(try await store.keys(of: TenantID("initech")!, after: nil, limit: 10).isEmpty)
    }

    static func approvalsListNewestFirstAndFilter(_ store: any KeyStore) async throws {
        var generator = SystemRandomNumberGenerator()
        var ids = [UUID]()
        for second in 0..<6 {
            let id = UUID.version7(at: Timestamp(microseconds: 1_800_000_000_000_000 + Int64(second) * 1_000_000), using: &generator)
            ids.append(id)
            try await store.insertApproval(
                StoredDocument(tenant: acme, id: id.lowercasedString, status: second % 2 == 0 ? "pending" : "executed", document: [UInt8(second)])
            )
        }
        let newestFirst = ids.reversed().map(\.lowercasedString)
        #expect(try await store.approvals(of: acme, status: nil, before: nil, limit: 10).map(\.id) == newestFirst)
        #expect(try await store.approvals(of: acme, status: "pending", before: nil, limit: 10).map(\.document) == [[4], [2], [0]])
        #expect(try await store.approvals(of: acme, status: nil, before: newestFirst[1], limit: 2).map(\.id) == Array(newestFirst[2...3]))
        #expect(try await store.approvals(of: globex, status: nil, before: nil, limit: 10).isEmpty)
        #expect(try await store.approval(id: ids[3], of: acme)?.document == [3])
        #expect(try await store.approval(id: ids[3], of: globex) == nil)
        var approved = try #require(try await store.approval(id: ids[0], of: acme))
        approved.status = "approved"
        #expect(try await store.updateApproval(approved, expectedRevision: 1) == 2)
        await #expect(throws: StoreError(.conflict, "")) { try await store.updateApproval(approved, expectedRevision: 1) }
        #expect(try await store.approvals(of: acme, status: "approved", before: nil, limit: 10).map(\.id) == [ids[0].lowercasedString])
    }
}

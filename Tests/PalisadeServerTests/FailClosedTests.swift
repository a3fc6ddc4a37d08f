import Foundation
import HTTPTypes
import PalisadeCore
import PalisadeLedger
import PalisadeSQLite
import PalisadeServer
import Synchronization
import Testing

/// An access store whose token and tenant lookups can be made to fail, as a database that went
/// away would.
final class FlakyAccessStore: AccessStore, Sendable {
    let base: SQLiteStore
    let failing = Mutex(false)

    init(_ base: SQLiteStore) { self.base = base }

    private func check() throws {
        if failing.withLock({ $0 }) { throw StoreError(.unavailable, "the test made the registry unavailable") }
    }

    func tenantRecords() async throws -> [TenantRecord] { try await base.tenantRecords() }
    func tenantRecord(_ tenant: TenantID) async throws -> TenantRecord? {
        try check()
        return try await base.tenantRecord(tenant)
    }
    func createTenant(_ record: TenantRecord) async throws { try await base.createTenant(record) }
    func setTenantDisabled(_ tenant: TenantID, at: Timestamp?) async throws -> TenantRecord? { try await base.setTenantDisabled(tenant, at: at) }
    func createToken(_ record: APITokenRecord) async throws { try await base.createToken(record) }
    func token(id: String) async throws -> APITokenRecord? {
        try check()
        return try await base.token(id: id)
    }
    func tokens(of tenant: TenantID) async throws -> [APITokenRecord] { try await base.tokens(of: tenant) }
    func revokeToken(id: String, of tenant: TenantID, at: Timestamp) async throws -> APITokenRecord? {
        try await base.revokeToken(id: id, of: tenant, at: at)
    }
}

@Suite("Failing closed")
struct FailClosedTests {
    /// The original design's revocation check failed open; here an unreachable token registry
    /// refuses every request with 503 until it is back.
    @Test func anUnreachableTokenRegistryRefusesWith503() async throws {
        let flaky = Mutex<FlakyAccessStore?>(nil)
        let wrap: @Sendable (SQLiteStore) -> any AccessStore = { store in
            let wrapped = FlakyAccessStore(store)
            flaky.withLock { $0 = wrapped }
            return wrapped
        }
        try await ServerHarness.run(access: wrap) { server in
            #expect(try await server.send(.get, "/v1/events", token: server.adminToken).status == 200)
            flaky.withLock { $0?.failing.withLock { $0 = true } }
            let refused = try await server.send(.get, "/v1/events", token: server.adminToken)
            #expect(refused.status == 503)
            #expect(try refused.errorCode == "unavailable")
            #expect(refused.headers[.retryAfter] != nil)
            let posted = try await server.send(.post, "/v1/events", token: server.adminToken, body: ServerHarness.event())
            #expect(posted.status == 503)
            flaky.withLock { $0?.failing.withLock { $0 = false } }
            #expect(try await server.send(.get, "/v1/events", token: server.adminToken).status == 200)
            #expect(try await server.store.recordCount(of: .default) == 0)
        }
    }

    @Test func palisadesOwnKeyIsPublishedAsAJWK() async throws {
        try await ServerHarness.run { server in
            let reply = try await server.send(.get, "/.well-known/jwks.json", token: nil)
            #expect(reply.status == 200)
            guard case .array(let keys)? = try reply.value("keys"), case .object(let key)? = keys.first,
                case .string(let x)? = key["x"]
            else {
                Issue.record("no key: \(reply.text)")
                return
            }
            #expect(key["kty"] == .string("OKP"))
            #expect(key["crv"] == .string("Ed25519"))
            #expect(key["kid"] == .string(server.signer.verifier.vkey))
            let padded = x.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "="
            #expect(Data(base64Encoded: padded).map(Array.init) == server.signer.verifier.publicKeyBytes)
        }
    }
}

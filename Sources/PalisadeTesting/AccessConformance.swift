import PalisadeCore
import Testing

/// The ``AccessStore`` half of the store conformance suite (run through ``StoreConformance/checks``).
enum AccessConformance {
    static let acme = TenantID("acme")!
    static let globex = TenantID("globex")!

    static func tenantsRegisterOnceAndDisable(_ store: any LedgerStore) async throws {
        #expect(try await store.tenantRecords().isEmpty)
        let created = Timestamp(microseconds: 1_700_000_000_000_000)
        try await store.createTenant(TenantRecord(id: acme, createdAt: created))
        await #expect(throws: StoreError.self) { try await store.createTenant(TenantRecord(id: acme, createdAt: created)) }
        try await store.createTenant(TenantRecord(id: globex, createdAt: created))
        #expect(try await store.tenantRecords().map(\.id) == [acme, globex])
        let disabled = try await store.setTenantDisabled(acme, at: Timestamp(microseconds: created.microseconds + 5))
        #expect(disabled?.isEnabled == false)
        #expect(try await store.tenantRecord(acme)?.disabledAt == Timestamp(microseconds: created.microseconds + 5))
        #expect(try await store.tenantRecord(globex)?.isEnabled == true)
        #expect(try await store.setTenantDisabled(acme, at: nil)?.isEnabled == true)
        #expect(try await store.setTenantDisabled(TenantID("nobody")!, at: created) == nil)
        #expect(try await store.tenantRecord(TenantID("nobody")!) == nil)
    }

    static func tokensRoundTripAndRevokeWithinTheirTenant(_ store: any LedgerStore) async throws {
        let created = Timestamp(microseconds: 1_700_000_000_000_000)
        try await store.createTenant(TenantRecord(id: acme, createdAt: created))
        try await store.createTenant(TenantRecord(id: globex, createdAt: created))
        let token = APITokenRecord(
            id: "abcdefghijkl",
            tenant: acme,
            name: "collector",
            scopes: [.ingest, .read],
            secretHash: Array(repeating: 7, count: 32),
            createdAt: created,
            expiresAt: Timestamp(microseconds: created.microseconds + 1_000_000),
            allowedNetworks: [IPNetwork("10.0.0.0/8")!, IPNetwork("2001:db8::/32")!]
        )
        try await store.createToken(token)
        await #expect(throws: StoreError.self) { try await store.createToken(token) }
        var other = token
        other.id = "mnopqrstuvwx"
        other.tenant = globex
        other.allowedNetworks = []
        other.expiresAt = nil
        try await store.createToken(other)
        #expect(try await store.token(id: token.id) == token)
        #expect(try await store.tokens(of: acme) == [token])
        #expect(try await store.tokens(of: globex) == [other])
        // Another tenant cannot revoke it.
        #expect(try await store.revokeToken(id: token.id, of: globex, at: created) == nil)
        #expect(try await store.token(id: token.id)?.revokedAt == nil)
        let revokedAt = Timestamp(microseconds: created.microseconds + 10)
        #expect(try await store.revokeToken(id: token.id, of: acme, at: revokedAt)?.revokedAt == revokedAt)
        // A second revocation keeps the first time.
        #expect(try await store.revokeToken(id: token.id, of: acme, at: Timestamp(microseconds: created.microseconds + 99))?.revokedAt == revokedAt)
        #expect(try await store.token(id: token.id)?.revokedAt == revokedAt)
        #expect(try await store.token(id: other.id)?.revokedAt == nil)
    }
}

import PalisadeCore
import PalisadeServer

/// First-start set-up shared by `serve` and `token create`.
enum Bootstrap {
    /// Registers the operator tenant if needed and, when it has no token at all, mints an admin
    /// token and prints it once (only its hash is stored).
    static func ensureOperator(_ tenant: TenantID, store: any AccessStore, codec: APITokenCodec, clock: any WallClock) async throws {
        try await register(tenant, in: store, clock: clock)
        guard try await store.tokens(of: tenant).isEmpty else { return }
        let (token, record) = codec.mint(tenant: tenant, name: "bootstrap admin", scopes: [.admin, .ingest, .read, .respond], createdAt: clock.now())
        try await store.createToken(record)
        printNow("palisade: created the admin API token for tenant \(tenant) (shown once, store it now):")
        printNow("  \(token)")
    }

    /// Registers the tenant unless it already is.
    static func register(_ tenant: TenantID, in store: any AccessStore, clock: any WallClock) async throws {
        if try await store.tenantRecord(tenant) == nil {
            try await store.createTenant(TenantRecord(id: tenant, createdAt: clock.now()))
        }
    }
}

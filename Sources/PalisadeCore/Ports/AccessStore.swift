/// The registry of tenants and API tokens the server authenticates against.
///
/// Implemented by every store next to ``LedgerBackend``. Lookups are made on every request, so a
/// revocation takes effect on the next one; a store that cannot answer throws, and the caller
/// refuses the request (fail closed).
public protocol AccessStore: Sendable {
    /// All registered tenants, by id.
    func tenantRecords() async throws -> [TenantRecord]
    /// One tenant, if registered.
    func tenantRecord(_ tenant: TenantID) async throws -> TenantRecord?
    /// Registers a tenant.
    ///
    /// - Throws: ``StoreError`` `conflict` when it is already registered.
    func createTenant(_ record: TenantRecord) async throws
    /// Disables (`at` given) or enables (`nil`) a tenant.
    ///
    /// - Returns: the updated record, or `nil` when the tenant is not registered.
    func setTenantDisabled(_ tenant: TenantID, at: Timestamp?) async throws -> TenantRecord?
    /// Stores a new token.
    ///
    /// - Throws: ``StoreError`` `conflict` when the id is taken.
    func createToken(_ record: APITokenRecord) async throws
    /// The token with this id, whatever its tenant or state.
    func token(id: String) async throws -> APITokenRecord?
    /// The tenant's tokens, revoked ones included, oldest first.
    func tokens(of tenant: TenantID) async throws -> [APITokenRecord]
    /// Marks the tenant's token revoked (keeping the first revocation time).
    ///
    /// - Returns: the updated record, or `nil` when the tenant has no token with this id.
    func revokeToken(id: String, of tenant: TenantID, at: Timestamp) async throws -> APITokenRecord?
}

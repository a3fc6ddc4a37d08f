public import PalisadeCore

extension MemoryStore: AccessStore {
    /// Registered tenants, by id.
    public func tenantRecords() -> [TenantRecord] { registeredTenants.values.sorted { $0.id < $1.id } }

    /// One tenant.
    public func tenantRecord(_ tenant: TenantID) -> TenantRecord? { registeredTenants[tenant] }

    /// Registers a tenant.
    public func createTenant(_ record: TenantRecord) throws {
        guard registeredTenants[record.id] == nil else { throw StoreError(.conflict, "tenant \(record.id) is already registered") }
        registeredTenants[record.id] = record
    }

    /// Disables or enables a tenant.
    public func setTenantDisabled(_ tenant: TenantID, at time: Timestamp?) -> TenantRecord? {
        registeredTenants[tenant]?.disabledAt = time
        return registeredTenants[tenant]
    }

    /// Stores a token.
    public func createToken(_ record: APITokenRecord) throws {
        guard apiTokens[record.id] == nil else { throw StoreError(.conflict, "an API token with this id already exists; create it again") }
        apiTokens[record.id] = record
    }

    /// One token.
    public func token(id: String) -> APITokenRecord? { apiTokens[id] }

    /// The tenant's tokens, oldest first.
    public func tokens(of tenant: TenantID) -> [APITokenRecord] {
        apiTokens.values.filter { $0.tenant == tenant }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Revokes a token of the tenant.
    public func revokeToken(id: String, of tenant: TenantID, at time: Timestamp) -> APITokenRecord? {
        guard var record = apiTokens[id], record.tenant == tenant else { return nil }
        if record.revokedAt == nil { record.revokedAt = time }
        apiTokens[id] = record
        return record
    }
}

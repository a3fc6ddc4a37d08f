import Foundation
import Logging
import NIOCore
public import PalisadeCore
import PostgresNIO

extension PostgresStore: AccessStore {
    private static let tenantColumns = "name, registered_at, disabled_at"
    private static let tokenSelect = """
        SELECT k.id, t.name, k.name, k.scopes, k.secret_hash, k.created_at, k.expires_at, k.allowed_networks, k.revoked_at
        FROM api_tokens k JOIN tenants t ON t.id = k.tenant_id
        """

    /// All registered tenants, by id.
    public func tenantRecords() async throws -> [TenantRecord] {
        try await run("listing tenants") {
            try await client.rows(
                "SELECT name, registered_at, disabled_at FROM tenants WHERE registered_at IS NOT NULL ORDER BY name COLLATE \"C\"",
                logger
            ).compactMap(Self.tenantRecord)
        }
    }

    /// One tenant, if registered.
    public func tenantRecord(_ tenant: TenantID) async throws -> TenantRecord? {
        try await run("reading a tenant") {
            try await client.rows(
                "SELECT name, registered_at, disabled_at FROM tenants WHERE name = \(tenant.rawValue) AND registered_at IS NOT NULL",
                logger
            ).first.flatMap(Self.tenantRecord)
        }
    }

    /// Registers a tenant (its row may already exist for a log written before registration).
    public func createTenant(_ record: TenantRecord) async throws {
        try await run("registering a tenant") {
            let id = try await tenantID(record.id)
            let updated = try await client.rows(
                """
                UPDATE tenants SET registered_at = \(PostgresTimestamp(record.createdAt)), disabled_at = \(record.disabledAt.map(PostgresTimestamp.init))
                WHERE id = \(id) AND registered_at IS NULL RETURNING id
                """,
                logger
            )
            guard !updated.isEmpty else { throw StoreError(.conflict, "tenant \(record.id) is already registered") }
        }
    }

    /// Disables or enables a tenant.
    public func setTenantDisabled(_ tenant: TenantID, at time: Timestamp?) async throws -> TenantRecord? {
        try await run("disabling or enabling a tenant") {
            try await client.rows(
                """
                UPDATE tenants SET disabled_at = \(time.map(PostgresTimestamp.init))
                WHERE name = \(tenant.rawValue) AND registered_at IS NOT NULL
                RETURNING name, registered_at, disabled_at
                """,
                logger
            ).first.flatMap(Self.tenantRecord)
        }
    }

    /// Stores a new token.
    public func createToken(_ record: APITokenRecord) async throws {
        let tenantRow = try await run("registering a tenant") { try await tenantID(record.tenant) }
        do {
            try await client.execute(
                """
                INSERT INTO api_tokens (id, tenant_id, name, scopes, secret_hash, created_at, expires_at, allowed_networks, revoked_at)
                VALUES (\(record.id), \(tenantRow), \(record.name), \(record.scopes.sorted().map(\.rawValue).joined(separator: " ")),
                        \(ByteBuffer(bytes: record.secretHash)), \(PostgresTimestamp(record.createdAt)),
                        \(record.expiresAt.map(PostgresTimestamp.init)), \(record.allowedNetworks.map(\.description).joined(separator: " ")),
                        \(record.revokedAt.map(PostgresTimestamp.init)))
                """,
                logger
            )
        } catch  where Self.sqlState(error) == "23505" {
            throw StoreError(.conflict, "an API token with this id already exists; create it again", underlying: error)
        } catch {
            throw Self.storeError(error, "storing an API token")
        }
    }

    /// The token with this id.
    public func token(id: String) async throws -> APITokenRecord? {
        try await run("reading an API token") {
            try await client.rows(PostgresQuery(unsafeSQL: Self.tokenSelect + " WHERE k.id = $1", binds: Self.binds(id)), logger)
                .first.map(Self.tokenRecord)
        }
    }

    /// The tenant's tokens, oldest first.
    public func tokens(of tenant: TenantID) async throws -> [APITokenRecord] {
        try await run("listing API tokens") {
            try await client.rows(
                PostgresQuery(
                    unsafeSQL: Self.tokenSelect + " WHERE t.name = $1 ORDER BY k.created_at, k.id COLLATE \"C\"",
                    binds: Self.binds(tenant.rawValue)
                ),
                logger
            ).map(Self.tokenRecord)
        }
    }

    /// Marks the tenant's token revoked (keeping the first revocation time).
    public func revokeToken(id: String, of tenant: TenantID, at time: Timestamp) async throws -> APITokenRecord? {
        try await run("revoking an API token") {
            guard let tenantRow = try await existingTenantID(tenant) else { return nil }
            try await client.execute(
                """
                UPDATE api_tokens SET revoked_at = coalesce(revoked_at, \(PostgresTimestamp(time)))
                WHERE id = \(id) AND tenant_id = \(tenantRow)
                """,
                logger
            )
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(tenantRow)
            return try await client.rows(PostgresQuery(unsafeSQL: Self.tokenSelect + " WHERE k.id = $1 AND k.tenant_id = $2", binds: binds), logger)
                .first.map(Self.tokenRecord)
        }
    }

    // MARK: Rows

    private static func binds(_ value: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(value)
        return binds
    }

    private static func tenantRecord(_ row: PostgresRow) throws -> TenantRecord? {
        let (name, registered, disabled) = try row.decodeOrCorrupt((String, PostgresTimestamp?, PostgresTimestamp?).self, "tenant")
        guard let id = TenantID(name), let registered else { return nil }
        return TenantRecord(id: id, createdAt: registered.value, disabledAt: disabled?.value)
    }

    private static func tokenRecord(_ row: PostgresRow) throws -> APITokenRecord {
        let (id, tenantName, name, scopeList, secretHash, created, expires, networkList, revoked) = try row.decodeOrCorrupt(
            (String, String, String, String, ByteBuffer, PostgresTimestamp, PostgresTimestamp?, String, PostgresTimestamp?).self,
            "API token"
        )
        guard let tenant = TenantID(tenantName), let scopes = Scope.parseList(scopeList) else {
            throw StoreError(.corrupt, "API token \(id) has an unreadable tenant or scope list")
        }
        var networks: [IPNetwork] = []
        for text in networkList.split(separator: " ") {
            guard let network = IPNetwork(String(text)) else { throw StoreError(.corrupt, "API token \(id) has an unreadable network \(text)") }
            networks.append(network)
        }
        return APITokenRecord(
            id: id,
            tenant: tenant,
            name: name,
            scopes: scopes,
            secretHash: Array(secretHash.readableBytesView),
            createdAt: created.value,
            expiresAt: expires?.value,
            allowedNetworks: networks,
            revokedAt: revoked?.value
        )
    }
}

import Foundation
import GRDB
public import PalisadeCore

extension SQLiteStore: AccessStore {
    /// All registered tenants, by id.
    public func tenantRecords() async throws -> [TenantRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT name, registered_at, disabled_at FROM tenants WHERE registered_at IS NOT NULL ORDER BY name"
            ).compactMap(Self.tenantRecord)
        }
    }

    /// One tenant, if registered.
    public func tenantRecord(_ tenant: TenantID) async throws -> TenantRecord? {
        try pointRead { db in
            let statement = try db.cachedStatement(
                sql: "SELECT name, registered_at, disabled_at FROM tenants WHERE name = ? AND registered_at IS NOT NULL"
            )
            return try Row.fetchOne(statement, arguments: [tenant.rawValue]).flatMap(Self.tenantRecord)
        }
    }

    /// Registers a tenant (its row may already exist for a log written before registration).
    public func createTenant(_ record: TenantRecord) async throws {
        try await writeAccess { db in
            let id = try self.tenantID(record.id, db)
            try db.execute(
                sql: "UPDATE tenants SET registered_at = ?, disabled_at = ? WHERE id = ? AND registered_at IS NULL",
                arguments: [record.createdAt.microseconds, record.disabledAt?.microseconds, id]
            )
            guard db.changesCount == 1 else { throw StoreError(.conflict, "tenant \(record.id) is already registered") }
        }
    }

    /// Disables or enables a tenant.
    public func setTenantDisabled(_ tenant: TenantID, at time: Timestamp?) async throws -> TenantRecord? {
        try await writeAccess { db in
            try db.execute(
                sql: "UPDATE tenants SET disabled_at = ? WHERE name = ? AND registered_at IS NOT NULL",
                arguments: [time?.microseconds, tenant.rawValue]
            )
            return try Row.fetchOne(
                db,
                sql: "SELECT name, registered_at, disabled_at FROM tenants WHERE name = ? AND registered_at IS NOT NULL",
                arguments: [tenant.rawValue]
            ).flatMap(Self.tenantRecord)
        }
    }

    /// Stores a new token.
    public func createToken(_ record: APITokenRecord) async throws {
        try await writeAccess { db in
            let tenantRow = try self.tenantID(record.tenant, db)
            try db.execute(
                sql: """
                    INSERT INTO api_tokens (id, tenant_id, name, scopes, secret_hash, created_at, expires_at, allowed_networks, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.id, tenantRow, record.name, record.scopes.sorted().map(\.rawValue).joined(separator: " "),
                    Data(record.secretHash), record.createdAt.microseconds, record.expiresAt?.microseconds,
                    record.allowedNetworks.map(\.description).joined(separator: " "), record.revokedAt?.microseconds,
                ]
            )
        }
    }

    /// The token with this id.
    public func token(id: String) async throws -> APITokenRecord? {
        try pointRead { db in
            try Row.fetchOne(try db.cachedStatement(sql: Self.tokenSelect + " WHERE k.id = ?"), arguments: [id]).map(Self.tokenRecord)
        }
    }

    /// The tenant's tokens, oldest first.
    public func tokens(of tenant: TenantID) async throws -> [APITokenRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.tokenSelect + " WHERE t.name = ? ORDER BY k.created_at, k.id", arguments: [tenant.rawValue])
                .map(Self.tokenRecord)
        }
    }

    /// Marks the tenant's token revoked.
    public func revokeToken(id: String, of tenant: TenantID, at time: Timestamp) async throws -> APITokenRecord? {
        try await writeAccess { db in
            guard let tenantRow = try self.existingTenantID(tenant, db) else { return nil }
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND tenant_id = ?",
                arguments: [time.microseconds, id, tenantRow]
            )
            return try Row.fetchOne(db, sql: Self.tokenSelect + " WHERE k.id = ? AND k.tenant_id = ?", arguments: [id, tenantRow])
                .map(Self.tokenRecord)
        }
    }

    // MARK: Rows

    private static let tokenSelect = """
        SELECT k.id, t.name AS tenant, k.name, k.scopes, k.secret_hash, k.created_at, k.expires_at, k.allowed_networks, k.revoked_at
        FROM api_tokens k JOIN tenants t ON t.id = k.tenant_id
        """

    private static func tenantRecord(_ row: Row) -> TenantRecord? {
        guard let id = TenantID(row["name"] as String), let registered: Int64 = row["registered_at"] else { return nil }
        let disabled: Int64? = row["disabled_at"]
        return TenantRecord(id: id, createdAt: Timestamp(microseconds: registered), disabledAt: disabled.map(Timestamp.init(microseconds:)))
    }

    private static func tokenRecord(_ row: Row) throws -> APITokenRecord {
        let id: String = row["id"]
        guard let tenant = TenantID(row["tenant"] as String), let scopes = Scope.parseList(row["scopes"]) else {
            throw StoreError(.corrupt, "API token \(id) has an unreadable tenant or scope list")
        }
        var networks: [IPNetwork] = []
        for text in (row["allowed_networks"] as String).split(separator: " ") {
            guard let network = IPNetwork(String(text)) else { throw StoreError(.corrupt, "API token \(id) has an unreadable network \(text)") }
            networks.append(network)
        }
        let expires: Int64? = row["expires_at"]
        let revoked: Int64? = row["revoked_at"]
        return APITokenRecord(
            id: id,
            tenant: tenant,
            name: row["name"],
            scopes: scopes,
            secretHash: [UInt8](row["secret_hash"] as Data),
            createdAt: Timestamp(microseconds: row["created_at"]),
            expiresAt: expires.map(Timestamp.init(microseconds:)),
            allowedNetworks: networks,
            revokedAt: revoked.map(Timestamp.init(microseconds:))
        )
    }

    private func writeAccess<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw StoreError(.conflict, "an API token with this id already exists; create it again", underlying: error)
        } catch {
            throw StoreError(.unavailable, "the SQLite write of tenants or tokens failed", underlying: error)
        }
    }
}

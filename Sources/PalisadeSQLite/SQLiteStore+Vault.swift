public import Foundation
import GRDB
public import PalisadeCore

/// The vault's documents (see the `vault_header`, `vault_keys` and `vault_approvals` tables).
extension SQLiteStore: KeyStore {
    /// The two document tables; their names are constants, never input.
    private enum Table: String {
        case keys = "vault_keys"
        case approvals = "vault_approvals"
    }

    /// The header, if the vault was initialised.
    public func vaultHeader() async throws -> [UInt8]? {
        try await read { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT document FROM vault_header WHERE id = 1")).map { Array($0) }
        }
    }

    /// Stores the header once.
    public func initializeVault(header: [UInt8]) async throws {
        do {
            try await pool.write { db in
                try db.cachedStatement(sql: "INSERT INTO vault_header (id, document) VALUES (1, ?)").execute(arguments: [Data(header)])
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError(.conflict, "the vault is already initialised", underlying: error)
        } catch {
            throw StoreError(.unavailable, "storing the vault header failed", underlying: error)
        }
    }

    /// One key.
    public func key(named name: String, of tenant: TenantID) async throws -> StoredDocument? {
        try await document(.keys, id: name, of: tenant)
    }

    /// A page of keys by name.
    public func keys(of tenant: TenantID, after: String?, limit: Int) async throws -> [StoredDocument] {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return [] }
            return try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, status, document, revision FROM vault_keys WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?"),
                arguments: [tenantID, after ?? "", limit]
            ).map { Self.document($0, tenant: tenant) }
        }
    }

    /// Inserts a key.
    public func insertKey(_ document: StoredDocument) async throws { try await insert(document, into: .keys) }

    /// Updates a key.
    public func updateKey(_ document: StoredDocument, expectedRevision: Int) async throws -> Int {
        try await update(document, in: .keys, expectedRevision: expectedRevision)
    }

    /// One approval request.
    public func approval(id: UUID, of tenant: TenantID) async throws -> StoredDocument? {
        try await document(.approvals, id: id.lowercasedString, of: tenant)
    }

    /// A page of approval requests, newest first.
    public func approvals(of tenant: TenantID, status: String?, before: String?, limit: Int) async throws -> [StoredDocument] {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return [] }
            return try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, status, document, revision FROM vault_approvals
                        WHERE tenant_id = ? AND (? IS NULL OR status = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?
                        """
                ),
                arguments: [tenantID, status, status, before, before, limit]
            ).map { Self.document($0, tenant: tenant) }
        }
    }

    /// Inserts an approval request.
    public func insertApproval(_ document: StoredDocument) async throws { try await insert(document, into: .approvals) }

    /// Updates an approval request.
    public func updateApproval(_ document: StoredDocument, expectedRevision: Int) async throws -> Int {
        try await update(document, in: .approvals, expectedRevision: expectedRevision)
    }

    private func document(_ table: Table, id: String, of tenant: TenantID) async throws -> StoredDocument? {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return nil }
            return try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, status, document, revision FROM \(table.rawValue) WHERE tenant_id = ? AND id = ?"),
                arguments: [tenantID, id]
            ).map { Self.document($0, tenant: tenant) }
        }
    }

    private func insert(_ document: StoredDocument, into table: Table) async throws {
        do {
            try await pool.write { db in
                let tenantID = try self.tenantID(document.tenant, db)
                try db.cachedStatement(sql: "INSERT INTO \(table.rawValue) (tenant_id, id, status, document, revision) VALUES (?, ?, ?, ?, 1)")
                    .execute(arguments: [tenantID, document.id, document.status, Data(document.document)])
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError(.conflict, "\(document.id) exists", underlying: error)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "storing \(document.id) failed", underlying: error)
        }
    }

    private func update(_ document: StoredDocument, in table: Table, expectedRevision: Int) async throws -> Int {
        do {
            return try await pool.write { db in
                guard let tenantID = try self.existingTenantID(document.tenant, db) else {
                    throw StoreError(.rejected, "\(document.id) does not exist")
                }
                try db.cachedStatement(
                    sql:
                        "UPDATE \(table.rawValue) SET status = ?, document = ?, revision = revision + 1 WHERE tenant_id = ? AND id = ? AND revision = ?"
                ).execute(arguments: [document.status, Data(document.document), tenantID, document.id, expectedRevision])
                if db.changesCount == 1 { return expectedRevision + 1 }
                let exists = try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT revision FROM \(table.rawValue) WHERE tenant_id = ? AND id = ?"),
                    arguments: [tenantID, document.id]
                )
                guard exists != nil else { throw StoreError(.rejected, "\(document.id) does not exist") }
                throw StoreError(.conflict, "\(document.id) changed; reload and retry")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "updating \(document.id) failed", underlying: error)
        }
    }

    private static func document(_ row: Row, tenant: TenantID) -> StoredDocument {
        StoredDocument(tenant: tenant, id: row[0], status: row[1], document: Array(row[2] as Data), revision: row[3])
    }
}

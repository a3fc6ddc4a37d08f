public import Foundation
public import PalisadeCore
import PostgresNIO

/// The vault's documents (see the `vault_header`, `vault_keys` and `vault_approvals` tables).
extension PostgresStore: KeyStore {
    /// The header, if the vault was initialised.
    public func vaultHeader() async throws -> [UInt8]? {
        try await run("reading the vault header") {
            let rows = try await client.rows("SELECT document FROM vault_header WHERE id = 1", logger)
            return try rows.first.map { Array(try $0.decodeOrCorrupt(ByteBuffer.self, "vault header").readableBytesView) }
        }
    }

    /// Stores the header once.
    public func initializeVault(header: [UInt8]) async throws {
        do {
            try await run("storing the vault header") {
                try await client.execute("INSERT INTO vault_header (id, document) VALUES (1, \(ByteBuffer(bytes: header)))", logger)
            }
        } catch let error as StoreError where error.code == .conflict {
            throw StoreError(.conflict, "the vault is already initialised")
        }
    }

    /// One key.
    public func key(named name: String, of tenant: TenantID) async throws -> StoredDocument? {
        try await run("reading a vault key") {
            guard let tenantID = try await existingTenantID(tenant) else { return nil }
            let rows = try await client.rows(
                "SELECT id, status, document, revision FROM vault_keys WHERE tenant_id = \(tenantID) AND id = \(name)",
                logger
            )
            return try rows.first.map { try Self.vaultDocument($0, tenant: tenant) }
        }
    }

    /// A page of keys by name.
    public func keys(of tenant: TenantID, after: String?, limit: Int) async throws -> [StoredDocument] {
        try await run("listing vault keys") {
            guard let tenantID = try await existingTenantID(tenant) else { return [] }
            let rows = try await client.rows(
                """
                SELECT id, status, document, revision FROM vault_keys WHERE tenant_id = \(tenantID) AND id > \(after ?? "")
                ORDER BY id LIMIT \(Int32(clamping: limit))
                """,
                logger
            )
            return try rows.map { try Self.vaultDocument($0, tenant: tenant) }
        }
    }

    /// Inserts a key.
    public func insertKey(_ document: StoredDocument) async throws {
        try await run("storing a vault key") {
            let tenantID = try await tenantID(document.tenant)
            try await client.execute(
                """
                INSERT INTO vault_keys (tenant_id, id, status, document, revision)
                VALUES (\(tenantID), \(document.id), \(document.status), \(ByteBuffer(bytes: document.document)), 1)
                """,
                logger
            )
        }
    }

    /// Updates a key at its expected revision.
    public func updateKey(_ document: StoredDocument, expectedRevision: Int) async throws -> Int {
        try await run("updating a vault key") {
            guard let tenantID = try await existingTenantID(document.tenant) else { throw StoreError(.rejected, "\(document.id) does not exist") }
            let rows = try await client.rows(
                """
                UPDATE vault_keys SET status = \(document.status), document = \(ByteBuffer(bytes: document.document)), revision = revision + 1
                WHERE tenant_id = \(tenantID) AND id = \(document.id) AND revision = \(Int32(clamping: expectedRevision)) RETURNING revision
                """,
                logger
            )
            return try await revisionAfterUpdate(rows, table: "vault_keys", tenantID: tenantID, id: document.id)
        }
    }

    /// One approval request.
    public func approval(id: UUID, of tenant: TenantID) async throws -> StoredDocument? {
        try await run("reading an approval request") {
            guard let tenantID = try await existingTenantID(tenant) else { return nil }
            let rows = try await client.rows(
                "SELECT id, status, document, revision FROM vault_approvals WHERE tenant_id = \(tenantID) AND id = \(id.lowercasedString)",
                logger
            )
            return try rows.first.map { try Self.vaultDocument($0, tenant: tenant) }
        }
    }

    /// A page of approval requests, newest first.
    public func approvals(of tenant: TenantID, status: String?, before: String?, limit: Int) async throws -> [StoredDocument] {
        try await run("listing approval requests") {
            guard let tenantID = try await existingTenantID(tenant) else { return [] }
            let rows = try await client.rows(
                """
                SELECT id, status, document, revision FROM vault_approvals
                WHERE tenant_id = \(tenantID) AND (\(status)::text IS NULL OR status = \(status)) AND (\(before)::text IS NULL OR id < \(before))
                ORDER BY id DESC LIMIT \(Int32(clamping: limit))
                """,
                logger
            )
            return try rows.map { try Self.vaultDocument($0, tenant: tenant) }
        }
    }

    /// Inserts an approval request.
    public func insertApproval(_ document: StoredDocument) async throws {
        try await run("storing an approval request") {
            let tenantID = try await tenantID(document.tenant)
            try await client.execute(
                """
                INSERT INTO vault_approvals (tenant_id, id, status, document, revision)
                VALUES (\(tenantID), \(document.id), \(document.status), \(ByteBuffer(bytes: document.document)), 1)
                """,
                logger
            )
        }
    }

    /// Updates an approval request at its expected revision.
    public func updateApproval(_ document: StoredDocument, expectedRevision: Int) async throws -> Int {
        try await run("updating an approval request") {
            guard let tenantID = try await existingTenantID(document.tenant) else { throw StoreError(.rejected, "\(document.id) does not exist") }
            let rows = try await client.rows(
                """
                UPDATE vault_approvals SET status = \(document.status), document = \(ByteBuffer(bytes: document.document)), revision = revision + 1
                WHERE tenant_id = \(tenantID) AND id = \(document.id) AND revision = \(Int32(clamping: expectedRevision)) RETURNING revision
                """,
                logger
            )
            return try await revisionAfterUpdate(rows, table: "vault_approvals", tenantID: tenantID, id: document.id)
        }
    }

    /// The new revision, or why there is none: the row is missing (rejected) or moved on (conflict).
    private func revisionAfterUpdate(_ rows: [PostgresRow], table: String, tenantID: Int32, id: String) async throws -> Int {
        if let row = rows.first {
            let revision: Int32 = try row.decodeOrCorrupt(Int32.self, "revision")
            return Int(revision)
        }
        let current =
            table == "vault_keys"
            ? try await client.rows("SELECT revision FROM vault_keys WHERE tenant_id = \(tenantID) AND id = \(id)", logger)
            : try await client.rows("SELECT revision FROM vault_approvals WHERE tenant_id = \(tenantID) AND id = \(id)", logger)
        guard current.first != nil else { throw StoreError(.rejected, "\(id) does not exist") }
        throw StoreError(.conflict, "\(id) changed; reload and retry")
    }

    private static func vaultDocument(_ row: PostgresRow, tenant: TenantID) throws -> StoredDocument {
        let (id, status, document, revision) = try row.decodeOrCorrupt((String, String, ByteBuffer, Int32).self, "vault document")
        return StoredDocument(tenant: tenant, id: id, status: status, document: Array(document.readableBytesView), revision: Int(revision))
    }
}

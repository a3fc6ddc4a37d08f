public import Foundation
public import PalisadeCore

/// The vault's documents in memory, through the same store as everything else.
extension MemoryStore: KeyStore {
    /// The header.
    public func vaultHeader() async throws -> [UInt8]? { await vaultDocuments.vaultHeader() }
    /// Stores the header once.
    public func initializeVault(header: [UInt8]) async throws { try await vaultDocuments.initializeVault(header: header) }
    /// One key.
    public func key(named name: String, of tenant: TenantID) async throws -> StoredDocument? { await vaultDocuments.key(named: name, of: tenant) }
    /// A page of keys.
    public func keys(of tenant: TenantID, after: String?, limit: Int) async throws -> [StoredDocument] {
        await vaultDocuments.keys(of: tenant, after: after, limit: limit)
    }
    /// Inserts a key.
    public func insertKey(_ document: StoredDocument) async throws { try await vaultDocuments.insertKey(document) }
    /// Updates a key.
    public func updateKey(_ document: StoredDocument, expectedRevision: Int) async throws -> Int {
        try await vaultDocuments.updateKey(document, expectedRevision: expectedRevision)
    }
    /// One approval.
    public func approval(id: UUID, of tenant: TenantID) async throws -> StoredDocument? { await vaultDocuments.approval(id: id, of: tenant) }
    /// A page of approvals.
    public func approvals(of tenant: TenantID, status: String?, before: String?, limit: Int) async throws -> [StoredDocument] {
        await vaultDocuments.approvals(of: tenant, status: status, before: before, limit: limit)
    }
    /// Inserts an approval.
    public func insertApproval(_ document: StoredDocument) async throws { try await vaultDocuments.insertApproval(document) }
    /// Updates an approval.
    public func updateApproval(_ document: StoredDocument, expectedRevision: Int) async throws -> Int {
        try await vaultDocuments.updateApproval(document, expectedRevision: expectedRevision)
    }
}

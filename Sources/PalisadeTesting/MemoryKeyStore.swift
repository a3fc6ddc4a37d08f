public import Foundation
public import PalisadeCore

/// The vault's store in memory, with the same revisions and conflicts as the database stores.
public actor MemoryKeyStore: KeyStore {
    private var header: [UInt8]?
    private var keyDocuments: [String: StoredDocument] = [:]
    private var approvalDocuments: [String: StoredDocument] = [:]

    /// An empty store.
    public init() {}

    /// The header.
    public func vaultHeader() -> [UInt8]? { header }

    /// Stores the header once.
    public func initializeVault(header: [UInt8]) throws {
        guard self.header == nil else { throw StoreError(.conflict, "the vault is already initialised") }
        self.header = header
    }

    /// One key.
    public func key(named name: String, of tenant: TenantID) -> StoredDocument? { keyDocuments["\(tenant.rawValue)/\(name)"] }

    /// A page of keys by name.
    public func keys(of tenant: TenantID, after: String?, limit: Int) -> [StoredDocument] {
        Array(
            keyDocuments.values.filter { document in document.tenant == tenant && (after.map { document.id > $0 } ?? true) }.sorted { $0.id < $1.id }
                .prefix(limit)
        )
    }

    /// Inserts a key.
    public func insertKey(_ document: StoredDocument) throws {
        try insert(document, into: &keyDocuments, what: "key")
    }

    /// Updates a key.
    public func updateKey(_ document: StoredDocument, expectedRevision: Int) throws -> Int {
        try update(document, expectedRevision: expectedRevision, in: &keyDocuments, what: "key")
    }

    /// One approval.
    public func approval(id: UUID, of tenant: TenantID) -> StoredDocument? { approvalDocuments["\(tenant.rawValue)/\(id.lowercasedString)"] }

    /// A page of approvals, newest (highest id, time-ordered) first.
    public func approvals(of tenant: TenantID, status: String?, before: String?, limit: Int) -> [StoredDocument] {
        Array(
            approvalDocuments.values.filter { document in
                document.tenant == tenant && (status.map { document.status == $0 } ?? true) && (before.map { document.id < $0 } ?? true)
            }
            .sorted { $0.id > $1.id }.prefix(limit)
        )
    }

    /// Inserts an approval.
    public func insertApproval(_ document: StoredDocument) throws {
        try insert(document, into: &approvalDocuments, what: "approval")
    }

    /// Updates an approval.
    public func updateApproval(_ document: StoredDocument, expectedRevision: Int) throws -> Int {
        try update(document, expectedRevision: expectedRevision, in: &approvalDocuments, what: "approval")
    }

    private func insert(_ document: StoredDocument, into documents: inout [String: StoredDocument], what: String) throws {
        let key = "\(document.tenant.rawValue)/\(document.id)"
        guard documents[key] == nil else { throw StoreError(.conflict, "\(what) \(document.id) exists") }
        var stored = document
        stored.revision = 1
        documents[key] = stored
    }

    private func update(_ document: StoredDocument, expectedRevision: Int, in documents: inout [String: StoredDocument], what: String) throws -> Int {
        let key = "\(document.tenant.rawValue)/\(document.id)"
        guard let stored = documents[key] else { throw StoreError(.rejected, "\(what) \(document.id) does not exist") }
        guard stored.revision == expectedRevision else { throw StoreError(.conflict, "\(what) \(document.id) changed; reload and retry") }
        var next = document
        next.revision = expectedRevision + 1
        documents[key] = next
        return next.revision
    }
}

public import Foundation

/// Where the vault keeps its state: one vault header for the installation (how the master key is
/// obtained and the sealed data-encryption key), and per tenant its keys and approval requests.
///
/// Stores hold documents they do not interpret — the vault encodes them, and key material inside
/// is always sealed — with a revision for optimistic concurrency, so two writers never silently
/// overwrite each other. Implemented by every store; every key and approval method is scoped to
/// one tenant.
public protocol KeyStore: Sendable {
    /// The vault header, if the vault was initialised.
    func vaultHeader() async throws -> [UInt8]?

    /// Stores the vault header if none exists yet.
    ///
    /// - Throws: ``StoreError`` `conflict` when the vault is already initialised.
    func initializeVault(header: [UInt8]) async throws

    /// The key named `name` in the tenant.
    func key(named name: String, of tenant: TenantID) async throws -> StoredDocument?

    /// A page of the tenant's keys, by name, after `after`.
    func keys(of tenant: TenantID, after: String?, limit: Int) async throws -> [StoredDocument]

    /// Stores a new key at revision 1.
    ///
    /// - Throws: ``StoreError`` `conflict` when the tenant has a key of that name.
    func insertKey(_ document: StoredDocument) async throws

    /// Replaces a key if it is still at `expectedRevision`; returns the new revision.
    ///
    /// - Throws: ``StoreError`` `conflict` when another writer changed it first, `rejected` when it
    ///   does not exist.
    func updateKey(_ document: StoredDocument, expectedRevision: Int) async throws -> Int

    /// The approval request with this id in the tenant.
    func approval(id: UUID, of tenant: TenantID) async throws -> StoredDocument?

    /// A page of the tenant's approval requests, newest first, optionally only those with `status`.
    func approvals(of tenant: TenantID, status: String?, before: String?, limit: Int) async throws -> [StoredDocument]

    /// Stores a new approval request at revision 1.
    func insertApproval(_ document: StoredDocument) async throws

    /// Replaces an approval request if it is still at `expectedRevision`.
    func updateApproval(_ document: StoredDocument, expectedRevision: Int) async throws -> Int
}

/// A document a store keeps for the vault: its tenant, its key (a key's name, an approval's id),
/// a status the store can filter on, the document's bytes and its revision.
public struct StoredDocument: Hashable, Sendable {
    /// The tenant.
    public var tenant: TenantID
    /// The key's name or the approval's id (unique in the tenant).
    public var id: String
    /// A status to filter on (the key's state, the approval's status).
    public var status: String
    /// The document (canonical JSON written by the vault).
    public var document: [UInt8]
    /// 1 when inserted, one more per update.
    public var revision: Int

    /// A document.
    public init(tenant: TenantID, id: String, status: String, document: [UInt8], revision: Int = 1) {
        self.tenant = tenant
        self.id = id
        self.status = status
        self.document = document
        self.revision = revision
    }
}

public import Foundation
public import PalisadeCore

/// The vault as a service: its seal (uninitialised → sealed → unsealed), the tenants' keys in a
/// ``KeyStore`` with their material sealed, and every operation — allowed or refused — recorded as
/// a `palisade.vault` event in the tenant's ledger before its result is returned.
///
/// Sealing follows HashiCorp Vault: a random data-encryption key seals all key material; it is
/// itself sealed by the master key, which comes from the operator's passphrase (scrypt), a key
/// file, or `threshold` of the Shamir shares printed at initialisation. While sealed, every key
/// operation fails with ``VaultError/sealed`` (HTTP 503) and nothing else of the server is held up.
public actor Vault {
    /// Where the vault stands.
    public enum Status: Hashable, Sendable {
        /// `palisade vault init` has not run.
        case uninitialized
        /// Initialised and sealed: `progress` of `threshold` shares given so far.
        case sealed(threshold: Int, shares: Int, progress: Int, passphrase: Bool)
        /// Usable.
        case unsealed
    }

    /// What initialisation hands the operator, once.
    public struct Initialization: Sendable {
        /// The recovery shares (each to a different person).
        public let shares: [Shamir.Share]
        /// The master key itself, for a key file, when no passphrase was given (nil otherwise).
        public let masterKey: SecretBytes?
    }

    let store: any KeyStore
    private let records: (any RecordSink)?
    let clock: any WallClock
    private var dataKey: Sealer?
    private var sharesGiven: [Shamir.Share] = []
    /// The token the vault unseals through, when the server was configured with one.
    private var wrapper: (any DataKeyWrapper)?
    /// Unsealed keys by tenant and name, with the store revision they were read at.
    var cache: [String: (key: ManagedKey, revision: Int)] = [:]

    /// How many approve what, by operation (``defaultApprovalPolicy`` for the others).
    let approvalPolicies: [ApprovalOperation: ApprovalPolicy]
    /// Per-actor and per-key budgets (nil: unlimited).
    let rateLimits: VaultRateLimits?
    /// The policy of operations without their own: two vault administrators, 72 hours to decide,
    /// 24 hours of grace.
    public static let defaultApprovalPolicy = ApprovalPolicy(quorum: 2, group: "vault:administrator")

    /// A vault over `store`, sealed until unsealed.
    ///
    /// - Parameters:
    ///   - records: where the vault's audit records go (nil only in tests of the store logic).
    ///   - approvals: the approval policy of each operation that needs one.
    ///   - rateLimits: per-actor and per-key budgets for key calls (nil: unlimited).
    public init(
        store: any KeyStore,
        records: (any RecordSink)?,
        clock: any WallClock,
        approvals: [ApprovalOperation: ApprovalPolicy] = [:],
        rateLimits: VaultRateLimits? = nil
    ) {
        self.store = store
        self.records = records
        self.clock = clock
        self.approvalPolicies = approvals
        self.rateLimits = rateLimits
    }

    /// Takes the call's weight from the actor's and the key's budgets, or refuses it (not
    /// recorded in the ledger: a flood of refused calls must not become a flood of records).
    func throttle(_ tenant: TenantID, _ name: String, _ action: String, type: KeyType, actor: String) throws(VaultError) {
        guard let rateLimits else { return }
        if let wait = rateLimits.take(
            VaultRateLimits.weight(of: action, type: type),
            actor: "\(tenant.rawValue)/\(actor)",
            key: "\(tenant.rawValue)/\(name)"
        ) {
            throw .rateLimited(retryAfter: wait)
        }
    }

    /// Where the vault stands.
    public func status() async throws -> Status {
        guard let bytes = try await store.vaultHeader() else { return .uninitialized }
        if dataKey != nil { return .unsealed }
        let header = try VaultHeader(decoding: bytes)
        return .sealed(threshold: header.threshold, shares: header.shares, progress: sharesGiven.count, passphrase: header.passphrase != nil)
    }

    /// The vault's clock's time (for answers that show a status as of now).
    public func now() -> Timestamp { clock.now() }

    // MARK: - Seal

    /// Initialises the vault: a random data-encryption key sealed under the master key, which is
    /// derived from `passphrase` (scrypt with `kdf`'s costs) or random; the master key split into
    /// `shares` of which `threshold` unseal. The vault is left unsealed.
    ///
    /// - Throws: ``VaultError/alreadyInitialized``, ``ShamirError`` for bad share counts.
    public func initialize(
        shares: Int,
        threshold: Int,
        passphrase: String?,
        kdf: PassphraseKDF? = nil,
        by actor: String
    ) async throws
        -> Initialization
    {
        guard try await store.vaultHeader() == nil else { throw VaultError.alreadyInitialized }
        let master: SecretBytes
        var derivation: PassphraseKDF?
        if let passphrase {
            let chosen = kdf ?? PassphraseKDF.standard(salt: SecretBytes(randomCount: 16).copiedBytes)
            master = try chosen.derive(passphrase: passphrase)
            derivation = chosen
        } else {
            master = SecretBytes(randomCount: 32)
        }
        var generator = SystemRandomNumberGenerator()
        let split = try master.withBytes { try Shamir.split(Array($0), parts: shares, threshold: threshold, using: &generator) }
        let dataKeyBytes = SecretBytes(randomCount: 32)
        let masterSealer = try Sealer(key: master)
        let sealed = dataKeyBytes.withBytes { masterSealer.seal(Array($0), context: VaultHeader.dataKeyContext) }
        try await store(
            VaultHeader(passphrase: derivation, sealedDataKey: sealed, shares: shares, threshold: threshold, createdAt: clock.now()),
            dataKey: dataKeyBytes,
            by: actor,
            metadata: ["shares": .number(Double(shares)), "threshold": .number(Double(threshold)), "passphrase": .bool(passphrase != nil)]
        )
        return Initialization(shares: split, masterKey: passphrase == nil ? master : nil)
    }

    /// Adds one recovery share; at the threshold the master key is rebuilt and the vault unseals.
    ///
    /// - Returns: the status after the share.
    /// - Throws: ``VaultError/wrongShares`` when the threshold is met but the shares do not
    ///   reconstruct the master key (the progress starts over).
    @discardableResult
    public func unseal(share: Shamir.Share, by actor: String) async throws -> Status {
        let header = try await header()
        guard dataKey == nil else { return .unsealed }
        if let identity = header.wrapper { throw VaultError.unsealFailed("this vault has no shares: its master key is in \(identity)") }
        if !sharesGiven.contains(where: { $0.x == share.x }) { sharesGiven.append(share) }
        guard sharesGiven.count >= header.threshold else { return try await status() }
        let combined = try Shamir.combine(sharesGiven)
        sharesGiven = []
        try await open(header, master: SecretBytes(combined), how: "shares", actor: actor)
        return .unsealed
    }

    /// Unseals with the passphrase the vault was initialised with.
    public func unseal(passphrase: String, by actor: String) async throws {
        let header = try await header()
        guard dataKey == nil else { return }
        guard let kdf = header.passphrase else { throw VaultError.kdf("this vault was initialised without a passphrase; use its key file or shares") }
        try await open(header, master: try kdf.derive(passphrase: passphrase), how: "passphrase", actor: actor)
    }

    /// Initialises the vault with its master key kept by `wrapper` (a PKCS#11 token): a random
    /// data-encryption key sealed by it, no shares. The vault is left unsealed.
    ///
    /// - Throws: ``VaultError/alreadyInitialized``, or the wrapper's error.
    public func initialize(wrapper: any DataKeyWrapper, by actor: String) async throws {
        guard try await store.vaultHeader() == nil else { throw VaultError.alreadyInitialized }
        let dataKeyBytes = SecretBytes(randomCount: 32)
        let sealed = try wrapper.wrap(dataKeyBytes, context: VaultHeader.dataKeyContext)
        try await store(
            VaultHeader(passphrase: nil, wrapper: wrapper.identity, sealedDataKey: sealed, shares: 0, threshold: 0, createdAt: clock.now()),
            dataKey: dataKeyBytes,
            by: actor,
            metadata: ["wrapper": .string(wrapper.identity), "shares": .number(0), "passphrase": .bool(false)]
        )
    }

    /// Stores the new vault's header, keeps its data-encryption key and records `vault.init`.
    private func store(_ header: VaultHeader, dataKey dataKeyBytes: SecretBytes, by actor: String, metadata: [String: JSONValue]) async throws {
        try await store.initializeVault(header: header.encoded())
        dataKey = try Sealer(key: dataKeyBytes)
        try await record(.default, "vault.init", actor: actor, resource: "vault", metadata: metadata)
    }

    /// Whether this vault was given a wrapper (a PKCS#11 token) to unseal through.
    public var hasWrapper: Bool { wrapper != nil }

    /// Keeps `wrapper` (the token the server was configured with), so that the vault can be
    /// unsealed through it again after a manual seal.
    public func keep(wrapper: any DataKeyWrapper) { self.wrapper = wrapper }

    /// Unseals through the wrapper the vault keeps (``keep(wrapper:)``).
    ///
    /// - Throws: ``VaultError/unsealFailed(_:)`` when there is none or it cannot open the key.
    public func unsealThroughWrapper(by actor: String) async throws {
        guard let wrapper else { throw VaultError.unsealFailed("data-encryption key (this server has no PKCS#11 token configured)") }
        try await unseal(wrapper: wrapper, by: actor)
    }

    /// Unseals through the wrapper the vault was initialised with.
    ///
    /// - Throws: ``VaultError/unsealFailed(_:)`` when the vault was not initialised with a
    ///   wrapper, or this wrapper cannot open its data-encryption key.
    public func unseal(wrapper: any DataKeyWrapper, by actor: String) async throws {
        let header = try await header()
        guard dataKey == nil else { return }
        guard let identity = header.wrapper else {
            throw VaultError.unsealFailed("this vault's master key is not in a token; use its passphrase, key file or shares")
        }
        let opened: SecretBytes
        do {
            opened = try wrapper.unwrap(Array(header.sealedDataKey), context: VaultHeader.dataKeyContext)
        } catch {
            try await record(.default, "vault.unseal", actor: actor, resource: "vault", success: false, metadata: ["method": .string("token")])
            throw VaultError.unsealFailed("data-encryption key (the vault needs \(identity); \(error))")
        }
        dataKey = try Sealer(key: opened)
        try await record(.default, "vault.unseal", actor: actor, resource: "vault", metadata: ["method": .string("token")])
    }

    /// Unseals with the master key itself (a key file).
    public func unseal(masterKey: SecretBytes, by actor: String) async throws {
        let header = try await header()
        guard dataKey == nil else { return }
        try await open(header, master: masterKey, how: "key_file", actor: actor)
    }

    /// Seals: the data-encryption key and every unsealed key leave memory.
    public func seal(by actor: String) async throws {
        dataKey = nil
        cache = [:]
        sharesGiven = []
        try await record(.default, "vault.seal", actor: actor, resource: "vault", metadata: [:])
    }

    private func header() async throws -> VaultHeader {
        guard let bytes = try await store.vaultHeader() else { throw VaultError.notInitialized }
        return try VaultHeader(decoding: bytes)
    }

    private func open(_ header: VaultHeader, master: SecretBytes, how: String, actor: String) async throws {
        do {
            let opened = try Sealer(key: master).open(Array(header.sealedDataKey), context: VaultHeader.dataKeyContext)
            dataKey = try Sealer(key: opened)
        } catch {
            try await record(.default, "vault.unseal", actor: actor, resource: "vault", success: false, metadata: ["method": .string(how)])
            throw how == "shares" ? VaultError.wrongShares : VaultError.unsealFailed("data-encryption key")
        }
        try await record(.default, "vault.unseal", actor: actor, resource: "vault", metadata: ["method": .string(how)])
    }

    // MARK: - Keys in the store

    static func cacheKey(_ tenant: TenantID, _ name: String) -> String { "\(tenant.rawValue)/\(name)" }

    /// The data-encryption key's sealer, or ``VaultError/sealed``.
    func unsealed() throws(VaultError) -> Sealer {
        guard let dataKey else { throw .sealed }
        return dataKey
    }

    /// The key as stored now (and cached).
    func fresh(_ tenant: TenantID, _ name: String) async throws -> (key: ManagedKey, revision: Int) {
        let sealer = try unsealed()
        guard let stored = try await store.key(named: name, of: tenant) else { throw VaultError.noSuchKey(name) }
        let key = try KeyDocument(decoding: stored).key(tenant: tenant, sealer: sealer)
        cache[Self.cacheKey(tenant, name)] = (key, stored.revision)
        return (key, stored.revision)
    }

    /// The key for an operation: cached once read (every change goes through this actor).
    func loaded(_ tenant: TenantID, _ name: String) async throws -> (key: ManagedKey, revision: Int) {
        _ = try unsealed()
        if let cached = cache[Self.cacheKey(tenant, name)] { return cached }
        return try await fresh(tenant, name)
    }

    /// Changes a key as stored now, saves it (a concurrent change is a conflict to retry) and
    /// records the change; a refused change is recorded too.
    func change(
        _ tenant: TenantID,
        _ name: String,
        _ action: String,
        actor: String,
        extra: [String: JSONValue] = [:],
        _ body: (inout ManagedKey, Timestamp) throws(VaultError) -> Void
    ) async throws -> KeyDescription {
        let sealer = try unsealed()
        var (key, revision) = try await fresh(tenant, name)
        try throttle(tenant, name, action, type: key.type, actor: actor)
        do {
            try body(&key, clock.now())
        } catch {
            try await recordKey(tenant, name, action, actor: actor, version: key.currentVersion, error: error, extra: extra)
            throw error
        }
        let saved = try await store.updateKey(KeyDocument(key, tenant: tenant, sealer: sealer).stored(tenant: tenant), expectedRevision: revision)
        revision = saved
        cache[Self.cacheKey(tenant, name)] = (key, revision)
        try await recordKey(
            tenant,
            name,
            action,
            actor: actor,
            version: key.currentVersion,
            extra: extra.merging(["state": .string(key.state.rawValue)]) { $1 }
        )
        return KeyDescription(key)
    }

    /// Runs an operation on a key and records it (allowed or refused) before returning.
    func use<Result: Sendable>(
        _ tenant: TenantID,
        _ name: String,
        _ operation: KeyOperation,
        actor: String,
        version: Int? = nil,
        _ body: (ManagedKey) throws(VaultError) -> Result
    ) async throws -> Result {
        let key = try await loaded(tenant, name).key
        let action = "crypto.\(operation.rawValue)"
        try throttle(tenant, name, action, type: key.type, actor: actor)
        let result: Result
        do {
            result = try body(key)
        } catch {
            try await recordKey(tenant, name, action, actor: actor, version: version ?? key.currentVersion, error: error)
            throw error
        }
        try await recordKey(tenant, name, action, actor: actor, version: version ?? key.currentVersion)
        return result
    }

    func recordKey(
        _ tenant: TenantID,
        _ name: String,
        _ action: String,
        actor: String,
        version: Int,
        error: VaultError? = nil,
        extra: [String: JSONValue] = [:]
    ) async throws {
        var metadata = extra
        metadata["key"] = .string(name)
        metadata["version"] = .number(Double(version))
        metadata["outcome"] = .string(error == nil ? "ok" : "refused")
        try await record(
            tenant,
            action,
            actor: actor,
            resource: "vault/key/\(name)",
            success: error == nil,
            error: error?.description,
            metadata: metadata
        )
    }

    // MARK: - Records

    func record(
        _ tenant: TenantID,
        _ action: String,
        actor: String,
        resource: String,
        success: Bool = true,
        error: String? = nil,
        metadata: [String: JSONValue]
    ) async throws {
        guard let records else { return }
        var generator = SystemRandomNumberGenerator()
        let now = clock.now()
        let event = AuditEvent.palisadeRecord(
            tenant: tenant,
            id: .version7(at: now, using: &generator),
            at: now,
            actor: actor,
            type: .palisadeVault,
            action: action,
            severity: success ? .info : .medium,
            resource: resource,
            success: success,
            errorMessage: error,
            metadata: metadata
        )
        try await records.appendRecords([event])
    }
}

public import Foundation
public import PalisadeCore

/// What the vault tells about a key: everything but its material.
public struct KeyDescription: Hashable, Sendable {
    /// One version.
    public struct Version: Hashable, Sendable {
        /// Its number.
        public let number: Int
        /// When it was made.
        public let createdAt: Timestamp
        /// Whether its material was destroyed.
        public let destroyed: Bool
    }

    /// The name.
    public let name: String
    /// The type.
    public let type: KeyType
    /// The lifecycle state.
    public let state: KeyState
    /// The policy.
    public let policy: KeyPolicy
    /// When it was made.
    public let createdAt: Timestamp
    /// The version new output is made with.
    public let currentVersion: Int
    /// The newest version.
    public let latestVersion: Int
    /// The lowest version that still decrypts and verifies.
    public let minDecryptionVersion: Int
    /// The lowest version that may be current.
    public let minEncryptionVersion: Int
    /// When a scheduled purge may run.
    public let purgeAfter: Timestamp?
    /// Every version.
    public let versions: [Version]

    init(_ key: ManagedKey) {
        name = key.name
        type = key.type
        state = key.state
        policy = key.policy
        createdAt = key.createdAt
        currentVersion = key.currentVersion
        latestVersion = key.latestVersion
        minDecryptionVersion = key.minDecryptionVersion
        minEncryptionVersion = key.minEncryptionVersion
        purgeAfter = key.purgeAfter
        versions = key.versions.map { Version(number: $0.number, createdAt: $0.createdAt, destroyed: $0.material == nil) }
    }
}

extension Vault {
    /// Whether `name` is a valid key name: 1–128 of `a-z 0-9 . _ -`, starting with a letter or digit.
    public static func isValidKeyName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 128, (97...122).contains(first) || (48...57).contains(first) else { return false }
        return bytes.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 46 || $0 == 95 || $0 == 45 }
    }

    // MARK: - Managing keys

    /// Creates a key with one version of fresh material.
    public func createKey(
        _ name: String,
        type: KeyType,
        policy: KeyPolicy = KeyPolicy(),
        tenant: TenantID,
        by actor: String
    ) async throws
        -> KeyDescription
    {
        guard Self.isValidKeyName(name) else { throw VaultError.badKeyName(name) }
        let sealer = try unsealed()
        try throttle(tenant, name, "key.create", type: type, actor: actor)
        let key = try ManagedKey(name: name, type: type, policy: policy, at: clock.now())
        do {
            try await store.insertKey(KeyDocument(key, tenant: tenant, sealer: sealer).stored(tenant: tenant))
        } catch let error as StoreError where error.code == .conflict {
            throw VaultError.keyExists(name)
        }
        cache[Self.cacheKey(tenant, name)] = (key, 1)
        try await recordKey(tenant, name, "key.create", actor: actor, version: 1, extra: ["type": .string(type.rawValue)])
        return KeyDescription(key)
    }

    /// A key's description.
    public func describeKey(_ name: String, tenant: TenantID) async throws -> KeyDescription {
        KeyDescription(try await fresh(tenant, name).key)
    }

    /// A page of the tenant's keys by name, optionally only those tagged `tag`.
    public func listKeys(tenant: TenantID, after: String? = nil, limit: Int = 100, tag: String? = nil) async throws -> [KeyDescription] {
        let sealer = try unsealed()
        var described = [KeyDescription]()
        for stored in try await store.keys(of: tenant, after: after, limit: limit) {
            let key = try KeyDocument(decoding: stored).key(tenant: tenant, sealer: sealer)
            if let tag, !key.policy.tags.contains(tag) { continue }
            described.append(KeyDescription(key))
        }
        return described
    }

    /// Adds a version and makes it current.
    public func rotateKey(_ name: String, tenant: TenantID, by actor: String) async throws -> KeyDescription {
        try await change(tenant, name, "key.rotate", actor: actor) { key, now throws(VaultError) in _ = try key.rotate(at: now) }
    }

    /// Makes `version` current again.
    public func rollbackKey(_ name: String, to version: Int, tenant: TenantID, by actor: String) async throws -> KeyDescription {
        try await change(tenant, name, "key.rollback", actor: actor, extra: ["to_version": .number(Double(version))]) { key, _ throws(VaultError) in
            try key.rollback(to: version)
        }
    }

    /// Sets the minimum versions for decryption and encryption.
    public func setMinimumVersions(
        _ name: String,
        decryption: Int,
        encryption: Int,
        tenant: TenantID,
        by actor: String
    ) async throws -> KeyDescription {
        try await change(
            tenant,
            name,
            "key.config",
            actor: actor,
            extra: ["min_decryption_version": .number(Double(decryption)), "min_encryption_version": .number(Double(encryption))]
        ) { key, _ throws(VaultError) in try key.setMinimumVersions(decryption: decryption, encryption: encryption) }
    }

    /// Applies a lifecycle transition (`destroy` crypto-shreds every version; its record attests
    /// the wipe).
    public func transition(
        _ name: String,
        _ transition: KeyState.Transition,
        tenant: TenantID,
        purgeGraceSeconds: Int64 = 86_400,
        by actor: String
    )
        async throws -> KeyDescription
    {
        try await change(tenant, name, "key.\(transition.rawValue)", actor: actor) { key, now throws(VaultError) in
            try key.apply(transition, at: now, purgeGraceSeconds: purgeGraceSeconds)
        }
    }

    // MARK: - Using keys

    /// Encrypts under the key's current version.
    public func encrypt(
        _ plaintext: [UInt8],
        associatedData: [UInt8] = [],
        key name: String,
        tenant: TenantID,
        by actor: String
    ) async throws
        -> VersionedValue
    {
        try await use(tenant, name, .encrypt, actor: actor) { key throws(VaultError) in
            try key.encrypt(plaintext, associatedData: associatedData, by: actor)
        }
    }

    /// Decrypts with the version the ciphertext names.
    public func decrypt(
        _ ciphertext: VersionedValue,
        associatedData: [UInt8] = [],
        key name: String,
        tenant: TenantID,
        by actor: String
    ) async throws
        -> [UInt8]
    {
        try await use(tenant, name, .decrypt, actor: actor, version: ciphertext.version) { key throws(VaultError) in
            try key.decrypt(ciphertext, associatedData: associatedData, by: actor)
        }
    }

    /// Moves a ciphertext to the current version without returning the plaintext.
    public func rewrap(
        _ ciphertext: VersionedValue,
        associatedData: [UInt8] = [],
        key name: String,
        tenant: TenantID,
        by actor: String
    ) async throws
        -> VersionedValue
    {
        try await use(tenant, name, .rewrap, actor: actor, version: ciphertext.version) { key throws(VaultError) in
            try key.rewrap(ciphertext, associatedData: associatedData, by: actor)
        }
    }

    /// Signs with the current version.
    public func sign(
        _ message: [UInt8],
        format: SignatureFormat = .standard,
        key name: String,
        tenant: TenantID,
        by actor: String
    ) async throws
        -> VersionedValue
    {
        try await use(tenant, name, .sign, actor: actor) { key throws(VaultError) in try key.sign(message, format: format, by: actor) }
    }

    /// Verifies a signature with the version it names.
    public func verify(
        _ signature: VersionedValue,
        for message: [UInt8],
        format: SignatureFormat = .standard,
        key name: String,
        tenant: TenantID,
        by actor: String
    ) async throws -> Bool {
        try await use(tenant, name, .verify, actor: actor, version: signature.version) { key throws(VaultError) in
            try key.verify(signature, for: message, format: format, by: actor)
        }
    }

    /// MACs with the current version.
    public func hmac(_ message: [UInt8], key name: String, tenant: TenantID, by actor: String) async throws -> VersionedValue {
        try await use(tenant, name, .hmac, actor: actor) { key throws(VaultError) in try key.hmac(message, by: actor) }
    }

    /// Checks a MAC with the version it names.
    public func verifyHMAC(_ mac: VersionedValue, for message: [UInt8], key name: String, tenant: TenantID, by actor: String) async throws -> Bool {
        try await use(tenant, name, .verifyHMAC, actor: actor, version: mac.version) { key throws(VaultError) in
            try key.verifyHMAC(mac, for: message, by: actor)
        }
    }

    /// Every verifying public key of the tenant: each signing key that is not destroyed, each
    /// version from its decryption minimum on, named `<key>/v<version>` (for a JWKS).
    public func verificationKeys(tenant: TenantID) async throws -> [(id: String, key: PublicKey)] {
        var found = [(id: String, key: PublicKey)]()
        var after: String?
        while true {
            let page = try await listKeys(tenant: tenant, after: after, limit: 500)
            for described in page where described.type.isAsymmetric && described.state != .destroyed {
                for version in described.versions where !version.destroyed && version.number >= described.minDecryptionVersion {
                    found.append(
                        ("\(described.name)/v\(version.number)", try await publicKey(described.name, version: version.number, tenant: tenant))
                    )
                }
            }
            guard page.count == 500 else { return found }
            after = page.last?.name
        }
    }

    /// The public key of a signing key's version (current by default).
    public func publicKey(_ name: String, version: Int? = nil, tenant: TenantID) async throws -> PublicKey {
        try await loaded(tenant, name).key.publicKey(version: version)
    }
}

extension Vault {
    /// A loaded key version's material (for tests that check where it must not appear).
    func loadedMaterial(_ name: String, version: Int, tenant: TenantID) -> [UInt8]? {
        cache[Self.cacheKey(tenant, name)]?.key.versions[version - 1].material?.secret.copiedBytes
    }
}

public import Foundation
public import PalisadeCore

/// A named key as the vault keeps it: its versions' material, which version is current, the
/// minimum versions for decryption and encryption, its lifecycle state and policy — and every
/// operation, checked against all of them. Pure: storage, sealing and audit are the caller's.
public struct ManagedKey: Sendable {
    /// One version.
    public struct Version: Sendable {
        /// 1, 2, …
        public let number: Int
        /// When it was made.
        public let createdAt: Timestamp
        /// Its material; nil once destroyed.
        public internal(set) var material: KeyMaterial?
    }

    /// The key's name (unique in its tenant).
    public let name: String
    /// Its type (the same for every version).
    public let type: KeyType
    /// When it was made.
    public let createdAt: Timestamp
    /// Where it is in its life.
    public private(set) var state: KeyState
    /// What it may be used for.
    public var policy: KeyPolicy
    /// Every version ever made, oldest first (destroyed ones without material).
    public private(set) var versions: [Version]
    /// The version new output is made with (the latest, unless rolled back).
    public private(set) var currentVersion: Int
    /// Values made by older versions no longer decrypt or verify.
    public private(set) var minDecryptionVersion: Int = 1
    /// The current version may not be set (rolled back) below this.
    public private(set) var minEncryptionVersion: Int = 1
    /// When a scheduled purge may run.
    public private(set) var purgeAfter: Timestamp?

    /// A new key with one version.
    ///
    /// - Parameters:
    ///   - material: the first version's material (generated when nil).
    ///   - staged: start staged (activated later) rather than active.
    public init(
        name: String,
        type: KeyType,
        policy: KeyPolicy = KeyPolicy(),
        material: KeyMaterial? = nil,
        staged: Bool = false,
        at now: Timestamp
    )
        throws(VaultError)
    {
        let first = material ?? KeyMaterial.generate(type)
        guard first.type == type else { throw .badKeyMaterial(type, "the material is \(first.type.rawValue)") }
        self.name = name
        self.type = type
        self.policy = policy
        self.createdAt = now
        self.state = staged ? .staged : .active
        self.versions = [Version(number: 1, createdAt: now, material: first)]
        self.currentVersion = 1
    }

    /// Restores a stored key (the store's adapter).
    public init(
        name: String,
        type: KeyType,
        createdAt: Timestamp,
        state: KeyState,
        policy: KeyPolicy,
        versions: [Version],
        currentVersion: Int,
        minDecryptionVersion: Int,
        minEncryptionVersion: Int,
        purgeAfter: Timestamp?
    ) {
        self.name = name
        self.type = type
        self.createdAt = createdAt
        self.state = state
        self.policy = policy
        self.versions = versions
        self.currentVersion = currentVersion
        self.minDecryptionVersion = minDecryptionVersion
        self.minEncryptionVersion = minEncryptionVersion
        self.purgeAfter = purgeAfter
    }

    /// The newest version's number.
    public var latestVersion: Int { versions.count }

    // MARK: - Versions

    /// Adds a version (generated unless given) and makes it current.
    ///
    /// - Returns: its number.
    @discardableResult
    public mutating func rotate(material: KeyMaterial? = nil, at now: Timestamp) throws(VaultError) -> Int {
        guard state == .active || state == .disabled else { throw .keyState(key: name, state, "only active or disabled keys rotate") }
        let next = material ?? KeyMaterial.generate(type)
        guard next.type == type else { throw .badKeyMaterial(type, "the material is \(next.type.rawValue)") }
        versions.append(Version(number: versions.count + 1, createdAt: now, material: next))
        currentVersion = versions.count
        return currentVersion
    }

    /// Makes an earlier (or the latest) version current again (FerroHSM's rollback).
    public mutating func rollback(to version: Int) throws(VaultError) {
        guard state == .active || state == .disabled else { throw .keyState(key: name, state, "only active or disabled keys roll back") }
        _ = try material(of: version)
        guard version >= minEncryptionVersion else { throw .versionTooOld(key: name, version: version, minimum: minEncryptionVersion) }
        currentVersion = version
    }

    /// Sets the minimum versions (Vault transit's `min_decryption_version` and
    /// `min_encryption_version`): 1 ≤ decryption ≤ latest, decryption ≤ encryption ≤ latest, and
    /// the current version moves up to the encryption minimum if it was below.
    public mutating func setMinimumVersions(decryption: Int, encryption: Int) throws(VaultError) {
        guard (1...latestVersion).contains(decryption) else { throw .noSuchVersion(key: name, decryption) }
        guard (decryption...latestVersion).contains(encryption) else {
            throw .versionTooOld(key: name, version: encryption, minimum: decryption)
        }
        _ = try material(of: encryption)
        minDecryptionVersion = decryption
        minEncryptionVersion = encryption
        if currentVersion < encryption { currentVersion = latestVersion }
    }

    /// Wipes the material of every version below the decryption minimum (crypto-shredding what can
    /// no longer be used): retention, after its approval.
    ///
    /// - Returns: the versions wiped now.
    public mutating func destroyVersions(below version: Int) throws(VaultError) -> [Int] {
        guard version <= minDecryptionVersion else {
            throw .versionTooOld(key: name, version: minDecryptionVersion, minimum: version)
        }
        var wiped = [Int]()
        for index in versions.indices where versions[index].number < version && versions[index].material != nil {
            versions[index].material = nil
            wiped.append(versions[index].number)
        }
        return wiped
    }

    /// The first version a retention of `days` keeps: the versions made more than `days` days
    /// before `now` and still holding material are due for destruction — never the current
    /// version or any after it. nil when none is due.
    public func retentionCutoff(days: Int, at now: Timestamp) -> Int? {
        let limit = now.adding(microseconds: -Int64(days) * 86_400_000_000)
        let due = versions.filter { $0.number < currentVersion && $0.material != nil && $0.createdAt < limit }.map(\.number)
        return due.max().map { $0 + 1 }
    }

    // MARK: - Lifecycle

    /// Applies a lifecycle transition; `destroy` wipes every version's material, `schedulePurge`
    /// sets when it may run.
    public mutating func apply(_ transition: KeyState.Transition, at now: Timestamp, purgeGraceSeconds: Int64 = 86_400) throws(VaultError) {
        guard let next = state.applying(transition) else {
            throw .keyState(key: name, state, "cannot \(transition.rawValue) from here")
        }
        switch transition {
        case .schedulePurge: purgeAfter = now.adding(microseconds: purgeGraceSeconds * 1_000_000)
        case .cancelPurge: purgeAfter = nil
        case .destroy:
            guard let purgeAfter, now >= purgeAfter else {
                throw .keyState(key: name, state, "its purge grace period runs until \(purgeAfter?.rfc3339 ?? "it is scheduled")")
            }
            for index in versions.indices { versions[index].material = nil }
        default: break
        }
        state = next
    }

    // MARK: - Operations

    /// Checks that `actor` may run `operation` now: the type can, the state and the policy allow.
    public func permit(_ operation: KeyOperation, by actor: String) throws(VaultError) {
        guard type.operations.contains(operation) else { throw .unsupportedOperation(type, operation) }
        guard state.allows(operation) else { throw .keyState(key: name, state, "\(operation.rawValue) is not allowed") }
        guard policy.allows(operation, by: actor) else { throw .operationNotAllowed(key: name, operation) }
    }

    /// Encrypts with the current version.
    public func encrypt(_ plaintext: some DataProtocol, associatedData: [UInt8] = [], by actor: String) throws(VaultError) -> VersionedValue {
        try permit(.encrypt, by: actor)
        return VersionedValue(version: currentVersion, bytes: try material(of: currentVersion).encrypt(plaintext, associatedData: associatedData))
    }

    /// Decrypts with the version the value names.
    public func decrypt(_ value: VersionedValue, associatedData: [UInt8] = [], by actor: String) throws(VaultError) -> [UInt8] {
        try permit(.decrypt, by: actor)
        return try readable(value.version).decrypt(value.bytes, associatedData: associatedData, key: name)
    }

    /// Decrypts and encrypts again under the current version; the plaintext never leaves.
    public func rewrap(_ value: VersionedValue, associatedData: [UInt8] = [], by actor: String) throws(VaultError) -> VersionedValue {
        try permit(.rewrap, by: actor)
        var plaintext = try readable(value.version).decrypt(value.bytes, associatedData: associatedData, key: name)
        defer { for index in plaintext.indices { plaintext[index] = 0 } }
        return VersionedValue(version: currentVersion, bytes: try material(of: currentVersion).encrypt(plaintext, associatedData: associatedData))
    }

    /// Signs with the current version.
    public func sign(_ message: some DataProtocol, format: SignatureFormat = .standard, by actor: String) throws(VaultError) -> VersionedValue {
        try permit(.sign, by: actor)
        return VersionedValue(version: currentVersion, bytes: try material(of: currentVersion).sign(message, format: format))
    }

    /// Whether the signature is valid (made by the version it names, not below the minimum).
    public func verify(
        _ signature: VersionedValue,
        for message: some DataProtocol,
        format: SignatureFormat = .standard,
        by actor: String
    )
        throws(VaultError) -> Bool
    {
        try permit(.verify, by: actor)
        return try readable(signature.version).verify(signature.bytes, for: message, format: format)
    }

    /// MACs with the current version.
    public func hmac(_ message: some DataProtocol, by actor: String) throws(VaultError) -> VersionedValue {
        try permit(.hmac, by: actor)
        return VersionedValue(version: currentVersion, bytes: try material(of: currentVersion).hmac(message))
    }

    /// Whether the MAC is valid (constant-time comparison).
    public func verifyHMAC(_ mac: VersionedValue, for message: some DataProtocol, by actor: String) throws(VaultError) -> Bool {
        try permit(.verifyHMAC, by: actor)
        return try readable(mac.version).verifyHMAC(mac.bytes, for: message)
    }

    /// The public key of `version` (the current one by default), for export.
    public func publicKey(version: Int? = nil) throws(VaultError) -> PublicKey {
        guard state != .destroyed else { throw .keyState(key: name, state, "its material is gone") }
        return try material(of: version ?? currentVersion).publicKey()
    }

    /// A version's material, if it still exists.
    func material(of version: Int) throws(VaultError) -> KeyMaterial {
        guard version >= 1, version <= versions.count, let material = versions[version - 1].material else {
            throw .noSuchVersion(key: name, version)
        }
        return material
    }

    /// A version's material for opening or verifying old output: at or above the decryption minimum.
    private func readable(_ version: Int) throws(VaultError) -> KeyMaterial {
        guard version >= minDecryptionVersion else { throw .versionTooOld(key: name, version: version, minimum: minDecryptionVersion) }
        return try material(of: version)
    }
}

import PalisadeCore

extension Vault {
    /// Whether the store holds `key` (readable while sealed: only the material is sealed).
    public func hasSystemKey(_ key: SystemKey) async throws -> Bool {
        try await store.key(named: key.rawValue, of: .palisade) != nil
    }

    /// The current version's material of one of Palisade's own keys, or nil when the vault does
    /// not hold it yet.
    ///
    /// - Throws: ``VaultError/sealed`` while sealed.
    public func systemKey(_ key: SystemKey) async throws -> KeyMaterial? {
        let sealer = try unsealed()
        guard let stored = try await store.key(named: key.rawValue, of: .palisade) else { return nil }
        let managed = try KeyDocument(decoding: stored).key(tenant: .palisade, sealer: sealer)
        guard managed.type == key.type else {
            throw VaultError.corrupt("the vault's \(key.rawValue) key is \(managed.type.rawValue), not \(key.type.rawValue)")
        }
        return try managed.material(of: managed.currentVersion)
    }

    /// Stores one of Palisade's own keys with `material` as its first version and records it
    /// (`vault.system_key.import` when it came from elsewhere — a file of the data directory —
    /// `vault.system_key.create` when it was made for the vault) in the default tenant's log.
    ///
    /// - Throws: ``VaultError/keyExists(_:)`` when the vault holds it already (nothing changes).
    public func storeSystemKey(_ key: SystemKey, material: KeyMaterial, imported: Bool, by actor: String) async throws {
        let sealer = try unsealed()
        let managed = try ManagedKey(name: key.rawValue, type: key.type, policy: KeyPolicy(operations: []), material: material, at: clock.now())
        do {
            try await store.insertKey(KeyDocument(managed, tenant: .palisade, sealer: sealer).stored(tenant: .palisade))
        } catch let error as StoreError where error.code == .conflict {
            throw VaultError.keyExists(key.rawValue)
        }
        try await record(
            .default,
            imported ? "vault.system_key.import" : "vault.system_key.create",
            actor: actor,
            resource: "vault/system/\(key.rawValue)",
            metadata: ["key": .string(key.rawValue), "type": .string(key.type.rawValue), "version": .number(1)]
        )
    }
}

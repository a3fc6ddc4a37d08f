import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeHoneypot
import PalisadeIngest
import PalisadeLedger
import PalisadeSSH
import PalisadeVault
import _CryptoExtras

/// Where Palisade's own secrets come from — the checkpoint key, the key API tokens are hashed
/// under, the key alert receivers' secrets are sealed under, the honeypot's host keys and secret.
///
/// Before the vault is initialised they are owner-only files of the data directory. Once it is,
/// and a command is given the vault's key file or passphrase file (``VaultUnlock``), they are
/// keys of the vault's reserved tenant: a secret still in a file is moved in (stored, recorded as
/// `vault.system_key.import`, then the file is overwritten and deleted), a missing one is made in
/// the vault. A secret the vault holds is never read from anywhere else: without the unlock the
/// command stops and says what to give.
struct PalisadeSecrets {
    enum Source {
        /// Files of the data directory.
        case files
        /// The unsealed vault (which also keeps them from now on).
        case vault(Vault)
    }

    let directory: DataDirectory
    let store: any LedgerStore
    let source: Source
    /// The vault's records until the ledger's writer exists.
    let records: PendingRecords
    /// Who the vault's records name.
    let actor: String

    /// Decides where the secrets come from: the vault when it is initialised and `unlock` opens
    /// it, the data directory's files otherwise.
    ///
    /// - Parameters:
    ///   - vault: the vault over `store`, recording to `records` (sealed).
    static func open(
        directory: DataDirectory,
        store: any LedgerStore,
        vault: Vault,
        records: PendingRecords,
        unlock: VaultUnlock?,
        actor: String
    ) async throws -> PalisadeSecrets {
        guard let unlock else { return PalisadeSecrets(directory: directory, store: store, source: .files, records: records, actor: actor) }
        if try await store.vaultHeader() == nil {
            guard unlock.initialisesVault else {
                printError("palisade: warning: the vault is not initialised yet; its key or passphrase file is not used")
                return PalisadeSecrets(directory: directory, store: store, source: .files, records: records, actor: actor)
            }
            try await unlock.initialize(vault, by: actor)
        } else {
            try await unlock.unseal(vault, by: actor)
        }
        return PalisadeSecrets(directory: directory, store: store, source: .vault(vault), records: records, actor: actor)
    }

    /// A plain vault over `store` (no approvals or rate limits: commands only read system keys).
    static func open(directory: DataDirectory, store: any LedgerStore, unlock: VaultUnlock?, actor: String) async throws -> PalisadeSecrets {
        let records = PendingRecords()
        let vault = Vault(store: store, records: records, clock: SystemWallClock())
        return try await open(directory: directory, store: store, vault: vault, records: records, unlock: unlock, actor: actor)
    }

    /// Whether the secrets come from the vault.
    var fromVault: Bool {
        if case .vault = source { return true }
        return false
    }

    // MARK: - The secrets

    /// The checkpoint key (made on first use), with `checkpoint.pub` written beside the data.
    func signer() async throws -> NoteSigner {
        guard case .vault(let vault) = source else {
            try await refuseIfInVault(.checkpoint)
            return try directory.signer()
        }
        let fileSigner = try directory.existingSigner()
        if let fileSigner, fileSigner.name != DataDirectory.defaultKeyName {
            throw CLIError(
                "\(directory.keyPath) names its key \(fileSigner.name), not \(DataDirectory.defaultKeyName); it cannot move into the vault"
            )
        }
        let material = try await material(
            .checkpoint,
            vault,
            files: [DataDirectory.keyFileName],
            existing: try fileSigner.map { try KeyMaterial(type: .ed25519, secret: SecretBytes($0.privateKeyBytes)) },
            fresh: { try KeyMaterial(type: .ed25519, secret: SecretBytes(try DataDirectory.newCheckpointSigner().privateKeyBytes)) }
        )
        let signer = try material.secret.withBytes {
            try NoteSigner(name: DataDirectory.defaultKeyName, privateKey: Curve25519.Signing.PrivateKey(rawRepresentation: $0))
        }
        try directory.writeVerifierKey(signer.verifier)
        return signer
    }

    /// The checkpoint verifier, from `checkpoint.pub` when there is one (no unsealing needed).
    func verifier() async throws -> NoteVerifier {
        if let verifier = try directory.existingVerifier() { return verifier }
        if case .files = source, try await !isInVault(.checkpoint) {
            throw CLIError("there is no checkpoint key in \(directory.path) yet; append an event first")
        }
        return try await signer().verifier
    }

    /// The key API tokens are hashed under.
    func tokenKey() async throws -> SymmetricKey {
        guard case .vault(let vault) = source else {
            try await refuseIfInVault(.apiTokens)
            return try directory.tokenKey()
        }
        return try await symmetric(.apiTokens, vault, file: DataDirectory.tokenKeyFileName)
    }

    /// The key alert receivers' secrets are sealed under.
    func alertingKey() async throws -> SymmetricKey {
        guard case .vault(let vault) = source else {
            try await refuseIfInVault(.alerting)
            return try directory.alertingKey()
        }
        return try await symmetric(.alerting, vault, file: DataDirectory.alertingKeyFileName)
    }

    /// The honeypot's secret for password hashes and correlation ids.
    func honeypotSecret() async throws -> SensorSecret {
        guard case .vault(let vault) = source else {
            try await refuseIfInVault(.honeypotSecret)
            return try directory.honeypotSecret()
        }
        return SensorSecret(try await symmetric(.honeypotSecret, vault, file: DataDirectory.honeypotSecretFileName).withUnsafeBytes { Array($0) })
    }

    /// The honeypot's host keys (Ed25519, ECDSA P-256, RSA 3072).
    func honeypotHostKeys() async throws -> [HostKey] {
        guard case .vault(let vault) = source else {
            for key in [SystemKey.honeypotEd25519, .honeypotECDSA, .honeypotRSA] { try await refuseIfInVault(key) }
            return try directory.honeypotHostKeys()
        }
        let advice = "delete it to make a new host key"
        let ed25519 = try await material(
            .honeypotEd25519,
            vault,
            files: [DataDirectory.honeypotEd25519FileName],
            existing: try directory.existingKeyFile(DataDirectory.honeypotEd25519FileName, ifUnreadable: advice).map {
                try KeyMaterial(type: .ed25519, secret: $0)
            },
            fresh: { KeyMaterial.generate(.ed25519) }
        )
        let ecdsa = try await material(
            .honeypotECDSA,
            vault,
            files: [DataDirectory.honeypotECDSAFileName],
            existing: try directory.existingKeyFile(DataDirectory.honeypotECDSAFileName, ifUnreadable: advice).map {
                try KeyMaterial(type: .ecdsaP256, secret: $0)
            },
            fresh: { KeyMaterial.generate(.ecdsaP256) }
        )
        let rsa = try await material(
            .honeypotRSA,
            vault,
            files: [DataDirectory.honeypotRSAFileName],
            existing: try directory.existingRSAHostKey().map { try KeyMaterial(type: .rsa3072, secret: SecretBytes($0.derRepresentation)) },
            fresh: { KeyMaterial.generate(.rsa3072) }
        )
        return [
            HostKey(ed25519: try ed25519.secret.withBytes { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }),
            HostKey(.ecdsaP256(try ecdsa.secret.withBytes { try P256.Signing.PrivateKey(rawRepresentation: $0) })),
            HostKey(.rsa(try rsa.secret.withBytes { try _RSA.Signing.PrivateKey(derRepresentation: $0) })),
        ]
    }

    // MARK: - The ledger

    /// A ledger writer with the checkpoint key, which also takes the vault's held records.
    func sequencer(clock: any WallClock = SystemWallClock(), logger: Logger) async throws -> LogSequencer {
        let sequencer = LogSequencer(backend: store, signer: try await signer(), clock: clock, logger: logger)
        try await records.connect(sequencer)
        return sequencer
    }

    /// Appends any vault records still held (a command that read a secret but wrote nothing
    /// else), so that no move into the vault goes unrecorded.
    func finish(logger: Logger) async throws {
        guard await records.isHoldingRecords else { return }
        _ = try await sequencer(logger: logger)
    }

    // MARK: - Helpers

    private func isInVault(_ key: SystemKey) async throws -> Bool {
        try await store.key(named: key.rawValue, of: .palisade) != nil
    }

    /// Stops a command that would use a file while the vault holds the secret.
    private func refuseIfInVault(_ key: SystemKey) async throws {
        guard try await isInVault(key) else { return }
        throw CLIError("Palisade's \(key.rawValue) key is kept in the vault, which is sealed: \(VaultUnlock.advice)")
    }

    private func symmetric(_ key: SystemKey, _ vault: Vault, file: String) async throws -> SymmetricKey {
        let material = try await material(
            key,
            vault,
            files: [file],
            existing: try directory.existingKeyFile(file, ifUnreadable: "restore it from a backup").map {
                try KeyMaterial(type: key.type, secret: $0)
            },
            fresh: { KeyMaterial.generate(key.type) }
        )
        return material.secret.withBytes { SymmetricKey(data: $0) }
    }

    /// The vault's material for `key`; a file still holding it is moved in (or, when the vault
    /// has the same key already — a move interrupted before the file went — just removed).
    private func material(
        _ key: SystemKey,
        _ vault: Vault,
        files: [String],
        existing: KeyMaterial?,
        fresh: () throws -> KeyMaterial
    ) async throws -> KeyMaterial {
        if let stored = try await vault.systemKey(key) {
            if let existing {
                guard existing.secret.constantTimeEquals(stored.secret) else {
                    throw CLIError(
                        "\(directory.filePath(files[0])) holds another \(key.rawValue) key than the vault (a restored backup?); the vault's is the one in use: move the file away"
                    )
                }
                for file in files { try directory.shredSecretFile(file) }
            }
            return stored
        }
        let material = try existing ?? fresh()
        try await vault.storeSystemKey(key, material: material, imported: existing != nil, by: actor)
        if existing != nil {
            for file in files { try directory.shredSecretFile(file) }
            printError("palisade: moved \(directory.filePath(files[0])) into the vault")
        }
        return material
    }
}

import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite
import PalisadeVault

/// The vault's operations per second in-process, beside the raw swift-crypto primitive in the same
/// run: the cost of policy, versions and sealing (no audit), then of the audit record durably in a
/// SQLite ledger through group commit (64 callers at once, as a server has them).
enum VaultBench {
    struct Operation {
        let name: String
        let count: Int
        let keyType: KeyType
        let raw: @Sendable () -> Void
        let vault: @Sendable (Vault, String) async throws -> Void
    }

    static func run(root: URL, emit: (String) -> Void) async throws {
        let message = Array(repeating: UInt8(0x5A), count: 1_024)
        let edKey = Curve25519.Signing.PrivateKey()
        let pKey = P256.Signing.PrivateKey()
        let pSignature = try pKey.signature(for: message)
        let aesKey = SymmetricKey(size: .bits256)
        let macKey = SymmetricKey(size: .bits256)
        let tenant = TenantID.default
        let operations = [
            Operation(
                name: "Ed25519 sign (1 KiB)",
                count: 20_000,
                keyType: .ed25519,
                raw: { must { _ = try edKey.signature(for: message) } },
                vault: { vault, key in _ = try await vault.sign(message, key: key, tenant: tenant, by: "bench") }
            ),
            Operation(
                name: "ECDSA P-256 sign (1 KiB)",
                count: 10_000,
                keyType: .ecdsaP256,
                raw: { must { _ = try pKey.signature(for: message) } },
                vault: { vault, key in _ = try await vault.sign(message, key: key, tenant: tenant, by: "bench") }
            ),
            Operation(
                name: "ECDSA P-256 verify (1 KiB)",
                count: 10_000,
                keyType: .ecdsaP256,
                raw: { _ = pKey.publicKey.isValidSignature(pSignature, for: message) },
                vault: { vault, key in
                    let signature = try await vault.sign(message, key: key, tenant: tenant, by: "bench")
                    _ = try await vault.verify(signature, for: message, key: key, tenant: tenant, by: "bench")
                }
            ),
            Operation(
                name: "AES-256-GCM encrypt (1 KiB)",
                count: 50_000,
                keyType: .aes256GCM,
                raw: { must { _ = try AES.GCM.seal(message, using: aesKey) } },
                vault: { vault, key in _ = try await vault.encrypt(message, key: key, tenant: tenant, by: "bench") }
            ),
            Operation(
                name: "HMAC-SHA-256 (1 KiB)",
                count: 50_000,
                keyType: .hmacSHA256,
                raw: { _ = HMAC<SHA256>.authenticationCode(for: message, using: macKey) },
                vault: { vault, key in _ = try await vault.hmac(message, key: key, tenant: tenant, by: "bench") }
            ),
        ]

        // The audited vault: records through group commit into a SQLite ledger.
        let store = try SQLiteStore(path: root.appendingPathComponent("vault.db").path)
        let sequencer = LogSequencer(backend: store, signer: signer, clock: wall, logger: logger)
        let committer = GroupCommitter(sequencer: sequencer, logger: logger)
        let plain = Vault(store: MemoryKeyStoreForBench(), records: nil, clock: wall)
        let audited = Vault(store: store, records: committer, clock: wall)
        emit("\n| vault operation | raw swift-crypto, 1 caller | vault, no audit, 1 caller | vault + durable audit record, 64 callers |")
        emit("|---|---|---|---|")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await committer.run() }
            while !committer.isAcceptingAppends { await Task.yield() }
            _ = try await plain.initialize(shares: 2, threshold: 2, passphrase: nil, by: "bench")
            _ = try await audited.initialize(shares: 2, threshold: 2, passphrase: nil, by: "bench")
            for (index, operation) in operations.enumerated() {
                let key = "bench-\(index)"
                _ = try await plain.createKey(key, type: operation.keyType, tenant: tenant, by: "bench")
                _ = try await audited.createKey(key, type: operation.keyType, tenant: tenant, by: "bench")
                // Verify rows do a sign too; their vault figures count both, and say so.
                var start = clock.now
                for _ in 0..<operation.count { operation.raw() }
                let raw = clock.now - start
                start = clock.now
                for _ in 0..<operation.count { try await operation.vault(plain, key) }
                let inProcess = clock.now - start
                let auditedCount = operation.count / 4
                start = clock.now
                try await withThrowingTaskGroup(of: Void.self) { callers in
                    for caller in 0..<64 {
                        callers.addTask {
                            for _ in stride(from: caller, to: auditedCount, by: 64) { try await operation.vault(audited, key) }
                        }
                    }
                    try await callers.waitForAll()
                }
                let withAudit = clock.now - start
                let suffix = operation.name.contains("verify") ? " (sign + verify)" : ""
                emit(
                    "| \(operation.name) | \(rate(operation.count, raw))/s | \(rate(operation.count, inProcess))/s\(suffix) | \(rate(auditedCount, withAudit))/s\(suffix) |"
                )
            }
            group.cancelAll()
        }
    }
}

/// Runs a primitive that cannot fail with valid keys (a benchmark stops if it does).
func must(_ body: () throws -> Void) {
    do {
        try body()
    } catch {
        fatalError("a primitive failed: \(error)")
    }
}

/// The vault's documents in memory, for the no-audit figures (the store is read once per key).
actor MemoryKeyStoreForBench: KeyStore {
    private var header: [UInt8]?
    private var documents: [String: StoredDocument] = [:]
    func vaultHeader() -> [UInt8]? { header }
    func initializeVault(header: [UInt8]) { self.header = header }
    func key(named name: String, of tenant: TenantID) -> StoredDocument? { documents[name] }
    func keys(of tenant: TenantID, after: String?, limit: Int) -> [StoredDocument] { Array(documents.values) }
    func insertKey(_ document: StoredDocument) { documents[document.id] = document }
    func updateKey(_ document: StoredDocument, expectedRevision: Int) -> Int {
        documents[document.id] = document
        return expectedRevision + 1
    }
    func approval(id: UUID, of tenant: TenantID) -> StoredDocument? { nil }
    func approvals(of tenant: TenantID, status: String?, before: String?, limit: Int) -> [StoredDocument] { [] }
    func insertApproval(_ document: StoredDocument) {}
    func updateApproval(_ document: StoredDocument, expectedRevision: Int) -> Int { expectedRevision + 1 }
}

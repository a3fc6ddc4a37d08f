import Foundation
import PalisadeCore
import PalisadeTesting
import Synchronization
import Testing

@testable import PalisadeVault

/// The vault as a service: initialised, sealed and unsealed by shares, passphrase or key file;
/// keys that survive a restart; tenants that never see each other's keys; and a record of every
/// operation that never carries material or plaintext.
struct VaultTests {
    final class Records: RecordSink {
        let events = Mutex<[AuditEvent]>([])
        func appendRecords(_ records: [AuditEvent]) async throws { events.withLock { $0 += records } }
        var actions: [String] { events.withLock { $0.map(\.action) } }
    }

    static let clock = ManualWallClock(start: Timestamp(rfc3339: "2026-11-01T00:00:00Z")!)
    static let acme = TenantID("acme")!
    static let globex = TenantID("globex")!

    @Test func sharesUnsealAndARestartKeepsEverything() async throws {
        let store = MemoryKeyStore()
        let records = Records()
        let vault = Vault(store: store, records: records, clock: Self.clock)
        #expect(try await vault.status() == .uninitialized)
        await #expect(throws: VaultError.notInitialized) { try await vault.unseal(passphrase: "x", by: "ops") }
        let initialization = try await vault.initialize(shares: 5, threshold: 3, passphrase: nil, by: "ops")
        #expect(initialization.shares.count == 5 && initialization.masterKey?.count == 32)
        await #expect(throws: VaultError.alreadyInitialized) { try await vault.initialize(shares: 5, threshold: 3, passphrase: nil, by: "ops") }
        _ = try await vault.createKey("payments", type: .aes256GCM, tenant: Self.acme, by: "ops")
        let sealed = try await vault.encrypt(Array("4111".utf8), key: "payments", tenant: Self.acme, by: "app")

        // A restart: a new vault over the same store starts sealed.
        let restarted = Vault(store: store, records: records, clock: Self.clock)
        #expect(try await restarted.status() == .sealed(threshold: 3, shares: 5, progress: 0, passphrase: false))
        await #expect(throws: VaultError.sealed) { try await restarted.decrypt(sealed, key: "payments", tenant: Self.acme, by: "app") }
        #expect(
            try await restarted.unseal(share: initialization.shares[4], by: "a") == .sealed(threshold: 3, shares: 5, progress: 1, passphrase: false)
        )
        #expect(
            try await restarted.unseal(share: initialization.shares[4], by: "a") == .sealed(threshold: 3, shares: 5, progress: 1, passphrase: false),
            "the same share twice counts once"
        )
        _ = try await restarted.unseal(share: initialization.shares[1], by: "b")
        #expect(try await restarted.unseal(share: initialization.shares[2], by: "c") == .unsealed)
        #expect(try await restarted.decrypt(sealed, key: "payments", tenant: Self.acme, by: "app") == Array("4111".utf8))

        // Sealing again drops the keys from memory.
        try await restarted.seal(by: "ops")
        await #expect(throws: VaultError.sealed) { try await restarted.encrypt([1], key: "payments", tenant: Self.acme, by: "app") }
        try await restarted.unseal(masterKey: try #require(initialization.masterKey), by: "ops")
        #expect(try await restarted.status() == .unsealed)
        #expect(records.actions.filter { $0 == "vault.unseal" }.count == 2)
    }

    @Test func sharesOfAnotherVaultAreRefusedAndTheProgressStartsOver() async throws {
        let other = try await Vault(store: MemoryKeyStore(), records: nil, clock: Self.clock).initialize(
            shares: 3,
            threshold: 2,
            passphrase: nil,
            by: "x"
        )
        let store = MemoryKeyStore()
        let mine = try await Vault(store: store, records: nil, clock: Self.clock).initialize(shares: 3, threshold: 2, passphrase: nil, by: "x")
        let vault = Vault(store: store, records: nil, clock: Self.clock)
        _ = try await vault.unseal(share: other.shares[0], by: "a")
        await #expect(throws: VaultError.wrongShares) { try await vault.unseal(share: other.shares[1], by: "b") }
        #expect(try await vault.status() == .sealed(threshold: 2, shares: 3, progress: 0, passphrase: false))
        _ = try await vault.unseal(share: mine.shares[2], by: "a")
        #expect(try await vault.unseal(share: mine.shares[0], by: "b") == .unsealed)
    }

    @Test func aPassphraseUnsealsAndAWrongOneDoesNot() async throws {
        let store = MemoryKeyStore()
        let kdf = PassphraseKDF(logN: 10, blockSize: 8, parallelism: 1, salt: Array(repeating: 7, count: 16))
        let initialization = try await Vault(store: store, records: nil, clock: Self.clock)
            .initialize(shares: 3, threshold: 2, passphrase: "correct horse", kdf: kdf, by: "ops")
        #expect(initialization.masterKey == nil, "the passphrase is the key file")
        let vault = Vault(store: store, records: nil, clock: Self.clock)
        await #expect(throws: VaultError.unsealFailed("data-encryption key")) { try await vault.unseal(passphrase: "wrong horse", by: "ops") }
        try await vault.unseal(passphrase: "correct horse", by: "ops")
        #expect(try await vault.status() == .unsealed)
        // The shares are of the passphrase-derived master key.
        let again = Vault(store: store, records: nil, clock: Self.clock)
        _ = try await again.unseal(share: initialization.shares[0], by: "a")
        #expect(try await again.unseal(share: initialization.shares[1], by: "b") == .unsealed)
    }

    @Test func everyOperationIsRecordedWithoutMaterialOrPlaintext() async throws {
        let store = MemoryKeyStore()
        let records = Records()
        let vault = Vault(store: store, records: records, clock: Self.clock)
        _ = try await vault.initialize(shares: 2, threshold: 2, passphrase: nil, by: "ops")
        _ = try await vault.createKey(
            "signing",
            type: .ed25519,
            policy: KeyPolicy(operations: [.sign, .verify], actors: ["ci"]),
            tenant: Self.acme,
            by: "ops"
        )
        _ = try await vault.createKey("pii", type: .chacha20Poly1305, tenant: Self.acme, by: "ops")
        let secretText = "SSN 078-05-1120"
        let ciphertext = try await vault.encrypt(Array(secretText.utf8), key: "pii", tenant: Self.acme, by: "app")
        let signature = try await vault.sign(Array("release 1.0".utf8), key: "signing", tenant: Self.acme, by: "ci")
        await #expect(throws: VaultError.operationNotAllowed(key: "signing", .sign)) {
            try await vault.sign([1], key: "signing", tenant: Self.acme, by: "intruder")
        }
        let rotated = try await vault.rotateKey("pii", tenant: Self.acme, by: "ops")
        #expect(rotated.currentVersion == 2)
        let rewrapped = try await vault.rewrap(ciphertext, key: "pii", tenant: Self.acme, by: "app")
        #expect(rewrapped.version == 2)
        #expect(try await vault.verify(signature, for: Array("release 1.0".utf8), key: "signing", tenant: Self.acme, by: "ci"))

        let events = records.events.withLock { $0 }
        #expect(
            events.map(\.action) == [
                "vault.init", "key.create", "key.create", "crypto.encrypt", "crypto.sign", "crypto.sign", "key.rotate", "crypto.rewrap",
                "crypto.verify",
            ]
        )
        let refused = try #require(events.first { !$0.success })
        #expect(refused.actor == "intruder" && refused.errorMessage?.contains("does not allow sign") == true && refused.eventType == .palisadeVault)
        #expect(events.allSatisfy { $0.eventType == .palisadeVault })
        // Neither the plaintext nor any key's material appears in any record or stored document.
        let recorded = events.map { String(decoding: CanonicalJSON.encode($0.jsonValue), as: UTF8.self) }.joined()
        #expect(!recorded.contains(secretText) && !recorded.contains(Data(secretText.utf8).base64EncodedString().dropLast(4)))
        let stored = try #require(await store.key(named: "pii", of: Self.acme))
        let material = try #require(await vault.loadedMaterial("pii", version: 1, tenant: Self.acme))
        #expect(
            !stored.document.containsSubsequence(material) && !stored.document.containsSubsequence(Array(Data(material).base64EncodedString().utf8))
        )
    }

    @Test func tenantsNeverSeeEachOthersKeys() async throws {
        let vault = Vault(store: MemoryKeyStore(), records: nil, clock: Self.clock)
        _ = try await vault.initialize(shares: 2, threshold: 2, passphrase: nil, by: "ops")
        _ = try await vault.createKey("shared-name", type: .hmacSHA256, tenant: Self.acme, by: "ops")
        let mac = try await vault.hmac([1, 2, 3], key: "shared-name", tenant: Self.acme, by: "app")
        await #expect(throws: VaultError.noSuchKey("shared-name")) {
            try await vault.verifyHMAC(mac, for: [1, 2, 3], key: "shared-name", tenant: Self.globex, by: "app")
        }
        _ = try await vault.createKey("shared-name", type: .hmacSHA256, tenant: Self.globex, by: "ops")
        #expect(
            try await !vault.verifyHMAC(mac, for: [1, 2, 3], key: "shared-name", tenant: Self.globex, by: "app"),
            "another tenant's key of the same name"
        )
        #expect(try await vault.listKeys(tenant: Self.globex).map(\.name) == ["shared-name"])
        await #expect(throws: VaultError.keyExists("shared-name")) {
            try await vault.createKey("shared-name", type: .ed25519, tenant: Self.acme, by: "ops")
        }
        await #expect(throws: VaultError.badKeyName("Bad Name")) {
            try await vault.createKey("Bad Name", type: .ed25519, tenant: Self.acme, by: "ops")
        }
    }
}

extension [UInt8] {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { start in self[start..<(start + needle.count)].elementsEqual(needle) }
    }
}

import Foundation
import PalisadeCore
import Testing

@testable import PalisadeVault

/// Versions, minimum versions, rollback, the lifecycle and policies, as a key's users meet them.
struct ManagedKeyTests {
    static let t0 = Timestamp(rfc3339: "2026-11-01T00:00:00Z")!
    static func at(_ seconds: Int64) -> Timestamp { t0.adding(microseconds: seconds * 1_000_000) }
    static let plaintext = Array("card 4111".utf8)

    @Test func rotationRollbackAndMinimumVersions() throws {
        var key = try ManagedKey(name: "payments", type: .aes256GCM, at: Self.t0)
        let v1 = try key.encrypt(Self.plaintext, by: "app")
        #expect(v1.version == 1 && v1.description.hasPrefix("palisade:v1:"))
        #expect(try key.rotate(at: Self.at(10)) == 2)
        let v2 = try key.encrypt(Self.plaintext, by: "app")
        #expect(v2.version == 2)
        #expect(try key.decrypt(VersionedValue(text: v1.description), by: "app") == Self.plaintext, "old versions still decrypt")
        // Rewrap moves a ciphertext to the current version without showing the plaintext.
        let rewrapped = try key.rewrap(v1, by: "app")
        #expect(rewrapped.version == 2 && rewrapped != v2)
        #expect(try key.decrypt(rewrapped, by: "app") == Self.plaintext)
        // Rollback makes version 1 current again.
        try key.rollback(to: 1)
        #expect(try key.encrypt(Self.plaintext, by: "app").version == 1 && key.latestVersion == 2)
        // Minimums: version 1 no longer decrypts, and nothing may roll back below 2.
        try key.setMinimumVersions(decryption: 2, encryption: 2)
        #expect(key.currentVersion == 2, "the current version moved up to the encryption minimum")
        #expect(throws: VaultError.versionTooOld(key: "payments", version: 1, minimum: 2)) { try key.decrypt(v1, by: "app") }
        #expect(throws: VaultError.versionTooOld(key: "payments", version: 1, minimum: 2)) { try key.rollback(to: 1) }
        #expect(throws: VaultError.noSuchVersion(key: "payments", 3)) { try key.setMinimumVersions(decryption: 3, encryption: 3) }
        #expect(throws: VaultError.versionTooOld(key: "payments", version: 1, minimum: 2)) {
            try key.setMinimumVersions(decryption: 2, encryption: 1)
        }
        // Crypto-shredding what is below the minimum: version 1's material is gone for good.
        #expect(throws: VaultError.self) { try key.destroyVersions(below: 3) }
        #expect(try key.destroyVersions(below: 2) == [1])
        #expect(key.versions[0].material == nil && key.versions[1].material != nil)
        try key.setMinimumVersions(decryption: 1, encryption: 2)
        #expect(throws: VaultError.noSuchVersion(key: "payments", 1)) { try key.decrypt(v1, by: "app") }
        #expect(try key.decrypt(v2, by: "app") == Self.plaintext)
    }

    @Test func associatedDataAndDamageAreCaught() throws {
        let key = try ManagedKey(name: "pii", type: .chacha20Poly1305, at: Self.t0)
        let sealed = try key.encrypt(Self.plaintext, associatedData: Array("user=1".utf8), by: "app")
        #expect(throws: VaultError.decryptionFailed(key: "pii")) { try key.decrypt(sealed, associatedData: Array("user=2".utf8), by: "app") }
        var damaged = sealed.bytes
        damaged[damaged.count - 1] ^= 1
        #expect(throws: VaultError.decryptionFailed(key: "pii")) {
            try key.decrypt(VersionedValue(version: 1, bytes: damaged), associatedData: Array("user=1".utf8), by: "app")
        }
        #expect(throws: VaultError.noSuchVersion(key: "pii", 7)) {
            try key.decrypt(VersionedValue(version: 7, bytes: sealed.bytes), associatedData: Array("user=1".utf8), by: "app")
        }
    }

    @Test(arguments: ["vault:v1:AAAA", "palisade:v0:AAAA", "palisade:v01:AAAA", "palisade:vx:AAAA", "palisade:v1:***", "palisade:v1:", "palisade:v1"])
    func malformedValuesAreRefused(text: String) {
        #expect(throws: VaultError.self) { try VersionedValue(text: text) }
    }

    @Test func theLifecycleAllowsWhatEachStateMayDo() throws {
        var key = try ManagedKey(name: "releases", type: .ed25519, staged: true, at: Self.t0)
        #expect(throws: VaultError.self) { try key.sign([1], by: "ci") }
        try key.apply(.activate, at: Self.at(1))
        let signature = try key.sign([1], by: "ci")
        try key.apply(.disable, at: Self.at(2))
        #expect(throws: VaultError.self) { try key.verify(signature, for: [1], by: "ci") }
        try key.apply(.enable, at: Self.at(3))
        try key.apply(.revoke, at: Self.at(4))
        #expect(throws: VaultError.keyState(key: "releases", .revoked, "sign is not allowed")) { try key.sign([1], by: "ci") }
        #expect(try key.verify(signature, for: [1], by: "ci"), "a revoked key still verifies what it signed")
        #expect(throws: VaultError.self) { try key.rotate(at: Self.at(5)) }
        #expect(throws: VaultError.self) { try key.apply(.destroy, at: Self.at(5)) }
        try key.apply(.schedulePurge, at: Self.at(10), purgeGraceSeconds: 3_600)
        #expect(key.state == .purgeScheduled && key.purgeAfter == Self.at(3_610))
        try key.apply(.cancelPurge, at: Self.at(20))
        try key.apply(.schedulePurge, at: Self.at(30), purgeGraceSeconds: 3_600)
        #expect(throws: VaultError.self) { try key.apply(.destroy, at: Self.at(3_629)) }
        try key.apply(.destroy, at: Self.at(3_630))
        #expect(key.state == .destroyed && key.versions.allSatisfy { $0.material == nil })
        #expect(throws: VaultError.self) { try key.verify(signature, for: [1], by: "ci") }
        #expect(throws: VaultError.self) { try key.publicKey() }
        #expect(throws: VaultError.self) { try key.apply(.activate, at: Self.at(4_000)) }
        for state in KeyState.allCases where state != .destroyed {
            #expect(KeyState.destroyed.applying(.activate) == nil && state.applying(.destroy) == (state == .purgeScheduled ? .destroyed : nil))
        }
    }

    @Test func policiesLimitOperationsAndActors() throws {
        var key = try ManagedKey(
            name: "tokens",
            type: .hmacSHA256,
            policy: KeyPolicy(operations: [.verifyHMAC], actors: ["gateway"]),
            at: Self.t0
        )
        #expect(throws: VaultError.operationNotAllowed(key: "tokens", .hmac)) { try key.hmac([1], by: "gateway") }
        key.policy.operations = nil
        let mac = try key.hmac([1], by: "gateway")
        #expect(throws: VaultError.operationNotAllowed(key: "tokens", .verifyHMAC)) { try key.verifyHMAC(mac, for: [1], by: "intruder") }
        #expect(try key.verifyHMAC(mac, for: [1], by: "gateway"))
        #expect(try !key.verifyHMAC(mac, for: [2], by: "gateway"))
        #expect(throws: VaultError.unsupportedOperation(.hmacSHA256, .encrypt)) { try key.encrypt([1], by: "gateway") }

        let strict = KeyPolicy(operations: [.verify], actors: ["a"], retentionDays: 30)
        #expect(strict.isRelaxed(by: KeyPolicy(operations: [.verify, .sign], actors: ["a"], retentionDays: 30)))
        #expect(strict.isRelaxed(by: KeyPolicy(operations: [.verify], actors: [], retentionDays: 30)))
        #expect(strict.isRelaxed(by: KeyPolicy(operations: [.verify], actors: ["a"], retentionDays: nil)))
        #expect(strict.isRelaxed(by: KeyPolicy(operations: [.verify], actors: ["a"], retentionDays: 30, exportable: true)))
        #expect(!strict.isRelaxed(by: KeyPolicy(operations: [], actors: ["a"], retentionDays: 7)))
    }

    @Test func rolesGrantTheOriginalVocabulary() {
        #expect(VaultRole.actions(forScopes: ["vault:auditor"]) == [.keyDescribe, .auditView])
        #expect(VaultRole.actions(forScopes: ["vault:service", "key:rotate"]).contains(.keyRotate))
        #expect(!VaultRole.operator.actions.contains(.keyDestroy) && !VaultRole.operator.actions.contains(.policyConfigure))
        #expect(VaultRole.administrator.actions.count == VaultAction.allCases.count)
        #expect(VaultAction.needed(for: .rewrap) == .cryptoUnwrap && VaultAction(rawValue: "key:purge_version") == .keyPurgeVersion)
        #expect(VaultRole.actions(forScopes: ["vault:root", "ingest"]).isEmpty)
    }
}

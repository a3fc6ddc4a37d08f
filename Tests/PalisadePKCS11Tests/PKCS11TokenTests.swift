import Foundation
import PalisadeCore
import PalisadePKCS11
import PalisadeTesting
import PalisadeVault
import Testing

/// The token every test of this process uses: the module reads SOFTHSM2_CONF once, when the
/// process first loads it.
enum SoftHSM {
    static let module = SoftHSMToken.module
    static let shared: SoftHSMToken = {
        do {
            let token = try SoftHSMToken()
            setenv("SOFTHSM2_CONF", token.configuration, 1)
            return token
        } catch {
            fatalError("cannot set up the SoftHSM2 token: \(error)")
        }
    }()
    static var token: String { shared.label }
    static var pin: String { shared.pin }

    static func configuration(pin: String? = nil, keyLabel: String = "palisade-master") -> PKCS11Token.Configuration {
        PKCS11Token.Configuration(module: module, tokenLabel: token, pin: pin ?? self.pin, keyLabel: keyLabel)
    }
}

/// The vault's master key in a real PKCS#11 token (SoftHSM2, loaded with dlopen).
@Suite(.serialized)
struct PKCS11TokenTests {
    @Test func theMasterKeyIsMadeInTheTokenAndNeverLeavesIt() throws {
        let token = try PKCS11Token(SoftHSM.configuration(keyLabel: "made-here"))
        #expect(try token.ensureMasterKey() == true)
        #expect(try token.ensureMasterKey() == false, "a second call finds the key by its label")
        #expect(try token.masterKeyIsExtractable() == false)
        #expect(token.identity == "pkcs11:token=\(SoftHSM.token);object=made-here")
    }

    @Test func wrappedKeysOpenOnlyWithTheSameKeyAndContext() throws {
        let token = try PKCS11Token(SoftHSM.configuration())
        let dataKey = SecretBytes(randomCount: 32)
        let box = try token.wrap(dataKey, context: "palisade.vault/data-key")
        #expect(box.count == 1 + 12 + 32 + 16)
        #expect(try token.wrap(dataKey, context: "palisade.vault/data-key") != box, "every box has a fresh IV")
        #expect(try token.unwrap(box, context: "palisade.vault/data-key").constantTimeEquals(dataKey))
        #expect(throws: PKCS11Error.self) { try token.unwrap(box, context: "another purpose") }
        var flipped = box
        flipped[20] ^= 1
        #expect(throws: PKCS11Error.self) { try token.unwrap(flipped, context: "palisade.vault/data-key") }
        let other = try PKCS11Token(SoftHSM.configuration(keyLabel: "another-master"))
        #expect(throws: PKCS11Error.self) { try other.unwrap(box, context: "palisade.vault/data-key") }
    }

    @Test func aWrongPinOrTokenOrModuleIsAClearError() throws {
        #expect(throws: PKCS11Error.login("the token refused the PIN")) {
            try PKCS11Token(SoftHSM.configuration(pin: "0000")).ensureMasterKey()
        }
        #expect(throws: PKCS11Error.noSuchToken("no-such-token")) {
            _ = try PKCS11Token(PKCS11Token.Configuration(module: SoftHSM.module, tokenLabel: "no-such-token", pin: SoftHSM.pin))
        }
        do {
            _ = try PKCS11Token(PKCS11Token.Configuration(module: "/nonexistent/libpkcs11.so", tokenLabel: SoftHSM.token, pin: SoftHSM.pin))
            Issue.record("a missing module loaded")
        } catch {
            #expect("\(error)".contains("cannot load /nonexistent/libpkcs11.so"), "\(error)")
        }
    }

    @Test func aVaultSealedByTheTokenUnsealsOnlyThroughIt() async throws {
        let store = MemoryKeyStore()
        let clock = ManualWallClock(start: Timestamp(rfc3339: "2026-12-01T00:00:00Z")!)
        let token = try PKCS11Token(SoftHSM.configuration(keyLabel: "vault-master"))
        let vault = Vault(store: store, records: nil, clock: clock)
        try await vault.initialize(wrapper: token, by: "ops")
        let tenant = TenantID("acme")!
        _ = try await vault.createKey("payments", type: .aes256GCM, tenant: tenant, by: "ops")
        let sealed = try await vault.encrypt(Array("4111".utf8), key: "payments", tenant: tenant, by: "app")

        let restarted = Vault(store: store, records: nil, clock: clock)
        #expect(try await restarted.status() == .sealed(threshold: 0, shares: 0, progress: 0, passphrase: false))
        await #expect(throws: VaultError.self) { try await restarted.unseal(masterKey: SecretBytes(randomCount: 32), by: "ops") }
        let wrongKey = try PKCS11Token(SoftHSM.configuration(keyLabel: "not-the-vault-master"))
        await #expect(throws: VaultError.self) { try await restarted.unseal(wrapper: wrongKey, by: "ops") }
        try await restarted.unseal(wrapper: token, by: "ops")
        #expect(try await restarted.decrypt(sealed, key: "payments", tenant: tenant, by: "app") == Array("4111".utf8))
    }
}

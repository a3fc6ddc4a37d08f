import Foundation
import Testing

@testable import PalisadeVault

/// The sealing layer: scrypt as RFC 7914 defines it, and AES-GCM boxes bound to their context.
struct SealingTests {
    @Test func scryptMatchesRFC7914() throws {
        // RFC 7914 §12, the second vector: P = "password", S = "NaCl", N = 1024, r = 8, p = 16.
        let kdf = PassphraseKDF(logN: 10, blockSize: 8, parallelism: 16, salt: Array("NaCl".utf8))
        let derived = try kdf.derive(passphrase: "password", count: 64)
        #expect(
            derived.copiedBytes.hex
                == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        )
        #expect(throws: VaultError.self) {
            try PassphraseKDF(logN: 30, blockSize: 8, parallelism: 1, salt: Array(repeating: 0, count: 16)).derive(passphrase: "x")
        }
        #expect(PassphraseKDF.standard(salt: []).logN == 17)
    }

    @Test func aBoxOpensOnlyUnderItsKeyAndForItsContext() throws {
        let key = SecretBytes(randomCount: 32)
        let sealer = try Sealer(key: key)
        let box = sealer.seal(Array("webhook secret".utf8), context: "alerting/receiver/ops")
        #expect(box.count == 1 + 12 + 14 + 16 && box[0] == Sealer.boxVersion)
        #expect(try sealer.open(box, context: "alerting/receiver/ops").copiedBytes == Array("webhook secret".utf8))
        #expect(throws: VaultError.unsealFailed("alerting/receiver/dev")) { try sealer.open(box, context: "alerting/receiver/dev") }
        var tampered = box
        tampered[20] ^= 1
        #expect(throws: VaultError.self) { try sealer.open(tampered, context: "alerting/receiver/ops") }
        #expect(throws: VaultError.self) { try Sealer(key: SecretBytes(randomCount: 32)).open(box, context: "alerting/receiver/ops") }
        #expect(throws: VaultError.badKeyLength(expected: 32, got: 16)) { try Sealer(key: SecretBytes(randomCount: 16)) }
        #expect(sealer.seal([1], context: "a") != sealer.seal([1], context: "a"), "a fresh nonce each time")
        #expect("\(key)" == "SecretBytes(32 bytes)", "key bytes never print")
    }
}

extension [UInt8] {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

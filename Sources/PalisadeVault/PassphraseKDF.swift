import Crypto
import _CryptoExtras

/// Turns an operator's passphrase into the 256-bit master key with scrypt (RFC 7914): the
/// memory-hard KDF swift-crypto offers (it has no Argon2id). The default costs N = 2¹⁷, r = 8,
/// p = 1 — 128 MiB of memory, OWASP's recommended minimum for scrypt (its time here is not measured) — make
/// each guess at a stolen vault file that expensive. The salt and costs are stored with the vault
/// (they are not secret).
public struct PassphraseKDF: Codable, Hashable, Sendable {
    /// log₂ of the CPU/memory cost N.
    public let logN: Int
    /// The block size r.
    public let blockSize: Int
    /// The parallelism p.
    public let parallelism: Int
    /// The salt (16 random bytes for a new vault).
    public let salt: [UInt8]

    /// The costs a new vault gets.
    public static func standard(salt: [UInt8]) -> PassphraseKDF { PassphraseKDF(logN: 17, blockSize: 8, parallelism: 1, salt: salt) }

    /// Explicit costs (tests use small ones; stored vaults carry theirs).
    public init(logN: Int, blockSize: Int, parallelism: Int, salt: [UInt8]) {
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = salt
    }

    /// Derives `count` bytes (32 for a master key) from the passphrase.
    ///
    /// - Throws: ``VaultError/kdf(_:)`` when the costs are out of range (logN 10…22, r 1…32,
    ///   p 1…16, a salt of 4…64 bytes) or scrypt fails.
    public func derive(passphrase: String, count: Int = 32) throws(VaultError) -> SecretBytes {
        guard (10...22).contains(logN), (1...32).contains(blockSize), (1...16).contains(parallelism), (4...64).contains(salt.count) else {
            throw .kdf("costs out of range: N = 2^\(logN), r = \(blockSize), p = \(parallelism), \(salt.count)-byte salt")
        }
        do {
            let key = try KDF.Scrypt.deriveKey(
                from: Array(passphrase.utf8),
                salt: salt,
                outputByteCount: count,
                rounds: 1 << logN,
                blockSize: blockSize,
                parallelism: parallelism,
                maxMemory: 128 * blockSize * parallelism * (1 << logN) + (1 << 20)
            )
            return key.withUnsafeBytes { SecretBytes($0) }
        } catch {
            throw .kdf("\(error)")
        }
    }
}

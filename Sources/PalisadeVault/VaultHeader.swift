import Foundation
import PalisadeCore

/// The installation's vault header, as stored: how the master key is obtained and the
/// data-encryption key sealed under it. Nothing in it is secret without the master key.
struct VaultHeader: Codable, Sendable {
    /// The layout (1).
    var format = 1
    /// When the master key comes from a passphrase: its scrypt costs and salt.
    var passphrase: PassphraseKDF?
    /// The data-encryption key, sealed under the master key (context ``dataKeyContext``).
    var sealedDataKey: Data
    /// When the master key is kept outside (a PKCS#11 token): the wrapper's identity.
    var wrapper: String?
    /// Shares printed at initialisation, and how many reconstruct the master key (0 when a
    /// wrapper keeps the master key).
    var shares: Int
    var threshold: Int
    /// When the vault was initialised (µs).
    var createdAt: Int64

    static let dataKeyContext = "palisade.vault/data-key"

    func encoded() -> [UInt8] { DocumentCoding.encode(self) }

    init(passphrase: PassphraseKDF?, wrapper: String? = nil, sealedDataKey: [UInt8], shares: Int, threshold: Int, createdAt: Timestamp) {
        self.passphrase = passphrase
        self.wrapper = wrapper
        self.sealedDataKey = Data(sealedDataKey)
        self.shares = shares
        self.threshold = threshold
        self.createdAt = createdAt.microseconds
    }

    init(decoding bytes: [UInt8]) throws(VaultError) {
        self = try DocumentCoding.decode(VaultHeader.self, from: bytes, what: "vault header")
        guard format == 1 else { throw .corrupt("vault header format \(format); upgrade Palisade") }
    }
}

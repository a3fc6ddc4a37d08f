public import Crypto
import Foundation

/// Seals receiver secrets (URLs with tokens, signing secrets, routing keys, passwords) with
/// AES-256-GCM under the data directory's alerting key, bound to the tenant and receiver they
/// belong to — so they are never at rest in plain text (not in the ledger, not in the store, not
/// in an archive), and a sealed secret copied to another receiver does not open.
public struct SecretSealer: Sendable {
    private let key: SymmetricKey

    /// Creates a sealer with a 256-bit key.
    ///
    /// - Precondition: the key is 32 bytes.
    public init(key: SymmetricKey) {
        precondition(key.bitCount == 256, "the alerting key must be 256 bits")
        self.key = key
    }

    /// Seals `secret` for `receiver` of `tenant`: base64 of nonce, ciphertext and tag.
    public func seal(_ secret: [UInt8], tenant: String, receiver: String) throws -> String {
        let box = try AES.GCM.seal(secret, using: key, authenticating: Array(Self.context(tenant, receiver).utf8))
        guard let combined = box.combined else { preconditionFailure("AES-GCM with a 12-byte nonce always has a combined form") }
        return combined.base64EncodedString()
    }

    /// Opens a sealed secret.
    ///
    /// - Throws: ``AlertingError`` when it is not sealed under this key for this receiver (the key
    ///   file was replaced, or the record was altered).
    public func open(_ sealed: String, tenant: String, receiver: String) throws(AlertingError) -> [UInt8] {
        do {
            guard let data = Data(base64Encoded: sealed) else { throw AlertingError("not base64") }
            let box = try AES.GCM.SealedBox(combined: data)
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(Self.context(tenant, receiver).utf8)))
        } catch {
            throw AlertingError(
                "the secret of receiver \(receiver) does not open under this server's alerting key (was alerting.key replaced?); store the receiver again"
            )
        }
    }

    private static func context(_ tenant: String, _ receiver: String) -> String { "palisade.alerting.receiver/\(tenant)/\(receiver)" }
}

import Crypto
public import Foundation

/// AES-256-GCM under one key, with a context bound into every box as associated data — so a box
/// sealed for one purpose (a key version's material, the data-encryption key, a webhook secret)
/// cannot be swapped in for another's.
///
/// A box is `version (1) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`; version 1 is this layout.
public struct Sealer: Sendable {
    private let key: SymmetricKey

    /// A sealer under a 256-bit key.
    ///
    /// - Throws: ``VaultError/badKeyLength`` for any other length.
    public init(key: SecretBytes) throws(VaultError) {
        guard key.count == 32 else { throw .badKeyLength(expected: 32, got: key.count) }
        self.key = key.withBytes { SymmetricKey(data: $0) }
    }

    /// The layout version written first in every box.
    public static let boxVersion: UInt8 = 1

    /// Seals `plaintext` for `context`.
    public func seal(_ plaintext: some DataProtocol, context: String) -> [UInt8] {
        do {
            let box = try AES.GCM.seal(plaintext, using: key, authenticating: Array(context.utf8))
            return [Self.boxVersion] + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
        } catch {
            // AES-GCM with a 256-bit key and a generated nonce has no failure mode.
            preconditionFailure("AES-GCM sealing failed: \(error)")
        }
    }

    /// Opens a box sealed for `context`.
    ///
    /// - Throws: ``VaultError/unsealFailed`` when the box is damaged, was sealed under another
    ///   key, or for another context.
    public func open(_ box: [UInt8], context: String) throws(VaultError) -> SecretBytes {
        guard box.count >= 1 + 12 + 16, box[0] == Self.boxVersion else { throw .unsealFailed(context) }
        do {
            let sealed = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: box[1..<13]),
                ciphertext: box[13..<(box.count - 16)],
                tag: box[(box.count - 16)...]
            )
            let plaintext = try AES.GCM.open(sealed, using: key, authenticating: Array(context.utf8))
            return SecretBytes(plaintext)
        } catch {
            throw .unsealFailed(context)
        }
    }
}

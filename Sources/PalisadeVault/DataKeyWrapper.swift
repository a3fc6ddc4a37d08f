/// Something outside the vault that keeps its master key and seals the data-encryption key with
/// it — a PKCS#11 token whose AES key is generated inside, marked sensitive and never extractable.
/// A vault initialised with one unseals through it, with no passphrase, key file or shares.
public protocol DataKeyWrapper: Sendable {
    /// What the vault header records of it, to say at unseal which token and key it needs
    /// (such as `pkcs11:token=palisade;key=palisade-master`). Holds nothing secret.
    var identity: String { get }

    /// Seals the data-encryption key; the result is stored in the vault header.
    func wrap(_ dataKey: SecretBytes, context: String) throws -> [UInt8]

    /// Opens what ``wrap(_:context:)`` returned.
    ///
    /// - Throws: when the token refuses, or the box was damaged or sealed under another key.
    func unwrap(_ wrapped: [UInt8], context: String) throws -> SecretBytes
}

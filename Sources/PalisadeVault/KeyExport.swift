import Crypto
public import Foundation
import _CryptoExtras

/// A key version's private material wrapped to a recipient's RSA public key, as a JWE in compact
/// serialization (RFC 7516): `RSA-OAEP-256` wraps a fresh AES-256 key, `A256GCM` encrypts the
/// material under it with the protected header as associated data. The material is PKCS#8 DER
/// for asymmetric keys (`cty: application/pkcs8`) and the raw key for symmetric ones
/// (`cty: application/octet-stream`); `kid` is `<key>/v<version>`. Any JOSE library — or a few
/// lines of `cryptography` — opens it with the recipient's private key.
public enum KeyExport {
    /// The smallest recipient key accepted.
    public static let minimumRecipientBits = 2048

    /// The recipient's public key from PEM (SubjectPublicKeyInfo or PKCS#1).
    ///
    /// - Throws: ``ApprovalError/badRequest(_:)`` when it is not an RSA public key of at least
    ///   ``minimumRecipientBits`` bits.
    static func recipient(_ pem: String) throws(ApprovalError) -> _RSA.Encryption.PublicKey {
        let key: _RSA.Encryption.PublicKey
        do {
            key = try _RSA.Encryption.PublicKey(pemRepresentation: pem)
        } catch {
            throw .badRequest("parameters.recipient must be an RSA public key in PEM: \(error)")
        }
        guard key.keySizeInBits >= minimumRecipientBits else {
            throw .badRequest("parameters.recipient has \(key.keySizeInBits) bits; at least \(minimumRecipientBits) are needed")
        }
        return key
    }

    /// The SHA-256 of the recipient key's DER, hex: how records name a recipient.
    static func fingerprint(_ recipient: _RSA.Encryption.PublicKey) -> String {
        SHA256.hash(data: recipient.derRepresentation).map { String(format: "%02x", $0) }.joined()
    }

    /// The JWE of `material` for `recipient`.
    static func wrap(_ material: KeyMaterial, kid: String, to recipient: _RSA.Encryption.PublicKey) throws -> String {
        let (payload, contentType) = try pkcs8(material)
        let header = "{\"alg\":\"RSA-OAEP-256\",\"cty\":\"\(contentType)\",\"enc\":\"A256GCM\",\"kid\":\"\(kid)\"}"
        let protected = PublicKey.base64URL(Array(header.utf8))
        let contentKey = SymmetricKey(size: .bits256)
        let wrappedKey = try contentKey.withUnsafeBytes { try recipient.encrypt(Array($0), padding: .PKCS1_OAEP_SHA256) }
        let sealed = try payload.withBytes {
            try AES.GCM.seal(UnsafeRawBufferPointer($0), using: contentKey, nonce: AES.GCM.Nonce(), authenticating: Array(protected.utf8))
        }
        return [
            protected, PublicKey.base64URL(wrappedKey), PublicKey.base64URL(Array(sealed.nonce)), PublicKey.base64URL(sealed.ciphertext),
            PublicKey.base64URL(sealed.tag),
        ].joined(separator: ".")
    }

    /// The material as PKCS#8 DER (asymmetric keys) or raw bytes (symmetric keys), with its content type.
    private static func pkcs8(_ material: KeyMaterial) throws -> (SecretBytes, String) {
        try material.secret.withBytes { raw in
            switch material.type {
            case .aes256GCM, .chacha20Poly1305, .hmacSHA256, .hmacSHA512:
                return (SecretBytes(raw), "application/octet-stream")
            case .ed25519:
                return (SecretBytes(try Curve25519.Signing.PrivateKey(rawRepresentation: raw).pkcs8DERRepresentation), "application/pkcs8")
            case .ecdsaP256:
                return (SecretBytes(try P256.Signing.PrivateKey(rawRepresentation: raw).derRepresentation), "application/pkcs8")
            case .ecdsaP384:
                return (SecretBytes(try P384.Signing.PrivateKey(rawRepresentation: raw).derRepresentation), "application/pkcs8")
            case .rsa3072, .rsa4096:
                return (SecretBytes(try _RSA.Signing.PrivateKey(derRepresentation: raw).pkcs8DERRepresentation), "application/pkcs8")
            }
        }
    }
}

import Crypto
public import Foundation
import _CryptoExtras

/// One version's secret: the raw bytes of a key of one ``KeyType`` (symmetric keys and Ed25519 raw,
/// ECDSA its raw scalar, RSA its PKCS#1 DER), and the operations on it. Pure: no policy, no
/// versions, no I/O — ``ManagedKey`` adds those.
public struct KeyMaterial: Sendable {
    /// The type.
    public let type: KeyType
    /// The bytes (wiped when the last copy of this material goes).
    public let secret: SecretBytes

    /// Wraps existing bytes, checking that they parse for the type.
    ///
    /// - Throws: ``VaultError/badKeyMaterial(_:_:)``.
    public init(type: KeyType, secret: SecretBytes) throws(VaultError) {
        self.type = type
        self.secret = secret
        do {
            switch type {
            case .aes256GCM, .chacha20Poly1305:
                guard secret.count == 32 else { throw VaultError.badKeyMaterial(type, "expected 32 bytes, got \(secret.count)") }
            case .hmacSHA256, .hmacSHA512:
                guard secret.count >= 32 else { throw VaultError.badKeyMaterial(type, "expected at least 32 bytes, got \(secret.count)") }
            case .ed25519: _ = try secret.withBytes { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }
            case .ecdsaP256: _ = try secret.withBytes { try P256.Signing.PrivateKey(rawRepresentation: $0) }
            case .ecdsaP384: _ = try secret.withBytes { try P384.Signing.PrivateKey(rawRepresentation: $0) }
            case .rsa3072, .rsa4096:
                let key = try secret.withBytes { try _RSA.Signing.PrivateKey(derRepresentation: $0) }
                let bits = type == .rsa3072 ? 3072 : 4096
                guard key.keySizeInBits == bits else { throw VaultError.badKeyMaterial(type, "the key has \(key.keySizeInBits) bits") }
            }
        } catch let error as VaultError {
            throw error
        } catch {
            throw .badKeyMaterial(type, "\(error)")
        }
    }

    /// New random material of `type`.
    public static func generate(_ type: KeyType) -> KeyMaterial {
        let bytes: SecretBytes
        switch type {
        case .aes256GCM, .chacha20Poly1305, .hmacSHA256: bytes = SecretBytes(randomCount: 32)
        case .hmacSHA512: bytes = SecretBytes(randomCount: 64)
        case .ed25519: bytes = SecretBytes(Curve25519.Signing.PrivateKey().rawRepresentation)
        case .ecdsaP256: bytes = SecretBytes(P256.Signing.PrivateKey().rawRepresentation)
        case .ecdsaP384: bytes = SecretBytes(P384.Signing.PrivateKey().rawRepresentation)
        case .rsa3072, .rsa4096:
            do {
                let key = try _RSA.Signing.PrivateKey(keySize: type == .rsa3072 ? .bits3072 : .bits4096)
                bytes = SecretBytes(key.derRepresentation)
            } catch {
                preconditionFailure("RSA key generation failed: \(error)")
            }
        }
        do {
            return try KeyMaterial(type: type, secret: bytes)
        } catch {
            preconditionFailure("generated \(type.rawValue) material does not parse: \(error)")
        }
    }

    // MARK: - Encryption

    /// `nonce ‖ ciphertext ‖ tag` of `plaintext`, authenticating `associatedData`.
    public func encrypt(_ plaintext: some DataProtocol, associatedData: some DataProtocol) throws(VaultError) -> [UInt8] {
        let key = secret.withBytes { SymmetricKey(data: $0) }
        do {
            switch type {
            case .aes256GCM:
                let box = try AES.GCM.seal(plaintext, using: key, authenticating: associatedData)
                return Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
            case .chacha20Poly1305:
                let box = try ChaChaPoly.seal(plaintext, using: key, authenticating: associatedData)
                return Array(box.combined)
            default: throw VaultError.unsupportedOperation(type, .encrypt)
            }
        } catch let error as VaultError {
            throw error
        } catch {
            preconditionFailure("AEAD sealing with a valid key failed: \(error)")
        }
    }

    /// Opens what ``encrypt(_:associatedData:)`` made.
    ///
    /// - Throws: ``VaultError/decryptionFailed(key:)`` (named `key`) when it does not open.
    public func decrypt(_ sealed: [UInt8], associatedData: some DataProtocol, key name: String) throws(VaultError) -> [UInt8] {
        let key = secret.withBytes { SymmetricKey(data: $0) }
        guard sealed.count >= 12 + 16 else { throw .decryptionFailed(key: name) }
        do {
            switch type {
            case .aes256GCM:
                let box = try AES.GCM.SealedBox(combined: sealed)
                return Array(try AES.GCM.open(box, using: key, authenticating: associatedData))
            case .chacha20Poly1305:
                let box = try ChaChaPoly.SealedBox(combined: sealed)
                return Array(try ChaChaPoly.open(box, using: key, authenticating: associatedData))
            default: throw VaultError.unsupportedOperation(type, .decrypt)
            }
        } catch let error as VaultError {
            throw error
        } catch {
            throw .decryptionFailed(key: name)
        }
    }

    // MARK: - MACs

    /// The HMAC of `message`.
    public func hmac(_ message: some DataProtocol) throws(VaultError) -> [UInt8] {
        let key = secret.withBytes { SymmetricKey(data: $0) }
        switch type {
        case .hmacSHA256: return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .hmacSHA512: return Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
        default: throw .unsupportedOperation(type, .hmac)
        }
    }

    /// Whether `mac` is the HMAC of `message` (compared in constant time).
    public func verifyHMAC(_ mac: [UInt8], for message: some DataProtocol) throws(VaultError) -> Bool {
        let key = secret.withBytes { SymmetricKey(data: $0) }
        switch type {
        case .hmacSHA256: return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: key)
        case .hmacSHA512: return HMAC<SHA512>.isValidAuthenticationCode(mac, authenticating: message, using: key)
        default: throw .unsupportedOperation(type, .verifyHMAC)
        }
    }

    // MARK: - Signatures

    /// Signs `message`: Ed25519 (64 bytes), ECDSA (DER, or r ‖ s with ``SignatureFormat/raw``),
    /// RSA (PSS, or PKCS#1 v1.5 with ``SignatureFormat/pkcs1v15``; SHA-256).
    public func sign(_ message: some DataProtocol, format: SignatureFormat = .standard) throws(VaultError) -> [UInt8] {
        do {
            switch type {
            case .ed25519:
                return Array(try secret.withBytes { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }.signature(for: message))
            case .ecdsaP256:
                let signature = try secret.withBytes { try P256.Signing.PrivateKey(rawRepresentation: $0) }.signature(for: message)
                return Array(format == .raw ? signature.rawRepresentation : signature.derRepresentation)
            case .ecdsaP384:
                let signature = try secret.withBytes { try P384.Signing.PrivateKey(rawRepresentation: $0) }.signature(for: message)
                return Array(format == .raw ? signature.rawRepresentation : signature.derRepresentation)
            case .rsa3072, .rsa4096:
                let key = try secret.withBytes { try _RSA.Signing.PrivateKey(derRepresentation: $0) }
                let padding: _RSA.Signing.Padding = format == .pkcs1v15 ? .insecurePKCS1v1_5 : .PSS
                return Array(try key.signature(for: SHA256.hash(data: message), padding: padding).rawRepresentation)
            default: throw VaultError.unsupportedOperation(type, .sign)
            }
        } catch let error as VaultError {
            throw error
        } catch {
            throw .badKeyMaterial(type, "\(error)")
        }
    }

    /// Whether `signature` is this key's over `message` (in the same format as signed).
    public func verify(_ signature: [UInt8], for message: some DataProtocol, format: SignatureFormat = .standard) throws(VaultError) -> Bool {
        try publicKey().isValidSignature(signature, for: message, format: format)
    }

    /// The public half of an asymmetric key.
    ///
    /// - Throws: ``VaultError/unsupportedOperation(_:_:)`` for symmetric keys.
    public func publicKey() throws(VaultError) -> PublicKey {
        do {
            switch type {
            case .ed25519:
                return .ed25519(try secret.withBytes { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }.publicKey)
            case .ecdsaP256: return .p256(try secret.withBytes { try P256.Signing.PrivateKey(rawRepresentation: $0) }.publicKey)
            case .ecdsaP384: return .p384(try secret.withBytes { try P384.Signing.PrivateKey(rawRepresentation: $0) }.publicKey)
            case .rsa3072, .rsa4096: return .rsa(try secret.withBytes { try _RSA.Signing.PrivateKey(derRepresentation: $0) }.publicKey)
            default: throw VaultError.unsupportedOperation(type, .verify)
            }
        } catch let error as VaultError {
            throw error
        } catch {
            throw .badKeyMaterial(type, "\(error)")
        }
    }
}

/// How a signature is laid out.
public enum SignatureFormat: String, Codable, Hashable, Sendable {
    /// Ed25519's 64 bytes; ECDSA as DER; RSA-PSS (SHA-256, salt of the hash's length).
    case standard
    /// ECDSA as r ‖ s (JOSE, WebAuthn).
    case raw
    /// RSA PKCS#1 v1.5 with SHA-256 (for verifiers that know no PSS).
    case pkcs1v15
}

/// The kinds of key the vault keeps, and what each can do.
public enum KeyType: String, CaseIterable, Codable, Hashable, Sendable {
    /// AES-256-GCM: encrypt and decrypt with associated data.
    case aes256GCM = "aes256-gcm"
    /// ChaCha20-Poly1305 (RFC 8439): encrypt and decrypt with associated data.
    case chacha20Poly1305 = "chacha20-poly1305"
    /// HMAC-SHA-256.
    case hmacSHA256 = "hmac-sha256"
    /// HMAC-SHA-512.
    case hmacSHA512 = "hmac-sha512"
    /// Ed25519 signatures.
    case ed25519
    /// ECDSA on P-256 with SHA-256.
    case ecdsaP256 = "ecdsa-p256"
    /// ECDSA on P-384 with SHA-384.
    case ecdsaP384 = "ecdsa-p384"
    /// RSA 3072 bits, PSS or PKCS#1 v1.5 with SHA-256.
    case rsa3072 = "rsa-3072"
    /// RSA 4096 bits, PSS or PKCS#1 v1.5 with SHA-256.
    case rsa4096 = "rsa-4096"

    /// The operations keys of this type can do.
    public var operations: Set<KeyOperation> {
        switch self {
        case .aes256GCM, .chacha20Poly1305: [.encrypt, .decrypt, .rewrap]
        case .hmacSHA256, .hmacSHA512: [.hmac, .verifyHMAC]
        case .ed25519, .ecdsaP256, .ecdsaP384, .rsa3072, .rsa4096: [.sign, .verify]
        }
    }

    /// Whether the type has a public key to export.
    public var isAsymmetric: Bool { operations.contains(.sign) }
}

/// A cryptographic operation on a key.
public enum KeyOperation: String, CaseIterable, Codable, Hashable, Sendable {
    /// Encrypt with the current version.
    case encrypt
    /// Decrypt with the version the ciphertext names.
    case decrypt
    /// Decrypt and encrypt again under the current version, without returning the plaintext.
    case rewrap
    /// Sign with the current version.
    case sign
    /// Verify with the version the signature names.
    case verify
    /// MAC with the current version.
    case hmac
    /// Check a MAC with the version it names.
    case verifyHMAC = "verify-hmac"

    /// Whether the operation makes new output under the current version (refused once a key is
    /// revoked), rather than checking or opening old output.
    public var producesNewOutput: Bool {
        switch self {
        case .encrypt, .sign, .hmac, .rewrap: true
        case .decrypt, .verify, .verifyHMAC: false
        }
    }
}

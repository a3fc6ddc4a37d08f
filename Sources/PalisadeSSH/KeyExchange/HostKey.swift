public import Crypto
public import _CryptoExtras

/// A server host key and how it appears on the wire (RFC 4253 §6.6): its public key blob (K_S) and
/// its signatures over exchange hashes — Ed25519 (RFC 8709), ECDSA P-256 (RFC 5656), RSA with
/// SHA-2 (RFC 8332: one key, two signature algorithms).
public struct HostKey: Sendable {
    /// The key.
    public enum Key: Sendable {
        /// ssh-ed25519.
        case ed25519(Curve25519.Signing.PrivateKey)
        /// ecdsa-sha2-nistp256.
        case ecdsaP256(P256.Signing.PrivateKey)
        /// rsa-sha2-512 and rsa-sha2-256 (the blob says ssh-rsa).
        case rsa(_RSA.Signing.PrivateKey)
    }

    /// The key.
    public let key: Key

    /// The public key blob (K_S), computed once: it is in every key exchange.
    public let publicKeyBlob: [UInt8]

    /// A host key.
    public init(_ key: Key) {
        self.key = key
        publicKeyBlob = Self.blob(key)
    }

    /// An Ed25519 host key.
    public init(ed25519 key: Curve25519.Signing.PrivateKey) {
        self.init(.ed25519(key))
    }

    /// The KEXINIT host key algorithms this key serves, in OpenSSH's order.
    public var algorithms: [String] {
        switch key {
        case .ed25519: ["ssh-ed25519"]
        case .ecdsaP256: ["ecdsa-sha2-nistp256"]
        case .rsa: ["rsa-sha2-512", "rsa-sha2-256"]
        }
    }

    /// The first of ``algorithms``.
    public var algorithm: String { algorithms[0] }

    /// The public key blob: `string "ssh-ed25519" ‖ string key`, `string "ecdsa-sha2-nistp256" ‖
    /// string "nistp256" ‖ string Q`, or `string "ssh-rsa" ‖ mpint e ‖ mpint n`.
    private static func blob(_ key: Key) -> [UInt8] {
        var writer = SSHWriter()
        switch key {
        case .ed25519(let secret):
            writer.write(text: "ssh-ed25519")
            writer.write(string: Array(secret.publicKey.rawRepresentation))
        case .ecdsaP256(let secret):
            writer.write(text: "ecdsa-sha2-nistp256")
            writer.write(text: "nistp256")
            writer.write(string: Array(secret.publicKey.x963Representation))
        case .rsa(let secret):
            writer.write(text: "ssh-rsa")
            do {
                let primitives = try secret.publicKey.getKeyPrimitives()
                writer.write(mpint: Array(primitives.publicExponent))
                writer.write(mpint: Array(primitives.modulus))
            } catch {
                preconditionFailure("an RSA key without its public numbers: \(error)")
            }
        }
        return writer.bytes
    }

    /// The OpenSSH fingerprint clients show: `SHA256:` and the unpadded base64 of the blob's SHA-256.
    public var fingerprint: String {
        let digest = SHA256.hash(data: publicKeyBlob)
        return "SHA256:" + Base64.encode(Array(digest), padded: false)
    }

    /// The signature blob over `data` (the exchange hash) for `algorithm` (one of ``algorithms``).
    public func signatureBlob(over data: [UInt8], algorithm: String? = nil) throws -> [UInt8] {
        var writer = SSHWriter()
        switch key {
        case .ed25519(let secret):
            writer.write(text: "ssh-ed25519")
            writer.write(string: Array(try secret.signature(for: data)))
        case .ecdsaP256(let secret):
            let raw = Array(try secret.signature(for: data).rawRepresentation)
            var numbers = SSHWriter()
            numbers.write(mpint: raw[0..<32])
            numbers.write(mpint: raw[32..<64])
            writer.write(text: "ecdsa-sha2-nistp256")
            writer.write(string: numbers.bytes)
        case .rsa(let secret):
            let name = algorithm ?? "rsa-sha2-512"
            let signature: _RSA.Signing.RSASignature
            if name == "rsa-sha2-256" {
                signature = try secret.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
            } else {
                signature = try secret.signature(for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5)
            }
            writer.write(text: name)
            writer.write(string: Array(signature.rawRepresentation))
        }
        return writer.bytes
    }
}

/// Base64 (RFC 4648) for fingerprints and key files, without Foundation.
enum Base64 {
    static func encode(_ bytes: [UInt8], padded: Bool = true) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)]]
            if padded { out += "==" }
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
            if padded { out += "=" }
        }
        return out
    }
}

public import Crypto

/// A server host key and how it appears on the wire (RFC 4253 §6.6): its public key blob and its
/// signatures over exchange hashes. Ed25519 first (RFC 8709); ECDSA and RSA follow the same shape.
public struct HostKey: Sendable {
    /// The algorithm name in KEXINIT and in the blob.
    public let algorithm: String
    private let ed25519: Curve25519.Signing.PrivateKey

    /// An Ed25519 host key.
    public init(ed25519 key: Curve25519.Signing.PrivateKey) {
        algorithm = "ssh-ed25519"
        ed25519 = key
    }

    /// `string "ssh-ed25519" ‖ string key` (K_S in the exchange hash).
    public var publicKeyBlob: [UInt8] {
        var writer = SSHWriter()
        writer.write(text: algorithm)
        writer.write(string: Array(ed25519.publicKey.rawRepresentation))
        return writer.bytes
    }

    /// The OpenSSH fingerprint clients show: `SHA256:` and the unpadded base64 of the blob's SHA-256.
    public var fingerprint: String {
        let digest = SHA256.hash(data: publicKeyBlob)
        return "SHA256:" + Base64.encode(Array(digest), padded: false)
    }

    /// `string "ssh-ed25519" ‖ string signature` over `data` (the exchange hash).
    public func signatureBlob(over data: [UInt8]) throws -> [UInt8] {
        var writer = SSHWriter()
        writer.write(text: algorithm)
        writer.write(string: Array(try ed25519.signature(for: data)))
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

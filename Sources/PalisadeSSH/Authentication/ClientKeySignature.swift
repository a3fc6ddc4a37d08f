import Crypto
import _CryptoExtras

/// Checks a client's publickey signature (RFC 4252 §7): over `string session_id ‖ byte 50 ‖
/// string user ‖ string service ‖ string "publickey" ‖ bool TRUE ‖ string algorithm ‖ string blob`,
/// for ssh-ed25519 (RFC 8709), ecdsa-sha2-nistp256/384/521 (RFC 5656) and RSA with SHA-2 or SHA-1
/// (RFC 8332, RFC 4253). Other key types (certificates, security keys) are recorded, not verified.
enum ClientKeySignature {
    /// What a check found.
    enum Verdict: Equatable {
        /// The signature is the key's over the data.
        case valid
        /// It is not (or the key or signature is malformed).
        case invalid
        /// A key type Palisade does not verify.
        case unsupported
    }

    /// The data a client signs (`method` as the client named it; for OpenSSH's
    /// publickey-hostbound-v00, the server's host key follows the key).
    static func signedData(
        sessionID: [UInt8],
        user: String,
        service: String,
        method: String,
        algorithm: String,
        blob: [UInt8],
        hostKey: [UInt8]?
    ) -> [UInt8] {
        var writer = SSHWriter(capacity: 128 + blob.count)
        writer.write(string: sessionID)
        writer.write(byte: MessageNumber.userauthRequest)
        writer.write(text: user)
        writer.write(text: service)
        writer.write(text: method)
        writer.write(bool: true)
        writer.write(text: algorithm)
        writer.write(string: blob)
        if let hostKey { writer.write(string: hostKey) }
        return writer.bytes
    }

    /// Checks `signature` (the signature blob: `string algorithm ‖ string signature`) by the key
    /// `blob` for `algorithm` over `data`.
    static func verify(algorithm: String, blob: [UInt8], signature: [UInt8], data: [UInt8]) -> Verdict {
        do {
            var key = SSHReader(blob)
            let keyType = try key.readText(limit: 64)
            var outer = SSHReader(signature)
            let signatureAlgorithm = try outer.readText(limit: 64)
            let raw = try outer.readString(limit: 2_048)
            guard signatureAlgorithm == algorithm else { return .invalid }
            switch (keyType, algorithm) {
            case ("ssh-ed25519", "ssh-ed25519"):
                let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: try key.readString(limit: 64))
                return publicKey.isValidSignature(raw, for: data) ? .valid : .invalid
            case ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"):
                let point = try curvePoint(&key, "nistp256")
                let publicKey = try P256.Signing.PublicKey(x963Representation: point)
                let parsed = try P256.Signing.ECDSASignature(rawRepresentation: try scalars(raw, size: 32))
                return publicKey.isValidSignature(parsed, for: data) ? .valid : .invalid
            case ("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384"):
                let point = try curvePoint(&key, "nistp384")
                let publicKey = try P384.Signing.PublicKey(x963Representation: point)
                let parsed = try P384.Signing.ECDSASignature(rawRepresentation: try scalars(raw, size: 48))
                return publicKey.isValidSignature(parsed, for: data) ? .valid : .invalid
            case ("ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521"):
                let point = try curvePoint(&key, "nistp521")
                let publicKey = try P521.Signing.PublicKey(x963Representation: point)
                let parsed = try P521.Signing.ECDSASignature(rawRepresentation: try scalars(raw, size: 66))
                return publicKey.isValidSignature(parsed, for: data) ? .valid : .invalid
            case ("ssh-rsa", "rsa-sha2-256"), ("ssh-rsa", "rsa-sha2-512"), ("ssh-rsa", "ssh-rsa"):
                let e = try key.readMPInt(limit: 16).magnitude
                let n = try key.readMPInt(limit: 2_049).magnitude
                let publicKey = try _RSA.Signing.PublicKey(n: n, e: e)
                let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: raw)
                let valid =
                    switch algorithm {
                    case "rsa-sha2-256": publicKey.isValidSignature(rsaSignature, for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
                    case "rsa-sha2-512": publicKey.isValidSignature(rsaSignature, for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5)
                    default: publicKey.isValidSignature(rsaSignature, for: Insecure.SHA1.hash(data: data), padding: .insecurePKCS1v1_5)
                    }
                return valid ? .valid : .invalid
            default:
                return keyType == algorithm || keyType == "ssh-rsa" ? .unsupported : .invalid
            }
        } catch {
            // A malformed key or signature: not valid (the attempt is still recorded).
            return .invalid
        }
    }

    private static func curvePoint(_ key: inout SSHReader, _ curve: String) throws(SSHWireError) -> [UInt8] {
        guard try key.readText(limit: 16) == curve else { throw SSHWireError(.protocolError, "the key's curve is not \(curve)") }
        return try key.readString(limit: 256)
    }

    /// An SSH ECDSA signature (`mpint r ‖ mpint s`) as r ‖ s, each `size` bytes.
    private static func scalars(_ raw: [UInt8], size: Int) throws(SSHWireError) -> [UInt8] {
        var reader = SSHReader(raw)
        var bytes: [UInt8] = []
        for _ in 0..<2 {
            let (negative, magnitude) = try reader.readMPInt(limit: size + 1)
            let trimmed = Array(magnitude.drop { $0 == 0 })
            guard !negative, trimmed.count <= size else { throw SSHWireError(.protocolError, "an ECDSA scalar out of range") }
            bytes += [UInt8](repeating: 0, count: size - trimmed.count) + trimmed
        }
        return bytes
    }
}

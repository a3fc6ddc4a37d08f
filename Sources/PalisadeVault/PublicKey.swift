public import Crypto
public import Foundation
public import _CryptoExtras

/// The public half of a signing key: verification, and export as PEM (SubjectPublicKeyInfo), JWK
/// (RFC 7517/8037) and an OpenSSH `authorized_keys` line.
public enum PublicKey: Sendable {
    /// Ed25519.
    case ed25519(Curve25519.Signing.PublicKey)
    /// ECDSA P-256.
    case p256(P256.Signing.PublicKey)
    /// ECDSA P-384.
    case p384(P384.Signing.PublicKey)
    /// RSA.
    case rsa(_RSA.Signing.PublicKey)

    /// Whether `signature` (in `format`) is valid for `message`.
    public func isValidSignature(_ signature: [UInt8], for message: some DataProtocol, format: SignatureFormat = .standard) -> Bool {
        switch self {
        case .ed25519(let key): return key.isValidSignature(signature, for: message)
        // A signature that does not parse is not valid: that is the verdict, not an error to report.
        case .p256(let key):
            do {
                let parsed =
                    format == .raw
                    ? try P256.Signing.ECDSASignature(rawRepresentation: signature) : try P256.Signing.ECDSASignature(derRepresentation: signature)
                return key.isValidSignature(parsed, for: message)
            } catch {
                return false
            }
        case .p384(let key):
            do {
                let parsed =
                    format == .raw
                    ? try P384.Signing.ECDSASignature(rawRepresentation: signature) : try P384.Signing.ECDSASignature(derRepresentation: signature)
                return key.isValidSignature(parsed, for: message)
            } catch {
                return false
            }
        case .rsa(let key):
            let padding: _RSA.Signing.Padding = format == .pkcs1v15 ? .insecurePKCS1v1_5 : .PSS
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: message), padding: padding)
        }
    }

    /// PEM SubjectPublicKeyInfo.
    public var pem: String {
        switch self {
        case .ed25519(let key): key.pemRepresentation
        case .p256(let key): key.pemRepresentation
        case .p384(let key): key.pemRepresentation
        case .rsa(let key): key.pemRepresentation
        }
    }

    /// A JWK with `kid` and the algorithm (`EdDSA`, `ES256`, `ES384`, `PS256`).
    public func jwk(keyID: String) -> [String: String] {
        switch self {
        case .ed25519(let key):
            return ["kty": "OKP", "crv": "Ed25519", "x": Self.base64URL(key.rawRepresentation), "kid": keyID, "alg": "EdDSA", "use": "sig"]
        case .p256(let key):
            let point = Array(key.x963Representation.dropFirst())
            return [
                "kty": "EC", "crv": "P-256", "x": Self.base64URL(point[0..<32]), "y": Self.base64URL(point[32...]), "kid": keyID,
                "alg": "ES256", "use": "sig",
            ]
        case .p384(let key):
            let point = Array(key.x963Representation.dropFirst())
            return [
                "kty": "EC", "crv": "P-384", "x": Self.base64URL(point[0..<48]), "y": Self.base64URL(point[48...]), "kid": keyID,
                "alg": "ES384", "use": "sig",
            ]
        case .rsa(let key):
            let (modulus, exponent) = Self.rsaComponents(key)
            return ["kty": "RSA", "n": Self.base64URL(modulus), "e": Self.base64URL(exponent), "kid": keyID, "alg": "PS256", "use": "sig"]
        }
    }

    /// An `authorized_keys` line (`ssh-ed25519 AAAA… comment`).
    public func openSSH(comment: String) -> String {
        var writer = [UInt8]()
        func string(_ bytes: some Collection<UInt8>) {
            let count = UInt32(bytes.count)
            writer += [
                UInt8(count >> 24), UInt8(truncatingIfNeeded: count >> 16), UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count),
            ]
            writer += bytes
        }
        func mpint(_ bytes: [UInt8]) {
            let trimmed = Array(bytes.drop { $0 == 0 })
            string(trimmed.first.map { $0 & 0x80 != 0 } == true ? [0] + trimmed : trimmed)
        }
        let name: String
        switch self {
        case .ed25519(let key):
            name = "ssh-ed25519"
            string(Array(name.utf8))
            string(key.rawRepresentation)
        case .p256(let key):
            name = "ecdsa-sha2-nistp256"
            string(Array(name.utf8))
            string(Array("nistp256".utf8))
            string(key.x963Representation)
        case .p384(let key):
            name = "ecdsa-sha2-nistp384"
            string(Array(name.utf8))
            string(Array("nistp384".utf8))
            string(key.x963Representation)
        case .rsa(let key):
            name = "ssh-rsa"
            let (modulus, exponent) = Self.rsaComponents(key)
            string(Array(name.utf8))
            mpint(exponent)
            mpint(modulus)
        }
        return "\(name) \(Data(writer).base64EncodedString()) \(comment)"
    }

    static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// n and e, big-endian without leading zeros.
    static func rsaComponents(_ key: _RSA.Signing.PublicKey) -> (modulus: [UInt8], exponent: [UInt8]) {
        do {
            let primitives = try key.getKeyPrimitives()
            return (Array(primitives.modulus.drop { $0 == 0 }), Array(primitives.publicExponent.drop { $0 == 0 }))
        } catch {
            // A key swift-crypto parsed always has its primitives.
            preconditionFailure("an RSA public key without primitives: \(error)")
        }
    }
}

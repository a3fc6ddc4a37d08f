import Crypto
import Foundation

/// The key-exchange methods Palisade completes — ECDH over Curve25519 (RFC 8731) and the NIST
/// curves (RFC 5656) — each with its hash.
enum KexMethod {
    case curve25519
    case nistP256
    case nistP384
    case nistP521

    /// The method a KEXINIT name stands for.
    init?(_ name: String) {
        switch name {
        case "curve25519-sha256", "curve25519-sha256@libssh.org": self = .curve25519
        case "ecdh-sha2-nistp256": self = .nistP256
        case "ecdh-sha2-nistp384": self = .nistP384
        case "ecdh-sha2-nistp521": self = .nistP521
        default: return nil
        }
    }

    /// Every name above.
    static let names: Set<String> = [
        "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
    ]

    /// A fresh server side of the exchange.
    func exchange() -> any KeyAgreementExchange {
        switch self {
        case .curve25519: Curve25519Exchange()
        case .nistP256: NISTExchange<P256.KeyAgreement.PrivateKey>(curve: "nistp256")
        case .nistP384: NISTExchange<P384.KeyAgreement.PrivateKey>(curve: "nistp384")
        case .nistP521: NISTExchange<P521.KeyAgreement.PrivateKey>(curve: "nistp521")
        }
    }

    /// H with the method's hash.
    func exchangeHash(
        clientVersion: [UInt8],
        serverVersion: [UInt8],
        clientKexInit: [UInt8],
        serverKexInit: [UInt8],
        hostKey: [UInt8],
        clientPublic: [UInt8],
        serverPublic: [UInt8],
        sharedSecret: [UInt8]
    ) -> [UInt8] {
        func hash<H: HashFunction>(_ type: H.Type) -> [UInt8] {
            ExchangeHash.ecdh(
                type,
                clientVersion: clientVersion,
                serverVersion: serverVersion,
                clientKexInit: clientKexInit,
                serverKexInit: serverKexInit,
                hostKey: hostKey,
                clientPublic: clientPublic,
                serverPublic: serverPublic,
                sharedSecret: sharedSecret
            )
        }
        switch self {
        case .curve25519, .nistP256: return hash(SHA256.self)
        case .nistP384: return hash(SHA384.self)
        case .nistP521: return hash(SHA512.self)
        }
    }

    /// A derived key (RFC 4253 §7.2) with the method's hash.
    func derive(sharedSecret: [UInt8], exchangeHash: [UInt8], sessionID: [UInt8], letter: Character, length: Int) -> [UInt8] {
        switch self {
        case .curve25519, .nistP256:
            ExchangeHash.derive(
                SHA256.self,
                sharedSecret: sharedSecret,
                exchangeHash: exchangeHash,
                sessionID: sessionID,
                letter: letter,
                length: length
            )
        case .nistP384:
            ExchangeHash.derive(
                SHA384.self,
                sharedSecret: sharedSecret,
                exchangeHash: exchangeHash,
                sessionID: sessionID,
                letter: letter,
                length: length
            )
        case .nistP521:
            ExchangeHash.derive(
                SHA512.self,
                sharedSecret: sharedSecret,
                exchangeHash: exchangeHash,
                sessionID: sessionID,
                letter: letter,
                length: length
            )
        }
    }
}

/// The server side of an ECDH-style exchange: its ephemeral public key and the shared secret.
protocol KeyAgreementExchange {
    /// Q_S.
    var serverPublic: [UInt8] { get }
    /// K from Q_C.
    func sharedSecret(clientPublic: [UInt8]) throws(SSHWireError) -> [UInt8]
}

extension Curve25519Exchange: KeyAgreementExchange {}

/// The NIST curves' private keys, as ECDH needs them.
protocol NISTKeyAgreementKey {
    associatedtype PublicKey: NISTPublicKey
    init()
    var publicKey: PublicKey { get }
    func sharedSecretFromKeyAgreement(with publicKeyShare: PublicKey) throws -> SharedSecret
}

/// Their public keys.
protocol NISTPublicKey {
    init(x963Representation: some ContiguousBytes) throws
    var x963Representation: Data { get }
}

extension P256.KeyAgreement.PrivateKey: NISTKeyAgreementKey {}
extension P256.KeyAgreement.PublicKey: NISTPublicKey {}
extension P384.KeyAgreement.PrivateKey: NISTKeyAgreementKey {}
extension P384.KeyAgreement.PublicKey: NISTPublicKey {}
extension P521.KeyAgreement.PrivateKey: NISTKeyAgreementKey {}
extension P521.KeyAgreement.PublicKey: NISTPublicKey {}

/// ecdh-sha2-nistp256/384/521 (RFC 5656 §4): uncompressed points; the client's is checked to be
/// on the curve; K is the shared point's x-coordinate.
struct NISTExchange<Key: NISTKeyAgreementKey>: KeyAgreementExchange {
    let curve: String
    let serverPublic: [UInt8]
    private let key: Key

    init(curve: String) {
        self.curve = curve
        key = Key()
        serverPublic = Array(key.publicKey.x963Representation)
    }

    func sharedSecret(clientPublic: [UInt8]) throws(SSHWireError) -> [UInt8] {
        do {
            let peer = try Key.PublicKey(x963Representation: clientPublic)
            return try key.sharedSecretFromKeyAgreement(with: peer).withUnsafeBytes { Array($0) }
        } catch {
            throw SSHWireError(.keyExchangeFailed, "the client's \(curve) public key is not a point on the curve")
        }
    }
}

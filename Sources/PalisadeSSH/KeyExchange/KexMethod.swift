import Crypto
import Foundation

/// The key-exchange methods Palisade completes: ECDH over Curve25519 (RFC 8731) and the NIST
/// curves (RFC 5656), finite-field Diffie–Hellman over RFC 3526's groups 14, 16 and 18 (RFC 8268),
/// and Diffie–Hellman group exchange (RFC 4419).
enum KexMethod {
    case curve25519
    case nistP256
    case nistP384
    case nistP521
    case group14
    case group16
    case group18
    case groupExchange

    /// The method a KEXINIT name stands for.
    init?(_ name: String) {
        switch name {
        case "curve25519-sha256", "curve25519-sha256@libssh.org": self = .curve25519
        case "ecdh-sha2-nistp256": self = .nistP256
        case "ecdh-sha2-nistp384": self = .nistP384
        case "ecdh-sha2-nistp521": self = .nistP521
        case "diffie-hellman-group14-sha256": self = .group14
        case "diffie-hellman-group16-sha512": self = .group16
        case "diffie-hellman-group18-sha512": self = .group18
        case "diffie-hellman-group-exchange-sha256": self = .groupExchange
        default: return nil
        }
    }

    /// Every name above.
    static let names: Set<String> = [
        "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
        "diffie-hellman-group-exchange-sha256",
    ]

    /// The hash for H and the derived keys.
    var hash: KexHash {
        switch self {
        case .curve25519, .nistP256, .group14, .groupExchange: .sha256
        case .nistP384: .sha384
        case .nistP521, .group16, .group18: .sha512
        }
    }

    /// The group of a fixed-group method.
    var fixedGroup: DiffieHellmanGroup? {
        switch self {
        case .group14: .group14
        case .group16: .group16
        case .group18: .group18
        default: nil
        }
    }

    /// A fresh server side of an elliptic-curve exchange (nil for the finite-field methods).
    func ellipticExchange() -> (any KeyAgreementExchange)? {
        switch self {
        case .curve25519: Curve25519Exchange()
        case .nistP256: NISTExchange<P256.KeyAgreement.PrivateKey>(curve: "nistp256")
        case .nistP384: NISTExchange<P384.KeyAgreement.PrivateKey>(curve: "nistp384")
        case .nistP521: NISTExchange<P521.KeyAgreement.PrivateKey>(curve: "nistp521")
        case .group14, .group16, .group18, .groupExchange: nil
        }
    }
}

/// SHA-256, SHA-384 or SHA-512, as a key-exchange method names it.
enum KexHash {
    case sha256
    case sha384
    case sha512

    /// The digest of `bytes`.
    func hash(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha384: Array(SHA384.hash(data: bytes))
        case .sha512: Array(SHA512.hash(data: bytes))
        }
    }

    /// A derived key (RFC 4253 §7.2).
    func derive(sharedSecret: [UInt8], exchangeHash: [UInt8], sessionID: [UInt8], letter: Character, length: Int) -> [UInt8] {
        switch self {
        case .sha256:
            ExchangeHash.derive(
                SHA256.self,
                sharedSecret: sharedSecret,
                exchangeHash: exchangeHash,
                sessionID: sessionID,
                letter: letter,
                length: length
            )
        case .sha384:
            ExchangeHash.derive(
                SHA384.self,
                sharedSecret: sharedSecret,
                exchangeHash: exchangeHash,
                sessionID: sessionID,
                letter: letter,
                length: length
            )
        case .sha512:
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

/// The server side of finite-field Diffie–Hellman (RFC 4253 §8): a random exponent y, f = g^y mod p,
/// and K = e^y mod p for a client value e that is checked to lie strictly between 1 and p − 1 and
/// to have more than one bit set (as OpenSSH's `dh_pub_is_valid`).
struct FiniteFieldExchange: KeyAgreementExchange {
    let group: DiffieHellmanGroup
    /// f, as many bytes as p.
    let serverPublic: [UInt8]
    private let exponent: [UInt8]

    /// A fresh exponent of `exponentBits` bits (OpenSSH: twice the bits the ciphers need, at least
    /// 512, below p's size).
    init(group: DiffieHellmanGroup, exponentBits: Int, random: (Int) -> [UInt8]) {
        self.group = group
        let bits = min(exponentBits, group.bits - 1)
        var exponent = random((bits + 7) / 8)
        let excess = exponent.count * 8 - bits
        if excess > 0 { exponent[0] &= 0xFF >> UInt8(excess) }
        exponent[0] |= 0x80 >> UInt8(excess)
        self.exponent = exponent
        serverPublic = group.modulus.power(group.generator, exponent)
    }

    func sharedSecret(clientPublic: [UInt8]) throws(SSHWireError) -> [UInt8] {
        let e = MontgomeryModulus.limbs(bigEndian: clientPublic)
        var pMinusOne = group.modulus.limbs
        pMinusOne[0] -= 1
        let bitsSet = e.reduce(0) { $0 + $1.nonzeroBitCount }
        guard bitsSet > 1, MontgomeryModulus.compare(e, pMinusOne) < 0 else {
            throw SSHWireError(.keyExchangeFailed, "the client's Diffie-Hellman value is out of range")
        }
        return group.modulus.power(clientPublic, exponent)
    }
}

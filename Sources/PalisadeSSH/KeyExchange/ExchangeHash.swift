public import Crypto

/// The exchange hash and the keys derived from it (RFC 4253 §7.2, §8; RFC 5656 §4; RFC 8731 §3).
public enum ExchangeHash {
    /// H for an ECDH-style exchange (curve25519-sha256, ecdh-sha2-*): the hash of
    /// `string V_C ‖ string V_S ‖ string I_C ‖ string I_S ‖ string K_S ‖ string Q_C ‖ string Q_S ‖ mpint K`.
    public static func ecdh<H: HashFunction>(
        _ hash: H.Type,
        clientVersion: [UInt8],
        serverVersion: [UInt8],
        clientKexInit: [UInt8],
        serverKexInit: [UInt8],
        hostKey: [UInt8],
        clientPublic: [UInt8],
        serverPublic: [UInt8],
        sharedSecret: [UInt8]
    ) -> [UInt8] {
        var exchange = SSHWriter(capacity: 256)
        exchange.write(string: clientPublic)
        exchange.write(string: serverPublic)
        let bytes = transcript(
            clientVersion: clientVersion,
            serverVersion: serverVersion,
            clientKexInit: clientKexInit,
            serverKexInit: serverKexInit,
            hostKey: hostKey,
            exchange: exchange.bytes,
            sharedSecret: sharedSecret
        )
        return Array(H.hash(data: bytes))
    }

    /// What H hashes: `string V_C ‖ string V_S ‖ string I_C ‖ string I_S ‖ string K_S`, then the
    /// method's own values already encoded (`exchange`: Q_C and Q_S as strings for ECDH; e and f as
    /// mpints for Diffie–Hellman; min, n, max, p, g, e, f for group exchange), then `mpint K`.
    static func transcript(
        clientVersion: [UInt8],
        serverVersion: [UInt8],
        clientKexInit: [UInt8],
        serverKexInit: [UInt8],
        hostKey: [UInt8],
        exchange: [UInt8],
        sharedSecret: [UInt8]
    ) -> [UInt8] {
        var writer = SSHWriter(capacity: 4_096)
        writer.write(string: clientVersion)
        writer.write(string: serverVersion)
        writer.write(string: clientKexInit)
        writer.write(string: serverKexInit)
        writer.write(string: hostKey)
        writer.write(raw: exchange)
        writer.write(mpint: sharedSecret)
        return writer.bytes
    }

    /// The six keys of RFC 4253 §7.2, each `length` bytes: HASH(K ‖ H ‖ letter ‖ session_id),
    /// extended by HASH(K ‖ H ‖ K1 ‖ …) as needed. `sharedSecret` is K's magnitude (encoded as an mpint).
    public static func derive<H: HashFunction>(
        _ hash: H.Type,
        sharedSecret: [UInt8],
        exchangeHash: [UInt8],
        sessionID: [UInt8],
        letter: Character,
        length: Int
    ) -> [UInt8] {
        var k = SSHWriter()
        k.write(mpint: sharedSecret)
        var first = H()
        first.update(data: k.bytes)
        first.update(data: exchangeHash)
        first.update(data: Array(String(letter).utf8))
        first.update(data: sessionID)
        var key = Array(first.finalize())
        while key.count < length {
            var more = H()
            more.update(data: k.bytes)
            more.update(data: exchangeHash)
            more.update(data: key)
            key += Array(more.finalize())
        }
        return Array(key.prefix(length))
    }
}

/// The server side of curve25519-sha256 (RFC 8731): the server's ephemeral key, the shared secret,
/// and the checks the RFC requires (a 32-byte client key; an all-zero shared secret is refused).
public struct Curve25519Exchange {
    /// The server's ephemeral public key (Q_S).
    public let serverPublic: [UInt8]
    private let privateKey: Curve25519.KeyAgreement.PrivateKey

    /// A fresh ephemeral key.
    public init() {
        privateKey = Curve25519.KeyAgreement.PrivateKey()
        serverPublic = Array(privateKey.publicKey.rawRepresentation)
    }

    /// K, from the client's public key (Q_C).
    ///
    /// - Throws: ``SSHWireError`` `keyExchangeFailed` for a key that is not 32 bytes or a shared
    ///   secret of all zeros (a low-order point).
    public func sharedSecret(clientPublic: [UInt8]) throws(SSHWireError) -> [UInt8] {
        guard clientPublic.count == 32 else {
            throw SSHWireError(.keyExchangeFailed, "a curve25519 public key is 32 bytes, not \(clientPublic.count)")
        }
        let secret: [UInt8]
        do {
            let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: clientPublic)
            secret = try privateKey.sharedSecretFromKeyAgreement(with: peer).withUnsafeBytes { Array($0) }
        } catch {
            throw SSHWireError(.keyExchangeFailed, "the curve25519 key agreement failed: \(error)")
        }
        guard secret.contains(where: { $0 != 0 }) else { throw SSHWireError(.keyExchangeFailed, "the curve25519 shared secret is all zeros") }
        return secret
    }
}

/// What a key exchange agreed on (RFC 4253 §7.1), and the extensions both sides signalled.
public struct NegotiatedAlgorithms: Hashable, Sendable {
    /// The key-exchange method.
    public var kex: String
    /// The host key algorithm.
    public var hostKey: String
    /// Cipher, client to server.
    public var encryptionClientToServer: String
    /// Cipher, server to client.
    public var encryptionServerToClient: String
    /// MAC, client to server (`nil` with an AEAD cipher, which authenticates itself).
    public var macClientToServer: String?
    /// MAC, server to client.
    public var macServerToClient: String?
    /// Compression, client to server.
    public var compressionClientToServer: String
    /// Compression, server to client.
    public var compressionServerToClient: String
    /// Both sides offered strict KEX (`kex-strict-*-v00@openssh.com`, the Terrapin fix): sequence
    /// numbers reset at every NEWKEYS and nothing unexpected is allowed during the first exchange.
    public var strictKex: Bool
    /// The client asked for SSH_MSG_EXT_INFO (`ext-info-c`, RFC 8308).
    public var clientWantsExtInfo: Bool
    /// The client sent a guessed first key-exchange packet that guessed wrong: ignore it.
    public var ignoreGuessedPacket: Bool
}

/// RFC 4253 §7.1 negotiation: for each category the first algorithm on the client's list that the
/// server also lists; a key-exchange method needs a host key algorithm both support; pseudo-names
/// (extension and strict-KEX markers) are never chosen.
public enum AlgorithmNegotiation {
    /// Names in a KEXINIT that signal support for something rather than name an algorithm.
    public static let markers: Set<String> = [
        "ext-info-c", "ext-info-s", "kex-strict-c-v00@openssh.com", "kex-strict-s-v00@openssh.com",
    ]

    /// Ciphers that authenticate themselves (no MAC is negotiated with them).
    public static let authenticatedCiphers: Set<String> = [
        "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
    ]

    /// Negotiates as the server, `server` being what it sent.
    ///
    /// - Throws: ``SSHWireError`` `keyExchangeFailed` naming the category with nothing in common
    ///   (OpenSSH's "no matching … found").
    public static func negotiate(client: KexInit, server: KexInit) throws(SSHWireError) -> NegotiatedAlgorithms {
        let hostKey = try pick(client.serverHostKeyAlgorithms, server.serverHostKeyAlgorithms, "host key type")
        let kex = try pick(
            client.kexAlgorithms.filter { !markers.contains($0) },
            server.kexAlgorithms.filter { !markers.contains($0) },
            "key exchange method"
        )
        let encryptionIn = try pick(client.encryptionClientToServer, server.encryptionClientToServer, "cipher")
        let encryptionOut = try pick(client.encryptionServerToClient, server.encryptionServerToClient, "cipher")
        let macIn = authenticatedCiphers.contains(encryptionIn) ? nil : try pick(client.macClientToServer, server.macClientToServer, "MAC")
        let macOut = authenticatedCiphers.contains(encryptionOut) ? nil : try pick(client.macServerToClient, server.macServerToClient, "MAC")
        let compressionIn = try pick(client.compressionClientToServer, server.compressionClientToServer, "compression method")
        let compressionOut = try pick(client.compressionServerToClient, server.compressionServerToClient, "compression method")
        // The client's guess is right only if its first kex and host key choices are the agreed ones.
        let guessedRight = client.kexAlgorithms.first == kex && client.serverHostKeyAlgorithms.first == hostKey
        return NegotiatedAlgorithms(
            kex: kex,
            hostKey: hostKey,
            encryptionClientToServer: encryptionIn,
            encryptionServerToClient: encryptionOut,
            macClientToServer: macIn,
            macServerToClient: macOut,
            compressionClientToServer: compressionIn,
            compressionServerToClient: compressionOut,
            strictKex: client.kexAlgorithms.contains("kex-strict-c-v00@openssh.com") && server.kexAlgorithms.contains("kex-strict-s-v00@openssh.com"),
            clientWantsExtInfo: client.kexAlgorithms.contains("ext-info-c"),
            ignoreGuessedPacket: client.firstKexPacketFollows && !guessedRight
        )
    }

    private static func pick(_ client: [String], _ server: [String], _ what: String) throws(SSHWireError) -> String {
        let offered = Set(server)
        guard let chosen = client.first(where: { offered.contains($0) }) else {
            throw SSHWireError(.keyExchangeFailed, "no matching \(what) found. Their offer: \(client.joined(separator: ","))")
        }
        return chosen
    }
}

/// SSH_MSG_KEXINIT (RFC 4253 §7.1): a random cookie, the ten algorithm name-lists in each side's
/// order of preference, and whether a guessed key-exchange packet follows.
public struct KexInit: Hashable, Sendable {
    /// The message number.
    public static let messageNumber: UInt8 = 20

    /// 16 random bytes.
    public var cookie: [UInt8]
    /// Key-exchange methods (with markers such as `ext-info-c`, `kex-strict-c-v00@openssh.com`).
    public var kexAlgorithms: [String]
    /// Host key algorithms.
    public var serverHostKeyAlgorithms: [String]
    /// Ciphers, client to server.
    public var encryptionClientToServer: [String]
    /// Ciphers, server to client.
    public var encryptionServerToClient: [String]
    /// MACs, client to server.
    public var macClientToServer: [String]
    /// MACs, server to client.
    public var macServerToClient: [String]
    /// Compression, client to server.
    public var compressionClientToServer: [String]
    /// Compression, server to client.
    public var compressionServerToClient: [String]
    /// Languages, client to server (empty in practice).
    public var languagesClientToServer: [String]
    /// Languages, server to client.
    public var languagesServerToClient: [String]
    /// Whether the sender already sent its first key-exchange packet, guessing the method.
    public var firstKexPacketFollows: Bool
    /// Reserved (0).
    public var reserved: UInt32

    /// Creates a KEXINIT.
    public init(
        cookie: [UInt8],
        kexAlgorithms: [String],
        serverHostKeyAlgorithms: [String],
        encryption: [String],
        mac: [String],
        compression: [String],
        firstKexPacketFollows: Bool = false
    ) {
        self.cookie = cookie
        self.kexAlgorithms = kexAlgorithms
        self.serverHostKeyAlgorithms = serverHostKeyAlgorithms
        self.encryptionClientToServer = encryption
        self.encryptionServerToClient = encryption
        self.macClientToServer = mac
        self.macServerToClient = mac
        self.compressionClientToServer = compression
        self.compressionServerToClient = compression
        self.languagesClientToServer = []
        self.languagesServerToClient = []
        self.firstKexPacketFollows = firstKexPacketFollows
        self.reserved = 0
    }

    /// Reads a KEXINIT payload (message number included).
    ///
    /// - Throws: ``SSHWireError`` when it is not one, or has bytes after its end.
    public init(payload: [UInt8]) throws(SSHWireError) {
        var reader = SSHReader(payload)
        guard try reader.readByte() == Self.messageNumber else { throw SSHWireError(.protocolError, "not a KEXINIT message") }
        cookie = try reader.readBytes(16)
        kexAlgorithms = try reader.readNameList()
        serverHostKeyAlgorithms = try reader.readNameList()
        encryptionClientToServer = try reader.readNameList()
        encryptionServerToClient = try reader.readNameList()
        macClientToServer = try reader.readNameList()
        macServerToClient = try reader.readNameList()
        compressionClientToServer = try reader.readNameList()
        compressionServerToClient = try reader.readNameList()
        languagesClientToServer = try reader.readNameList()
        languagesServerToClient = try reader.readNameList()
        firstKexPacketFollows = try reader.readBool()
        reserved = try reader.readUInt32()
        guard reader.isAtEnd else { throw SSHWireError(.protocolError, "KEXINIT has \(reader.remaining) bytes after its end") }
    }

    /// The payload (message number included): what is sent, and what the exchange hash covers.
    public var payload: [UInt8] {
        var writer = SSHWriter(capacity: 1_024)
        writer.write(byte: Self.messageNumber)
        writer.write(raw: cookie)
        for list in [
            kexAlgorithms, serverHostKeyAlgorithms, encryptionClientToServer, encryptionServerToClient, macClientToServer, macServerToClient,
            compressionClientToServer, compressionServerToClient, languagesClientToServer, languagesServerToClient,
        ] {
            writer.write(nameList: list)
        }
        writer.write(bool: firstKexPacketFollows)
        writer.write(uint32: reserved)
        return writer.bytes
    }
}

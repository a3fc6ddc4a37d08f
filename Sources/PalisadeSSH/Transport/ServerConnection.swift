import Crypto

/// What a server connection observed, in order: what the sensor records.
public enum SSHEvent: Hashable, Sendable {
    /// The client's identification line.
    case clientIdentification(Identification)
    /// The client's KEXINIT, with its HASSH fingerprint and the string hashed.
    case clientKexInit(KexInit, hassh: String, hasshAlgorithms: String)
    /// The algorithms agreed.
    case negotiated(NegotiatedAlgorithms)
    /// The first key exchange completed; encryption is on.
    case encrypted(sessionID: [UInt8])
    /// A later key exchange (re-keying) agreed these algorithms; `byClient` tells who started it.
    case rekeyed(NegotiatedAlgorithms, byClient: Bool)
    /// A service was requested (`ssh-userauth`).
    case serviceRequested(String)
    /// An authentication attempt and whether the policy let it succeed.
    case authentication(AuthenticationAttempt, succeeded: Bool)
    /// A publickey query (no signature) the policy would accept, answered USERAUTH_PK_OK.
    case publicKeyAcceptable(AuthenticationAttempt)
    /// The client disconnected, with its reason.
    case clientDisconnected(reason: UInt32, message: String)
    /// Something on the connection protocol (after a successful authentication).
    case channel(ChannelEvent)
}

/// One authentication request (RFC 4252 §5).
public struct AuthenticationAttempt: Hashable, Sendable {
    /// The user name as sent.
    public var username: String
    /// The method: `none`, `password`, `publickey`, `keyboard-interactive`, or what the client said.
    public var method: String
    /// The password, for `password`.
    public var password: String?
    /// The offered key's algorithm, for `publickey`.
    public var publicKeyAlgorithm: String?
    /// The offered key's blob, for `publickey`.
    public var publicKeyBlob: [UInt8]?
    /// For `publickey`: nil for a query (no signature), else what the signature check found —
    /// `valid`, `invalid` or `unsupported` (a key type not verified).
    public var signature: String?
    /// This attempt's number on the connection (1 for the first after `none`; `none` itself is 0).
    public var number: Int = 0
    /// Whether the client asked to change the password (RFC 4252 §8).
    public var changingPassword = false

    /// An attempt.
    public init(username: String, method: String, password: String? = nil) {
        self.username = username
        self.method = method
        self.password = password
    }
}

/// The server side of one SSH connection as a pure state machine: bytes in, bytes out, events —
/// no sockets, no clocks, so a hostile client can be replayed in a test byte for byte. Every input
/// is bounded; a protocol violation ends the connection with a DISCONNECT carrying its reason
/// (``Outcome/closing``), never the process.
///
/// Implemented: curve25519-sha256 (and @libssh.org), ecdh-sha2-nistp256/384/521,
/// diffie-hellman-group14-sha256, group16-sha512, group18-sha512 and group-exchange-sha256 with
/// Ed25519, ECDSA P-256 and RSA (SHA-2) host keys; chacha20-poly1305@openssh.com,
/// aes128/256-gcm@openssh.com, aes128/192/256-ctr with hmac-sha2-256/512 and hmac-sha1, plain or
/// encrypt-then-MAC; re-keying started by either side (the server by volume, as OpenSSH, or when
/// ``startKeyExchange()`` is called); strict KEX, ext-info (server-sig-algs); the userauth service
/// with every request answered by the policy; session channels (ServerConnection+Channels.swift).
public final class ServerConnection {
    /// Settings.
    public struct Configuration: Sendable {
        /// The server impersonated (banner and lists), already limited to what is implemented.
        public var profile: ServerProfile
        /// The host keys (the profile offers the algorithms they serve, in its own order).
        public var hostKeys: [HostKey]
        /// Whether an authentication attempt succeeds.
        public var accepts: @Sendable (AuthenticationAttempt) -> Bool
        /// The methods a failure lists (`Permission denied (publickey,password).`); with
        /// `keyboard-interactive` among them, that method prompts for a password (as sshd with PAM).
        public var authenticationMethods: [String]
        /// Failed attempts (not counting `none`) after which the connection is closed, as
        /// OpenSSH's MaxAuthTries (6): the last one is answered with DISCONNECT "Too many
        /// authentication failures".
        public var maxAuthTries: Int = 6
        /// The groups diffie-hellman-group-exchange picks from (sshd's /etc/ssh/moduli); without
        /// any, RFC 3526's groups as sshd falls back to.
        public var moduli: ModuliFile = .none
        /// Bytes (both directions) after which the server starts a new key exchange; OpenSSH's
        /// default applies below it (2³² blocks of a 16-byte-block cipher, 1 GiB for ChaCha20).
        public var rekeyAfterBytes: UInt64 = .max

        /// Creates a configuration.
        public init(
            profile: ServerProfile,
            hostKeys: [HostKey],
            authenticationMethods: [String] = ["publickey", "password"],
            accepts: @escaping @Sendable (AuthenticationAttempt) -> Bool = { _ in false }
        ) {
            let served = Set(hostKeys.flatMap(\.algorithms))
            var offered = profile
            offered.hostKeys = profile.hostKeys.filter { served.contains($0) }
            self.profile = offered
            self.hostKeys = hostKeys
            self.authenticationMethods = authenticationMethods
            self.accepts = accepts
        }
    }

    /// The algorithms this stack completes today.
    public static let implemented: Set<String> = PacketCiphers.names.union(KexMethod.names).union([
        "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "none",
    ])

    /// Where the connection stands, apart from any key exchange.
    enum Phase {
        case identification
        /// The first key exchange, before encryption is on.
        case keyExchange
        case service
        case authentication
        case connection
    }

    let configuration: Configuration
    var phase = Phase.identification
    /// The key exchange under way, if any (ServerConnection+KeyExchange.swift).
    var kex = KeyExchangeState.sentKexInit
    private var buffer: [UInt8] = []
    var clientIdentification: [UInt8] = []
    /// The KEXINIT the server sent last.
    var serverKexInit: KexInit
    var inboundSequence: UInt32 = 0
    var outboundSequence: UInt32 = 0
    var inbound: (any PacketCipher)?
    var outbound: (any PacketCipher)?
    var strict = false
    var ignoreNextKexPacket = false
    var sessionID: [UInt8]?
    let random: @Sendable (Int) -> [UInt8]
    var closed: SSHWireError?
    var authFailures = 0
    /// The user a keyboard-interactive prompt is out for.
    var interactiveUser: String?
    /// Bytes sent and received since the last NEWKEYS (for re-keying by volume).
    var bytesSinceKeyExchange: UInt64 = 0
    /// Payloads held back while the server's key exchange runs (RFC 4253 §7.1), and their size.
    var held: [[UInt8]] = []
    var heldBytes = 0
    /// Open channels by the server's channel number (see ServerConnection+Channels.swift).
    var channels: [UInt32: Channel] = [:]
    var nextChannel: UInt32 = 0

    /// The longest identification line and the most bytes buffered before it.
    static let maxPreamble = 8_192

    /// Creates a connection; ``greeting`` is what to send first.
    public init(configuration: Configuration, random: @escaping @Sendable (Int) -> [UInt8]) {
        self.configuration = configuration
        self.random = random
        serverKexInit = configuration.profile.kexInit(cookie: random(16))
    }

    /// A connection already past its key exchange, without encryption, in `phase` — so the fuzz
    /// target and tests can reach the userauth and connection parsers with plain packets. Never
    /// used by a listener.
    static func pastKeyExchange(configuration: Configuration, phase: Phase, random: @escaping @Sendable (Int) -> [UInt8]) -> ServerConnection {
        let connection = ServerConnection(configuration: configuration, random: random)
        connection.phase = phase
        connection.kex = .idle
        connection.sessionID = random(32)
        return connection
    }

    /// The server's identification line and KEXINIT (OpenSSH sends both without waiting).
    public var greeting: [UInt8] {
        configuration.profile.identification.line + BinaryPacket.plain(serverKexInit.payload, random: random)
    }

    /// What one ``receive(_:)`` came to.
    public struct Outcome: Sendable {
        /// Bytes to send (with a DISCONNECT at the end when the connection is to close).
        public var output: [UInt8] = []
        /// What happened, in order.
        public var events: [SSHEvent] = []
        /// Set when the connection must close after `output` is sent: why.
        public var closing: SSHWireError?
    }

    /// Takes bytes from the client: what to send, what happened, and whether to close.
    public func receive(_ bytes: [UInt8]) -> Outcome {
        var outcome = Outcome()
        guard closed == nil else {
            outcome.closing = closed
            return outcome
        }
        do {
            try process(bytes, &outcome.output, &outcome.events)
            // An idle connection holds no buffer: thousands of them wait between keystrokes.
            if buffer.isEmpty && buffer.capacity > 0 { buffer = [] }
        } catch {
            closed = error
            outcome.closing = error
            // A client that disconnected gets no DISCONNECT back.
            var clientLeft = false
            if case .clientDisconnected? = outcome.events.last { clientLeft = true }
            if !clientLeft { outcome.output += disconnectPacket(error) }
        }
        return outcome
    }

    private func process(_ bytes: [UInt8], _ output: inout [UInt8], _ events: inout [SSHEvent]) throws(SSHWireError) {
        buffer += bytes
        if case .identification = phase {
            guard let end = buffer.firstIndex(of: 0x0A) else {
                guard buffer.count <= Identification.maxLength else {
                    throw SSHWireError(.protocolError, "no identification line in the first 255 bytes")
                }
                return
            }
            var line = Array(buffer[..<end])
            buffer.removeSubrange(...end)
            if line.last == 0x0D { line.removeLast() }
            let identification = try Identification(parsing: line)
            clientIdentification = line
            events.append(.clientIdentification(identification))
            phase = .keyExchange
        }
        while let payload = try nextPayload() {
            try handle(payload, &output, &events)
        }
        try rekeyIfDue(&output)
    }

    /// A DISCONNECT to send for `error` (encrypted when encryption is on).
    func disconnectPacket(_ error: SSHWireError) -> [UInt8] {
        var writer = SSHWriter()
        writer.write(byte: MessageNumber.disconnect)
        writer.write(uint32: error.reason.rawValue)
        writer.write(text: error.reason == .keyExchangeFailed ? error.description : error.peerMessage)
        writer.write(text: "")
        do {
            return try packet(writer.bytes)
        } catch {
            return []  // a cipher that cannot seal: the connection is closed without the message
        }
    }

    private func nextPayload() throws(SSHWireError) -> [UInt8]? {
        if case .identification = phase { return nil }
        guard let inbound else {
            guard let (payload, consumed) = try BinaryPacket.readPlain(buffer[...]) else { return nil }
            buffer.removeFirst(consumed)
            inboundSequence &+= 1
            return payload
        }
        guard buffer.count >= inbound.lengthBytes else { return nil }
        let length: Int
        do {
            length = try inbound.packetLength(Array(buffer[0..<inbound.lengthBytes]), sequence: inboundSequence)
        } catch {
            throw SSHWireError(.protocolError, "the packet length does not decrypt")
        }
        let aligned = inbound.lengthIsAuthenticatedData ? length : length + 4
        guard length >= 8, length <= BinaryPacket.maxPacketLength, aligned % inbound.blockSize == 0 else {
            throw SSHWireError(.protocolError, "bad packet length \(length)")
        }
        let total = 4 + length + inbound.tagLength
        guard buffer.count >= total else { return nil }
        let plain: [UInt8]
        do {
            plain = try inbound.open(Array(buffer[0..<total]), sequence: inboundSequence)
        } catch let error as SSHWireError {
            throw error
        } catch {
            throw SSHWireError(.macError, "the packet does not decrypt")
        }
        buffer.removeFirst(total)
        inboundSequence &+= 1
        bytesSinceKeyExchange &+= UInt64(total)
        let padding = Int(plain[4])
        guard padding >= 4, padding < length else { throw SSHWireError(.protocolError, "bad padding length \(padding)") }
        return Array(plain[5..<(4 + length - padding)])
    }

    private func packet(_ payload: [UInt8]) throws -> [UInt8] {
        defer { outboundSequence &+= 1 }
        guard let outbound else { return BinaryPacket.plain(payload, random: random) }
        let packet = BinaryPacket.plain(
            payload,
            blockSize: outbound.blockSize,
            lengthIsAuthenticatedData: outbound.lengthIsAuthenticatedData,
            random: random
        )
        let sealed = try outbound.seal(packet, sequence: outboundSequence)
        bytesSinceKeyExchange &+= UInt64(sealed.count)
        return sealed
    }

    /// The most bytes held back during a key exchange before the connection is given up.
    static let maxHeldBytes = 4 << 20

    /// Sends a payload — or, while the server's own KEXINIT is out and its NEWKEYS is not, holds
    /// anything but transport messages until the exchange is done.
    func send(_ payload: [UInt8], _ output: inout [UInt8]) throws(SSHWireError) {
        if kex.holdsOutput, let number = payload.first, number > 49 {
            heldBytes += payload.count
            guard heldBytes <= Self.maxHeldBytes else { throw SSHWireError(.byApplication, "too much output held during a key exchange") }
            held.append(payload)
            return
        }
        do {
            output += try packet(payload)
        } catch {
            throw SSHWireError(.byApplication, "a packet could not be sealed: \(error)")
        }
    }

    private func handle(_ payload: [UInt8], _ output: inout [UInt8], _ events: inout [SSHEvent]) throws(SSHWireError) {
        guard let number = payload.first else { throw SSHWireError(.protocolError, "an empty packet") }
        switch number {
        case MessageNumber.disconnect:
            var reader = SSHReader(payload, offset: 1)
            let reason = try reader.readUInt32()
            let message = try reader.readText(limit: 1_024)
            events.append(.clientDisconnected(reason: reason, message: message))
            throw SSHWireError(.byApplication, "the client disconnected")
        case MessageNumber.ignore, MessageNumber.debug, MessageNumber.unimplemented:
            // Strict KEX: nothing but the key exchange until the first NEWKEYS.
            if case .keyExchange = phase, strict {
                throw SSHWireError(.protocolError, "strict KEX violation: message \(number) during the first key exchange")
            }
            return
        case 20...49:
            try handleKeyExchange(number, payload, &output, &events)
            return
        default: break
        }
        // Once the client's KEXINIT is in, it sends nothing else until its NEWKEYS (RFC 4253 §7.1).
        guard kex.acceptsOtherMessages else {
            throw SSHWireError(.protocolError, "message \(number) in the middle of a key exchange")
        }
        switch phase {
        case .identification:
            preconditionFailure("packets are read only after the identification line")
        case .keyExchange:
            throw SSHWireError(.protocolError, "expected KEXINIT, got message \(number)")
        case .service:
            guard number == MessageNumber.serviceRequest else {
                throw SSHWireError(.protocolError, "expected SERVICE_REQUEST, got message \(number)")
            }
            var reader = SSHReader(payload, offset: 1)
            let service = try reader.readText(limit: 64)
            events.append(.serviceRequested(service))
            guard service == "ssh-userauth" else { throw SSHWireError(.serviceNotAvailable, "service \(service) is not available") }
            var accept = SSHWriter()
            accept.write(byte: MessageNumber.serviceAccept)
            accept.write(text: service)
            try send(accept.bytes, &output)
            phase = .authentication
        case .authentication:
            try handleAuthentication(number, payload, &output, &events)
        case .connection:
            try handleConnection(number, payload, &output, &events)
        }
    }

    /// SSH_MSG_UNIMPLEMENTED for the packet just read.
    func unimplemented(_ output: inout [UInt8]) throws(SSHWireError) {
        var writer = SSHWriter()
        writer.write(byte: MessageNumber.unimplemented)
        writer.write(uint32: inboundSequence &- 1)
        try send(writer.bytes, &output)
    }

    /// SSH_MSG_EXT_INFO with server-sig-algs, as OpenSSH 9.2 sends it.
    static func extInfo(_ configuration: Configuration) -> [UInt8] {
        var writer = SSHWriter()
        writer.write(byte: MessageNumber.extInfo)
        writer.write(uint32: 2)
        writer.write(text: "server-sig-algs")
        writer.write(
            text:
                "ssh-ed25519,sk-ssh-ed25519@openssh.com,ssh-rsa,rsa-sha2-256,rsa-sha2-512,ssh-dss,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ecdsa-sha2-nistp256@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com"
        )
        writer.write(text: "publickey-hostbound@openssh.com")
        writer.write(text: "0")
        return writer.bytes
    }
}

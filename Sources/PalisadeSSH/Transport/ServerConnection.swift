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
    /// A service was requested (`ssh-userauth`).
    case serviceRequested(String)
    /// An authentication attempt and whether the policy let it succeed.
    case authentication(AuthenticationAttempt, succeeded: Bool)
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
}

/// The server side of one SSH connection as a pure state machine: bytes in, bytes out, events —
/// no sockets, no clocks, so a hostile client can be replayed in a test byte for byte. Every input
/// is bounded; a protocol violation ends the connection with a DISCONNECT carrying its reason
/// (``Outcome/closing``), never the process.
///
/// Implemented so far: curve25519-sha256 (and @libssh.org) and ecdh-sha2-nistp256/384/521 with
/// Ed25519, ECDSA P-256 and RSA (SHA-2) host keys;
/// chacha20-poly1305@openssh.com, aes128/256-gcm@openssh.com, aes128/192/256-ctr with
/// hmac-sha2-256/512 and hmac-sha1, plain or encrypt-then-MAC; strict KEX, ext-info
/// (server-sig-algs), the userauth service with every request answered by the policy. The
/// connection protocol comes next.
public final class ServerConnection {
    /// Settings.
    public struct Configuration: Sendable {
        /// The server impersonated (banner and lists), already limited to what is implemented.
        public var profile: ServerProfile
        /// The host keys (the profile offers the algorithms they serve, in its own order).
        public var hostKeys: [HostKey]
        /// Whether an authentication attempt succeeds.
        public var accepts: @Sendable (AuthenticationAttempt) -> Bool
        /// The methods a failure lists (`Permission denied (publickey,password).`).
        public var authenticationMethods: [String]
        /// Failed attempts (not counting `none`) after which the connection is closed, as
        /// OpenSSH's MaxAuthTries (6): the last one is answered with DISCONNECT "Too many
        /// authentication failures".
        public var maxAuthTries: Int = 6

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

    private enum Phase {
        case identification
        case kexInit
        case ecdhInit(clientPayload: [UInt8], negotiated: NegotiatedAlgorithms)
        case newKeys(inbound: any PacketCipher)
        case service
        case authentication
        case connection
    }

    private let configuration: Configuration
    private var phase = Phase.identification
    private var buffer: [UInt8] = []
    private var clientIdentification: [UInt8] = []
    private var serverKexInit: KexInit
    private var inboundSequence: UInt32 = 0
    private var outboundSequence: UInt32 = 0
    private var inbound: (any PacketCipher)?
    private var outbound: (any PacketCipher)?
    private var strict = false
    private var firstKex = true
    private var ignoreNextKexPacket = false
    private var sessionID: [UInt8]?
    private var random: @Sendable (Int) -> [UInt8]
    var closed: SSHWireError?
    private var authFailures = 0
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
            phase = .kexInit
        }
        while let payload = try nextPayload() {
            try handle(payload, &output, &events)
        }
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
        return try outbound.seal(packet, sequence: outboundSequence)
    }

    func send(_ payload: [UInt8], _ output: inout [UInt8]) throws(SSHWireError) {
        do {
            output += try packet(payload)
        } catch {
            throw SSHWireError(.byApplication, "a packet could not be sealed: \(error)")
        }
    }

    private func handle(_ payload: [UInt8], _ output: inout [UInt8], _ events: inout [SSHEvent]) throws(SSHWireError) {
        guard let number = payload.first else { throw SSHWireError(.protocolError, "an empty packet") }
        // Strict KEX: nothing but the key exchange until the first NEWKEYS.
        let inFirstKex = firstKex
        switch number {
        case MessageNumber.disconnect:
            var reader = SSHReader(payload, offset: 1)
            let reason = try reader.readUInt32()
            let message = try reader.readText(limit: 1_024)
            events.append(.clientDisconnected(reason: reason, message: message))
            throw SSHWireError(.byApplication, "the client disconnected")
        case MessageNumber.ignore, MessageNumber.debug, MessageNumber.unimplemented:
            if inFirstKex && strict { throw SSHWireError(.protocolError, "strict KEX violation: message \(number) during the first key exchange") }
            return
        default: break
        }
        switch phase {
        case .identification:
            preconditionFailure("packets are read only after the identification line")
        case .kexInit:
            guard number == MessageNumber.kexInit else { throw SSHWireError(.protocolError, "expected KEXINIT, got message \(number)") }
            let client = try KexInit(payload: payload)
            let hassh = HASSH.client(client)
            events.append(.clientKexInit(client, hassh: hassh.hash, hasshAlgorithms: hassh.algorithms))
            let negotiated = try AlgorithmNegotiation.negotiate(client: client, server: serverKexInit)
            events.append(.negotiated(negotiated))
            strict = negotiated.strictKex
            if strict && inboundSequence != 1 {
                throw SSHWireError(.protocolError, "strict KEX: KEXINIT was not the first packet")
            }
            ignoreNextKexPacket = negotiated.ignoreGuessedPacket
            // The exchange hash covers the KEXINIT as the client sent it, byte for byte (libssh's
            // trailing comma included), not as it would be encoded again.
            phase = .ecdhInit(clientPayload: payload, negotiated: negotiated)
        case .ecdhInit(let clientPayload, let negotiated):
            if ignoreNextKexPacket {
                ignoreNextKexPacket = false
                return
            }
            guard number == MessageNumber.kexECDHInit else { throw SSHWireError(.protocolError, "expected KEX_ECDH_INIT, got message \(number)") }
            var reader = SSHReader(payload, offset: 1)
            let clientPublic = try reader.readString(limit: 256)
            guard reader.isAtEnd else { throw SSHWireError(.protocolError, "KEX_ECDH_INIT has bytes after its end") }
            guard let method = KexMethod(negotiated.kex),
                let hostKey = configuration.hostKeys.first(where: { $0.algorithms.contains(negotiated.hostKey) })
            else { throw SSHWireError(.keyExchangeFailed, "\(negotiated.kex) with \(negotiated.hostKey) is not implemented") }
            let exchange = method.exchange()
            let secret = try exchange.sharedSecret(clientPublic: clientPublic)
            let hostKeyBlob = hostKey.publicKeyBlob
            let h = method.exchangeHash(
                clientVersion: clientIdentification,
                serverVersion: Array(configuration.profile.identification.description.utf8),
                clientKexInit: clientPayload,
                serverKexInit: serverKexInit.payload,
                hostKey: hostKeyBlob,
                clientPublic: clientPublic,
                serverPublic: exchange.serverPublic,
                sharedSecret: secret
            )
            let session = sessionID ?? h
            sessionID = session
            var reply = SSHWriter(capacity: 512)
            reply.write(byte: MessageNumber.kexECDHReply)
            reply.write(string: hostKeyBlob)
            reply.write(string: exchange.serverPublic)
            do {
                reply.write(string: try hostKey.signatureBlob(over: h, algorithm: negotiated.hostKey))
            } catch {
                throw SSHWireError(.keyExchangeFailed, "the host key could not sign: \(error)")
            }
            try send(reply.bytes, &output)
            try send([MessageNumber.newKeys], &output)
            let key = { (letter: Character, length: Int) in
                method.derive(sharedSecret: secret, exchangeHash: h, sessionID: session, letter: letter, length: length)
            }
            func cipher(
                _ name: String,
                _ mac: String?,
                iv: Character,
                key keyLetter: Character,
                macKey macLetter: Character
            ) throws(SSHWireError)
                -> any PacketCipher
            {
                guard let sizes = PacketCiphers.sizes(cipher: name) else {
                    throw SSHWireError(.keyExchangeFailed, "cipher \(name) is not implemented")
                }
                let macLength = mac.flatMap(PacketCiphers.mac)?.key ?? 0
                return try PacketCiphers.make(
                    cipher: name,
                    mac: mac,
                    key: key(keyLetter, sizes.key),
                    iv: key(iv, sizes.iv),
                    macKey: key(macLetter, macLength)
                )
            }
            // The server's NEWKEYS went out under the old keys; what it sends next uses the new ones.
            outbound = try cipher(negotiated.encryptionServerToClient, negotiated.macServerToClient, iv: "B", key: "D", macKey: "F")
            if strict { outboundSequence = 0 }
            if negotiated.clientWantsExtInfo && firstKex { try send(Self.extInfo(configuration), &output) }
            phase = .newKeys(inbound: try cipher(negotiated.encryptionClientToServer, negotiated.macClientToServer, iv: "A", key: "C", macKey: "E"))
        case .newKeys(let newInbound):
            guard number == MessageNumber.newKeys, payload.count == 1 else {
                throw SSHWireError(.protocolError, "expected NEWKEYS, got message \(number)")
            }
            inbound = newInbound
            if strict { inboundSequence = 0 }
            firstKex = false
            events.append(.encrypted(sessionID: sessionID ?? []))
            phase = .service
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
            guard number == MessageNumber.userauthRequest else {
                try unimplemented(&output)
                return
            }
            let attempt = try Self.authenticationAttempt(payload)
            let succeeded = configuration.accepts(attempt)
            events.append(.authentication(attempt, succeeded: succeeded))
            if !succeeded && attempt.method != "none" {
                authFailures += 1
                if authFailures >= configuration.maxAuthTries {
                    throw SSHWireError(
                        .protocolError,
                        "too many authentication failures for \(attempt.username)",
                        peerMessage: "Too many authentication failures"
                    )
                }
            }
            var answer = SSHWriter()
            if succeeded {
                answer.write(byte: MessageNumber.userauthSuccess)
                phase = .connection
            } else {
                answer.write(byte: MessageNumber.userauthFailure)
                answer.write(nameList: configuration.authenticationMethods)
                answer.write(bool: false)
            }
            try send(answer.bytes, &output)
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

    /// Reads a USERAUTH_REQUEST (RFC 4252 §5, §7, §8).
    static func authenticationAttempt(_ payload: [UInt8]) throws(SSHWireError) -> AuthenticationAttempt {
        var reader = SSHReader(payload, offset: 1)
        let username = try reader.readText(limit: 1_024)
        _ = try reader.readText(limit: 64)  // the service (ssh-connection)
        let method = try reader.readText(limit: 64)
        var attempt = AuthenticationAttempt(username: username, method: method)
        switch method {
        case "password":
            let changing = try reader.readBool()
            attempt.password = try reader.readText(limit: 4_096)
            if changing { _ = try reader.readText(limit: 4_096) }
        case "publickey":
            _ = try reader.readBool()  // whether a signature follows
            attempt.publicKeyAlgorithm = try reader.readText(limit: 128)
            attempt.publicKeyBlob = try reader.readString(limit: 16_384)
        default:
            break
        }
        return attempt
    }
}

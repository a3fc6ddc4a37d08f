/// One key exchange's inputs once both KEXINITs are in.
struct KeyExchangeRound {
    /// The client's KEXINIT exactly as received (the exchange hash covers those bytes).
    var clientPayload: [UInt8]
    /// The server's KEXINIT as sent.
    var serverPayload: [UInt8]
    var negotiated: NegotiatedAlgorithms
    var method: KexMethod
}

/// Where a key exchange stands (RFC 4253 §7, §8; RFC 4419; RFC 5656 §4).
enum KeyExchangeState {
    /// None under way.
    case idle
    /// The server's KEXINIT is out; the client's is not in. (A client may still send other
    /// messages until it sends its KEXINIT.)
    case sentKexInit
    /// Both KEXINITs are in; the client's first exchange message is due.
    case awaitingClientValue(KeyExchangeRound)
    /// Group exchange: the group is sent; KEX_DH_GEX_INIT is due.
    case awaitingGroupExchangeInit(KeyExchangeRound, request: [UInt32], group: DiffieHellmanGroup)
    /// The server's NEWKEYS is out; the client's is due, after which `inbound` reads.
    case awaitingNewKeys(inbound: any PacketCipher)

    /// Whether the server must hold back non-transport messages: its KEXINIT is out, its NEWKEYS not.
    var holdsOutput: Bool {
        switch self {
        case .sentKexInit, .awaitingClientValue, .awaitingGroupExchangeInit: true
        case .idle, .awaitingNewKeys: false
        }
    }

    /// Whether the client may send messages other than the key exchange's now.
    var acceptsOtherMessages: Bool {
        switch self {
        case .idle, .sentKexInit: true
        case .awaitingClientValue, .awaitingGroupExchangeInit, .awaitingNewKeys: false
        }
    }
}

extension ServerConnection {
    /// Starts a key exchange from the server's side (re-keying, e.g. on a timer): returns the bytes
    /// to send — empty when one is already under way or the first has not finished.
    public func startKeyExchange() -> Outcome {
        var outcome = Outcome()
        guard closed == nil else { return outcome }
        do {
            try sendKexInit(&outcome.output)
        } catch {
            closed = error
            outcome.closing = error
        }
        return outcome
    }

    /// Starts a re-key once the volume since the last one reaches the limit (OpenSSH's by the
    /// cipher's block size, or the configured one if lower).
    func rekeyIfDue(_ output: inout [UInt8]) throws(SSHWireError) {
        guard case .idle = kex, let outbound else { return }
        let limit = min(outbound.blockSize >= 16 ? UInt64(1) << 36 : UInt64(1) << 30, configuration.rekeyAfterBytes)
        if bytesSinceKeyExchange >= limit { try sendKexInit(&output) }
    }

    private func sendKexInit(_ output: inout [UInt8]) throws(SSHWireError) {
        guard case .idle = kex, phase != .keyExchange, phase != .identification else { return }
        serverKexInit = configuration.profile.kexInit(cookie: random(16))
        kex = .sentKexInit
        try send(serverKexInit.payload, &output)
    }

    /// Messages 20–49: KEXINIT, NEWKEYS and the method's own.
    func handleKeyExchange(_ number: UInt8, _ payload: [UInt8], _ output: inout [UInt8], _ events: inout [SSHEvent]) throws(SSHWireError) {
        if number == MessageNumber.kexInit {
            let byClient: Bool
            switch kex {
            case .idle:
                byClient = true
                try sendKexInit(&output)
            case .sentKexInit: byClient = false
            default: throw SSHWireError(.protocolError, "a second KEXINIT during a key exchange")
            }
            try receiveKexInit(payload, byClient: byClient, &events)
            return
        }
        if ignoreNextKexPacket, case .awaitingClientValue = kex {
            ignoreNextKexPacket = false  // the client guessed the method wrong (RFC 4253 §7)
            return
        }
        switch (number, kex) {
        case (MessageNumber.kexECDHInit, .awaitingClientValue(let round)) where round.method != .groupExchange:
            try answerClientValue(round, payload, &output)
        case (MessageNumber.kexDHGexRequest, .awaitingClientValue(let round)) where round.method == .groupExchange:
            try answerGroupRequest(round, payload, &output)
        case (MessageNumber.kexDHGexInit, .awaitingGroupExchangeInit(let round, let request, let group)):
            try answerGroupExchangeInit(round, request: request, group: group, payload, &output)
        case (MessageNumber.newKeys, .awaitingNewKeys(let newInbound)):
            guard payload.count == 1 else { throw SSHWireError(.protocolError, "NEWKEYS has bytes after its end") }
            inbound = newInbound
            if strict { inboundSequence = 0 }
            kex = .idle
            if phase == .keyExchange {
                phase = .service
                events.append(.encrypted(sessionID: sessionID ?? []))
            }
        default:
            throw SSHWireError(.protocolError, "unexpected key-exchange message \(number)")
        }
    }

    private func receiveKexInit(_ payload: [UInt8], byClient: Bool, _ events: inout [SSHEvent]) throws(SSHWireError) {
        let client = try KexInit(payload: payload)
        let first = phase == .keyExchange
        if first {
            let hassh = HASSH.client(client)
            events.append(.clientKexInit(client, hassh: hassh.hash, hasshAlgorithms: hassh.algorithms))
        }
        var negotiated = try AlgorithmNegotiation.negotiate(client: client, server: serverKexInit)
        if first {
            events.append(.negotiated(negotiated))
            strict = negotiated.strictKex
            if strict && inboundSequence != 1 {
                throw SSHWireError(.protocolError, "strict KEX: KEXINIT was not the first packet")
            }
        } else {
            // Strict KEX and ext-info are settled by the first exchange only.
            negotiated.strictKex = strict
            negotiated.clientWantsExtInfo = false
            events.append(.rekeyed(negotiated, byClient: byClient))
        }
        ignoreNextKexPacket = negotiated.ignoreGuessedPacket
        guard let method = KexMethod(negotiated.kex) else {
            throw SSHWireError(.keyExchangeFailed, "\(negotiated.kex) is not implemented")
        }
        // The exchange hash covers the KEXINIT as the client sent it, byte for byte (libssh's
        // trailing comma included), not as it would be encoded again.
        kex = .awaitingClientValue(
            KeyExchangeRound(clientPayload: payload, serverPayload: serverKexInit.payload, negotiated: negotiated, method: method)
        )
    }

    /// KEX_ECDH_INIT (Q_C) or KEXDH_INIT (e), both message 30.
    private func answerClientValue(_ round: KeyExchangeRound, _ payload: [UInt8], _ output: inout [UInt8]) throws(SSHWireError) {
        var reader = SSHReader(payload, offset: 1)
        if let exchange = round.method.ellipticExchange() {
            let clientPublic = try reader.readString(limit: 256)
            guard reader.isAtEnd else { throw SSHWireError(.protocolError, "KEX_ECDH_INIT has bytes after its end") }
            let secret = try exchange.sharedSecret(clientPublic: clientPublic)
            var values = SSHWriter(capacity: 256)
            values.write(string: clientPublic)
            values.write(string: exchange.serverPublic)
            var serverValue = SSHWriter(capacity: 256)
            serverValue.write(string: exchange.serverPublic)
            try finish(round, hashed: values.bytes, serverValue: serverValue.bytes, secret: secret, reply: MessageNumber.kexECDHReply, &output)
            return
        }
        guard let group = round.method.fixedGroup else { throw SSHWireError(.protocolError, "KEXDH_INIT for group exchange") }
        let e = try Self.readClientValue(&reader, group: group)
        try finishFiniteField(round, group: group, e: e, prefix: [], reply: MessageNumber.kexECDHReply, &output)
    }

    /// KEX_DH_GEX_REQUEST (min, n, max): answered with KEX_DH_GEX_GROUP as sshd does.
    private func answerGroupRequest(_ round: KeyExchangeRound, _ payload: [UInt8], _ output: inout [UInt8]) throws(SSHWireError) {
        var reader = SSHReader(payload, offset: 1)
        let minimum = try reader.readUInt32()
        let preferred = try reader.readUInt32()
        let maximum = try reader.readUInt32()
        guard reader.isAtEnd else { throw SSHWireError(.protocolError, "KEX_DH_GEX_REQUEST has bytes after its end") }
        // sshd (kexgexs.c): out of range unless min ≤ n ≤ max and max ≥ 2048; then clamped to 2048…8192.
        guard minimum <= preferred, preferred <= maximum, maximum >= 2_048 else {
            throw SSHWireError(.keyExchangeFailed, "group exchange sizes \(minimum) \(preferred) \(maximum) are out of range")
        }
        let group = configuration.moduli.choose(
            minimum: Int(max(2_048, minimum)),
            preferred: Int(min(8_192, max(2_048, preferred))),
            maximum: Int(min(8_192, maximum)),
            random: { count in
                let bytes = random(4)
                return Int(bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } % UInt32(count))
            }
        )
        var writer = SSHWriter(capacity: group.prime.count + 32)
        writer.write(byte: MessageNumber.kexDHGexGroup)
        writer.write(mpint: group.prime)
        writer.write(mpint: group.generator)
        try send(writer.bytes, &output)
        kex = .awaitingGroupExchangeInit(round, request: [minimum, preferred, maximum], group: group)
    }

    /// KEX_DH_GEX_INIT (e): answered with KEX_DH_GEX_REPLY.
    private func answerGroupExchangeInit(
        _ round: KeyExchangeRound,
        request: [UInt32],
        group: DiffieHellmanGroup,
        _ payload: [UInt8],
        _ output: inout [UInt8]
    ) throws(SSHWireError) {
        var reader = SSHReader(payload, offset: 1)
        let e = try Self.readClientValue(&reader, group: group)
        // H covers min, n, max as the client sent them, then p and g.
        var prefix = SSHWriter(capacity: group.prime.count + 32)
        for value in request { prefix.write(uint32: value) }
        prefix.write(mpint: group.prime)
        prefix.write(mpint: group.generator)
        try finishFiniteField(round, group: group, e: e, prefix: prefix.bytes, reply: MessageNumber.kexDHGexReply, &output)
    }

    private static func readClientValue(_ reader: inout SSHReader, group: DiffieHellmanGroup) throws(SSHWireError) -> [UInt8] {
        let (negative, e) = try reader.readMPInt(limit: group.prime.count + 1)
        guard reader.isAtEnd else { throw SSHWireError(.protocolError, "the Diffie-Hellman message has bytes after its end") }
        guard !negative else { throw SSHWireError(.keyExchangeFailed, "the client's Diffie-Hellman value is negative") }
        return e
    }

    private func finishFiniteField(
        _ round: KeyExchangeRound,
        group: DiffieHellmanGroup,
        e: [UInt8],
        prefix: [UInt8],
        reply: UInt8,
        _ output: inout [UInt8]
    ) throws(SSHWireError) {
        let exchange = FiniteFieldExchange(group: group, exponentBits: exponentBits(round.negotiated), random: random)
        let secret = try exchange.sharedSecret(clientPublic: e)
        var values = SSHWriter(capacity: prefix.count + 2 * group.prime.count + 16)
        values.write(raw: prefix)
        values.write(mpint: e)
        values.write(mpint: exchange.serverPublic)
        var serverValue = SSHWriter(capacity: group.prime.count + 8)
        serverValue.write(mpint: exchange.serverPublic)
        try finish(round, hashed: values.bytes, serverValue: serverValue.bytes, secret: secret, reply: reply, &output)
    }

    /// OpenSSH's private-exponent size (dh.c `dh_gen_key`): twice the bits the negotiated ciphers
    /// and MACs need, at least 512.
    private func exponentBits(_ negotiated: NegotiatedAlgorithms) -> Int {
        var need = 0
        for (cipher, mac) in [
            (negotiated.encryptionClientToServer, negotiated.macClientToServer),
            (negotiated.encryptionServerToClient, negotiated.macServerToClient),
        ] {
            if let sizes = PacketCiphers.sizes(cipher: cipher) { need = max(need, sizes.key, sizes.iv, 16) }
            if let macSizes = mac.flatMap(PacketCiphers.mac) { need = max(need, macSizes.key) }
        }
        return max(512, need * 8 * 2)
    }

    /// Signs H, sends the reply and NEWKEYS, and switches the outbound direction to the new keys.
    private func finish(
        _ round: KeyExchangeRound,
        hashed values: [UInt8],
        serverValue: [UInt8],
        secret: [UInt8],
        reply number: UInt8,
        _ output: inout [UInt8]
    ) throws(SSHWireError) {
        let negotiated = round.negotiated
        guard let hostKey = configuration.hostKeys.first(where: { $0.algorithms.contains(negotiated.hostKey) }) else {
            throw SSHWireError(.keyExchangeFailed, "no host key for \(negotiated.hostKey)")
        }
        let hostKeyBlob = hostKey.publicKeyBlob
        let h = round.method.hash.hash(
            ExchangeHash.transcript(
                clientVersion: clientIdentification,
                serverVersion: Array(configuration.profile.identification.description.utf8),
                clientKexInit: round.clientPayload,
                serverKexInit: round.serverPayload,
                hostKey: hostKeyBlob,
                exchange: values,
                sharedSecret: secret
            )
        )
        let session = sessionID ?? h
        sessionID = session
        var reply = SSHWriter(capacity: 1_024 + serverValue.count)
        reply.write(byte: number)
        reply.write(string: hostKeyBlob)
        reply.write(raw: serverValue)
        do {
            reply.write(string: try hostKey.signatureBlob(over: h, algorithm: negotiated.hostKey))
        } catch {
            throw SSHWireError(.keyExchangeFailed, "the host key could not sign: \(error)")
        }
        try send(reply.bytes, &output)
        try send([MessageNumber.newKeys], &output)
        let hash = round.method.hash
        func cipher(_ name: String, _ mac: String?, letters: String) throws(SSHWireError) -> any PacketCipher {
            guard let sizes = PacketCiphers.sizes(cipher: name) else {
                throw SSHWireError(.keyExchangeFailed, "cipher \(name) is not implemented")
            }
            let letters = Array(letters)
            let key = { (letter: Character, length: Int) in
                hash.derive(sharedSecret: secret, exchangeHash: h, sessionID: session, letter: letter, length: length)
            }
            return try PacketCiphers.make(
                cipher: name,
                mac: mac,
                key: key(letters[1], sizes.key),
                iv: key(letters[0], sizes.iv),
                macKey: key(letters[2], mac.flatMap(PacketCiphers.mac)?.key ?? 0)
            )
        }
        // The server's NEWKEYS went out under the old keys; what it sends next uses the new ones.
        outbound = try cipher(negotiated.encryptionServerToClient, negotiated.macServerToClient, letters: "BDF")
        if strict { outboundSequence = 0 }
        bytesSinceKeyExchange = 0
        let newInbound = try cipher(negotiated.encryptionClientToServer, negotiated.macClientToServer, letters: "ACE")
        kex = .awaitingNewKeys(inbound: newInbound)
        if negotiated.clientWantsExtInfo && phase == .keyExchange { try send(Self.extInfo(configuration), &output) }
        let waiting = held
        held = []
        heldBytes = 0
        for payload in waiting { try send(payload, &output) }
    }
}

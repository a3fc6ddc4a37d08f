/// What happens on the connection protocol (RFC 4254) after authentication.
public enum ChannelEvent: Hashable, Sendable {
    /// A session channel was opened (the server's channel number).
    case opened(channel: UInt32)
    /// A forwarding request (direct-tcpip, tcpip-forward, x11, auth agent…): recorded, refused,
    /// never carried out.
    case forwardRefused(kind: String, host: String, port: UInt32)
    /// A global request other than forwarding (refused or ignored, as OpenSSH would).
    case globalRequest(name: String)
    /// pty-req: terminal, columns, rows.
    case pty(channel: UInt32, terminal: String, columns: UInt32, rows: UInt32)
    /// An environment variable.
    case environment(channel: UInt32, name: String, value: String)
    /// A login shell.
    case shell(channel: UInt32)
    /// A command.
    case exec(channel: UInt32, command: String)
    /// A subsystem (sftp).
    case subsystem(channel: UInt32, name: String)
    /// The terminal was resized.
    case windowChange(channel: UInt32, columns: UInt32, rows: UInt32)
    /// Bytes the client typed or sent.
    case data(channel: UInt32, bytes: [UInt8])
    /// The client will send no more.
    case eof(channel: UInt32)
    /// The channel is closed.
    case closed(channel: UInt32)
}

/// A session channel's state.
struct Channel {
    /// The client's channel number.
    var peer: UInt32
    /// Bytes the client may still send before it must wait for a WINDOW_ADJUST.
    var localWindow: UInt32
    /// Bytes the server may still send.
    var remoteWindow: UInt32
    /// The client's largest packet.
    var remoteMaxPacket: UInt32
    /// Data held back until the client's window opens.
    var pending: [UInt8] = []
    /// The close the server wants to send once `pending` is out.
    var closeAfterPending: UInt32?
    var sentClose = false
}

extension ServerConnection {
    /// The window the server grants each channel, and when it is topped up.
    static let windowSize: UInt32 = 2 * 1_024 * 1_024
    /// The largest data packet the server accepts.
    static let maxPacket: UInt32 = 32_768
    /// Channels one connection may have open.
    static let maxChannels = 10

    func handleConnection(_ number: UInt8, _ payload: [UInt8], _ output: inout [UInt8], _ events: inout [SSHEvent]) throws(SSHWireError) {
        var reader = SSHReader(payload, offset: 1)
        switch number {
        case MessageNumber.globalRequest:
            let name = try reader.readText(limit: 256)
            let wantReply = try reader.readBool()
            if name == "tcpip-forward" || name == "streamlocal-forward@openssh.com" {
                let host = try reader.readText(limit: 1_024)
                let port = name == "tcpip-forward" ? try reader.readUInt32() : 0
                events.append(.channel(.forwardRefused(kind: name, host: host, port: port)))
            } else {
                events.append(.channel(.globalRequest(name: name)))
            }
            if wantReply { try send([MessageNumber.requestFailure], &output) }
        case MessageNumber.channelOpen:
            let type = try reader.readText(limit: 64)
            let peer = try reader.readUInt32()
            let window = try reader.readUInt32()
            let maxPacket = try reader.readUInt32()
            guard type == "session" else {
                var host = ""
                var port: UInt32 = 0
                if type == "direct-tcpip" || type == "forwarded-tcpip" {
                    host = try reader.readText(limit: 1_024)
                    port = try reader.readUInt32()
                }
                events.append(.channel(.forwardRefused(kind: type, host: host, port: port)))
                try openFailure(peer, reason: 1, "open failed", &output)  // SSH_OPEN_ADMINISTRATIVELY_PROHIBITED
                return
            }
            guard channels.count < Self.maxChannels else {
                try openFailure(peer, reason: 4, "no more sessions", &output)  // SSH_OPEN_RESOURCE_SHORTAGE
                return
            }
            let id = nextChannel
            nextChannel &+= 1
            channels[id] = Channel(
                peer: peer,
                localWindow: Self.windowSize,
                remoteWindow: window,
                remoteMaxPacket: max(1_024, min(maxPacket, Self.maxPacket))
            )
            var confirmation = SSHWriter()
            confirmation.write(byte: MessageNumber.channelOpenConfirmation)
            confirmation.write(uint32: peer)
            confirmation.write(uint32: id)
            confirmation.write(uint32: Self.windowSize)
            confirmation.write(uint32: Self.maxPacket)
            try send(confirmation.bytes, &output)
            events.append(.channel(.opened(channel: id)))
        case MessageNumber.channelWindowAdjust:
            let id = try reader.readUInt32()
            let more = try reader.readUInt32()
            guard var channel = channels[id] else { return }
            channel.remoteWindow = channel.remoteWindow.addingReportingOverflow(more).overflow ? UInt32.max : channel.remoteWindow + more
            channels[id] = channel
            try flush(id, &output)
        case MessageNumber.channelData, MessageNumber.channelExtendedData:
            let id = try reader.readUInt32()
            if number == MessageNumber.channelExtendedData { _ = try reader.readUInt32() }
            let data = try reader.readString(limit: Int(Self.maxPacket))
            guard var channel = channels[id] else { return }
            guard UInt32(data.count) <= channel.localWindow else { throw SSHWireError(.protocolError, "the client sent past its window") }
            channel.localWindow -= UInt32(data.count)
            if channel.localWindow < Self.windowSize / 2 {
                var adjust = SSHWriter()
                adjust.write(byte: MessageNumber.channelWindowAdjust)
                adjust.write(uint32: channel.peer)
                adjust.write(uint32: Self.windowSize - channel.localWindow)
                channel.localWindow = Self.windowSize
                try send(adjust.bytes, &output)
            }
            channels[id] = channel
            events.append(.channel(.data(channel: id, bytes: data)))
        case MessageNumber.channelEOF:
            let id = try reader.readUInt32()
            if channels[id] != nil { events.append(.channel(.eof(channel: id))) }
        case MessageNumber.channelClose:
            let id = try reader.readUInt32()
            guard let channel = channels[id] else { return }
            if !channel.sentClose { try sendClose(channel.peer, &output) }
            channels[id] = nil
            events.append(.channel(.closed(channel: id)))
        case MessageNumber.channelRequest:
            let id = try reader.readUInt32()
            let request = try reader.readText(limit: 64)
            let wantReply = try reader.readBool()
            guard let channel = channels[id] else { return }
            var accepted = true
            switch request {
            case "pty-req":
                let terminal = try reader.readText(limit: 256)
                let columns = try reader.readUInt32()
                let rows = try reader.readUInt32()
                events.append(.channel(.pty(channel: id, terminal: terminal, columns: columns, rows: rows)))
            case "env":
                let name = try reader.readText(limit: 256)
                let value = try reader.readText(limit: 4_096)
                events.append(.channel(.environment(channel: id, name: name, value: value)))
            case "shell":
                events.append(.channel(.shell(channel: id)))
            case "exec":
                events.append(.channel(.exec(channel: id, command: try reader.readText(limit: 65_536))))
            case "subsystem":
                events.append(.channel(.subsystem(channel: id, name: try reader.readText(limit: 256))))
            case "window-change":
                let columns = try reader.readUInt32()
                let rows = try reader.readUInt32()
                events.append(.channel(.windowChange(channel: id, columns: columns, rows: rows)))
            case "x11-req", "auth-agent-req@openssh.com":
                events.append(.channel(.forwardRefused(kind: request, host: "", port: 0)))
                accepted = false
            default:
                accepted = false
            }
            if wantReply {
                var reply = SSHWriter()
                reply.write(byte: accepted ? MessageNumber.channelSuccess : MessageNumber.channelFailure)
                reply.write(uint32: channel.peer)
                try send(reply.bytes, &output)
            }
        default:
            try unimplemented(&output)
        }
    }

    /// Sends bytes on a channel (standard output of the session), within the client's window;
    /// what does not fit waits for its WINDOW_ADJUST.
    public func send(data: [UInt8], channel id: UInt32) -> Outcome {
        changing(id) { $0.pending += data }
    }

    /// Ends a session: its exit status, EOF and CLOSE (after any data still waiting for the window).
    public func exit(channel id: UInt32, status: UInt32) -> Outcome {
        changing(id) { $0.closeAfterPending = status }
    }

    /// Changes an open channel the server has not closed, then sends what is due.
    private func changing(_ id: UInt32, _ change: (inout Channel) -> Void) -> Outcome {
        var outcome = Outcome()
        guard var channel = channels[id], !channel.sentClose else { return outcome }
        change(&channel)
        channels[id] = channel
        do {
            try flush(id, &outcome.output)
        } catch {
            closed = error
            outcome.closing = error
        }
        return outcome
    }

    /// Sends what the window allows; then, once nothing waits, a requested close.
    func flush(_ id: UInt32, _ output: inout [UInt8]) throws(SSHWireError) {
        guard var channel = channels[id] else { return }
        while !channel.pending.isEmpty && channel.remoteWindow > 0 {
            let size = Int(min(UInt32(channel.pending.count), channel.remoteWindow, channel.remoteMaxPacket))
            var writer = SSHWriter(capacity: size + 16)
            writer.write(byte: MessageNumber.channelData)
            writer.write(uint32: channel.peer)
            writer.write(string: channel.pending[0..<size])
            try send(writer.bytes, &output)
            channel.pending.removeFirst(size)
            channel.remoteWindow -= UInt32(size)
        }
        if channel.pending.isEmpty, let status = channel.closeAfterPending, !channel.sentClose {
            var exitStatus = SSHWriter()
            exitStatus.write(byte: MessageNumber.channelRequest)
            exitStatus.write(uint32: channel.peer)
            exitStatus.write(text: "exit-status")
            exitStatus.write(bool: false)
            exitStatus.write(uint32: status)
            try send(exitStatus.bytes, &output)
            var eof = SSHWriter()
            eof.write(byte: MessageNumber.channelEOF)
            eof.write(uint32: channel.peer)
            try send(eof.bytes, &output)
            try sendClose(channel.peer, &output)
            channel.sentClose = true
        }
        channels[id] = channel
    }

    private func sendClose(_ peer: UInt32, _ output: inout [UInt8]) throws(SSHWireError) {
        var close = SSHWriter()
        close.write(byte: MessageNumber.channelClose)
        close.write(uint32: peer)
        try send(close.bytes, &output)
    }

    private func openFailure(_ peer: UInt32, reason: UInt32, _ description: String, _ output: inout [UInt8]) throws(SSHWireError) {
        var failure = SSHWriter()
        failure.write(byte: MessageNumber.channelOpenFailure)
        failure.write(uint32: peer)
        failure.write(uint32: reason)
        failure.write(text: description)
        failure.write(text: "")
        try send(failure.bytes, &output)
    }
}

import Foundation
import PalisadeCore
import PalisadeSSH

/// What the session channels of one connection do once someone is logged in: a login shell is a
/// fake shell (line editing, echo, a recording), `exec` answers from the fake shell, `scp -t` and
/// the sftp subsystem receive files for the quarantine. Nothing runs, nothing is fetched. Lives on
/// its connection's event loop.
struct SessionChannels {
    private enum Role {
        case shell(FakeShell, line: [UInt8])
        case scp(ScpSink)
        case sftp(SFTPSession)
    }

    private let shared: SharedSettings
    private var configuration: HoneypotServer.Configuration { shared.sensor }
    private var roles: [UInt32: Role] = [:]
    private var terminals: [UInt32: (terminal: String, columns: UInt32, rows: UInt32)] = [:]
    private var recordings: [UInt32: SessionRecording] = [:]

    init(shared: SharedSettings) {
        self.shared = shared
    }

    /// Handles one channel event: the bytes to send and the events to record.
    mutating func handle(
        _ event: ChannelEvent,
        _ connection: ServerConnection,
        _ session: HoneypotSession,
        _ output: inout [UInt8],
        _ events: inout [JSONValue]
    ) {
        let user = session.username ?? "root"
        switch event {
        case .pty(let id, let terminal, let columns, let rows):
            terminals[id] = (terminal, columns, rows)
        case .shell(let id):
            let shell = FakeShell(user: user, profile: configuration.system)
            roles[id] = .shell(shell, line: [])
            if configuration.evidence != nil {
                let terminal = terminals[id] ?? ("xterm", 80, 24)
                recordings[id] = SessionRecording(
                    name: "\(session.id)-\(id).cast",
                    columns: terminal.columns,
                    rows: terminal.rows,
                    terminal: terminal.terminal,
                    startedAt: Date().timeIntervalSince1970
                )
            }
            output += send(shell.prompt, id, connection)
        case .exec(let id, let command):
            events += HoneypotEvents.downloads(in: command, session)
            let words = command.split(separator: " ").map(String.init)
            if words.first == "scp", words.contains("-t") {
                roles[id] = .scp(ScpSink(arguments: Array(words.dropFirst()), cap: maxFileBytes))
                output += connection.send(data: ScpSink.ready, channel: id).output
                return
            }
            if words.first == "scp", words.contains("-f") {
                let path = words.dropFirst().last { !$0.hasPrefix("-") } ?? ""
                output += connection.send(data: [1] + Array("scp: \(path): No such file or directory\n".utf8), channel: id).output
                output += connection.exit(channel: id, status: 1).output
                return
            }
            var shell = FakeShell(user: user, profile: configuration.system)
            let (text, _) = shell.run(command)
            output += connection.send(data: Array(text.utf8), channel: id).output
            output += connection.exit(channel: id, status: text.hasPrefix("-bash:") ? 127 : 0).output
        case .subsystem(let id, let name):
            guard name == "sftp" else {
                output += connection.exit(channel: id, status: 1).output
                return
            }
            roles[id] = .sftp(SFTPSession(profile: configuration.system, user: user, cap: maxFileBytes))
        case .data(let id, let bytes):
            switch roles[id] {
            case .shell(var shell, var line)?:
                recordings[id]?.add("i", bytes, at: Date().timeIntervalSince1970)
                output += typed(bytes, id, &shell, &line, connection, session, &events)
                if roles[id] != nil { roles[id] = .shell(shell, line: line) }
            case .scp(var sink)?:
                let step = sink.receive(bytes)
                roles[id] = .scp(sink)
                output += connection.send(data: step.reply, channel: id).output
                received(step.files, session, &events)
                if step.failure != nil { output += connection.exit(channel: id, status: 1).output }
            case .sftp(var sftp)?:
                let step = sftp.receive(bytes)
                roles[id] = .sftp(sftp)
                output += connection.send(data: step.reply, channel: id).output
                received(step.files, session, &events)
                for (operation, path) in step.operations.prefix(100) {
                    events.append(
                        HoneypotEvents.draft("ssh.sftp", session, metadata: ["operation": .string(operation), "path": HoneypotEvents.text(path)])
                    )
                }
                if step.failure != nil { output += connection.exit(channel: id, status: 1).output }
            case nil:
                break
            }
        case .eof(let id):
            if case .sftp(var sftp)? = roles[id] { received(sftp.finish(), session, &events) }
            output += connection.exit(channel: id, status: 0).output
            roles[id] = nil
        case .closed(let id):
            if case .sftp(var sftp)? = roles[id] { received(sftp.finish(), session, &events) }
            roles[id] = nil
            finishRecording(id, session, &events)
        case .opened, .environment, .windowChange, .forwardRefused, .globalRequest:
            break
        }
    }

    /// Ends every recording still open (the connection is gone).
    mutating func finish(_ session: HoneypotSession, _ events: inout [JSONValue]) {
        for role in roles.values {
            if case .sftp(var sftp) = role { received(sftp.finish(), session, &events) }
        }
        roles = [:]
        for id in recordings.keys.sorted() { finishRecording(id, session, &events) }
    }

    private var maxFileBytes: Int { configuration.evidence?.maxFileBytes ?? 10 << 20 }

    /// Sends shell output on `id`, recording it.
    private mutating func send(_ text: String, _ id: UInt32, _ connection: ServerConnection) -> [UInt8] {
        let bytes = Array(text.utf8)
        recordings[id]?.add("o", bytes, at: Date().timeIntervalSince1970)
        return connection.send(data: bytes, channel: id).output
    }

    /// What a terminal session typed: echo it, run complete lines in the fake shell.
    private mutating func typed(
        _ data: [UInt8],
        _ id: UInt32,
        _ shell: inout FakeShell,
        _ line: inout [UInt8],
        _ connection: ServerConnection,
        _ session: HoneypotSession,
        _ events: inout [JSONValue]
    ) -> [UInt8] {
        var output = [UInt8]()
        for byte in data {
            switch byte {
            case 0x0D, 0x0A:
                output += send("\r\n", id, connection)
                let text = String(decoding: line, as: UTF8.self)
                line = []
                guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                    output += send(shell.prompt, id, connection)
                    continue
                }
                var command = HoneypotEvents.command(text, session)
                if let recording = recordings[id], case .object(var members) = command, case .object(var metadata)? = members["metadata"] {
                    metadata["recording"] = .string(recording.name)
                    members["metadata"] = .object(metadata)
                    command = .object(members)
                }
                events.append(command)
                events += HoneypotEvents.downloads(in: text, session)
                let (result, exits) = shell.run(text)
                output += send(result.replacingOccurrences(of: "\n", with: "\r\n"), id, connection)
                if exits {
                    output += connection.exit(channel: id, status: 0).output
                    roles[id] = nil
                    return output
                }
                output += send(shell.prompt, id, connection)
            case 0x7F, 0x08:
                if !line.isEmpty {
                    line.removeLast()
                    output += send("\u{08} \u{08}", id, connection)
                }
            case 0x03:
                line = []
                output += send("^C\r\n\(shell.prompt)", id, connection)
            case 0x04:
                output += connection.exit(channel: id, status: 0).output
                roles[id] = nil
                return output
            default:
                guard line.count < 4_096 else { continue }
                line.append(byte)
                output += send(String(decoding: [byte], as: UTF8.self), id, connection)
            }
        }
        return output
    }

    /// Files that arrived: an event each (T1105), and the quarantine.
    private func received(_ files: [ReceivedFile], _ session: HoneypotSession, _ events: inout [JSONValue]) {
        for file in files {
            let stored = configuration.evidence?.quarantine(file) ?? false
            var metadata: [String: JSONValue] = [
                "protocol": .string(file.protocolName), "path": HoneypotEvents.text(file.path), "size": .number(Double(file.size)),
                "stored": .bool(stored), "truncated": .bool(file.contents == nil), "mitre": .array([.string("T1105")]),
            ]
            if let digest = file.sha256 { metadata["sha256"] = .string(digest) }
            events.append(HoneypotEvents.draft("ssh.upload", session, severity: "high", metadata: metadata))
        }
    }

    private mutating func finishRecording(_ id: UInt32, _ session: HoneypotSession, _ events: inout [JSONValue]) {
        guard let recording = recordings.removeValue(forKey: id), let evidence = configuration.evidence else { return }
        evidence.record(recording.contents, name: recording.name)
        events.append(
            HoneypotEvents.draft(
                "ssh.recording",
                session,
                metadata: [
                    "file": .string(recording.name), "format": .string("asciicast-v2"), "bytes": .number(Double(recording.contents.count)),
                    "duration_seconds": .number(recording.lastTime), "truncated": .bool(recording.truncated),
                ]
            )
        )
    }
}

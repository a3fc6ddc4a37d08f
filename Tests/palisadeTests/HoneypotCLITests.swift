import Foundation
import PalisadeTesting
import Testing

/// `palisade serve --honeypot`: OpenSSH's client against the honeypot of the running server; every
/// attempt and command lands in the ledger (which still verifies), and the host key — kept in the
/// data directory — is the same after a restart.
@Suite(.serialized)
struct HoneypotCLITests {
    struct NotStarted: Error, CustomStringConvertible {
        var description: String
    }

    static func honeypotPort(_ server: ServeProcess) async throws -> Int {
        for _ in 0..<600 {
            if let range = server.stdoutText.range(of: "SSH honeypot listening on 127.0.0.1:") {
                let digits = server.stdoutText[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw NotStarted(description: "the honeypot did not start: \(server.stdoutText)\(server.stderrText)")
    }

    static func fingerprint(_ output: String) -> String? {
        guard let range = output.range(of: "Server host key: ssh-ed25519 ") else { return nil }
        return String(output[range.upperBound...].prefix { !$0.isWhitespace })
    }

    @Test func attacksLandInTheLedgerAndTheHostKeySurvivesARestart() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let profile = cli.dataDir.deletingLastPathComponent().appendingPathComponent("host-profile.yaml")
        try "hostname: web-07\nfiles:\n  /etc/motd: \"Authorized use only\\n\"\n".write(to: profile, atomically: true, encoding: .utf8)
        let environment = [
            "PALISADE_HONEYPOT_LISTEN": "127.0.0.1:0", "PALISADE_HONEYPOT_CREDENTIALS": "root:toor,admin:admin123",
            "PALISADE_HONEYPOT_FAILURE_DELAY_MS": "50", "PALISADE_HONEYPOT_PROFILE_FILE": profile.path,
        ]
        var server = try ServeProcess(dataDir: cli.dataDir, environment: environment)
        var port = try await Self.honeypotPort(server)
        let failed = try await OpenSSHClient.run(port: port, password: "123456", ["-v", "-o", "NumberOfPasswordPrompts=2", "oracle@127.0.0.1", "id"])
        #expect(failed.status == 255 && failed.stderr.contains("Permission denied (publickey,password)."), "\(failed.stderr)")
        let first = try #require(Self.fingerprint(failed.stderr))
        let exec = try await OpenSSHClient.run(port: port, password: "toor", ["root@127.0.0.1", "cat /etc/passwd | grep root"])
        #expect(exec.status == 0 && exec.stdout.contains("root:x:0:0:root:/root:/bin/bash"), "\(exec.stdout)\(exec.stderr)")
        let profiled = try await OpenSSHClient.run(port: port, password: "toor", ["root@127.0.0.1", "hostname; cat /etc/motd"])
        #expect(profiled.stdout == "web-07\nAuthorized use only\n", "the profile file: \(profiled.stdout)\(profiled.stderr)")

        // The events are in the ledger of the operator tenant.
        var lines = [String]()
        for _ in 0..<300 {
            lines = try cli.run(["events", "query", "--type", "honeypot", "--order", "oldest", "--format", "ndjson", "--limit", "500"]).stdout
                .split(separator: "\n").map(String.init)
            if lines.contains(where: { $0.contains(#""action":"ssh.disconnect""#) && $0.contains("root") }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(lines.filter { $0.contains(#""action":"ssh.auth_failed""#) && $0.contains(#""password":"123456""#) }.count == 2, "\(lines)")
        #expect(lines.contains { $0.contains(#""action":"ssh.exec""#) && $0.contains("cat /etc/passwd | grep root") })
        #expect(lines.contains { $0.contains(#""action":"ssh.login""#) && $0.contains(#""actor":"root""#) })
        #expect(lines.allSatisfy { $0.contains(#""source_ip":"127.0.0.1""#) })

        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0, "\(server.stderrText)")
        #expect(try cli.run(["verify"]).status == 0)
        // The same host key after a restart.
        server = try ServeProcess(dataDir: cli.dataDir, environment: environment)
        defer { server.kill9() }
        port = try await Self.honeypotPort(server)
        let again = try await OpenSSHClient.run(port: port, password: "x", ["-v", "-o", "NumberOfPasswordPrompts=1", "root@127.0.0.1", "id"])
        #expect(Self.fingerprint(again.stderr) == first, "\(again.stderr)")
        let keys = try FileManager.default.contentsOfDirectory(atPath: cli.dataDir.path).filter { $0.hasPrefix("honeypot_") }.sorted()
        #expect(keys == ["honeypot_ecdsa.key", "honeypot_ed25519.key", "honeypot_rsa.pem", "honeypot_secret.key"])
        for key in keys {
            let mode = try FileManager.default.attributesOfItem(atPath: cli.dataDir.appendingPathComponent(key).path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(key) is \(String(mode ?? 0, radix: 8))")
        }
    }
}

import Foundation
import PalisadeTesting
import Testing

/// `palisade honeypot`, the standalone sensor, against a real `palisade serve`: attempts reach the
/// server's ledger through the ingest API; while the server is down they wait in the sensor's disk
/// spool (the health endpoint says so) and arrive, each once, after it is back.
@Suite(.serialized)
struct HoneypotSensorTests {
    static func health(_ url: String) throws -> (status: Int, body: String) {
        let script = """
            import sys, urllib.request, urllib.error
            try:
                with urllib.request.urlopen(sys.argv[1] + "/health", timeout=10) as r: print(r.status); print(r.read().decode())
            except urllib.error.HTTPError as e:
                print(e.code); print(e.read().decode())
            """
        let result = try ExternalProcess.python(script: script, arguments: [url])
        let lines = result.stdout.split(separator: "\n", maxSplits: 1).map(String.init)
        return (Int(lines.first ?? "") ?? 0, lines.count > 1 ? lines[1] : result.stderr)
    }

    static func passwords(_ cli: PalisadeCLI) throws -> [String] {
        let lines = try cli.run(["events", "query", "--type", "honeypot", "--order", "oldest", "--format", "ndjson", "--limit", "1000"]).stdout
        return lines.split(separator: "\n").compactMap { line -> String? in
            guard line.contains(#""action":"ssh.auth_failed""#), let range = line.range(of: #""password":""#) else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    /// Waits (up to 30 s) until the server's ledger holds exactly these attempts.
    static func wait(for expected: [String], _ cli: PalisadeCLI) async throws {
        for _ in 0..<300 {
            if try passwords(cli) == expected { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test func eventsWaitInTheSpoolWhileTheServerIsDownAndArriveOnce() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        var server = try ServeProcess(dataDir: cli.dataDir)
        let created = try cli.run(["token", "create", "--name", "sensor", "--scopes", "ingest"])
        let token = try #require(
            created.stdout.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("pal_") }.map(String.init),
            "\(created.stdout)"
        )
        let sensorDir = cli.dataDir.deletingLastPathComponent().appendingPathComponent("sensor")
        let sensor = try ServeProcess(
            dataDir: sensorDir,
            command: ["honeypot"],
            arguments: ["--listen", "127.0.0.1:0", "--server", server.baseURL, "--health", "127.0.0.1:0"],
            environment: ["PALISADE_SENSOR_TOKEN": token, "PALISADE_HONEYPOT_FAILURE_DELAY_MS": "50", "PALISADE_HONEYPOT_CREDENTIALS": "root:toor"]
        )
        defer { sensor.kill9() }
        let port = try await HoneypotCLITests.honeypotPort(sensor)
        var healthURL = ""
        for _ in 0..<100 where healthURL.isEmpty {
            if let range = sensor.stdoutText.range(of: "sensor health listening on ") {
                healthURL = String(sensor.stdoutText[range.upperBound...].prefix { !$0.isWhitespace })
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let healthy = try Self.health(healthURL)
        #expect(healthy.status == 200 && healthy.body.contains(#""status":"ok""#), "\(healthy)")

        func attack(_ password: String) async throws {
            let result = try await OpenSSHClient.run(port: port, password: password, ["-o", "NumberOfPasswordPrompts=1", "oracle@127.0.0.1", "id"])
            #expect(result.status == 255 && result.stderr.contains("Permission denied"), "\(result.stderr)")
        }
        try await attack("first-1")
        try await Self.wait(for: ["first-1"], cli)
        #expect(try Self.passwords(cli) == ["first-1"])

        // The server goes away; the sensor keeps capturing into its spool.
        let address = server.baseURL
        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0)
        for index in 1...3 { try await attack("while-down-\(index)") }
        var waiting = try Self.health(healthURL)
        for _ in 0..<100 {
            if waiting.body.contains("last_error") { break }
            try await Task.sleep(for: .milliseconds(100))
            waiting = try Self.health(healthURL)
        }
        #expect(waiting.status == 200 && !waiting.body.contains(#""spooled_events":0"#) && waiting.body.contains("last_error"), "\(waiting)")

        // Back on the same address: everything arrives, each attempt once.
        let listen = String(address.dropFirst("http://".count))
        server = try ServeProcess(dataDir: cli.dataDir, arguments: ["--listen", listen])
        defer { server.kill9() }
        let expected = ["first-1", "while-down-1", "while-down-2", "while-down-3"]
        try await Self.wait(for: expected, cli)
        #expect(try Self.passwords(cli) == expected)
        let drained = try Self.health(healthURL)
        #expect(drained.body.contains(#""spooled_events":0"#), "\(drained)")
        #expect(try cli.run(["verify"]).status == 0)
        sensor.signal(SIGTERM)
        #expect(sensor.waitForExit() == 0, "\(sensor.stderrText)")
        #expect(sensor.stderrText.contains("0 events wait in the spool"), "\(sensor.stderrText)")
    }
}

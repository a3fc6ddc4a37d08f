import Foundation
import PalisadeTesting
import Testing

/// Alerting through the real binary: a test alert in three commands, and `serve` killed with
/// SIGKILL while a thousand notifications are pending, then restarted — every one reaches an
/// independent receiver (Python), signed, and none is lost.
@Suite(.serialized)
struct AlertsCLITests {
    struct Delivery: Decodable {
        var delivery: String
        var attempt: String?
        var duplicate: Bool
        var signature_ok: Bool?
        var incidents: [String]
        var status: String?
    }

    /// A Python webhook receiver logging every POST to `log`.
    static func receiver(log: String, delay: Double, secret: String?, holdAfter: Int? = nil) throws -> ServeProcess {
        let (python, arguments) = ExternalProcess.pythonArguments(
            [SharedFiles.projectRoot.appendingPathComponent("Tests/palisadeTests/Scripts/alert_receiver.py").path, log, "\(delay)", secret ?? ""]
                + (holdAfter.map { ["\($0)"] } ?? [])
        )
        return try ServeProcess(dataDir: nil, executable: python, command: arguments, arguments: [])
    }

    static func deliveries(_ log: String) throws -> [Delivery] {
        guard FileManager.default.fileExists(atPath: log) else { return [] }
        return try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Delivery.self, from: Data($0.utf8))
        }
    }

    static func secret(in output: String) -> String? {
        output.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("whsec_") }.map(String.init)
    }

    @Test func aTestAlertInThreeCommandsAndRefusals() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let log = cli.root.appendingPathComponent("received.jsonl").path
        let server = try ServeProcess(dataDir: cli.dataDir, environment: ["PALISADE_ALERTING_ALLOW_NETWORKS": "127.0.0.1"])
        defer { server.kill9() }
        // The receiver checks signatures with the secret Palisade makes: add the receiver first, start
        // the receiver with its secret, then point the receiver at it keeping the secret.
        let added = try cli.run(["alerts", "receivers", "add", "ops", "--url", "http://127.0.0.1:9/hook"])
        #expect(added.status == 0 && added.stdout.contains("added receiver ops (webhook"), "\(added.stdout)\(added.stderr)")
        let secret = try #require(Self.secret(in: added.stdout))
        let receiver = try Self.receiver(log: log, delay: 0, secret: secret)
        defer { receiver.kill9() }
        let replaced = try cli.run(["alerts", "receivers", "add", "ops", "--url", receiver.baseURL + "/hook", "--keep-signing-secret"])
        #expect(replaced.status == 0 && Self.secret(in: replaced.stdout) == nil, "\(replaced.stdout)\(replaced.stderr)")
        let sent = try cli.run(["alerts", "test", "ops", "--wait", "60"])
        #expect(sent.status == 0 && sent.stdout.contains("delivered after 1 attempt(s)"), "\(sent.stdout)\(sent.stderr)\(server.stderrText)")
        let received = try Self.deliveries(log)
        #expect(received.count == 1 && received.first?.signature_ok == true, "\(received)")

        // Refusals name what is wrong and write nothing.
        let badURL = try cli.run(["alerts", "receivers", "add", "ops2", "--url", "ftp://example.com/x"])
        #expect(badURL.status == 1 && badURL.stderr.contains("url: must be an http(s), smtp(s) or syslog"), "\(badURL.stderr)")
        let noKey = try cli.run(["alerts", "receivers", "add", "pager", "--url", "https://events.pagerduty.com/v2/enqueue"])
        #expect(noKey.status == 1 && noKey.stderr.contains("routing_key"), "\(noKey.stderr)")
        let policy = try cli.file("policy.yml", "route:\n  receiver: nobody\n")
        let unknown = try cli.run(["alerts", "policy", "set", policy])
        #expect(unknown.status == 1 && unknown.stderr.contains("receiver nobody does not exist"), "\(unknown.stderr)")
        let silence = try cli.run([
            "alerts", "silences", "add", "--matcher", "incident_type=brute_force_attack", "--duration", "2h", "--comment", "pen test",
        ])
        #expect(silence.status == 0 && silence.stdout.hasPrefix("silence "), "\(silence.stdout)\(silence.stderr)")
        let silences = try cli.run(["alerts", "silences", "list"])
        #expect(silences.stdout.contains("active  incident_type=brute_force_attack") && silences.stdout.contains("pen test"), "\(silences.stdout)")
        let id = String(silence.stdout.dropFirst("silence ".count).prefix(36))
        #expect(try cli.run(["alerts", "silences", "expire", id]).status == 0)
        #expect(try cli.run(["alerts", "silences", "expire", id]).stderr.contains("already ended"))
        // Every change is audited, and no secret is in the ledger in the clear.
        let records = try cli.run(["events", "query", "--type", "palisade.alerting", "--order", "oldest", "--format", "ndjson"]).stdout
        #expect(records.components(separatedBy: "\n").filter { $0.contains(#""action":"receiver.stored""#) }.count == 2)
        #expect(records.contains(#""action":"silence.created""#) && records.contains(#""action":"silence.expired""#))
        #expect(!records.contains(secret) && !records.contains("/hook"), "\(records)")
        #expect(try !String(contentsOfFile: cli.database, encoding: .isoLatin1).contains(secret))
    }

    @Test func aThousandPendingNotificationsSurviveSIGKILLAndArriveOnce() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let log = cli.root.appendingPathComponent("received.jsonl").path
        let rules = cli.root.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        // One high incident per actor that touches the canary.
        try
            "id: local.canary\ntitle: canary touched\nincident: data_exfiltration\nlevel: high\ndetection:\n  hit: {resource: canary}\n  condition: hit\nthreshold: {count: 1, within: 1m, group_by: [actor]}\n"
            .write(to: rules.appendingPathComponent("canary.yml"), atomically: true, encoding: .utf8)
        // A receiver that answers 300 notifications, then holds the next ones unanswered until
        // released: the server is killed with those in flight.
        let added = try cli.run(["alerts", "receivers", "add", "ops", "--url", "http://127.0.0.1:9/hook"])
        let secret = try #require(Self.secret(in: added.stdout), "\(added.stdout)\(added.stderr)")
        let receiver = try Self.receiver(log: log, delay: 0, secret: secret, holdAfter: 300)
        defer { receiver.kill9() }
        #expect(try cli.run(["alerts", "receivers", "add", "ops", "--url", receiver.baseURL + "/hook", "--keep-signing-secret"]).status == 0)
        let policy = try cli.file("policy.yml", "route:\n  receiver: ops\n  group_by: ['...']\n  group_wait: 0s\n")
        #expect(try cli.run(["alerts", "policy", "set", policy]).status == 0)
        let events = (0..<1_000).map { #"{"event_type":"data_access","action":"read","actor":"user-\#($0)","resource":"canary"}"# }
        #expect(try cli.run(["events", "append"], input: events.joined(separator: "\n") + "\n").status == 0)

        let environment = [
            "PALISADE_ALERTING_ALLOW_NETWORKS": "127.0.0.1", "PALISADE_DETECTION_RULES_DIR": rules.path,
            "PALISADE_ALERTING_PER_HOST_CONCURRENCY": "4",
        ]
        var server = try ServeProcess(dataDir: cli.dataDir, environment: environment)
        // Kill it once 300 have arrived and the next are held (up to three minutes on a loaded machine).
        // (Waits sleep the task, not the thread: a blocked thread of the two-thread pool stalls every
        // other test running meanwhile.)
        for _ in 0..<1_800 where try Self.deliveries(log).count < 300 { try await Task.sleep(for: .milliseconds(100)) }
        try await Task.sleep(for: .milliseconds(500))  // the next requests reach the receiver and are held
        server.kill9()
        let before = try Self.deliveries(log).count
        #expect(before == 300, "\(before) answered before the kill; \(server.stderrText)")
        // Released, the held requests are processed (as a receiver would have): the notifications
        // the receiver has seen before the restart.
        #expect(FileManager.default.createFile(atPath: log + ".release", contents: nil), "the release file could not be made")
        try await Task.sleep(for: .seconds(1))
        let seenBeforeRestart = Set(try Self.deliveries(log).map(\.delivery))
        let pending = try cli.sqlite("SELECT count(*) FROM outbox WHERE status = 'pending'").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((Int(pending) ?? 0) > 0, "pending after the kill: \(pending)")

        server = try ServeProcess(dataDir: cli.dataDir, environment: environment)
        defer { server.kill9() }
        for _ in 0..<1_800 where Set(try Self.deliveries(log).map(\.delivery)).count < 1_000 { try await Task.sleep(for: .milliseconds(100)) }
        try await Task.sleep(for: .seconds(1))  // anything extra would arrive now
        let received = try Self.deliveries(log)
        let ids = Set(received.map(\.delivery))
        let incidents = Set(received.flatMap(\.incidents))
        #expect(ids.count == 1_000 && incidents.count == 1_000, "\(ids.count) notifications, \(incidents.count) incidents")
        #expect(received.allSatisfy { $0.signature_ok == true })
        // Only a notification the receiver got before the kill whose outcome the server had not yet
        // recorded (in flight, or answered a moment before the kill) is sent again — with the same
        // delivery id, so the receiver drops it. Nothing it never got is repeated, nothing is lost.
        let repeated = received.filter(\.duplicate).map(\.delivery)
        #expect(Set(repeated).isSubset(of: seenBeforeRestart) && repeated.count == Set(repeated).count, "\(repeated)")
        #expect(repeated.count <= 32 && received.count == 1_000 + repeated.count, "\(repeated.count) repeated deliveries of \(received.count)")
        let counts = try cli.sqlite("SELECT status, count(*) FROM outbox GROUP BY status ORDER BY status").stdout
        #expect(counts.trimmingCharacters(in: .whitespacesAndNewlines) == "delivered|1000", "\(counts)")
        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0, "\(server.stderrText)")
        #expect(try cli.run(["verify"]).status == 0)
    }
}

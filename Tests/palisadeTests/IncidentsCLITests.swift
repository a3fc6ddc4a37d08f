import Foundation
import PalisadeTesting
import Testing

/// `palisade incidents …` over a data directory, and `serve` with a rules directory it reloads
/// while running.
struct IncidentsCLITests {
    static func failures(_ count: Int, actor: String = "alice") -> String {
        (0..<count).map { n in
            #"{"event_type":"authentication","action":"login","actor":"\#(actor)","success":false,"source_ip":"198.51.100.\#(n)"}"#
        }.joined(separator: "\n") + "\n"
    }

    @Test func detectListWorkAndSummariseFromTheCommandLine() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append"], input: Self.failures(10)).status == 0)
        let detect = try cli.run(["incidents", "detect"])
        #expect(detect.status == 0 && detect.stdout.contains("10 events, 1 detections: 1 opened"), "\(detect.stdout)\(detect.stderr)")
        // A second pass resumes from the saved cursor: nothing new.
        let again = try cli.run(["incidents", "detect"])
        #expect(again.stdout.contains("0 events, 0 detections: 0 opened"), "\(again.stdout)")
        let list = try cli.run(["incidents", "list", "--status", "open"])
        let line = list.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(line.contains("high") && line.contains("brute_force_attack") && line.contains("Brute force against alice"), "\(list.stdout)")
        let id = String(line.prefix(36))

        let refused = try cli.run(["incidents", "transition", id, "close"])
        #expect(refused.status == 1 && refused.stderr.contains("cannot close; allowed: acknowledge"), "\(refused.stderr)")
        #expect(try cli.run(["incidents", "transition", id, "acknowledge", "--operator", "oncall"]).status == 0)
        #expect(try cli.run(["incidents", "assign", id, "bob", "--operator", "oncall"]).status == 0)
        #expect(try cli.run(["incidents", "note", id, "reset the password", "--operator", "bob"]).status == 0)
        let noResolution = try cli.run(["incidents", "transition", id, "resolve"])
        #expect(noResolution.status == 1 && noResolution.stderr.contains("--resolution"), "\(noResolution.stderr)")
        let resolved = try cli.run(["incidents", "transition", id, "resolve", "--resolution", "password reset", "--operator", "bob"])
        #expect(resolved.status == 0 && resolved.stdout.contains("resolved"), "\(resolved.stdout)\(resolved.stderr)")
        let show = try cli.run(["incidents", "show", id])
        #expect(show.stdout.contains(#""assignee":"bob""#) && show.stdout.contains(#""resolution":"password reset""#), "\(show.stdout)")
        #expect(try cli.run(["incidents", "show", "00000000-0000-4000-8000-000000000000"]).status == 1)

        let summary = try cli.run(["incidents", "summary", "--window", "1h"])
        #expect(summary.stdout.contains("opened          1  (active now: 0)"), "\(summary.stdout)")
        #expect(summary.stdout.contains("failed logins   10") && summary.stdout.contains("top actors      alice(10)"), "\(summary.stdout)")
        #expect(try cli.run(["incidents", "summary", "--window", "soon"]).status == 1)
        // Every change is in the ledger, and the log still verifies.
        let records = try cli.run(["events", "query", "--type", "palisade.incident", "--order", "oldest", "--format", "ndjson"])
        let actions = records.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: #""action":""#) else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "\"" })
        }
        #expect(actions == ["opened", "acknowledge", "assign", "note", "resolve"], "\(records.stdout)\(records.stderr)")
        #expect(try cli.run(["verify"]).status == 0)
    }

    @Test func serveReloadsItsRulesDirectoryAndRecordsTheChange() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let rules = cli.root.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        let rule = rules.appendingPathComponent("root.yml")
        func write(_ level: String) throws {
            try
                "id: local.root_login\ntitle: root signed in\nincident: privilege_escalation\nlevel: \(level)\ndetection:\n  root: {actor: root}\n  condition: root\n"
                .write(to: rule, atomically: true, encoding: .utf8)
        }
        try write("medium")
        let server = try ServeProcess(
            dataDir: cli.dataDir,
            environment: ["PALISADE_DETECTION_RULES_DIR": rules.path, "PALISADE_DETECTION_RELOAD_SECONDS": "1"]
        )
        defer { server.kill9() }
        let token = try #require(server.adminToken)
        let client = """
            import json, sys, time, urllib.request
            base, token, step = sys.argv[1], sys.argv[2], sys.argv[3]
            def call(method, path, body=None):
                request = urllib.request.Request(base + path, method=method, data=body)
                request.add_header("Authorization", "Bearer " + token)
                with urllib.request.urlopen(request, timeout=10) as response:
                    return json.loads(response.read())
            def wait(path, check):
                deadline = time.time() + 90
                while time.time() < deadline:
                    value = call("GET", path)
                    if check(value):
                        return value
                    time.sleep(0.1)
                sys.exit("timed out waiting for " + path + ": " + json.dumps(value))
            if step == "login":
                call("POST", "/v1/events", json.dumps({"event_type": "authentication", "action": "login", "actor": "root"}).encode())
                found = wait("/v1/incidents?type=privilege_escalation", lambda v: len(v["incidents"]) == 1)
                print("incident", found["incidents"][0]["threat_level"], found["incidents"][0]["source"])
            else:
                found = wait("/v1/events?type=palisade.rule&order=oldest", lambda v: len(v["events"]) == int(sys.argv[4]))
                print("records", " ".join(e["action"] + ":" + e["metadata"]["rule_id"] + ":" + e["metadata"].get("threat_level", "-") for e in found["events"]))
            """
        let first = try ExternalProcess.python(script: client, arguments: [server.baseURL, token, "login"])
        #expect(first.stdout.contains("incident medium local.root_login"), "\(first.stdout)\(first.stderr)\(server.stderrText)")
        let initial = try ExternalProcess.python(script: client, arguments: [server.baseURL, token, "records", "1"])
        #expect(initial.stdout.contains("records active:local.root_login:medium"), "\(initial.stdout)\(initial.stderr)")
        // Edit the rule: the server picks it up and records the new revision.
        Thread.sleep(forTimeInterval: 1.1)  // a different modification time
        try write("critical")
        let edited = try ExternalProcess.python(script: client, arguments: [server.baseURL, token, "records", "2"])
        #expect(edited.stdout.contains("active:local.root_login:medium active:local.root_login:critical"), "\(edited.stdout)\(edited.stderr)")
        // A broken file leaves the rules in force and says why.
        try "id: local.broken\nincident: privilege_escalation\nlevel: severe\ndetection:\n  a: {actor: x}\n  condition: a\n"
            .write(to: rules.appendingPathComponent("broken.yml"), atomically: true, encoding: .utf8)
        var logged = false
        for _ in 0..<600 where !logged {  // up to a minute on a loaded machine
            Thread.sleep(forTimeInterval: 0.1)
            let output = server.stdoutText + server.stderrText
            logged = output.contains("palisade.rules.reload_failed") && output.contains("broken.yml")
        }
        #expect(logged, "\(server.stdoutText)\(server.stderrText)")
        let still = try ExternalProcess.python(script: client, arguments: [server.baseURL, token, "records", "2"])
        #expect(still.status == 0, "\(still.stdout)\(still.stderr)")
        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0, "\(server.stderrText)")
        #expect(try cli.run(["verify"]).status == 0)
    }
}

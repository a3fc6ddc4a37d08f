import Foundation
import PalisadeCore
import PalisadeTesting
import Testing

/// NDJSON lines of simple valid events with fixed ids, `count` of them, timestamped just now.
func eventLines(_ count: Int, start: Int = 0, actor: String = "alice", action: String = "login") -> String {
    (start..<(start + count)).map { index in
        let id = String(format: "00000000-0000-4000-8000-%012x", index)
        return
            #"{"id":"\#(id)","event_type":"authentication","action":"\#(action)","actor":"\#(actor)","resource":"r\#(index % 7)","metadata":{"n":\#(index)}}"#
    }.joined(separator: "\n") + "\n"
}

struct CLITests {
    @Test func appendReportsEveryLineAndExitCodesAreTrustworthy() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let input = """
            {"event_type":"authentication","action":"login","actor":"alice","source_ip":"203.0.113.7","success":false}
            {"event_type":"authentication","severity":"loud","action":"x"}
            not json at all

            {"event_type":"data_access","action":"read","actor":"bob","severity":"warning"}
            """
        let result = try cli.run(["events", "append"], input: input)
        #expect(result.status == 1)
        #expect(result.stdout.contains("appended 2, duplicates 0, rejected 2"))
        #expect(result.stderr.contains("line 2: rejected: severity:"))
        #expect(result.stderr.contains("line 3: rejected: (json):"))
        let clean = try cli.run(["events", "append"], input: eventLines(3))
        #expect(clean.status == 0)
        let again = try cli.run(["events", "append"], input: eventLines(3))
        #expect(again.status == 0 && again.stdout.contains("appended 0, duplicates 3, rejected 0"))
        let query = try cli.run(["events", "query", "--actor", "bob", "--format", "ndjson"])
        #expect(query.status == 0)
        let lines = query.stdout.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(#""severity":"medium""#) && lines[0].contains(#""log_index":1"#))
        let inverted = try cli.run(["events", "query", "--since", "2026-01-02T00:00:00Z", "--until", "2026-01-01T00:00:00Z"])
        #expect(inverted.status == 64 && inverted.stderr.contains("--end is before start"))
        let capped = try cli.run(["events", "query", "--limit", "5000"])
        #expect(capped.status == 0 && capped.stderr.contains("capped to 1000"))
        #expect(try cli.run(["prove", "99"]).status == 1)
        #expect(try cli.run(["events", "query", "--tenant", "Bad Tenant"]).status == 64)
    }

    @Test func paginationThroughTheCLI() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append"], input: eventLines(25)).status == 0)
        var cursor: String?
        var seen = [String]()
        repeat {
            let result = try cli.run(
                ["events", "query", "--limit", "10", "--format", "ndjson", "--order", "oldest"] + (cursor.map { ["--cursor", $0] } ?? [])
            )
            #expect(result.status == 0)
            seen += result.stdout.split(separator: "\n").map(String.init)
            cursor = result.stderr.components(separatedBy: "--cursor ").dropFirst().first?.trimmingCharacters(in: .whitespacesAndNewlines)
        } while cursor != nil
        #expect(seen.count == 25)
        #expect(seen.enumerated().allSatisfy { $0.element.contains(#""log_index":\#($0.offset),"#) })
    }

    @Test func theIndependentVerifierAcceptsCheckpointsAndProofs() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append", "--batch-size", "100"], input: eventLines(300)).status == 0)
        let vkey = try cli.vkey()
        let old = try cli.file("old.checkpoint", try cli.run(["checkpoint"]).stdout)
        #expect(try cli.run(["events", "append", "--batch-size", "77"], input: eventLines(420, start: 300)).status == 0)
        let new = try cli.file("new.checkpoint", try cli.run(["checkpoint"]).stdout)
        for index in [0, 255, 256, 299, 511, 719] {
            let proof = try cli.file("inclusion-\(index).json", try cli.run(["prove", String(index), "--json"]).stdout)
            let verdict = try PalisadeCLI.independentVerifier(["--vkey", vkey, "--checkpoint", new, "--inclusion", proof])
            #expect(verdict.status == 0, "index \(index): \(verdict.stdout)\(verdict.stderr)")
            #expect(verdict.stdout.contains("leaf \(index) is included"))
        }
        let consistency = try cli.file("consistency.json", try cli.run(["prove", "--consistency", "300", "720", "--json"]).stdout)
        let verdict = try PalisadeCLI.independentVerifier([
            "--vkey", vkey, "--checkpoint", new, "--old-checkpoint", old, "--consistency", consistency,
        ])
        #expect(verdict.status == 0, "\(verdict.stdout)\(verdict.stderr)")
        #expect(verdict.stdout.contains("grew consistently from 300 to 720"))
        // A proof for another index, or against another key, is refused by the verifier.
        let wrong = try cli.file(
            "wrong.json",
            try cli.run(["prove", "5", "--json"]).stdout.replacingOccurrences(of: #""leaf_index":5"#, with: #""leaf_index":6"#)
        )
        #expect(try PalisadeCLI.independentVerifier(["--vkey", vkey, "--checkpoint", new, "--inclusion", wrong]).status == 1)
        let other = try PalisadeCLI()
        defer { other.removeAll() }
        _ = try other.run(["events", "append"], input: eventLines(1))
        #expect(try PalisadeCLI.independentVerifier(["--vkey", try other.vkey(), "--checkpoint", new]).status == 1)
        // The checkpoint key is owner-only.
        let mode =
            try FileManager.default.attributesOfItem(atPath: cli.dataDir.appendingPathComponent("checkpoint.key").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func tenantsHaveTheirOwnLogs() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append", "--tenant", "acme"], input: eventLines(4, actor: "ann")).status == 0)
        #expect(try cli.run(["events", "append"], input: eventLines(2, actor: "dan")).status == 0)
        let acme = try cli.run(["events", "query", "--tenant=acme", "--format", "ndjson"])
        #expect(acme.stdout.split(separator: "\n").count == 4 && !acme.stdout.contains("\"dan\""))
        #expect(try cli.run(["checkpoint", "--tenant", "acme"]).stdout.hasPrefix("palisade.local/acme\n4\n"))
        let all = try cli.run(["verify"])
        #expect(all.status == 0 && all.stdout.contains("tenant acme: OK: 4 entries") && all.stdout.contains("tenant default: OK: 2 entries"))
        let one = try cli.run(["verify", "--tenant=acme"])
        #expect(one.status == 0 && one.stdout.contains("tenant acme") && !one.stdout.contains("tenant default"))
    }

    @Test func verifyPassesOnAnIntactLog() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append", "--batch-size", "50"], input: eventLines(600)).status == 0)
        let result = try cli.run(["verify"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("tenant default: OK: 600 entries"))
    }
}

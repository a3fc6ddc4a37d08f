import Foundation
import PalisadeTesting
import Testing

/// Checkpoints anchored outside the database expose what the database alone cannot: a restore of
/// an older backup (rollback) and a history rewritten and re-signed with the stolen key.
struct AnchorTests {
    @Test func aRolledBackDatabasePassesVerifyButNotItsAnchors() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let anchors = cli.root.appendingPathComponent("anchors").path
        #expect(try cli.run(["events", "append"], input: eventLines(10)).status == 0)
        // The backup an attacker (or a careless restore) will bring back: the database as it is now.
        let backup = cli.root.appendingPathComponent("backup.db").path
        #expect(try cli.sqlite("VACUUM INTO '\(backup)';").status == 0)
        let first = try cli.run(["anchor", "--to", anchors])
        #expect(first.status == 0 && first.stdout.contains("anchored the checkpoint of size 10"), "\(first.stdout)\(first.stderr)")
        #expect(try cli.run(["anchor", "--to", anchors]).stdout.contains("already anchored the checkpoint of size 10"))
        // Each anchor is recorded in the ledger (index 10), and the next covers that receipt too.
        #expect(try cli.run(["events", "append"], input: eventLines(15, start: 10)).status == 0)
        #expect(try cli.run(["anchor", "--to", anchors]).stdout.contains("anchored the checkpoint of size 26"))
        let receipts = try cli.run(["events", "query", "--type", "palisade.anchor", "--format", "ndjson"]).stdout
        #expect(receipts.split(separator: "\n").count == 2 && receipts.contains(#""action":"anchor.directory""#), "\(receipts)")
        let good = try cli.run(["verify", "--anchors", anchors])
        #expect(good.status == 0 && good.stdout.contains("anchors OK: 2 anchored checkpoints (up to size 26)"), "\(good.stdout)\(good.stderr)")

        // Roll back: the old database replaces the current one.
        for suffix in ["", "-wal", "-shm"] { unlink(cli.database + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: cli.database)
        let plain = try cli.run(["verify"])
        #expect(plain.status == 0, "the rolled-back database is consistent in itself: \(plain.stdout)")
        let anchored = try cli.run(["verify", "--anchors", anchors])
        #expect(anchored.status == 1)
        #expect(
            anchored.stdout.contains("ANCHORS FAILED: the log was rolled back") && anchored.stdout.contains("size 26, but the log has 10 entries"),
            "\(anchored.stdout)"
        )
    }

    @Test func aHistoryRewrittenWithTheKeyIsCaughtByItsAnchor() throws {
        let honest = try PalisadeCLI()
        defer { honest.removeAll() }
        let anchors = honest.root.appendingPathComponent("anchors").path
        #expect(try honest.run(["events", "append"], input: eventLines(10)).status == 0)
        #expect(try honest.run(["anchor", "--to", anchors]).status == 0)
        // The forger rebuilds the log with entry 4 changed, signs it with the stolen key, and grows
        // it past the anchored size: `verify` passes, the anchor does not.
        try FileManager.default.removeItem(atPath: honest.database)
        for suffix in ["-wal", "-shm"] { unlink(honest.database + suffix) }
        let lines = eventLines(10).split(separator: "\n").map(String.init)
        let rewritten = lines.enumerated().map { $0.offset == 4 ? $0.element.replacingOccurrences(of: "\"alice\"", with: "\"nobody\"") : $0.element }
        #expect(try honest.run(["events", "append"], input: rewritten.joined(separator: "\n") + "\n").status == 0)
        #expect(try honest.run(["events", "append"], input: eventLines(5, start: 10)).status == 0)
        #expect(try honest.run(["verify"]).status == 0)
        let result = try honest.run(["verify", "--anchors", anchors])
        #expect(result.status == 1)
        #expect(result.stdout.contains("ANCHORS FAILED: the log was rewritten: its root at size 10"), "\(result.stdout)")
        // An anchor is never overwritten, and a tenant whose log disappeared is reported.
        let other = try honest.run(["anchor", "--to", anchors, "--tenant", "default"])
        #expect(other.status == 0 && other.stdout.contains("size 15"), "\(other.stdout)\(other.stderr)")
        try FileManager.default.createDirectory(atPath: anchors + "/acme", withIntermediateDirectories: true)
        let ghost = try honest.run(["verify", "--anchors", anchors])
        #expect(ghost.stdout.contains("anchored checkpoints of tenant acme, but the database has no log for it"), "\(ghost.stdout)")
    }

    /// `serve` with `anchors.dir` anchors at start, every interval, and once more when it stops.
    @Test func theServerAnchorsOnItsOwn() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let anchors = cli.root.appendingPathComponent("anchors").path
        let server = try ServeProcess(
            dataDir: cli.dataDir,
            environment: ["PALISADE_ANCHORS_DIR": anchors, "PALISADE_ANCHORS_INTERVAL_SECONDS": "3600"]
        )
        defer { server.kill9() }
        let token = try #require(server.adminToken)
        let post = """
            import json, sys, urllib.request
            body = "\\n".join(json.dumps({"event_type": "system", "action": "load", "success": True}) for _ in range(40)).encode()
            request = urllib.request.Request(sys.argv[1] + "/v1/events:batch", data=body, method="POST")
            request.add_header("Authorization", "Bearer " + sys.argv[2])
            request.add_header("Content-Type", "application/x-ndjson")
            with urllib.request.urlopen(request, timeout=10) as response:
                print(response.status)
            """
        let posted = try ExternalProcess.python(script: post, arguments: [server.baseURL, token])
        #expect(posted.stdout.contains("20"), "\(posted.stdout)\(posted.stderr)")
        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0, "\(server.stderrText)")
        let verify = try cli.run(["verify", "--anchors", anchors])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let size = try #require(
            verify.stdout.split(separator: "\n").first { $0.hasPrefix("tenant default: OK: ") }.flatMap {
                $0.split(separator: " ").dropFirst(3).first.flatMap { Int($0) }
            }
        )
        // The last anchor covers everything but its own receipt, the log's last entry.
        #expect(
            verify.stdout.contains("tenant default: anchors OK:") && verify.stdout.contains("(up to size \(size - 1))"),
            "\(verify.stdout)"
        )
        let receipts = try cli.run(["events", "query", "--type", "palisade.anchor", "--format", "ndjson"]).stdout
        #expect(receipts.contains(#""actor":"palisade-serve""#), "\(receipts)")
    }
}

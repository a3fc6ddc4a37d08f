import Foundation
import PalisadeTesting
import Testing

/// Retention, legal holds and redaction as an operator runs them: policies and holds are ledger
/// records, a sweep archives before it prunes, `verify` tells pruned and redacted entries from
/// deleted and forged ones, and each protection has a scenario that fails without it.
@Suite(.serialized)
struct RetentionCLITests {
    /// `count` authentication events `days` days old, alternating actors alice and bob, then
    /// nothing else: ids `00000000-0000-4000-8000-<index>`.
    static func oldEvents(_ count: Int, daysAgo days: Int, start: Int = 0) -> String {
        let formatter = ISO8601DateFormatter()
        let time = formatter.string(from: Date().addingTimeInterval(-Double(days) * 86_400))
        return (start..<(start + count)).map { index in
            let id = String(format: "00000000-0000-4000-8000-%012x", index)
            let actor = index % 2 == 0 ? "alice" : "bob"
            return
                #"{"id":"\#(id)","timestamp":"\#(time)","event_type":"authentication","action":"login","actor":"\#(actor)","source_ip":"198.51.100.\#(index % 250)","session_id":"s\#(index)","metadata":{"email":"\#(actor)@example.com"}}"#
        }.joined(separator: "\n") + "\n"
    }

    /// The one line of `events query --format ndjson --session-id` for an event.
    static func eventLine(_ cli: PalisadeCLI, session: String) throws -> String {
        try cli.run(["events", "query", "--session-id", session, "--format", "ndjson"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Edits the database file with sqlite3, as someone behind Palisade's back.
    static func tamper(_ cli: PalisadeCLI, _ sql: String) throws {
        let result = try cli.sqlite(sql)
        #expect(result.status == 0, "the tampering itself failed: \(result.stderr)")
    }

    @Test func aSweepArchivesThenPrunesWhatHoldsDoNotCover() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        // 200 authentication events 100 days old, 100 fresh ones of another type.
        #expect(try cli.run(["events", "append", "--max-age-days", "200"], input: Self.oldEvents(200, daysAgo: 100)).status == 0)
        #expect(try cli.run(["events", "append"], input: eventLines(100, start: 1_000)).status == 0)
        let archiveRoot = cli.root.appendingPathComponent("archives").path

        // Without a policy nothing is swept.
        let idle = try cli.run(["retention", "sweep", "--archive-dir", archiveRoot])
        #expect(idle.status == 0 && idle.stdout.contains("pruned 0"), "\(idle.stdout)\(idle.stderr)")

        let policy = try cli.run(["retention", "policy", "set", "--event-type", "authentication", "--keep-days", "30", "--operator", "dpo"])
        #expect(policy.status == 0 && policy.stdout.contains("keep authentication for 30 days (record 300)"), "\(policy.stdout)\(policy.stderr)")
        let hold = try cli.run(["retention", "hold", "place", "--actor", "bob", "--reason", "case 42"])
        #expect(hold.status == 0, "\(hold.stderr)")
        let holdID = try #require(hold.stdout.split(separator: " ").dropFirst().first.map(String.init))
        let shown = try cli.run(["retention", "show"])
        #expect(shown.stdout.contains("policy: keep authentication for 30 days"), "\(shown.stdout)")
        #expect(shown.stdout.contains("hold \(holdID) [ACTIVE] actor bob: case 42"), "\(shown.stdout)")
        // Clients cannot forge Palisade's records.
        let forged = try cli.run(
            ["events", "append"],
            input: #"{"event_type":"palisade.retention","action":"legal_hold.released","metadata":{"hold_id":"\#(holdID)"}}"# + "\n"
        )
        #expect(forged.status == 1 && forged.stderr.contains("reserved"), "\(forged.stderr)")

        let dry = try cli.run(["retention", "sweep", "--archive-dir", archiveRoot, "--dry-run"])
        #expect(dry.stdout.contains("would prune 100, 100 expired but held"), "\(dry.stdout)\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: archiveRoot + "/default"), "a dry run writes nothing")

        let sweep = try cli.run(["retention", "sweep", "--archive-dir", archiveRoot])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stdout.contains("pruned 100, 100 expired but held; archived to"), "\(sweep.stdout)")
        // The archive holds everything up to the sweep, verified offline with the public key only.
        let archive = archiveRoot + "/default/000000000000-000000000302"
        let archived = try cli.run(["verify", "--archive", archive, "--vkey", try cli.vkey()])
        #expect(archived.status == 0 && archived.stdout.contains("OK: 302 events of tenant default"), "\(archived.stdout)\(archived.stderr)")

        // Pruned entries are reported as pruned, not missing; alice's old events are gone, bob's held.
        let verify = try cli.run(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(
            verify.stdout.contains("303 entries") && verify.stdout.contains("100 pruned and 0 redacted, accounted for by 1 signed erasure records")
        )
        #expect(try Self.eventLine(cli, session: "s0").isEmpty)
        #expect(try Self.eventLine(cli, session: "s1").contains(#""actor":"bob""#))
        // A pruned event's id stays taken, and its inclusion is still proven.
        let resend = try cli.run(["events", "append", "--max-age-days", "200"], input: Self.oldEvents(1, daysAgo: 100))
        #expect(resend.stdout.contains("appended 0, duplicates 1"), "\(resend.stdout)")
        #expect(try cli.run(["prove", "0"]).status == 0)

        // Releasing the hold is destructive: it needs --i-understand, and then bob's events go too.
        let refused = try cli.run(["retention", "hold", "release", holdID, "--reason", "case closed"])
        #expect(refused.status == 1 && refused.stderr.contains("--i-understand"), "\(refused.stderr)")
        let released = try cli.run(["retention", "hold", "release", holdID, "--reason", "case closed", "--i-understand", "--operator", "legal"])
        #expect(released.status == 0, "\(released.stderr)")
        let second = try cli.run(["retention", "sweep", "--archive-dir", archiveRoot])
        #expect(second.stdout.contains("pruned 100, 0 expired but held"), "\(second.stdout)")
        #expect(!second.stdout.contains("archived to"), "already archived: \(second.stdout)")
        let after = try cli.run(["verify"])
        #expect(after.status == 0 && after.stdout.contains("200 pruned and 0 redacted, accounted for by 2 signed erasure records"), "\(after.stdout)")
        let records = try cli.run(["events", "query", "--type", "palisade.retention", "--format", "ndjson", "--order", "oldest"])
        let lines = records.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines[2].contains(#""actor":"legal""#) && lines[2].contains("--i-understand"), "\(records.stdout)")

        // Tampering: a kept event's row deleted behind the ledger's back is missing, not pruned...
        try Self.tamper(cli, "DROP TRIGGER events_no_delete; DELETE FROM events WHERE log_index = 250;")
        let deleted = try cli.run(["verify"])
        #expect(deleted.status == 1 && deleted.stdout.contains("index 250: the event row is missing (deleted)"), "\(deleted.stdout)")
        // ...and filing it under a real prune record does not pass either.
        try Self.tamper(
            cli,
            "INSERT INTO erasures SELECT tenant_id, 250, randomblob(16), 1, record, NULL FROM erasures LIMIT 1;"
        )
        let forgedFiling = try cli.run(["verify"])
        #expect(forgedFiling.status == 1 && forgedFiling.stdout.contains("were altered"), "\(forgedFiling.stdout)")
    }

    @Test func aRedactionKeepsTheProofsAndIsToldApartFromTampering() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append"], input: Self.oldEvents(6, daysAgo: 1)).status == 0)
        let id = "00000000-0000-4000-8000-000000000002"

        let unconfirmed = try cli.run(["redact", id, "--field", "metadata.email", "--reason", "GDPR-7"])
        #expect(unconfirmed.status == 1 && unconfirmed.stderr.contains("--i-understand"), "\(unconfirmed.stderr)")
        let badField = try cli.run(["redact", id, "--field", "timestamp", "--reason", "GDPR-7", "--i-understand"])
        #expect(badField.status == 1 && badField.stderr.contains("cannot be redacted"), "\(badField.stderr)")
        let redact = try cli.run(["redact", id, "--field", "metadata.email", "--field", "source_ip", "--reason", "GDPR-7", "--i-understand"])
        #expect(redact.status == 0, "\(redact.stderr)")
        #expect(redact.stdout.contains("redacted metadata.email, source_ip of event \(id) at index 2 (record 6)"), "\(redact.stdout)")

        let line = try Self.eventLine(cli, session: "s2")
        #expect(
            !line.contains("alice@example.com") && !line.contains("198.51.100.2")
                && line.contains(#""palisade.redacted":["metadata.email","source_ip"]"#)
        )
        #expect(line.contains(#""actor":"alice""#), "fields not named stay: \(line)")
        let verify = try cli.run(["verify"])
        #expect(verify.status == 0 && verify.stdout.contains("0 pruned and 1 redacted"), "\(verify.stdout)\(verify.stderr)")
        #expect(try cli.run(["prove", "2"]).status == 0)

        let twice = try cli.run(["redact", id, "--reason", "again", "--i-understand"])
        #expect(twice.status == 1 && twice.stderr.contains("already redacted under record 6"), "\(twice.stderr)")
        let record = try cli.run(["events", "query", "--type", "palisade.erasure", "--format", "ndjson"]).stdout
        #expect(record.contains(#""reason":"GDPR-7""#) && record.contains(#""index":2"#), "\(record)")
        // Palisade's own records and held events are not redacted.
        let recordID = try #require(record.split(separator: "\"").drop { $0 != "id" }.dropFirst(2).first.map(String.init))
        let own = try cli.run(["redact", recordID, "--reason", "x", "--i-understand"])
        #expect(own.status == 1 && own.stderr.contains("never redacted"), "\(own.stderr)")
        #expect(try cli.run(["retention", "hold", "place", "--actor", "bob", "--reason", "case 9"]).status == 0)
        let held = try cli.run(["redact", "00000000-0000-4000-8000-000000000003", "--reason", "GDPR-8", "--i-understand"])
        #expect(held.status == 1 && held.stderr.contains("under legal hold"), "\(held.stderr)")

        // The redacted row rewritten behind the ledger's back is caught, as is a rewritten filing.
        try Self.tamper(
            cli,
            "DROP TRIGGER events_no_update; UPDATE events SET entry = CAST(replace(CAST(entry AS TEXT), 'alice', 'mallory') AS BLOB), actor = 'mallory' WHERE log_index = 2;"
        )
        let rewritten = try cli.run(["verify"])
        #expect(
            rewritten.status == 1 && rewritten.stdout.contains("index 2: the event was redacted under record 6, but its row is not"),
            "\(rewritten.stdout)"
        )
        try Self.tamper(
            cli,
            "DROP TRIGGER erasures_no_update; UPDATE erasures SET redacted_entry = (SELECT entry FROM events WHERE log_index = 2) WHERE log_index = 2;"
        )
        let refiled = try cli.run(["verify"])
        #expect(refiled.status == 1 && refiled.stdout.contains("the erasures filed under record 6 were altered"), "\(refiled.stdout)")
    }

    /// `serve` with `retention.archive_dir` sweeps on its own through its own sequencer, and a
    /// pruned event is answered 410 with the record that pruned it.
    @Test func theServerSweepsOnItsOwn() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append", "--max-age-days", "200"], input: Self.oldEvents(20, daysAgo: 100)).status == 0)
        #expect(try cli.run(["retention", "policy", "set", "--keep-days", "30"]).status == 0)
        let archives = cli.root.appendingPathComponent("archives").path
        let server = try ServeProcess(
            dataDir: cli.dataDir,
            environment: ["PALISADE_RETENTION_ARCHIVE_DIR": archives, "PALISADE_RETENTION_SWEEP_INTERVAL_SECONDS": "1"]
        )
        defer { server.kill9() }
        let token = try #require(server.adminToken)
        let poll = """
            import sys, time, urllib.error, urllib.request
            request = urllib.request.Request(sys.argv[1] + "/v1/events/00000000-0000-4000-8000-000000000004")
            request.add_header("Authorization", "Bearer " + sys.argv[2])
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        time.sleep(0.2)
                except urllib.error.HTTPError as error:
                    print(error.code, error.read().decode())
                    break
            """
        let polled = try ExternalProcess.python(script: poll, arguments: [server.baseURL, token])
        #expect(polled.stdout.hasPrefix("410 ") && polled.stdout.contains(#""code":"pruned""#), "\(polled.stdout)\(polled.stderr)")
        #expect(polled.stdout.contains("was pruned by retention under record 21"), "\(polled.stdout)")
        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0, "\(server.stderrText)")
        let verify = try cli.run(["verify"])
        #expect(verify.status == 0 && verify.stdout.contains("20 pruned and 0 redacted"), "\(verify.stdout)\(verify.stderr)")
        #expect(try cli.run(["verify", "--archive", archives + "/default/000000000000-000000000021"]).status == 0)
    }

    /// An event redacted before any sweep archived it is left out of the archive, which is cut
    /// around it into ranges that each verify; later sweeps go on from there.
    @Test func aSweepArchivesAroundARedactedEvent() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append", "--max-age-days", "200"], input: Self.oldEvents(10, daysAgo: 100)).status == 0)
        let redact = try cli.run(["redact", "00000000-0000-4000-8000-000000000004", "--reason", "GDPR-9", "--i-understand"])
        #expect(redact.status == 0, "\(redact.stderr)")
        #expect(try cli.run(["retention", "policy", "set", "--keep-days", "30"]).status == 0)
        let archives = cli.root.appendingPathComponent("archives").path
        let sweep = try cli.run(["retention", "sweep", "--archive-dir", archives])
        #expect(sweep.status == 0 && sweep.stdout.contains("pruned 9, 0 expired but held"), "\(sweep.stdout)\(sweep.stderr)")
        let vkey = try cli.vkey()
        for (range, count) in [("000000000000-000000000004", 4), ("000000000005-000000000012", 7)] {
            let verify = try cli.run(["verify", "--archive", archives + "/default/" + range, "--vkey", vkey])
            #expect(verify.status == 0 && verify.stdout.contains("OK: \(count) events"), "\(range): \(verify.stdout)\(verify.stderr)")
        }
        let archived = try FileManager.default.contentsOfDirectory(atPath: archives + "/default").sorted()
        #expect(archived == ["000000000000-000000000004", "000000000005-000000000012"], "\(archived)")
        let verify = try cli.run(["verify"])
        #expect(verify.status == 0 && verify.stdout.contains("9 pruned and 1 redacted"), "\(verify.stdout)\(verify.stderr)")
    }

    /// A purge outside policy is destructive: it needs --i-understand, still spares held events,
    /// archives first, and its records say why and who acknowledged it.
    @Test func aPurgeOutsidePolicyNeedsConfirmationAndSparesHolds() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append", "--max-age-days", "200"], input: Self.oldEvents(8, daysAgo: 10)).status == 0)
        #expect(try cli.run(["events", "append"], input: Self.oldEvents(4, daysAgo: 1, start: 100)).status == 0)
        #expect(try cli.run(["retention", "hold", "place", "--actor", "bob", "--reason", "case 3"]).status == 0)
        let cutoff = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-5 * 86_400))
        let archives = cli.root.appendingPathComponent("archives").path
        let purge = ["retention", "purge", "--before", cutoff, "--archive-dir", archives, "--reason", "board decision 7", "--operator", "cfo"]
        let refused = try cli.run(purge)
        #expect(refused.status == 1 && refused.stderr.contains("--i-understand"), "\(refused.stderr)")
        let dry = try cli.run(purge + ["--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("would purge 4 events"), "\(dry.stdout)\(dry.stderr)")
        let done = try cli.run(purge + ["--i-understand"])
        #expect(done.status == 0 && done.stdout.contains("purged 4 events") && done.stdout.contains("4 held back"), "\(done.stdout)\(done.stderr)")
        let record = try cli.run(["events", "query", "--type", "palisade.erasure", "--format", "ndjson"]).stdout
        #expect(record.contains(#""reason":"board decision 7""#) && record.contains("acknowledged with --i-understand by cfo"), "\(record)")
        let verify = try cli.run(["verify"])
        #expect(verify.status == 0 && verify.stdout.contains("4 pruned and 0 redacted"), "\(verify.stdout)\(verify.stderr)")
    }
}

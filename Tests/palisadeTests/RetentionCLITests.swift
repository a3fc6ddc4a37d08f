import Foundation
import PalisadeCore
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
    static func eventLine(_ cli: PalisadeCLI, session: String) async throws -> String {
        try await cli.runDetached(["events", "query", "--session-id", session, "--format", "ndjson"]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines
        )
    }

    /// Edits the database file with sqlite3, as someone behind Palisade's back.
    static func tamper(_ cli: PalisadeCLI, _ sql: String) throws {
        let result = try cli.sqlite(sql)
        #expect(result.status == 0, "the tampering itself failed: \(result.stderr)")
    }

    @Test func aSweepArchivesThenPrunesWhatHoldsDoNotCover() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        // 200 authentication events 100 days old, 100 fresh ones of another type.
        #expect(try await cli.runDetached(["events", "append", "--max-age-days", "200"], input: Self.oldEvents(200, daysAgo: 100)).status == 0)
        #expect(try await cli.runDetached(["events", "append"], input: eventLines(100, start: 1_000)).status == 0)
        let archiveRoot = cli.root.appendingPathComponent("archives").path

        // Without a policy nothing is swept.
        let idle = try await cli.runDetached(["retention", "sweep", "--archive-dir", archiveRoot])
        #expect(idle.status == 0 && idle.stdout.contains("pruned 0"), "\(idle.stdout)\(idle.stderr)")

        // A retention change needs two approvers: without a request it says which to make.
        let unapproved = try await cli.runDetached(["retention", "policy", "set", "--event-type", "authentication", "--keep-days", "30"])
        #expect(
            unapproved.status == 1
                && unapproved.stderr.contains("`palisade approvals request retention.change authentication --param keep_days=30`"),
            "\(unapproved.stderr)"
        )
        let desk = try await ApprovalDesk.open(cli)
        defer { desk.stop() }
        let approval = try await desk.approved("retention.change", "authentication", ["keep_days": "30"])
        let mismatched = try await cli.runDetached(["retention", "policy", "set", "--keep-days", "30", "--approval", approval])
        #expect(mismatched.status == 1 && mismatched.stderr.contains("carry out exactly what was approved"), "\(mismatched.stderr)")
        let policy = try await cli.runDetached([
            "retention", "policy", "set", "--event-type", "authentication", "--keep-days", "30", "--operator", "dpo", "--approval", approval,
        ])
        // Records 300-302 are the request and its two approvals; 304 marks it executed.
        #expect(policy.status == 0 && policy.stdout.contains("keep authentication for 30 days (record 303)"), "\(policy.stdout)\(policy.stderr)")
        let again = try await cli.runDetached([
            "retention", "policy", "set", "--event-type", "authentication", "--keep-days", "30", "--approval", approval,
        ])
        #expect(again.status == 1 && again.stderr.contains("is executed"), "an approval is carried out once: \(again.stderr)")
        let hold = try await cli.runDetached(["retention", "hold", "place", "--actor", "bob", "--reason", "case 42"])
        #expect(hold.status == 0, "\(hold.stderr)")
        let holdID = try #require(hold.stdout.split(separator: " ").dropFirst().first.map(String.init))
        let shown = try await cli.runDetached(["retention", "show"])
        #expect(shown.stdout.contains("policy: keep authentication for 30 days"), "\(shown.stdout)")
        #expect(shown.stdout.contains("hold \(holdID) [ACTIVE] actor bob: case 42"), "\(shown.stdout)")
        // Clients cannot forge Palisade's records.
        let forged = try await cli.runDetached(
            ["events", "append"],
            input: #"{"event_type":"palisade.retention","action":"legal_hold.released","metadata":{"hold_id":"\#(holdID)"}}"# + "\n"
        )
        #expect(forged.status == 1 && forged.stderr.contains("reserved"), "\(forged.stderr)")

        let dry = try await cli.runDetached(["retention", "sweep", "--archive-dir", archiveRoot, "--dry-run"])
        #expect(dry.stdout.contains("would prune 100, 100 expired but held"), "\(dry.stdout)\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: archiveRoot + "/default"), "a dry run writes nothing")

        let sweep = try await cli.runDetached(["retention", "sweep", "--archive-dir", archiveRoot])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stdout.contains("pruned 100, 100 expired but held; archived to"), "\(sweep.stdout)")
        // The archive holds everything up to the sweep, verified offline with the public key only.
        let archive = archiveRoot + "/default/000000000000-000000000306"
        let archived = try await cli.runDetached(["verify", "--archive", archive, "--vkey", try await cli.vkeyDetached()])
        #expect(archived.status == 0 && archived.stdout.contains("OK: 306 events of tenant default"), "\(archived.stdout)\(archived.stderr)")

        // Pruned entries are reported as pruned, not missing; alice's old events are gone, bob's held.
        let verify = try await cli.runDetached(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(
            verify.stdout.contains("307 entries") && verify.stdout.contains("100 pruned and 0 redacted, accounted for by 1 signed erasure records")
        )
        #expect(try await Self.eventLine(cli, session: "s0").isEmpty)
        #expect(try await Self.eventLine(cli, session: "s1").contains(#""actor":"bob""#))
        // A pruned event's id stays taken, and its inclusion is still proven.
        let resend = try await cli.runDetached(["events", "append", "--max-age-days", "200"], input: Self.oldEvents(1, daysAgo: 100))
        #expect(resend.stdout.contains("appended 0, duplicates 1"), "\(resend.stdout)")
        #expect(try await cli.runDetached(["prove", "0"]).status == 0)

        // Releasing the hold is destructive: it needs an approved request, and then bob's events go too.
        let refused = try await cli.runDetached(["retention", "hold", "release", holdID, "--reason", "case closed"])
        #expect(refused.status == 1 && refused.stderr.contains("legal_hold.release \(holdID) --param 'reason=case closed'"), "\(refused.stderr)")
        let release = try await desk.approved("legal_hold.release", holdID, ["reason": "case closed"])
        let released = try await cli.runDetached([
            "retention", "hold", "release", holdID, "--reason", "case closed", "--operator", "legal", "--approval", release,
        ])
        #expect(released.status == 0, "\(released.stderr)")
        let second = try await cli.runDetached(["retention", "sweep", "--archive-dir", archiveRoot])
        #expect(second.stdout.contains("pruned 100, 0 expired but held"), "\(second.stdout)")
        #expect(!second.stdout.contains("archived to"), "already archived: \(second.stdout)")
        let after = try await cli.runDetached(["verify"])
        #expect(after.status == 0 && after.stdout.contains("200 pruned and 0 redacted, accounted for by 2 signed erasure records"), "\(after.stdout)")
        let records = try await cli.runDetached(["events", "query", "--type", "palisade.retention", "--format", "ndjson", "--order", "oldest"])
        let lines = records.stdout.split(separator: "\n")
        #expect(
            lines.count == 3 && lines[2].contains(#""actor":"legal""#) && lines[2].contains("request \(release) requested by token:")
                && lines[2].contains("approved by token:"),
            "\(records.stdout)"
        )
        let executions = try cli.sqlite("SELECT count(*) FROM events WHERE action = 'approval.execute';")
        #expect(executions.stdout == "2\n", "both carried-out requests are marked executed in the ledger: \(executions.stdout)")

        // Tampering: a kept event's row deleted behind the ledger's back is missing, not pruned...
        try Self.tamper(cli, "DROP TRIGGER events_no_delete; DELETE FROM events WHERE log_index = 250;")
        let deleted = try await cli.runDetached(["verify"])
        #expect(deleted.status == 1 && deleted.stdout.contains("index 250: the event row is missing (deleted)"), "\(deleted.stdout)")
        // ...and filing it under a real prune record does not pass either.
        try Self.tamper(
            cli,
            "INSERT INTO erasures SELECT tenant_id, 250, randomblob(16), 1, record, NULL FROM erasures LIMIT 1;"
        )
        let forgedFiling = try await cli.runDetached(["verify"])
        #expect(forgedFiling.status == 1 && forgedFiling.stdout.contains("were altered"), "\(forgedFiling.stdout)")
    }

    @Test func aRedactionKeepsTheProofsAndIsToldApartFromTampering() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try await cli.runDetached(["events", "append"], input: Self.oldEvents(6, daysAgo: 1)).status == 0)
        let id = "00000000-0000-4000-8000-000000000002"

        let unconfirmed = try await cli.runDetached(["redact", id, "--field", "metadata.email", "--reason", "GDPR-7"])
        #expect(unconfirmed.status == 1 && unconfirmed.stderr.contains("palisade approvals request redaction \(id)"), "\(unconfirmed.stderr)")
        let badField = try await cli.runDetached(["redact", id, "--field", "timestamp", "--reason", "GDPR-7"])
        #expect(badField.status == 1 && badField.stderr.contains("cannot be redacted"), "\(badField.stderr)")
        let desk = try await ApprovalDesk.open(cli)
        defer { desk.stop() }
        let approval = try await desk.approved("redaction", id, ["fields": "metadata.email,source_ip", "reason": "GDPR-7"])
        let early = try await cli.runDetached(["redact", id, "--field", "metadata.email", "--reason", "GDPR-7", "--approval", approval])
        #expect(early.status == 1 && early.stderr.contains("carry out exactly what was approved"), "\(early.stderr)")
        let redact = try await cli.runDetached([
            "redact", id, "--field", "source_ip", "--field", "metadata.email", "--reason", "GDPR-7", "--approval", approval,
        ])
        #expect(redact.status == 0, "\(redact.stderr)")
        // Records 6-8 are the request and its two approvals.
        #expect(redact.stdout.contains("redacted metadata.email, source_ip of event \(id) at index 2 (record 9)"), "\(redact.stdout)")

        let line = try await Self.eventLine(cli, session: "s2")
        #expect(
            !line.contains("alice@example.com") && !line.contains("198.51.100.2")
                && line.contains(#""palisade.redacted":["metadata.email","source_ip"]"#)
        )
        #expect(line.contains(#""actor":"alice""#), "fields not named stay: \(line)")
        let verify = try await cli.runDetached(["verify"])
        #expect(verify.status == 0 && verify.stdout.contains("0 pruned and 1 redacted"), "\(verify.stdout)\(verify.stderr)")
        #expect(try await cli.runDetached(["prove", "2"]).status == 0)

        let twice = try await cli.runDetached([
            "redact", id, "--reason", "again", "--approval", try await desk.approved("redaction", id, ["reason": "again"]),
        ])
        #expect(twice.status == 1 && twice.stderr.contains("already redacted under record 9"), "\(twice.stderr)")
        let record = try await cli.runDetached(["events", "query", "--type", "palisade.erasure", "--format", "ndjson"]).stdout
        #expect(record.contains(#""reason":"GDPR-7""#) && record.contains(#""index":2"#), "\(record)")
        // Palisade's own records and held events are not redacted.
        let recordID = try #require(record.split(separator: "\"").drop { $0 != "id" }.dropFirst(2).first.map(String.init))
        let own = try await cli.runDetached([
            "redact", recordID, "--reason", "x", "--approval", try await desk.approved("redaction", recordID, ["reason": "x"]),
        ])
        #expect(own.status == 1 && own.stderr.contains("never redacted"), "\(own.stderr)")
        #expect(try await cli.runDetached(["retention", "hold", "place", "--actor", "bob", "--reason", "case 9"]).status == 0)
        let heldID = "00000000-0000-4000-8000-000000000003"
        let held = try await cli.runDetached([
            "redact", heldID, "--reason", "GDPR-8", "--approval", try await desk.approved("redaction", heldID, ["reason": "GDPR-8"]),
        ])
        #expect(held.status == 1 && held.stderr.contains("under legal hold"), "\(held.stderr)")

        // The redacted row rewritten behind the ledger's back is caught, as is a rewritten filing.
        try Self.tamper(
            cli,
            "DROP TRIGGER events_no_update; UPDATE events SET entry = CAST(replace(CAST(entry AS TEXT), 'alice', 'mallory') AS BLOB), actor = 'mallory' WHERE log_index = 2;"
        )
        let rewritten = try await cli.runDetached(["verify"])
        #expect(
            rewritten.status == 1 && rewritten.stdout.contains("index 2: the event was redacted under record 9, but its row is not"),
            "\(rewritten.stdout)"
        )
        try Self.tamper(
            cli,
            "DROP TRIGGER erasures_no_update; UPDATE erasures SET redacted_entry = (SELECT entry FROM events WHERE log_index = 2) WHERE log_index = 2;"
        )
        let refiled = try await cli.runDetached(["verify"])
        #expect(refiled.status == 1 && refiled.stdout.contains("the erasures filed under record 9 were altered"), "\(refiled.stdout)")
    }

    /// `serve` with `retention.archive_dir` sweeps on its own through its own sequencer, and a
    /// pruned event is answered 410 with the record that pruned it.
    @Test func theServerSweepsOnItsOwn() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try await cli.runDetached(["events", "append", "--max-age-days", "200"], input: Self.oldEvents(20, daysAgo: 100)).status == 0)
        let desk = try await ApprovalDesk.open(cli)
        let approval = try await desk.approved("retention.change", "*", ["keep_days": "30"])
        desk.stop()
        #expect(try await cli.runDetached(["retention", "policy", "set", "--keep-days", "30", "--approval", approval]).status == 0)
        let archives = cli.root.appendingPathComponent("archives").path
        let server = try await ServeProcess.launch(
            dataDir: cli.dataDir,
            environment: ["PALISADE_RETENTION_ARCHIVE_DIR": archives, "PALISADE_RETENTION_SWEEP_INTERVAL_SECONDS": "1"]
        )
        defer { server.kill9() }
        let token = desk.adminToken
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
        let baseURL = server.baseURL
        let polled = try await onOwnThread { try ExternalProcess.python(script: poll, arguments: [baseURL, token]) }
        #expect(polled.stdout.hasPrefix("410 ") && polled.stdout.contains(#""code":"pruned""#), "\(polled.stdout)\(polled.stderr)")
        #expect(polled.stdout.contains("was pruned by retention under record 25"), "\(polled.stdout)")
        server.signal(SIGTERM)
        #expect(await server.exited() == 0, "\(server.stderrText)")
        let verify = try await cli.runDetached(["verify"])
        #expect(verify.status == 0 && verify.stdout.contains("20 pruned and 0 redacted"), "\(verify.stdout)\(verify.stderr)")
        #expect(try await cli.runDetached(["verify", "--archive", archives + "/default/000000000000-000000000025"]).status == 0)
    }

    /// An event redacted before any sweep archived it is left out of the archive, which is cut
    /// around it into ranges that each verify; later sweeps go on from there.
    @Test func aSweepArchivesAroundARedactedEvent() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try await cli.runDetached(["events", "append", "--max-age-days", "200"], input: Self.oldEvents(10, daysAgo: 100)).status == 0)
        let desk = try await ApprovalDesk.open(cli)
        let redaction = try await desk.approved("redaction", "00000000-0000-4000-8000-000000000004", ["reason": "GDPR-9"])
        let policy = try await desk.approved("retention.change", "*", ["keep_days": "30"])
        desk.stop()
        let redact = try await cli.runDetached(["redact", "00000000-0000-4000-8000-000000000004", "--reason", "GDPR-9", "--approval", redaction])
        #expect(redact.status == 0, "\(redact.stderr)")
        #expect(try await cli.runDetached(["retention", "policy", "set", "--keep-days", "30", "--approval", policy]).status == 0)
        let archives = cli.root.appendingPathComponent("archives").path
        let sweep = try await cli.runDetached(["retention", "sweep", "--archive-dir", archives])
        #expect(sweep.status == 0 && sweep.stdout.contains("pruned 9, 0 expired but held"), "\(sweep.stdout)\(sweep.stderr)")
        let vkey = try await cli.vkeyDetached()
        for (range, count) in [("000000000000-000000000004", 4), ("000000000005-000000000020", 15)] {
            let verify = try await cli.runDetached(["verify", "--archive", archives + "/default/" + range, "--vkey", vkey])
            #expect(verify.status == 0 && verify.stdout.contains("OK: \(count) events"), "\(range): \(verify.stdout)\(verify.stderr)")
        }
        let archived = try FileManager.default.contentsOfDirectory(atPath: archives + "/default").sorted()
        #expect(archived == ["000000000000-000000000004", "000000000005-000000000020"], "\(archived)")
        let verify = try await cli.runDetached(["verify"])
        #expect(verify.status == 0 && verify.stdout.contains("9 pruned and 1 redacted"), "\(verify.stdout)\(verify.stderr)")
    }

    /// A purge outside policy is destructive: it needs an approved request, still spares held
    /// events, archives first, and its records say why and under which approval.
    @Test func aPurgeOutsidePolicyNeedsConfirmationAndSparesHolds() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try await cli.runDetached(["events", "append", "--max-age-days", "200"], input: Self.oldEvents(8, daysAgo: 10)).status == 0)
        #expect(try await cli.runDetached(["events", "append"], input: Self.oldEvents(4, daysAgo: 1, start: 100)).status == 0)
        #expect(try await cli.runDetached(["retention", "hold", "place", "--actor", "bob", "--reason", "case 3"]).status == 0)
        let cutoff = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-5 * 86_400))
        let archives = cli.root.appendingPathComponent("archives").path
        let purge = ["retention", "purge", "--before", cutoff, "--archive-dir", archives, "--reason", "board decision 7", "--operator", "cfo"]
        let refused = try await cli.runDetached(purge)
        #expect(refused.status == 1 && refused.stderr.contains("palisade approvals request retention.purge"), "\(refused.stderr)")
        let dry = try await cli.runDetached(purge + ["--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("would purge 4 events"), "\(dry.stdout)\(dry.stderr)")
        let desk = try await ApprovalDesk.open(cli)
        defer { desk.stop() }
        let normalised = try #require(Timestamp(rfc3339: cutoff)).rfc3339
        let approval = try await desk.approved("retention.purge", normalised, ["reason": "board decision 7"])
        let done = try await cli.runDetached(purge + ["--approval", approval])
        #expect(done.status == 0 && done.stdout.contains("purged 4 events") && done.stdout.contains("4 held back"), "\(done.stdout)\(done.stderr)")
        let record = try await cli.runDetached(["events", "query", "--type", "palisade.erasure", "--format", "ndjson"]).stdout
        #expect(record.contains(#""reason":"board decision 7""#) && record.contains("request \(approval) requested by token:"), "\(record)")
        let verify = try await cli.runDetached(["verify"])
        #expect(verify.status == 0 && verify.stdout.contains("4 pruned and 0 redacted"), "\(verify.stdout)\(verify.stderr)")
    }
}

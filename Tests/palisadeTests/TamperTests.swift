import Foundation
import PalisadeTesting
import Testing

/// Someone with write access to the SQLite file changes it behind Palisade's back; `palisade
/// verify` must fail and say what is wrong, naming the first bad index.
struct TamperTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let sql: String
        let expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "edit an entry and its column together",
            sql:
                "DROP TRIGGER events_no_update; UPDATE events SET entry = CAST(replace(CAST(entry AS TEXT), '\"action\":\"login\"', '\"action\":\"logon\"') AS BLOB), action = 'logon' WHERE log_index = 5;",
            expected: "index 5: the event does not match the leaf hash"
        ),
        Case(
            name: "edit an entry only",
            sql:
                "DROP TRIGGER events_no_update; UPDATE events SET entry = CAST(replace(CAST(entry AS TEXT), '\"action\":\"login\"', '\"action\":\"logon\"') AS BLOB) WHERE log_index = 6;",
            expected: "index 6: stored column action differs"
        ),
        Case(
            name: "edit a query column only",
            sql: "DROP TRIGGER events_no_update; UPDATE events SET actor = 'mallory' WHERE log_index = 7;",
            expected: "index 7: stored column actor differs"
        ),
        Case(
            name: "delete a row",
            sql: "DROP TRIGGER events_no_delete; DELETE FROM events WHERE log_index = 3;",
            expected: "index 3: the event row is missing"
        ),
        Case(
            name: "reorder two rows",
            sql: """
                DROP TRIGGER events_no_update;
                UPDATE events SET log_index = -1 WHERE log_index = 10;
                UPDATE events SET log_index = 10 WHERE log_index = 11;
                UPDATE events SET log_index = 11 WHERE log_index = -1;
                """,
            expected: "index 10: the event does not match the leaf hash"
        ),
        Case(
            name: "insert a row past the end",
            sql: """
                INSERT INTO events (tenant_id, log_index, event_id, ts, event_type, severity, actor, action, resource, success,
                                    source_ip, session_id, request_id, entry)
                SELECT tenant_id, 20, randomblob(16), ts, event_type, severity, actor, action, resource, success, source_ip,
                       session_id, request_id, entry FROM events WHERE log_index = 2;
                """,
            expected: "index 20: 1 event rows exist beyond the signed tree size 20"
        ),
        Case(
            name: "insert a second row at an index",
            sql: """
                DROP INDEX events_position;
                INSERT INTO events (tenant_id, log_index, event_id, ts, event_type, severity, actor, action, resource, success,
                                    source_ip, session_id, request_id, entry)
                SELECT tenant_id, 8, randomblob(16), ts, event_type, severity, actor, action, resource, success, source_ip,
                       session_id, request_id, entry FROM events WHERE log_index = 2;
                """,
            expected: "index 8: "
        ),
        Case(
            name: "overwrite a tile",
            sql: "UPDATE tiles SET hashes = zeroblob(length(hashes)) WHERE level = 0 AND idx = 0;",
            expected: "index 0: the event does not match the leaf hash"
        ),
        Case(
            name: "forge the latest checkpoint",
            sql: "UPDATE log_heads SET checkpoint = replace(checkpoint, char(10) || '20' || char(10), char(10) || '19' || char(10));",
            expected: "is not signed by key"
        ),
        Case(
            name: "drop a checkpoint signature",
            sql: "UPDATE checkpoints SET note = substr(note, 1, instr(note, char(10) || char(10)) + 1) || 'x' || char(10) WHERE size = 10;",
            expected: "checkpoint of size 10 is not a signed note"
        ),
    ]

    @Test(arguments: cases)
    func verifyNamesWhatWasChanged(tamper: Case) throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        // Two appends, so the history keeps a checkpoint at 10 and the head is at 20.
        #expect(try cli.run(["events", "append"], input: eventLines(10)).status == 0)
        #expect(try cli.run(["events", "append"], input: eventLines(10, start: 10)).status == 0)
        #expect(try cli.run(["verify"]).status == 0)
        let edit = try cli.sqlite(tamper.sql)
        #expect(edit.status == 0, "sqlite3: \(edit.stderr)")
        let result = try cli.run(["verify", "--quiet"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAILED"))
        #expect(result.stdout.contains(tamper.expected), "verify said: \(result.stdout)")
    }

    @Test func theAppendOnlyTriggersStopCarelessEdits() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append"], input: eventLines(3)).status == 0)
        let update = try cli.sqlite("UPDATE events SET actor = 'x' WHERE log_index = 0;")
        #expect(update.status != 0 && update.stderr.contains("append-only"))
        let delete = try cli.sqlite("DELETE FROM events;")
        #expect(delete.status != 0 && delete.stderr.contains("append-only"))
        #expect(try cli.run(["verify"]).status == 0)
    }

    /// A history rewritten and re-signed with the stolen key still cannot pass a consistency proof
    /// against a checkpoint a client kept from before.
    @Test func aConsistencyProofDetectsARewrittenHistory() throws {
        let honest = try PalisadeCLI()
        defer { honest.removeAll() }
        #expect(try honest.run(["events", "append"], input: eventLines(10)).status == 0)
        let kept = try honest.file("kept.checkpoint", try honest.run(["checkpoint"]).stdout)
        // The forger copies the key and rebuilds the log with entry 4 changed, then grows it.
        let forged = try PalisadeCLI()
        defer { forged.removeAll() }
        try FileManager.default.copyItem(
            at: honest.dataDir.appendingPathComponent("checkpoint.key"),
            to: forged.dataDir.appendingPathComponent("checkpoint.key")
        )
        let lines = eventLines(10).split(separator: "\n").map(String.init)
        let rewritten = lines.enumerated().map { $0.offset == 4 ? $0.element.replacingOccurrences(of: "\"alice\"", with: "\"nobody\"") : $0.element }
        #expect(try forged.run(["events", "append"], input: rewritten.joined(separator: "\n") + "\n").status == 0)
        #expect(try forged.run(["events", "append"], input: eventLines(10, start: 10)).status == 0)
        #expect(try forged.run(["verify"]).status == 0, "the forged log is internally consistent")
        let forgedHead = try forged.file("forged.checkpoint", try forged.run(["checkpoint"]).stdout)
        let proof = try forged.file("proof.json", try forged.run(["prove", "--consistency", "10", "20", "--json"]).stdout)
        let vkey = try honest.vkey()
        let verdict = try PalisadeCLI.independentVerifier([
            "--vkey", vkey, "--checkpoint", forgedHead, "--old-checkpoint", kept, "--consistency", proof,
        ])
        #expect(verdict.status == 1)
        #expect(verdict.stdout.contains("does not match the old root"))
        // Against the forger's own old checkpoint the proof is fine: the kept checkpoint is what exposes it.
        let forgedOld = try forged.file("forged-old.checkpoint", try forged.run(["checkpoint", "--size", "10"]).stdout)
        #expect(
            try PalisadeCLI.independentVerifier(["--vkey", vkey, "--checkpoint", forgedHead, "--old-checkpoint", forgedOld, "--consistency", proof])
                .status == 0
        )
    }
}

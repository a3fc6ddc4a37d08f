import Foundation
import PalisadePostgres
import PalisadeTesting
import Testing

/// The `palisade` binary on PostgreSQL: the schema owner migrates and grants, then every command
/// and the server run as the application role, and a superuser who edits the tables behind
/// Palisade's back is caught by `palisade verify`.
@Suite(.serialized)
struct PostgresCLITests {
    /// A CLI whose commands use `database` as the application role, the password passed the
    /// libpq way (PGPASSWORD) rather than on the command line.
    static func applicationCLI(_ database: PostgresTestDatabase) throws -> PalisadeCLI {
        var cli = try PalisadeCLI()
        cli.environment = [
            "PALISADE_DATABASE": database.urlText(as: .application, withPassword: false),
            "PGPASSWORD": database.url(as: .application).password ?? "",
        ]
        return cli
    }

    /// Migrates as the owner with the grant, the way an operator prepares a database.
    static func migrate(_ database: PostgresTestDatabase, _ cli: PalisadeCLI) throws {
        let migrate = try cli.run([
            "database", "migrate", "--database", database.urlText(as: .owner), "--grant-to", PostgresTestDatabase.applicationRole,
        ])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains("at version 7 (this binary knows 7)"), "\(migrate.stdout)")
        #expect(!migrate.stdout.contains(database.url(as: .owner).password ?? "-"), "the password must not be printed")
    }

    @Test func everyCommandRunsOnPostgres() async throws {
        try await PostgresTestDatabase.with { database in
            let cli = try Self.applicationCLI(database)
            defer { cli.removeAll() }
            // The application role cannot create the schema, and says who can.
            let early = try cli.run(["events", "query"])
            #expect(early.status == 74 && early.stderr.contains("connect once as a role that may create schemas"), "\(early.stderr)")
            try Self.migrate(database, cli)

            #expect(try cli.run(["events", "append", "--batch-size", "40"], input: eventLines(100)).status == 0)
            let again = try cli.run(["events", "append"], input: eventLines(100))
            #expect(again.status == 0 && again.stdout.contains("appended 0, duplicates 100, rejected 0"), "\(again.stdout)")
            #expect(try cli.run(["events", "append"], input: eventLines(20, start: 100, actor: "bob")).status == 0)
            let query = try cli.run(["events", "query", "--actor", "bob", "--format", "ndjson", "--order", "oldest"])
            let lines = query.stdout.split(separator: "\n")
            #expect(query.status == 0 && lines.count == 20, "\(query.stderr)")
            #expect(lines.first?.contains(#""log_index":100"#) == true)

            let verify = try cli.run(["verify"])
            #expect(verify.status == 0 && verify.stdout.contains("tenant default: OK: 120 entries"), "\(verify.stdout)\(verify.stderr)")
            // Proofs from PostgreSQL pass the independent verifier.
            let vkey = try cli.vkey()
            let checkpoint = try cli.file("head.checkpoint", try cli.run(["checkpoint"]).stdout)
            let proof = try cli.file("inclusion.json", try cli.run(["prove", "77", "--json"]).stdout)
            let verdict = try PalisadeCLI.independentVerifier(["--vkey", vkey, "--checkpoint", checkpoint, "--inclusion", proof])
            #expect(verdict.status == 0 && verdict.stdout.contains("leaf 77 is included"), "\(verdict.stdout)\(verdict.stderr)")

            let token = try cli.run(["token", "create", "--name", "ci", "--scopes", "ingest,read"])
            #expect(token.status == 0 && token.stdout.hasPrefix("pal_"), "\(token.stderr)")
            #expect(try cli.run(["token", "list"]).stdout.contains("ingest,read"))
            // An archive exported from PostgreSQL restores into SQLite with the same root.
            let archive = cli.root.appendingPathComponent("archive").path
            let export = try cli.run(["export", "--out", archive, "--segment-events", "50"])
            #expect(export.status == 0 && export.stdout.contains("in 3 segments"), "\(export.stdout)\(export.stderr)")
            let sqlite = try PalisadeCLI()
            defer { sqlite.removeAll() }
            let restore = try sqlite.run(["import", archive, "--vkey", vkey, "--database", "sqlite"])
            #expect(restore.status == 0 && restore.stdout.contains("restored 120 events"), "\(restore.stdout)\(restore.stderr)")
            let rootLine = { (text: String) in text.split(separator: "\n").dropFirst(2).first.map(String.init) ?? "" }
            #expect(rootLine(try sqlite.run(["checkpoint"]).stdout) == rootLine(try cli.run(["checkpoint"]).stdout))
            // Nothing was written to a SQLite file: the data directory holds only keys.
            #expect(!FileManager.default.fileExists(atPath: cli.database))
        }
    }

    @Test func aBadDatabaseURLIsAClearError() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let bad = try cli.run(["events", "query", "--database", "postgres://u@127.0.0.1:99999/x"])
        #expect(bad.status != 0 && bad.stderr.contains("--database"), "\(bad.stderr)")
        let neither = try cli.run(["events", "query", "--database", "mysql://x"])
        #expect(neither.status != 0 && neither.stderr.contains("must be sqlite or a postgres:// URL"), "\(neither.stderr)")
        // Nothing listens on port 1: a storage error, with the URL but never a password.
        let down = try cli.run(["events", "query", "--database", "postgres://u:hunter2@127.0.0.1:1/x?sslmode=disable"])
        #expect(down.status == 74 && down.stderr.contains("cannot connect to PostgreSQL") && !down.stderr.contains("hunter2"), "\(down.stderr)")
    }

    struct Tamper: Sendable, CustomTestStringConvertible {
        let name: String
        let sql: String
        let expected: String
        var testDescription: String { name }
    }

    /// A superuser turns the triggers off for the session (`session_replication_role = replica`)
    /// and edits the tables.
    static let tampers: [Tamper] = [
        Tamper(
            name: "edit a query column",
            sql: "UPDATE audit_events SET actor = 'mallory' WHERE log_index = 7",
            expected: "index 7: stored column actor differs"
        ),
        Tamper(
            name: "edit an entry and its column",
            sql: """
                UPDATE audit_events SET action = 'logon',
                    entry = convert_to(replace(convert_from(entry, 'UTF8'), '"action":"login"', '"action":"logon"'), 'UTF8') WHERE log_index = 5
                """,
            expected: "index 5: the event does not match the leaf hash"
        ),
        Tamper(name: "delete an event row", sql: "DELETE FROM audit_events WHERE log_index = 3", expected: "index 3: the event row is missing"),
        Tamper(
            name: "overwrite a leaf hash and its tile",
            sql: """
                UPDATE ledger_entries SET leaf_hash = decode(repeat('00', 32), 'hex') WHERE log_index = 2;
                UPDATE tiles SET hashes = overlay(hashes PLACING decode(repeat('00', 32), 'hex') FROM 65) WHERE level = 0 AND idx = 0
                """,
            expected: "index 2: "
        ),
        Tamper(
            name: "forge the latest checkpoint",
            sql: "UPDATE log_heads SET checkpoint = replace(checkpoint, chr(10) || '20' || chr(10), chr(10) || '19' || chr(10))",
            expected: "is not signed by key"
        ),
    ]

    @Test(arguments: tampers)
    func verifyNamesWhatASuperuserChanged(tamper: Tamper) async throws {
        try await PostgresTestDatabase.with { database in
            let cli = try Self.applicationCLI(database)
            defer { cli.removeAll() }
            try Self.migrate(database, cli)
            #expect(try cli.run(["events", "append"], input: eventLines(10)).status == 0)
            #expect(try cli.run(["events", "append"], input: eventLines(10, start: 10)).status == 0)
            #expect(try cli.run(["verify"]).status == 0)
            var statements = ["SET session_replication_role = replica"]
            statements += tamper.sql.components(separatedBy: ";\n")
            try await database.execute(statements, as: .superuser)
            let result = try cli.run(["verify", "--quiet"])
            #expect(result.status == 1)
            #expect(result.stdout.contains("FAILED") && result.stdout.contains(tamper.expected), "verify said: \(result.stdout)\(result.stderr)")
        }
    }

    /// Retention and redaction on PostgreSQL as the application role (which has no DELETE or
    /// UPDATE: the rows go through apply_erasures), and a superuser's deletion disguised as a
    /// prune is still caught.
    @Test func retentionAndRedactionRunOnPostgres() async throws {
        try await PostgresTestDatabase.with { database in
            let cli = try Self.applicationCLI(database)
            defer { cli.removeAll() }
            try Self.migrate(database, cli)
            #expect(
                try await cli.runDetached(["events", "append", "--max-age-days", "200"], input: RetentionCLITests.oldEvents(40, daysAgo: 100)).status
                    == 0
            )
            #expect(try await cli.runDetached(["events", "append"], input: eventLines(10, start: 1_000)).status == 0)
            let desk = try await ApprovalDesk.open(cli)
            let policy = try await desk.approved("retention.change", "authentication", ["keep_days": "30"])
            let redaction = try await desk.approved("redaction", "00000000-0000-4000-8000-0000000003e8", ["fields": "metadata", "reason": "GDPR-1"])
            desk.stop()
            #expect(
                try await cli.runDetached(["retention", "policy", "set", "--event-type", "authentication", "--keep-days", "30", "--approval", policy])
                    .status == 0
            )
            #expect(try await cli.runDetached(["retention", "hold", "place", "--actor", "bob", "--reason", "case 7"]).status == 0)
            let archives = cli.root.appendingPathComponent("archives").path
            let sweep = try await cli.runDetached(["retention", "sweep", "--archive-dir", archives])
            #expect(sweep.status == 0 && sweep.stdout.contains("pruned 20, 20 expired but held"), "\(sweep.stdout)\(sweep.stderr)")
            let redact = try await cli.runDetached([
                "redact", "00000000-0000-4000-8000-0000000003e8", "--field", "metadata", "--reason", "GDPR-1", "--approval", redaction,
            ])
            #expect(redact.status == 0, "\(redact.stderr)")
            let verify = try await cli.runDetached(["verify"])
            #expect(
                verify.status == 0 && verify.stdout.contains("20 pruned and 1 redacted, accounted for by 2 signed erasure records"),
                "\(verify.stdout)"
            )
            let redacted = try await cli.runDetached(["events", "query", "--resource", "r6", "--format", "ndjson"]).stdout
            #expect(redacted.contains("palisade.redacted") && !redacted.contains(#""n":1000"#), "\(redacted)")
            // A superuser deletes a kept row and files it under the sweep's record: caught.
            try await database.execute(
                [
                    "SET session_replication_role = replica",
                    "DELETE FROM audit_events WHERE log_index = 45",
                    """
                    INSERT INTO erasures (tenant_id, log_index, event_id, kind, record)
                    SELECT tenant_id, 45, event_id, 'pruned', (SELECT min(record) FROM erasures) FROM ledger_entries WHERE log_index = 45
                    """,
                ],
                as: .superuser
            )
            let tampered = try await cli.runDetached(["verify"])
            #expect(tampered.status == 1 && tampered.stdout.contains("were altered"), "\(tampered.stdout)")
        }
    }

    /// `palisade serve --database` with the independent HTTP client of the SQLite end-to-end test:
    /// ingest, proofs, and the root rebuilt from tiles served out of PostgreSQL.
    @Test func theServerRunsOnPostgres() async throws {
        try await PostgresTestDatabase.with { database in
            let cli = try Self.applicationCLI(database)
            defer { cli.removeAll() }
            try Self.migrate(database, cli)
            let server = try ServeProcess(
                dataDir: cli.dataDir,
                arguments: ["--listen", "127.0.0.1:0", "--database", database.urlText(as: .application)]
            )
            defer { server.kill9() }
            let token = try #require(server.adminToken)
            let result = try server.independentAudit(token: token, vkey: try cli.vkey())
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("ok root of 600 leaves rebuilt from tiles matches the checkpoint"))
            #expect(!FileManager.default.fileExists(atPath: cli.database))
        }
    }
}

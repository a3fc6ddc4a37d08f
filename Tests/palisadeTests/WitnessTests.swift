import Foundation
import PalisadeTesting
import Testing

/// A second Palisade as the first one's witness: it cosigns while the log grows consistently, and
/// a database rolled back or rewritten behind the log's back can never get a cosignature again —
/// even after the witness restarts.
@Suite(.serialized)
struct WitnessTests {
    /// Starts `palisade witness serve` for the log whose verifier key is `logKey`.
    static func startWitness(state: String, logKey: String) throws -> ServeProcess {
        try ServeProcess(
            dataDir: nil,
            command: ["witness", "serve"],
            arguments: ["--state", state, "--listen", "127.0.0.1:0", "--log-key", logKey]
        )
    }

    @Test func theWitnessCosignsGrowthAndRefusesARollbackOrRewrite() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let state = cli.root.appendingPathComponent("witness").path
        let anchors = cli.root.appendingPathComponent("anchors").path
        let keyResult = try ExternalProcess.run(PalisadeCLI.binary, ["witness", "key", "--state", state, "--name", "witness.test"])
        #expect(keyResult.status == 0, "\(keyResult.stderr)")
        let witnessKey = keyResult.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(witnessKey.hasPrefix("witness.test+"))
        #expect(try cli.run(["events", "append"], input: eventLines(10)).status == 0)
        var witness = try Self.startWitness(state: state, logKey: try cli.vkey())
        defer { witness.kill9() }
        #expect(witness.stdoutText.contains(witnessKey), "the witness announces its key: \(witness.stdoutText)")

        let backup = cli.root.appendingPathComponent("backup.db").path
        #expect(try cli.sqlite("VACUUM INTO '\(backup)';").status == 0)
        let anchor = ["anchor", "--to", anchors, "--witness", witness.baseURL, "--witness-key", witnessKey]
        let first = try cli.run(anchor)
        #expect(
            first.status == 0 && first.stdout.contains("witness witness.test cosigned the checkpoint of size 10"),
            "\(first.stdout)\(first.stderr)"
        )
        // Growth is cosigned with a consistency proof from the size the receipt in the ledger names.
        #expect(try cli.run(["events", "append"], input: eventLines(15, start: 10)).status == 0)
        let second = try cli.run(anchor)
        #expect(second.status == 0 && second.stdout.contains("cosigned the checkpoint of size 27"), "\(second.stdout)\(second.stderr)")
        let receipts = try cli.run(["events", "query", "--type", "palisade.anchor", "--format", "ndjson"]).stdout
        #expect(receipts.contains(#""action":"anchor.witness""#) && receipts.contains(#""witness":"witness.test""#), "\(receipts)")
        let good = try cli.run(["verify", "--anchors", anchors, "--witness-key", witnessKey])
        #expect(good.status == 0 && good.stdout.contains("2 of them cosigned by a witness"), "\(good.stdout)\(good.stderr)")
        // A cosignature checked against another witness's key fails.
        let otherKey = try ExternalProcess.run(PalisadeCLI.binary, ["witness", "key", "--state", cli.root.appendingPathComponent("other").path])
            .stdout
        let wrong = try cli.run(["verify", "--anchors", anchors, "--witness-key", otherKey.trimmingCharacters(in: .whitespacesAndNewlines)])
        #expect(wrong.status == 1 && wrong.stdout.contains("is not cosigned by witness.palisade.local"), "\(wrong.stdout)")

        // Roll the database back to the backup: consistent in itself, refused by the witness.
        for suffix in ["", "-wal", "-shm"] { unlink(cli.database + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: cli.database)
        #expect(try cli.run(["verify"]).status == 0)
        let rolledBack = try cli.run(["anchor", "--witness", witness.baseURL, "--witness-key", witnessKey])
        #expect(rolledBack.status == 1, "\(rolledBack.stdout)")
        #expect(
            rolledBack.stdout.contains("the witness has cosigned palisade.local/default at size 27, but the log has only 10 entries"),
            "\(rolledBack.stdout)"
        )

        // Grow the rolled-back log past the cosigned size with other events: still refused, also
        // by a restarted witness (its state is on disk).
        witness.signal(SIGTERM)
        _ = witness.waitForExit()
        witness = try Self.startWitness(state: state, logKey: try cli.vkey())
        #expect(try cli.run(["events", "append"], input: eventLines(30, start: 500, actor: "mallory")).status == 0)
        let rewritten = try cli.run(["anchor", "--witness", witness.baseURL, "--witness-key", witnessKey])
        #expect(rewritten.status == 1 && rewritten.stdout.contains("is not consistent with the tree of size 27 it cosigned"), "\(rewritten.stdout)")

        // Another log under the same origin but another key gets 403.
        let stranger = try PalisadeCLI()
        defer { stranger.removeAll() }
        #expect(try stranger.run(["events", "append"], input: eventLines(3)).status == 0)
        let unknown = try stranger.run(["anchor", "--witness", witness.baseURL, "--witness-key", witnessKey])
        #expect(unknown.status == 1 && unknown.stdout.contains("answered 403"), "\(unknown.stdout)")
    }

    /// `serve` with `anchors.witness_url` has every checkpoint it anchors cosigned, at start and once
    /// more when it stops.
    @Test func theServerHasItsCheckpointsWitnessed() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let state = cli.root.appendingPathComponent("witness").path
        let anchors = cli.root.appendingPathComponent("anchors").path
        #expect(try cli.run(["events", "append"], input: eventLines(5)).status == 0)
        let witness = try Self.startWitness(state: state, logKey: try cli.vkey())
        defer { witness.kill9() }
        let witnessKey = try ExternalProcess.run(PalisadeCLI.binary, ["witness", "key", "--state", state]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServeProcess(
            dataDir: cli.dataDir,
            environment: [
                "PALISADE_ANCHORS_DIR": anchors, "PALISADE_ANCHORS_WITNESS_URL": witness.baseURL, "PALISADE_ANCHORS_WITNESS_KEY": witnessKey,
            ]
        )
        defer { server.kill9() }
        #expect(try #require(server.adminToken).hasPrefix("pal_"))
        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0, "\(server.stdoutText)\(server.stderrText)")
        let verify = try cli.run(["verify", "--anchors", anchors, "--witness-key", witnessKey])
        #expect(verify.status == 0 && verify.stdout.contains("(up to size 5)"), "\(verify.stdout)\(verify.stderr)")
        // At stop, the head held nothing new but the start's receipts: nothing more to anchor.
        #expect(verify.stdout.contains("2 anchored checkpoints") && verify.stdout.contains("1 of them cosigned by a witness"), "\(verify.stdout)")
    }
}

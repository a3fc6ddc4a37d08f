import Foundation
import PalisadeTesting
import Testing

/// `palisade export`, `verify --archive` and `import` as an operator uses them: the archive is
/// read with standard tools, checked on a machine without the database, and restored elsewhere
/// to the same roots.
struct ArchiveCLITests {
    /// The root hash line of a checkpoint note (its third line).
    static func rootLine(_ checkpoint: String) -> String {
        let lines = checkpoint.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count > 2 ? String(lines[2]) : ""
    }

    @Test func exportVerifyElsewhereAndRestoreToTheSameRoot() throws {
        let source = try PalisadeCLI()
        defer { source.removeAll() }
        #expect(try source.run(["events", "append", "--batch-size", "500"], input: eventLines(5_000)).status == 0)
        let archive = source.root.appendingPathComponent("archive").path
        let export = try source.run(["export", "--out", archive, "--segment-events", "2000"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("exported 5000 events of tenant default (indices 0..<5000) in 3 segments"), "\(export.stdout)")

        // Standard tools read it: gzip and JSON, one event per line, in log order.
        let read = try ExternalProcess.python(
            script: """
                import glob, gzip, json, sys
                lines = []
                for name in sorted(glob.glob(sys.argv[1] + "/segment-*.jsonl.gz")):
                    with gzip.open(name, "rt", encoding="utf-8") as f:
                        lines += [json.loads(line) for line in f]
                ids = [line["id"] for line in lines]
                print(len(lines), ids[0], ids[-1], lines[0]["actor"])
                """,
            arguments: [archive]
        )
        #expect(
            read.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                == "5000 00000000-0000-4000-8000-000000000000 00000000-0000-4000-8000-000000001387 alice",
            "\(read.stdout)\(read.stderr)"
        )

        // Another machine, with only the verifier key: no database, no data directory of the source.
        let vkey = try source.vkey()
        let elsewhere = try PalisadeCLI()
        defer { elsewhere.removeAll() }
        let verify = try elsewhere.run(["verify", "--archive", archive, "--vkey", vkey])
        #expect(verify.status == 0 && verify.stdout.contains("OK: 5000 events of tenant default"), "\(verify.stdout)\(verify.stderr)")
        #expect(!FileManager.default.fileExists(atPath: elsewhere.database), "verifying an archive must not create a database")

        // Restored into an empty store, the log has the same root.
        let restore = try elsewhere.run(["import", archive, "--vkey", vkey])
        #expect(restore.status == 0 && restore.stdout.contains("restored 5000 events of tenant default"), "\(restore.stdout)\(restore.stderr)")
        #expect(try elsewhere.run(["verify"]).status == 0)
        let original = try source.run(["checkpoint"]).stdout
        let restored = try elsewhere.run(["checkpoint"]).stdout
        #expect(Self.rootLine(original) == Self.rootLine(restored) && !Self.rootLine(original).isEmpty)
        let again = try elsewhere.run(["import", archive, "--vkey", vkey])
        #expect(again.status == 1 && again.stderr.contains("already has 5000 events"), "\(again.stderr)")
    }

    @Test func aDamagedArchiveFailsAndSaysWhere() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append"], input: eventLines(1_500)).status == 0)
        let archive = cli.root.appendingPathComponent("archive")
        #expect(try cli.run(["export", "--out", archive.path, "--segment-events", "1000"]).status == 0)
        // A forger rewrites one line and re-compresses the segment with the system's gzip.
        let segment = archive.appendingPathComponent("segment-00000000000000001000.jsonl.gz").path
        let forge = try ExternalProcess.run(
            "/bin/sh",
            [
                "-c", "gzip -dc \"$1\" | sed 's/\"actor\":\"alice\"/\"actor\":\"mallory\"/' | gzip -c > \"$1.new\" && mv \"$1.new\" \"$1\"", "forge",
                segment,
            ]
        )
        #expect(forge.status == 0, "\(forge.stderr)")
        let verify = try cli.run(["verify", "--archive", archive.path])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("FAILED: segment-00000000000000001000.jsonl.gz: its SHA-256 is not the manifest's"), "\(verify.stdout)")
        // An import refuses it and writes nothing.
        let target = try PalisadeCLI()
        defer { target.removeAll() }
        let restore = try target.run(["import", archive.path, "--vkey", try cli.vkey()])
        #expect(restore.status == 1 && restore.stderr.contains("SHA-256"), "\(restore.stderr)")
        #expect(try target.run(["events", "query"]).stdout.contains("alice") == false)
        // Exporting into a directory that holds an archive is refused.
        let twice = try cli.run(["export", "--out", archive.path])
        #expect(twice.status == 1 && twice.stderr.contains("already holds an archive"), "\(twice.stderr)")
    }

    @Test func anEntryChangedInTheDatabaseIsNotArchived() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        #expect(try cli.run(["events", "append"], input: eventLines(100)).status == 0)
        let edit = try cli.sqlite(
            "DROP TRIGGER events_no_update; UPDATE events SET entry = CAST(replace(CAST(entry AS TEXT), '\"action\":\"login\"', '\"action\":\"logon\"') AS BLOB), action = 'logon' WHERE log_index = 42;"
        )
        #expect(edit.status == 0, "\(edit.stderr)")
        let export = try cli.run(["export", "--out", cli.root.appendingPathComponent("archive").path])
        #expect(export.status == 1)
        #expect(export.stderr.contains("run `palisade verify`"), "\(export.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.root.appendingPathComponent("archive/manifest").path))
    }
}

import Foundation
import PalisadeCore
import PalisadeLedger
import PalisadeSQLite
import PalisadeTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` at random moments during appends: on restart every acknowledged event is there, the
/// tree matches the events, and there is no half-written batch.
struct CrashTests {
    @Test func killNineDuringAppendsLosesNothingAcknowledged() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let total = 60_000
        let input = try cli.file("big.ndjson", eventLines(total))
        var acknowledged = [Int: UInt64]()  // line number → index
        var random = SystemRandomNumberGenerator()
        for round in 0..<4 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: PalisadeCLI.binary)
            process.arguments = ["events", "append", "--verbose", "--batch-size", "250", "--file", input, "--data-dir", cli.dataDir.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait for the first acknowledgement (so every round kills a run that is appending,
            // however slow the machine), then kill at a random moment after it.
            let reader = output.fileHandleForReading
            let first = await Task.detached { reader.availableData }.value
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...600, using: &random)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = String(decoding: first + reader.readDataToEndOfFile(), as: UTF8.self)
            // Only complete lines count: a line cut by the kill was never a full acknowledgement.
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                let words = line.split(separator: " ")
                guard words.count == 6, words[0] == "line", let number = Int(words[1].dropLast()), let index = UInt64(words[5]) else { continue }
                acknowledged[number] = index
            }
            #expect(process.terminationReason == .uncaughtSignal, "round \(round) finished before the kill")
            #expect(!first.isEmpty, "round \(round) acknowledged nothing before the kill")

            // Restart: the log verifies, and every acknowledged line is at its index with its id.
            let verify = try cli.run(["verify", "--quiet"])
            #expect(verify.status == 0, "after kill \(round): \(verify.stdout)")
            let store = try SQLiteStore(path: cli.database)
            let size = try await store.logHead(of: .default)?.size ?? 0
            let records = try await store.records(of: .default, in: 0..<size)
            #expect(records.count == Int(size))
            #expect(try await store.recordCount(of: .default) == size, "no rows of a half-written batch")
            for (line, index) in acknowledged {
                let expected = UUID(uuidString: String(format: "00000000-0000-4000-8000-%012x", line - 1))
                #expect(index < size && records[Int(index)].columns.id == expected, "acknowledged line \(line) at \(index)")
            }
        }
        #expect(acknowledged.count > 0)
        // A final uninterrupted run appends the rest; earlier lines are duplicates, never twice in the log.
        let finish = try cli.run(["events", "append", "--batch-size", "1000", "--file", input])
        #expect(finish.status == 0)
        let store = try SQLiteStore(path: cli.database)
        #expect(try await store.logHead(of: .default)?.size == UInt64(total))
        #expect(try cli.run(["verify", "--quiet"]).status == 0)
    }
}

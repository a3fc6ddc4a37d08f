import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeHoneypot
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite
import PalisadeSSH
import Synchronization

/// The honeypot's own cost, in this process: hydra attackers (50 tasks per hydra process) against
/// the sensor with OpenSSH's failure delay ON, once with events only counted and once appended to
/// a SQLite ledger through the ingest pipeline and group commit (what `serve --honeypot` does,
/// without detection). Reported: attempts captured per second, and this process's CPU per attempt
/// — the sensor's capacity per core is its inverse.
enum HoneypotBench {
    /// Counts password attempts; optionally appends every event to a ledger.
    final class Sink: HoneypotSink {
        let attempts = Atomic<Int>(0)
        let pipeline: IngestPipeline?
        let committer: GroupCommitter?

        init(pipeline: IngestPipeline? = nil, committer: GroupCommitter? = nil) {
            self.pipeline = pipeline
            self.committer = committer
        }

        func record(_ events: [JSONValue]) async {
            var count = 0
            for event in events {
                guard case .object(let members) = event, members["action"] == .string("ssh.auth_failed"),
                    case .object(let metadata)? = members["metadata"], metadata["method"] == .string("password")
                else { continue }
                count += 1
            }
            attempts.add(count, ordering: .relaxed)
            guard let pipeline, let committer else { return }
            do {
                _ = try await committer.append(try events.map { try pipeline.prepare($0, tenant: .default) })
            } catch {
                FileHandle.standardError.write(Data("honeypot bench: append failed: \(error)\n".utf8))
            }
        }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func run(root: URL, seconds: Int, emit: (String) -> Void) async throws {
        emit("\n## SSH honeypot (in-process, failure delay on, hydra attackers, \(seconds) s each)\n")
        emit("| events go to | attackers | attempts/s | CPU ms per attempt | capacity per core (attempts/s) |")
        emit("|---|---|---|---|---|")
        let words = root.appendingPathComponent("honeypot-passwords.txt")
        try (0..<100_000).map { "guess-\($0)" }.joined(separator: "\n").write(to: words, atomically: true, encoding: .utf8)
        for ledger in [false, true] {
            var sink = Sink()
            var committing: Task<Void, any Error>?
            if ledger {
                let directory = root.appendingPathComponent("honeypot-ledger")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let store = try SQLiteStore(path: directory.appendingPathComponent("palisade.db").path)
                let signer = try NoteSigner(name: "bench.honeypot", privateKey: Curve25519.Signing.PrivateKey())
                let clock = SystemWallClock()
                let sequencer = LogSequencer(backend: store, signer: signer, clock: clock, logger: Logger(label: "bench"))
                let group = GroupCommitter(sequencer: sequencer, logger: Logger(label: "bench"))
                committing = Task { try await group.run() }
                while !group.isAcceptingAppends { await Task.yield() }
                sink = Sink(pipeline: IngestPipeline(clock: clock), committer: group)
            }
            let server = HoneypotServer(
                configuration: .init(
                    port: 0,
                    hostKeys: [HostKey(ed25519: Curve25519.Signing.PrivateKey())],
                    maxConnectionsPerAddress: 10_000,
                    maxConnections: 10_000,
                    rateLimits: .off
                ),
                sink: sink,
                logger: Logger(label: "bench")
            )
            let port = try await server.start()
            for attackers in [50, 200] {
                let before = sink.attempts.load(ordering: .relaxed)
                let cpu = cpuSeconds()
                var processes: [Process] = []
                for index in stride(from: 0, to: attackers, by: 50) {
                    let process = Process()
                    // Foundation starts it in a process group of its own, so the whole group (hydra
                    // forks a child per task) can be killed at the end.
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/hydra")
                    process.arguments = [
                        "-I", "-t", "\(min(50, attackers - index))", "-w", "5", "-l", "root\(index)", "-P", words.path, "-s", "\(port)",
                        "ssh://127.0.0.1",
                    ]
                    process.currentDirectoryURL = root
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    processes.append(process)
                }
                try await Task.sleep(for: .seconds(seconds))
                let used = cpuSeconds() - cpu
                let captured = sink.attempts.load(ordering: .relaxed) - before
                for process in processes {
                    kill(-process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
                try await Task.sleep(for: .seconds(3))  // answers still delayed drain before the next run
                let perAttempt = 1_000 * used / Double(max(captured, 1))
                emit(
                    "| \(ledger ? "SQLite ledger" : "counted only") | \(attackers) | \(String(format: "%.1f", Double(captured) / Double(seconds))) | "
                        + "\(String(format: "%.2f", perAttempt)) | \(Int(1_000 / perAttempt)) |"
                )
            }
            try await server.stop()
            committing?.cancel()
        }
    }
}

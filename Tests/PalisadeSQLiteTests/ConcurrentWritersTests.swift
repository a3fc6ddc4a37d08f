import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite
import PalisadeTesting
import Synchronization
import Testing

/// A flag set once, read by another task.
final class Flag: Sendable {
    private let state = Mutex(false)
    var value: Bool { state.withLock { $0 } }
    func set() { state.withLock { $0 = true } }
}

/// A count shared between tasks.
final class Counter: Sendable {
    private let state = Mutex(0)
    var value: Int { state.withLock { $0 } }
    func add() { state.withLock { $0 += 1 } }
}

/// The original requirement: 200 concurrent writers lose and duplicate nothing, indices are
/// contiguous, and readers during the writes see a consistent prefix — and verifying the live log
/// while it grows finds nothing wrong.
struct ConcurrentWritersTests {
    @Test func twoHundredWritersAgainstSQLite() async throws {
        let directory = try TemporaryDirectory.make()
        let store = try SQLiteStore(path: directory.appendingPathComponent("palisade.db").path)
        let signer = try NoteSigner(name: "concurrency.test", privateKey: Curve25519.Signing.PrivateKey())
        let clock = SystemWallClock()
        let sequencer = LogSequencer(backend: store, signer: signer, clock: clock, logger: Logger(label: "test"))
        let committer = GroupCommitter(sequencer: sequencer, logger: Logger(label: "test"))
        let pipeline = IngestPipeline(clock: clock)
        let writers = 200
        let perWriter = 20

        let stop = Flag()
        let liveVerifications = Counter()
        let (written, prefixChecks) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await committer.run() }
            while !committer.isAcceptingAppends { await Task.yield() }
            _ = try await committer.append([
                try pipeline.prepare(.object(["event_type": .string("system"), "action": .string("start")]), tenant: .default)
            ])
            // Readers: while writers run, every snapshot must be a gap-free prefix.
            let reader = Task { () -> Int in
                var checks = 0
                while !stop.value {
                    var query = EventQuery(tenant: .default)
                    query.order = .oldestFirst
                    query.limit = 1000
                    let page = try await store.events(matching: query.validated())
                    let indices = page.events.map(\.index).sorted()
                    // Pages are in timestamp order, and timestamps are taken before indices are
                    // given, so only a page holding every event must be exactly 0..<n.
                    if page.next == nil {
                        #expect(indices == Array(0..<UInt64(indices.count)), "a query saw a gap")
                    } else {
                        #expect(Set(indices).count == indices.count, "a query saw an event twice")
                    }
                    if let head = try await store.logHead(of: .default) {
                        let records = try await store.records(of: .default, in: 0..<head.size)
                        #expect(records.count >= Int(head.size), "the head is ahead of its events")
                    }
                    if checks % 5 == 0 {
                        let report = try await LogVerifier(backend: store, events: store, verifier: signer.verifier).verify(tenant: .default)
                        #expect(report.failure == nil, "a live verification: \(String(describing: report.failure))")
                        liveVerifications.add()
                    }
                    checks += 1
                    try await Task.sleep(for: .milliseconds(2))
                }
                return checks
            }
            let written = try await withThrowingTaskGroup(of: [(UUID, UInt64)].self) { tasks in
                for writer in 0..<writers {
                    tasks.addTask {
                        var mine = [(UUID, UInt64)]()
                        for item in 0..<perWriter {
                            let json = JSONValue.object([
                                "event_type": .string("data_access"), "action": .string("write"), "actor": .string("writer-\(writer)"),
                                "metadata": .object(["item": .number(Double(item))]),
                            ])
                            let prepared = try pipeline.prepare(json, tenant: .default)
                            let outcome = try await committer.append([prepared])
                            guard case .appended(let index) = outcome[0] else { throw StoreError(.conflict, "unexpected duplicate") }
                            mine.append((prepared.event.id, index))
                        }
                        return mine
                    }
                }
                var all = [(UUID, UInt64)]()
                for try await mine in tasks { all += mine }
                return all
            }
            stop.set()
            let checks = try await reader.value
            group.cancelAll()
            return (written, checks)
        }
        let total = writers * perWriter
        #expect(written.count == total)
        #expect(Set(written.map(\.1)) == Set(1...UInt64(total)), "indices are unique and contiguous after the first event")
        #expect(Set(written.map(\.0)).count == total)
        #expect(prefixChecks > 0 && liveVerifications.value > 0)
        // What the store holds is exactly what was acknowledged.
        let records = try await store.records(of: .default, in: 0..<UInt64(total + 10))
        #expect(records.count == total + 1)
        let byIndex = Dictionary(uniqueKeysWithValues: records.map { ($0.index, $0.columns.id) })
        for (id, index) in written { #expect(byIndex[index] == id) }
        let report = try await LogVerifier(backend: store, events: store, verifier: signer.verifier).verify(tenant: .default)
        #expect(report.failure == nil, "\(String(describing: report.failure))")
        #expect(report.size == UInt64(total + 1))
    }
}

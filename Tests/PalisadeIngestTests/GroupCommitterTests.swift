import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeIngest
import PalisadeLedger
import PalisadeTesting
import ServiceLifecycle
import Synchronization
import Testing

/// A backend that counts commits, to observe batching.
actor CountingBackend: LedgerBackend {
    let inner = MemoryStore()
    private(set) var commits: [Int] = []
    func tenants() async throws -> [TenantID] { await inner.tenants() }
    func logHead(of tenant: TenantID) async throws -> LogHead? { await inner.logHead(of: tenant) }
    func tiles(_ ids: [TileID], of tenant: TenantID) async throws -> [TileID: Tile] { await inner.tiles(ids, of: tenant) }
    func existingEvents(_ ids: [Foundation.UUID], of tenant: TenantID) async throws -> [Foundation.UUID: UInt64] {
        await inner.existingEvents(ids, of: tenant)
    }
    func commit(_ appends: [LogAppend]) async throws {
        commits.append(appends.reduce(0) { $0 + $1.events.count })
        try await inner.commit(appends)
    }
    func checkpoints(of tenant: TenantID) async throws -> [StoredCheckpoint] { await inner.checkpoints(of: tenant) }
}

struct GroupCommitterTests {
    static let signer = try! NoteSigner(name: "ingest.test", privateKey: .init())

    func makeCommitter(_ backend: any LedgerBackend, linger: Int = 2000) -> GroupCommitter {
        let sequencer = LogSequencer(backend: backend, signer: Self.signer, clock: ManualWallClock(), logger: Logger(label: "test"))
        return GroupCommitter(
            sequencer: sequencer,
            configuration: .init(maxBatchEvents: 500, lingerMicroseconds: linger),
            logger: Logger(label: "test")
        )
    }

    @Test func concurrentAppendsShareCommits() async throws {
        let backend = CountingBackend()
        let committer = makeCommitter(backend)
        let factory = EventFactory()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await committer.run() }
            // Wait until it runs (appends before that are refused, not queued), then append one.
            while !committer.isAcceptingAppends { await Task.yield() }
            _ = try await committer.append([PreparedEvent(factory.event())])
            let indices = try await withThrowingTaskGroup(of: [UInt64].self) { writers in
                for _ in 0..<100 {
                    writers.addTask { try await committer.append([PreparedEvent(factory.event()), PreparedEvent(factory.event())]).map(\.index) }
                }
                var all = [UInt64]()
                for try await batch in writers {
                    #expect(batch[1] == batch[0] + 1, "one caller's events stay together")
                    all += batch
                }
                return all
            }
            #expect(indices.sorted() == Array(1...200))
            group.cancelAll()
        }
        let commits = await backend.commits
        #expect(commits.reduce(0, +) == 201)
        #expect(commits.count < 50, "201 events took \(commits.count) commits; group commit should batch them")
        #expect(commits.allSatisfy { $0 <= 500 })
    }

    @Test func appendsFailFastWhenNotRunning() async throws {
        let committer = makeCommitter(MemoryStore())
        await #expect(throws: CommitterError.notRunning) { try await committer.append([PreparedEvent(EventFactory().event())]) }
    }

    @Test func gracefulShutdownCommitsWhatIsPending() async throws {
        let store = MemoryStore()
        // A linger (10 minutes) far longer than the test: only the shutdown can make the commit
        // happen in time. The bound below leaves room for a loaded CI machine (a 30 s linger with
        // a 10 s bound once failed at 10.1 s while PostgreSQL tests ran in parallel).
        let committer = makeCommitter(store, linger: 600_000_000)
        let factory = EventFactory()
        let group = ServiceGroup(configuration: .init(services: [committer], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Wait until it runs, then queue appends and shut down while they linger.
            while !committer.isAcceptingAppends { await Task.yield() }
            let started = ContinuousClock.now
            // The trigger fires 200 ms from now; the append below is queued before that, with no
            // suspension point in between.
            tasks.addTask {
                try await Task.sleep(for: .milliseconds(200))
                await group.triggerGracefulShutdown()
            }
            let outcomes = try await committer.append((0..<10).map { _ in PreparedEvent(factory.event()) })
            #expect(outcomes.map(\.index) == Array(0..<10))
            #expect(ContinuousClock.now - started < .seconds(300), "the shutdown, not the 600 s linger, committed the batch")
            try await tasks.waitForAll()
        }
        #expect(await store.logHead(of: .default)?.size == 10)
        await #expect(throws: CommitterError.notRunning) { try await committer.append([PreparedEvent(factory.event())]) }
    }

    @Test func aCorruptStoreIsRefusedOnLoad() async throws {
        let store = MemoryStore()
        let factory = EventFactory()
        let sequencer = LogSequencer(backend: store, signer: Self.signer, clock: ManualWallClock(), logger: Logger(label: "test"))
        _ = try await sequencer.append([PreparedEvent(factory.event())])
        // Another key cannot continue this log: its checkpoint does not verify.
        let stranger = LogSequencer(
            backend: store,
            signer: try NoteSigner(name: "ingest.test", privateKey: .init()),
            clock: ManualWallClock(),
            logger: Logger(label: "test")
        )
        await #expect(throws: StoreError(.corrupt, "")) { try await stranger.append([PreparedEvent(factory.event())]) }
    }
}

import Crypto
import Foundation
import Hummingbird
import Logging
import PalisadeAlerting
import PalisadeChannels
import PalisadeCore
import PalisadeDetection
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite
import Synchronization

/// The alerting figures: notifications delivered per second from the outbox to a local webhook
/// (against raw POSTs per second to the same receiver with the same client, the limit), and the
/// latency from an event's append to its webhook's arrival with a threshold rule firing.
enum AlertingBench {
    /// A local webhook receiver (Hummingbird) that counts POSTs and notes when each entity arrived.
    final class Receiver: Sendable {
        let count = Atomic<Int>(0)
        let arrivals = Mutex<[String: ContinuousClock.Instant]>([:])
        let port = Mutex<Int>(0)
        private let task = Mutex<Task<Void, any Error>?>(nil)

        func start() async throws {
            let router = Router()
            router.post("/hook") { [self] request, _ -> HTTPResponse.Status in
                let body = try await request.body.collect(upTo: 1 << 20)
                count.add(1, ordering: .relaxed)
                // The entity label of the first alert: `"entity":"actor=user-N"`.
                let text = String(buffer: body)
                if let range = text.range(of: #""entity":"actor="#), let end = text[range.upperBound...].firstIndex(of: "\"") {
                    let entity = String(text[range.upperBound..<end])
                    let now = ContinuousClock.now
                    arrivals.withLock { $0[entity] = now }
                }
                return .ok
            }
            let ready = AsyncStream<Int>.makeStream()
            var logger = Logger(label: "bench.receiver")
            logger.logLevel = .critical  // cancelling the receiver at the end logs its child channels
            let application = Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in ready.continuation.yield(channel.localAddress?.port ?? 0) },
                logger: logger
            )
            task.withLock { $0 = Task { try await application.runService() } }
            for await bound in ready.stream {
                port.withLock { $0 = bound }
                break
            }
        }

        func stop() { task.withLock { $0?.cancel() } }
        var url: String { "http://127.0.0.1:\(port.withLock { $0 })/hook" }
    }

    static func run(root: URL, emit: (String) -> Void) async throws {
        let receiver = Receiver()
        try await receiver.start()
        defer { receiver.stop() }
        let transport = HTTPTransport(configuration: .init(policy: OutboundPolicy(allowed: [IPNetwork("127.0.0.1/32")!]), perHostConcurrency: 16))
        try await throughput(root: root, receiver: receiver, transport: transport, emit: emit)
        try await latency(root: root, receiver: receiver, transport: transport, emit: emit)
        await transport.shutdown()
    }

    /// A SQLite ledger with the receiver `hook` stored (its record in the log).
    static func setUp(_ file: URL, _ receiver: Receiver) async throws -> (SQLiteStore, LogSequencer, SecretSealer, AlertingChanges, TenantAlerting) {
        let wall = SystemWallClock()
        let store = try SQLiteStore(path: file.path)
        let signer = try NoteSigner(name: "bench.local", privateKey: .init())
        let sequencer = LogSequencer(
            backend: store,
            signer: signer,
            clock: wall,
            configuration: .init(origin: "bench.local"),
            logger: Logger(label: "bench")
        )
        let sealer = SecretSealer(key: .init(size: .bits256))
        let changes = AlertingChanges(sealer: sealer, tenant: .default, actor: "bench", now: wall.now())
        let stored = try changes.storeReceiver("hook", ReceiverSpec(url: receiver.url), current: TenantAlerting())
        try await sequencer.appendRecords([stored.record])
        var current = TenantAlerting()
        current.apply(stored.record)
        return (store, sequencer, sealer, changes, current)
    }

    static func throughput(root: URL, receiver: Receiver, transport: HTTPTransport, emit: (String) -> Void) async throws {
        let total = 5_000
        let wall = SystemWallClock()
        let (store, sequencer, sealer, changes, current) = try await setUp(root.appendingPathComponent("alerting-outbox.db"), receiver)
        for _ in 0..<total { _ = try await store.enqueueNotification(try changes.testNotification(to: "hook", current: current)) }
        let channel = HTTPAlertChannel(transport: transport, clock: wall)
        let deliverer = OutboxDeliverer(
            store: store,
            channels: [.webhook: channel],
            sealer: sealer,
            records: sequencer,
            clock: wall,
            configuration: .init(concurrency: 16, batchSize: 512)
        )
        let before = receiver.count.load(ordering: .relaxed)
        let started = ContinuousClock.now
        var delivered = 0
        while delivered < total { delivered += try await deliverer.runOnce().count(.delivered) }
        let elapsed = ContinuousClock.now - started
        guard receiver.count.load(ordering: .relaxed) - before == total else { fatalError("the receiver did not get every notification") }
        // The limit: the same body POSTed by the same client, 16 at a time, with no outbox.
        let body = CanonicalJSON.encode(
            NotificationPayloads.webhook(
                try AlertNotification(json: try JSONParser().parse(try changes.testNotification(to: "hook", current: current).payload)),
                sentAt: wall.now()
            )
        )
        let rawStarted = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for _ in stride(from: worker, to: total, by: 16) {
                        guard await transport.post(receiver.url, headers: [("Content-Type", "application/json")], body: body) == .delivered else {
                            fatalError("a raw POST failed")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let rawElapsed = ContinuousClock.now - rawStarted
        emit("\n| alert delivery to a local webhook (SQLite outbox, 16 in flight) | notifications | per second | raw POSTs/s, same client (limit) |")
        emit("|---|---|---|---|")
        emit("| outbox → signed webhook → attempt recorded | \(total) | \(rate(total, elapsed)) | \(rate(total, rawElapsed)) |")
    }

    static func latency(root: URL, receiver: Receiver, transport: HTTPTransport, emit: (String) -> Void) async throws {
        let wall = SystemWallClock()
        let (store, sequencer, sealer, changes, current) = try await setUp(root.appendingPathComponent("alerting-latency.db"), receiver)
        let policy = try AlertingPolicy(
            json: try JSONParser().parse(Array(#"{"route": {"receiver": "hook", "group_by": ["..."], "group_wait": 0}}"#.utf8))
        )
        try await sequencer.appendRecords([try changes.storePolicy(policy, current: current)])
        let rule = """
            id: bench.canary
            title: canary touched by {actor}
            incident: data_exfiltration
            level: high
            detection:
              hit: {resource: canary}
              condition: hit
            threshold: {count: 1, within: 1m, group_by: [actor]}
            """
        let detection = try DetectionConsumer(
            store: store,
            rules: try RuleFile.rules(from: rule),
            manager: IncidentManager(store: store, records: sequencer),
            records: sequencer,
            clock: wall,
            configuration: .init(checkpointSeconds: 5, anomalies: nil)
        )
        let alerting = AlertConsumer(store: store, clock: wall)
        let deliverer = OutboxDeliverer(
            store: store,
            channels: [.webhook: HTTPAlertChannel(transport: transport, clock: wall)],
            sealer: sealer,
            records: sequencer,
            clock: wall
        )
        // As serve runs them: each consumer waits for the next commit (250 ms at the latest).
        let detectionCommits = sequencer.commits.subscribe()
        let alertingCommits = sequencer.commits.subscribe()
        let detecting = Task {
            while !Task.isCancelled {
                _ = try await detection.runOnce()
                await detectionCommits.wait(upTo: .milliseconds(250))
            }
        }
        let delivering = Task {
            while !Task.isCancelled {
                _ = try await alerting.runOnce()
                while try await !deliverer.runOnce().attempts.isEmpty {}
                await alertingCommits.wait(upTo: .milliseconds(250))
            }
        }
        let pipeline = IngestPipeline(clock: wall)
        var samples = [Duration]()
        for n in 0..<300 {
            let json = JSONValue.object([
                "event_type": .string("data_access"), "action": .string("read"), "actor": .string("user-\(n)"), "resource": .string("canary"),
            ])
            _ = try await sequencer.append([try pipeline.prepare(json, tenant: .default)])
            let committed = ContinuousClock.now
            while receiver.arrivals.withLock({ $0["user-\(n)"] }) == nil { try await Task.sleep(for: .microseconds(200)) }
            samples.append(receiver.arrivals.withLock { $0["user-\(n)"]! } - committed)
        }
        detecting.cancel()
        delivering.cancel()
        emit("\n| event append → webhook arrival (SQLite, threshold rule firing, group_wait 0) | p50 ms | p99 ms | samples |")
        emit("|---|---|---|---|")
        emit(
            "| detection → incident record → alert group → outbox → signed POST | \(ms(percentile(samples, 0.5))) | \(ms(percentile(samples, 0.99))) | \(samples.count) |"
        )
    }
}

// palisade-bench: the figures of BENCHMARKS.md, measured in one run on this machine.
//
//   swift run -c release palisade-bench [--events N] [--dir PATH]
//
// Prints Markdown rows. Every figure is compared with its limit measured in the same run: appends
// with the raw SQLite insert rate of the same rows, verify with raw SHA-256 throughput.

import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let position = arguments.firstIndex(of: name), position + 1 < arguments.count else { return fallback }
    return arguments[position + 1]
}
let populationSize = Int(option("--events", "1000000"))!
/// Which sections to run (comma-separated): hash, encode, append, group, big (load, queries, proofs, verify).
/// Events a facet batch holds (SQLiteStore.Configuration.facetIndexBatch).
let facetBatch = Int(option("--facet-batch", String(SQLiteStore.Configuration().facetIndexBatch)))!
let storeConfiguration = SQLiteStore.Configuration(facetIndexBatch: facetBatch)
let sections = Set(option("--sections", "hash,encode,append,group,big").split(separator: ",").map(String.init))
let root = URL(fileURLWithPath: option("--dir", FileManager.default.temporaryDirectory.appendingPathComponent("palisade-bench").path))
if FileManager.default.fileExists(atPath: root.path) { try FileManager.default.removeItem(at: root) }
try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)

let clock = ContinuousClock()

/// Writes a line to standard output at once (figures appear as they are measured).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
let wall = SystemWallClock()
let logger = Logger(label: "bench")
let signer = try NoteSigner(name: "bench.local", privateKey: Curve25519.Signing.PrivateKey())

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
func rate(_ count: Int, _ duration: Duration) -> String { String(format: "%.0f", Double(count) / seconds(duration)) }
func ms(_ duration: Duration) -> String { String(format: "%.3f", seconds(duration) * 1000) }
func percentile(_ samples: [Duration], _ p: Double) -> Duration {
    let sorted = samples.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

/// A realistic event: 1,000 actors, 12 types, 10,000 resources, 5,000 addresses, sessions, metadata.
func makeEvent(_ n: Int, pipeline: IngestPipeline) -> PreparedEvent {
    let types = [
        "authentication", "authorization", "data_access", "configuration", "security", "llm_interaction", "key_management",
        "network", "honeypot", "agent", "system", "payments.refund",
    ]
    let json = JSONValue.object([
        "event_type": .string(types[n % types.count]),
        "severity": .string(["info", "low", "medium", "high", "critical"][(n / 7) % 5]),
        "actor": .string("user-\(n % 1000)"),
        "action": .string(["login", "read", "update", "delete", "export"][(n / 3) % 5]),
        "resource": .string("db/table-\(n % 10_000)"),
        "success": .bool(n % 10 != 0),
        "source_ip": .string("10.\((n / 65_536) % 256).\((n / 256) % 256).\(n % 251)"),
        "session_id": .string("sess-\(n % 20_000)"),
        "request_id": .string("req-\(n)"),
        "user_agent": .string("Mozilla/5.0 (X11; Linux x86_64) palisade-bench"),
        "metadata": .object(["bytes": .number(Double(n % 100_000)), "region": .string("eu-west-1"), "tags": .array([.string("a"), .string("b")])]),
    ])
    do {
        return try pipeline.prepare(json, tenant: .default)
    } catch {
        fatalError("benchmark event is invalid: \(error)")
    }
}

emit("# palisade-bench: \(populationSize) events, facet batch \(facetBatch), \(ProcessInfo.processInfo.activeProcessorCount) cores\n")

// 1. SHA-256, the limit of hashing.
if sections.contains("hash") {
    let buffer = [UInt8](repeating: 0xab, count: 1 << 20)
    var hasher = SHA256()
    let start = clock.now
    for _ in 0..<512 { buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
    _ = hasher.finalize()
    let mbps = 512.0 / seconds(clock.now - start)
    emit("| SHA-256, 1 MiB buffers | \(String(format: "%.0f", mbps)) MB/s |")
    let node = RFC9162.leafHash(of: [1, 2, 3])
    let hashStart = clock.now
    var acc = node
    for _ in 0..<1_000_000 { acc = RFC9162.nodeHash(acc, node) }
    emit("| RFC 9162 node hashes (65 bytes) | \(rate(1_000_000, clock.now - hashStart)) /s |")
}

let pipeline = IngestPipeline(clock: wall)

// 2. The per-event CPU cost before storage: parse NDJSON, validate, encode canonically, hash.
if sections.contains("encode") {
    let lines = (0..<100_000).map { CanonicalJSON.encode(makeEvent($0, pipeline: pipeline).event.draftJSON) }
    var start = clock.now
    var bytes = 0
    for line in lines { bytes += try pipeline.prepare(line: line, tenant: .default).entry.count }
    emit(
        "| parse NDJSON + validate + RFC 8785 encode + leaf hash | \(rate(lines.count, clock.now - start)) events/s (entry \(bytes / lines.count) bytes avg) |"
    )
    let events = try lines.map { try pipeline.prepare(line: $0, tenant: .default).event }
    start = clock.now
    for event in events { bytes += PreparedEvent(event).entry.count }
    emit("| RFC 8785 encode + leaf hash only | \(rate(events.count, clock.now - start)) events/s |")
}

// 3. Appends with everything on vs raw inserts of the same rows, by batch size.
if sections.contains("append") {
    emit("\n| batch size | append (hash + tiles + checkpoint + commit) | raw SQLite insert, same rows | ratio |")
    emit("|---|---|---|---|")
    for (batch, count) in [(1, 2_000), (100, 100_000), (1000, 200_000)] {
        let events = (0..<count).map { makeEvent($0, pipeline: pipeline) }
        let store = try SQLiteStore(path: root.appendingPathComponent("append-\(batch).db").path, configuration: storeConfiguration)
        let sequencer = LogSequencer(backend: store, signer: signer, clock: wall, logger: logger)
        let start = clock.now
        var offset = 0
        while offset < count {
            // Encoding and hashing are part of an append: redo them inside the timed loop.
            let slice = events[offset..<min(count, offset + batch)].map { PreparedEvent($0.event) }
            _ = try await sequencer.append(slice)
            offset += batch
        }
        let appendTime = clock.now - start
        let rows = events.map { (columns: IndexedColumns($0.event), entry: $0.entry) }
        let rawTime = try await SQLiteInsertBaseline.insert(
            rows: rows,
            batchSize: batch,
            path: root.appendingPathComponent("raw-\(batch).db").path,
            facetIndexBatch: facetBatch
        )
        let ratio = seconds(rawTime) / seconds(appendTime)
        emit("| \(batch) | \(rate(count, appendTime)) events/s | \(rate(count, rawTime)) rows/s | \(String(format: "%.0f%%", ratio * 100)) |")
    }

}

// 4. Concurrent single-event appends through group commit.
if sections.contains("group") {
    let store = try SQLiteStore(path: root.appendingPathComponent("group.db").path, configuration: storeConfiguration)
    let sequencer = LogSequencer(backend: store, signer: signer, clock: wall, logger: logger)
    let committer = GroupCommitter(sequencer: sequencer, logger: logger)
    let count = 50_000
    let events = (0..<count).map { makeEvent($0, pipeline: pipeline) }
    let elapsed = try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await committer.run() }
        while !committer.isAcceptingAppends { await Task.yield() }
        _ = try await committer.append([makeEvent(count, pipeline: pipeline)])
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { writers in
            for writer in 0..<200 {
                writers.addTask {
                    for n in stride(from: writer, to: count, by: 200) { _ = try await committer.append([PreparedEvent(events[n].event)]) }
                }
            }
            try await writers.waitForAll()
        }
        let elapsed = clock.now - start
        group.cancelAll()
        return elapsed
    }
    emit("\n| 200 concurrent writers, 1 event per append, group commit | \(rate(count, elapsed)) events/s |")
}

// 5. A log of `populationSize` events for queries, proofs and verify.
guard sections.contains("big") else { exit(0) }
let bigPath = root.appendingPathComponent("big.db").path
let big = try SQLiteStore(path: bigPath, configuration: storeConfiguration)
do {
    let sequencer = LogSequencer(backend: big, signer: signer, clock: wall, logger: logger)
    let start = clock.now
    var n = 0
    while n < populationSize {
        _ = try await sequencer.append((n..<min(populationSize, n + 1000)).map { makeEvent($0, pipeline: pipeline) })
        n += 1000
    }
    emit("\n| load \(populationSize) events in batches of 1,000 | \(rate(populationSize, clock.now - start)) events/s |")
}
let dbBytes = (try FileManager.default.attributesOfItem(atPath: bigPath)[.size] as? Int) ?? 0
emit("| database size at \(populationSize) events | \(dbBytes / 1_048_576) MiB (\(dbBytes / populationSize) bytes/event) |")

// 6. Filtered query latency (page of 100, newest first).
emit("\n| query (page of 100, \(populationSize) events) | p50 | p99 |")
emit("|---|---|---|")
let now = wall.now()
let queries: [(String, (Int) -> EventQuery)] = [
    ("tenant only", { _ in EventQuery(tenant: .default) }),
    (
        "actor",
        { i in
            var q = EventQuery(tenant: .default)
            q.actor = "user-\(i % 1000)"
            return q
        }
    ),
    (
        "actor + type",
        { i in
            var q = EventQuery(tenant: .default)
            q.actor = "user-\(i % 1000)"
            q.eventTypes = [EventType("data_access")!]
            return q
        }
    ),
    (
        "resource",
        { i in
            var q = EventQuery(tenant: .default)
            q.resource = "db/table-\(i % 10_000)"
            return q
        }
    ),
    (
        "source IP",
        { i in
            var q = EventQuery(tenant: .default)
            q.sourceIP = IPAddress("10.0.\(i % 4).\(i % 251)")
            return q
        }
    ),
    (
        "session",
        { i in
            var q = EventQuery(tenant: .default)
            q.sessionID = "sess-\(i % 20_000)"
            return q
        }
    ),
    (
        "min severity critical",
        { _ in
            var q = EventQuery(tenant: .default)
            q.minSeverity = .critical
            return q
        }
    ),
    (
        "last hour, failed only",
        { _ in
            var q = EventQuery(tenant: .default)
            q.start = now.adding(microseconds: -3_600_000_000)
            q.success = false
            return q
        }
    ),
    (
        "action contains 'exp'",
        { _ in
            var q = EventQuery(tenant: .default)
            q.actionContains = "exp"
            return q
        }
    ),
    (
        "every filter combined",
        { i in
            var q = EventQuery(tenant: .default)
            q.actor = "user-\(i % 1000)"
            q.eventTypes = [.authentication, .dataAccess]
            q.minSeverity = .low
            q.maxSeverity = .high
            q.start = now.adding(microseconds: -86_400_000_000)
            q.end = now.adding(microseconds: 60_000_000)
            q.success = true
            q.actionContains = "e"
            return q
        }
    ),
    (
        "actor, page 5 via cursor",
        { i in
            var q = EventQuery(tenant: .default)
            q.actor = "user-\(i % 1000)"
            q.limit = 20
            return q
        }
    ),
]
for (name, make) in queries {
    var samples = [Duration]()
    for i in 0..<200 {
        var query = make(i * 37)
        let start = clock.now
        if name.contains("cursor") {
            for _ in 0..<5 {
                let page = try await big.events(matching: query.validated())
                guard let next = page.next else { break }
                query.cursor = next
            }
        } else {
            _ = try await big.events(matching: query.validated())
        }
        samples.append(clock.now - start)
    }
    emit("| \(name) | \(ms(percentile(samples, 0.5))) ms | \(ms(percentile(samples, 0.99))) ms |")
}

// 7. Proofs at populationSize.
do {
    let prover = LogProver(backend: big)
    let size = UInt64(populationSize)
    var inclusion = [Duration]()
    var consistency = [Duration]()
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<500 {
        let index = UInt64.random(in: 0..<size, using: &generator)
        var start = clock.now
        _ = try await prover.inclusionProof(tenant: .default, index: index)
        inclusion.append(clock.now - start)
        start = clock.now
        _ = try await prover.consistencyProof(tenant: .default, from: index + 1, to: size)
        consistency.append(clock.now - start)
    }
    emit("\n| proof at \(populationSize) | p50 | p99 |")
    emit("|---|---|---|")
    emit("| inclusion | \(ms(percentile(inclusion, 0.5))) ms | \(ms(percentile(inclusion, 0.99))) ms |")
    emit("| consistency | \(ms(percentile(consistency, 0.5))) ms | \(ms(percentile(consistency, 0.99))) ms |")
}

// 8. verify.
do {
    let verifier = LogVerifier(backend: big, events: big, verifier: signer.verifier)
    let start = clock.now
    let report = try await verifier.verify(tenant: .default)
    let elapsed = clock.now - start
    guard report.failure == nil else { fatalError("verify failed: \(report.failure!)") }
    let mb = Double(report.bytesHashed) / 1_048_576
    emit(
        "\n| verify \(report.entriesChecked) events | \(rate(Int(report.entriesChecked), elapsed)) events/s, \(String(format: "%.1f", mb / seconds(elapsed))) MB/s of entries (SHA-256 limit above) |"
    )
}

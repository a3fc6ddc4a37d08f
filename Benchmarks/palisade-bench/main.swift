// palisade-bench: the figures of BENCHMARKS.md, measured in one run on this machine.
//
//   swift run -c release palisade-bench [--events N] [--dir PATH] [--sections LIST] [--postgres URL]
//
// Prints Markdown rows. Every figure is compared with its limit measured in the same run: appends
// with the raw SQLite insert (or PostgreSQL COPY) rate of the same rows, verify with raw SHA-256
// throughput.

import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeDetection
import PalisadeExport
import PalisadeIngest
import PalisadeLedger
import PalisadePostgres
import PalisadeSQLite

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let position = arguments.firstIndex(of: name), position + 1 < arguments.count else { return fallback }
    return arguments[position + 1]
}
let populationSize = Int(option("--events", "1000000"))!
/// Which sections to run (comma-separated): hash, encode, append, group, big (load, queries, proofs,
/// verify), archive (export, verify and import of the JSONL archive), retention (a sweep that
/// archives and prunes half the log), detect (the detection engine with 10, 100 and 1,000 rules,
/// and the memory of 100,000 active group keys), alerting (outbox delivery to a local webhook and
/// append-to-webhook latency); on PostgreSQL (with --postgres URL): pgappend, pggroup,
/// pgbig, pgretention.
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

/// The batch sizes of the append tables, and how many events each appends.
let appendRuns = [(batch: 1, count: 2_000), (batch: 100, count: 100_000), (batch: 1000, count: 200_000)]

/// Appends `events` to `store` in batches of `batch`, encoding and hashing inside the timed loop
/// (they are part of an append).
func timedAppend(_ events: [PreparedEvent], batch: Int, to store: any LedgerStore) async throws -> Duration {
    let sequencer = LogSequencer(backend: store, signer: signer, clock: wall, logger: logger)
    let start = clock.now
    var offset = 0
    while offset < events.count {
        let slice = events[offset..<min(events.count, offset + batch)].map { PreparedEvent($0.event) }
        _ = try await sequencer.append(slice)
        offset += batch
    }
    return clock.now - start
}

/// One row of an append table.
func emitAppendRow(batch: Int, count: Int, append: Duration, raw: Duration) {
    let ratio = seconds(raw) / seconds(append)
    emit("| \(batch) | \(rate(count, append)) events/s | \(rate(count, raw)) rows/s | \(String(format: "%.0f%%", ratio * 100)) |")
}

if sections.contains("append") {
    emit("\n| batch size | append (hash + tiles + checkpoint + commit) | raw SQLite insert, same rows | ratio |")
    emit("|---|---|---|---|")
    for (batch, count) in appendRuns {
        let events = (0..<count).map { makeEvent($0, pipeline: pipeline) }
        let store = try SQLiteStore(path: root.appendingPathComponent("append-\(batch).db").path, configuration: storeConfiguration)
        let appendTime = try await timedAppend(events, batch: batch, to: store)
        let rows = events.map { (columns: IndexedColumns($0.event), entry: $0.entry) }
        let rawTime = try await SQLiteInsertBaseline.insert(
            rows: rows,
            batchSize: batch,
            path: root.appendingPathComponent("raw-\(batch).db").path,
            facetIndexBatch: facetBatch
        )
        emitAppendRow(batch: batch, count: count, append: appendTime, raw: rawTime)
    }
}

if sections.contains("pgappend") {
    emit("\n| batch size | append on PostgreSQL (hash + tiles + checkpoint + COPY commit) | raw COPY, same rows and tables | ratio |")
    emit("|---|---|---|---|")
    for (batch, count) in appendRuns {
        let events = (0..<count).map { makeEvent($0, pipeline: pipeline) }
        let appendTime = try await PostgresBench.withFreshSchema { store in try await timedAppend(events, batch: batch, to: store) }
        let rawTime = try await PostgresBench.withFreshSchema { store in
            try await PostgresInsertBaseline.insert(events, tenant: .default, batchSize: batch, into: store)
        }
        emitAppendRow(batch: batch, count: count, append: appendTime, raw: rawTime)
    }
}

// 4. Concurrent single-event appends through group commit.

/// 200 writers append 50,000 events one at a time through one group committer.
func measureGroupCommit(_ store: any LedgerStore) async throws -> Duration {
    let sequencer = LogSequencer(backend: store, signer: signer, clock: wall, logger: logger)
    let committer = GroupCommitter(sequencer: sequencer, logger: logger)
    let count = 50_000
    let events = (0..<count).map { makeEvent($0, pipeline: pipeline) }
    return try await withThrowingTaskGroup(of: Void.self) { group in
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
}

if sections.contains("group") {
    let store = try SQLiteStore(path: root.appendingPathComponent("group.db").path, configuration: storeConfiguration)
    emit("\n| 200 concurrent writers, 1 event per append, group commit | \(rate(50_000, try await measureGroupCommit(store))) events/s |")
}

if sections.contains("pggroup") {
    let elapsed = try await PostgresBench.withFreshSchema { store in try await measureGroupCommit(store) }
    emit("\n| PostgreSQL: 200 concurrent writers, 1 event per append, group commit | \(rate(50_000, elapsed)) events/s |")
}

// 5. A log of `populationSize` events for queries, proofs and verify, on SQLite ("big") and on
// PostgreSQL ("pgbig").

/// The filtered queries of BENCHMARKS.md; `i` varies the filter values between samples.
func queryCatalog(now: Timestamp) -> [(String, (Int) -> EventQuery)] {
    [
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
}

/// Loads `populationSize` events into `store`, then measures queries, proofs and verify on it.
func measureBig(_ store: any LedgerStore, sizeOnDisk: @Sendable () async throws -> Int) async throws {
    do {
        let sequencer = LogSequencer(backend: store, signer: signer, clock: wall, logger: logger)
        let start = clock.now
        var n = 0
        while n < populationSize {
            _ = try await sequencer.append((n..<min(populationSize, n + 1000)).map { makeEvent($0, pipeline: pipeline) })
            n += 1000
        }
        emit("\n| load \(populationSize) events in batches of 1,000 | \(rate(populationSize, clock.now - start)) events/s |")
    }
    let bytes = try await sizeOnDisk()
    emit("| database size at \(populationSize) events | \(bytes / 1_048_576) MiB (\(bytes / populationSize) bytes/event) |")

    // Filtered query latency (page of 100, newest first).
    emit("\n| query (page of 100, \(populationSize) events) | p50 | p99 |")
    emit("|---|---|---|")
    for (name, make) in queryCatalog(now: wall.now()) {
        var samples = [Duration]()
        for i in 0..<200 {
            var query = make(i * 37)
            let start = clock.now
            if name.contains("cursor") {
                for _ in 0..<5 {
                    let page = try await store.events(matching: query.validated())
                    guard let next = page.next else { break }
                    query.cursor = next
                }
            } else {
                _ = try await store.events(matching: query.validated())
            }
            samples.append(clock.now - start)
        }
        emit("| \(name) | \(ms(percentile(samples, 0.5))) ms | \(ms(percentile(samples, 0.99))) ms |")
    }

    // Proofs.
    let prover = LogProver(backend: store)
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

    // verify.
    let verifier = LogVerifier(backend: store, events: store, verifier: signer.verifier)
    let start = clock.now
    let report = try await verifier.verify(tenant: .default)
    let elapsed = clock.now - start
    guard report.failure == nil else { fatalError("verify failed: \(report.failure!)") }
    let mb = Double(report.bytesHashed) / 1_048_576
    emit(
        "\n| verify \(report.entriesChecked) events | \(rate(Int(report.entriesChecked), elapsed)) events/s, \(String(format: "%.1f", mb / seconds(elapsed))) MB/s of entries (SHA-256 limit above) |"
    )
}

// 6. The JSONL archive: export, offline verification and import, next to raw gzip and SHA-256.
if sections.contains("archive") {
    let count = min(populationSize, 200_000)
    let source = try SQLiteStore(path: root.appendingPathComponent("archive-source.db").path, configuration: storeConfiguration)
    let events = (0..<count).map { makeEvent($0, pipeline: pipeline) }
    _ = try await timedAppend(events, batch: 1000, to: source)
    let directory = root.appendingPathComponent("archive")
    var start = clock.now
    let report = try await ArchiveExporter(backend: source, events: source, signer: signer)
        .export(tenant: .default, to: directory, options: .init(maxSegmentEvents: 50_000))
    let exportTime = clock.now - start
    let megabytes = Double(report.entryBytes) / 1_048_576
    start = clock.now
    _ = try ArchiveVerifier.verify(directory, key: signer.verifier)
    let verifyTime = clock.now - start
    let restored = try SQLiteStore(path: root.appendingPathComponent("archive-restored.db").path, configuration: storeConfiguration)
    start = clock.now
    _ = try await ArchiveImporter(backend: restored, sequencer: LogSequencer(backend: restored, signer: signer, clock: wall, logger: logger))
        .restore(directory, key: signer.verifier)
    let importTime = clock.now - start
    // The limit of the compression step: gzip of the same lines, in memory.
    var lines = [UInt8]()
    for event in events { lines += event.entry + [0x0A] }
    start = clock.now
    let compressed = try ArchiveFiles.gzip(lines)
    let gzipTime = clock.now - start
    emit("\n| archive of \(count) events (\(String(format: "%.0f", megabytes)) MB of JSON lines) | figure |")
    emit("|---|---|")
    emit(
        "| export (read, check every entry and the root, gzip, fsync) | \(String(format: "%.1f", megabytes / seconds(exportTime))) MB/s, \(rate(count, exportTime)) events/s |"
    )
    emit(
        "| verify --archive (SHA-256, gunzip, decode every line, rebuild the roots) | \(String(format: "%.1f", megabytes / seconds(verifyTime))) MB/s, \(rate(count, verifyTime)) events/s |"
    )
    emit("| import (verify twice, then append in batches of 1,000) | \(rate(count, importTime)) events/s |")
    emit("| raw gzip of the same lines (the compression limit) | \(String(format: "%.1f", megabytes / seconds(gzipTime))) MB/s |")
    emit(
        "| compression | \(String(format: "%.1f", Double(lines.count) / Double(compressed.count)))× (\(report.fileBytes / 1_048_576) MiB of files) |"
    )
}

/// A retention sweep over `count` events of which half (6 of the 12 event types, interleaved: the
/// worst case for the prune batches) have expired: archive + read-back verification + prune, then
/// `verify` of the pruned log.
func measureRetention(_ store: any LedgerStore, count: Int, name: String) async throws -> [UInt64] {
    let events = (0..<count).map { makeEvent($0, pipeline: pipeline) }
    _ = try await timedAppend(events, batch: 1000, to: store)
    let sequencer = LogSequencer(backend: store, signer: signer, clock: wall, logger: logger)
    let now = wall.now()
    let types = Set(["authentication", "data_access", "security", "key_management", "honeypot", "system"].compactMap(EventType.init))
    let policy = try RetentionPolicy(tenant: .default, eventTypes: types, keepDays: 1)
    var generator = SystemRandomNumberGenerator()
    _ = try await sequencer.append([
        PreparedEvent(
            RetentionRules.policySetRecord(policy, id: UUID.version7(at: now, using: &generator), at: now, actor: "bench"),
            idIsClientSupplied: false
        )
    ])
    let sweeper = RetentionSweeper(
        sequencer: sequencer,
        backend: store,
        events: store,
        signer: signer,
        archiveRoot: root.appendingPathComponent("retention-\(name)"),
        logger: logger
    )
    let later = now.adding(microseconds: 2 * 86_400_000_000)
    var start = clock.now
    let dry = try await sweeper.sweep(tenant: .default, actor: "bench", now: later, dryRun: true)
    let scanTime = clock.now - start
    start = clock.now
    let report = try await sweeper.sweep(tenant: .default, actor: "bench", now: later)
    let sweepTime = clock.now - start
    start = clock.now
    let verified = try await LogVerifier(backend: store, events: store, verifier: signer.verifier).verify(tenant: .default)
    let verifyTime = clock.now - start
    precondition(verified.failure == nil && verified.pruned == report.pruned, "the pruned log must verify: \(String(describing: verified.failure))")
    emit("\n| retention sweep, \(name): \(count) events, \(report.pruned) expired | figure |")
    emit("|---|---|")
    emit("| scan (decode every entry, judge it; dry run) | \(rate(Int(dry.examined), scanTime)) events/s |")
    emit(
        "| sweep (scan + archive all \(count) + read the archive back + prune in \(report.records.count) recorded batches) | \(String(format: "%.1f", seconds(sweepTime))) s, \(rate(Int(report.pruned), sweepTime)) pruned events/s |"
    )
    emit(
        "| of which archive: export + read back (\(count) events) | \(String(format: "%.1f", seconds(report.archiveDuration))) s, \(rate(count, report.archiveDuration)) events/s |"
    )
    emit(
        "| of which prune: \(report.pruned) rows in \(report.records.count) transactions, each with its record | \(rate(Int(report.pruned), report.pruneDuration)) events/s |"
    )
    emit("| verify of the pruned log (pruned leaves from tiles, \(verified.erasureRecords) records checked) | \(rate(count, verifyTime)) entries/s |")
    var pruned = [UInt64]()
    for event in events.enumerated() where types.contains(event.element.event.eventType) { pruned.append(UInt64(event.offset)) }
    return pruned
}

if sections.contains("retention") {
    let count = min(populationSize, 200_000)
    let store = try SQLiteStore(path: root.appendingPathComponent("retention.db").path, configuration: storeConfiguration)
    let pruned = try await measureRetention(store, count: count, name: "SQLite")
    // The limit: the same rows in a plain table with the same indexes, deleted by index without
    // erasure rows, facet upkeep or records.
    let events = (0..<count).map { makeEvent($0, pipeline: pipeline) }
    let path = root.appendingPathComponent("retention-raw.db").path
    _ = try await SQLiteInsertBaseline.insert(
        rows: events.map { (columns: IndexedColumns($0.event), entry: $0.entry) },
        batchSize: 1000,
        path: path,
        facetIndexBatch: facetBatch
    )
    let rawDelete = try await SQLiteInsertBaseline.delete(indices: pruned, batchSize: 10_000, path: path)
    emit(
        "| raw SQLite DELETE of the same \(pruned.count) rows by index, batches of 10,000 (the limit of the prune step) | \(rate(pruned.count, rawDelete)) rows/s |"
    )
}

if sections.contains("pgretention") {
    try await PostgresBench.withFreshSchema { store in
        _ = try await measureRetention(store, count: min(populationSize, 200_000), name: "PostgreSQL")
    }
}

/// Resident memory of this process, bytes (from /proc/self/statm).
func residentBytes() throws -> Int {
    let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { fatalError("/proc/self/statm is not readable as expected") }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

if sections.contains("detect") {
    let count = min(populationSize, 200_000)
    let stored = (0..<count).map { StoredEvent(index: UInt64($0), event: makeEvent($0, pipeline: pipeline).event) }
    let pack = try DefaultRulePack.rules()
    // Memory of 100,000 active groups in one threshold window (threshold 10, 5 events each).
    let before = try residentBytes()
    var window = ThresholdWindow(.init(windowSeconds: 3_600, threshold: 10, maxGroups: 200_000))
    let base = wall.now()
    for group in 0..<100_000 {
        for n in 0..<5 { _ = window.observe(group: "user-\(group)", at: base.adding(microseconds: Int64(n)), index: UInt64(group * 5 + n)) }
    }
    let after = try residentBytes()
    emit("\n| threshold state | memory | groups |\n|---|---|---|")
    emit(
        "| 100,000 active group keys × 5 events (threshold 10) | \((after - before) / 1_048_576) MiB resident, \((after - before) / 100_000) bytes per group (measured first, on a fresh heap) | \(window.groupCount) groups |"
    )
    emit("\n| detection engine, \(count) events, one core | events/s | detections |")
    emit("|---|---|---|")
    for ruleCount in [10, 100, 1_000] {
        // Copies of the default pack under their own ids, so every rule keeps its own state.
        var rules = [DetectionRule]()
        for n in 0..<ruleCount {
            var rule = pack[n % pack.count]
            rule.id = "\(rule.id).\(n)"
            rules.append(rule)
        }
        var engine = try DetectionEngine(rules: rules)
        var detections = 0
        let start = clock.now
        for event in stored { detections += engine.process(event).count }
        emit("| \(ruleCount) rules | \(rate(count, clock.now - start)) | \(detections) |")
    }
}

if sections.contains("latency") {
    // Append to incident: one honeypot event at a time is committed to a SQLite ledger; the
    // detection consumer passes over the log when the commit is signalled (as serve runs it) or,
    // for comparison, only every 250 ms (serve's fallback interval); the sample is the time from
    // the committed append until the incident holds the event.
    emit("\n| detection latency, append committed → incident stored (SQLite) | consumer wakes | p50 ms | p99 ms | samples |")
    emit("|---|---|---|---|---|")
    for signalled in [true, false] {
        let interval = 250
        let store = try SQLiteStore(path: root.appendingPathComponent("latency-\(signalled).db").path, configuration: storeConfiguration)
        let sequencer = LogSequencer(backend: store, signer: signer, clock: wall, configuration: .init(origin: "bench.local"), logger: logger)
        let consumer = try DetectionConsumer(
            store: store,
            rules: DefaultRulePack.rules(),
            manager: IncidentManager(store: store, records: sequencer),
            records: sequencer,
            clock: wall,
            configuration: .init(checkpointSeconds: 5)
        )
        let passes = Task {
            while !Task.isCancelled {
                _ = try await consumer.runOnce()
                if signalled {
                    await sequencer.commits.wait(upTo: .milliseconds(interval))
                } else {
                    try await Task.sleep(for: .milliseconds(interval))
                }
            }
        }
        var samples = [Duration]()
        for n in 0..<(signalled ? 500 : 60) {
            let json = JSONValue.object([
                "event_type": .string("honeypot"), "action": .string("ssh.login.failed"), "actor": .string("root"),
                "source_ip": .string("198.51.100.\(n % 250 + 1)"),
            ])
            let outcomes = try await sequencer.append([try pipeline.prepare(json, tenant: .default)])
            guard case .appended(let index) = outcomes[0] else { fatalError("the event was not appended") }
            let committed = clock.now
            while true {
                if let incident = try await store.latestIncident(dedupKey: "honeypot.interaction", of: .default)?.incident,
                    incident.evidence.contains(index) || incident.evidenceCount > Incident.maxEvidence
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            samples.append(clock.now - committed)
        }
        passes.cancel()
        let wakes = signalled ? "on each commit" : "every \(interval) ms"
        emit("| one honeypot event at a time | \(wakes) | \(ms(percentile(samples, 0.5))) | \(ms(percentile(samples, 0.99))) | \(samples.count) |")
    }
}

if sections.contains("alerting") {
    try await AlertingBench.run(root: root, emit: emit)
}

if sections.contains("vault") {
    try await VaultBench.run(root: root, emit: emit)
}

if sections.contains("honeypot") {
    try await HoneypotBench.run(root: root, seconds: Int(option("--honeypot-seconds", "20")) ?? 20, emit: emit)
}

if sections.contains("sigma") {
    // The Sigma comparison (scripts/bench-sigma runs pySigma's SQLite backend on the same files):
    // the corpus's accepted rule files over an NDJSON file, parsed as ingest would, one core.
    let corpus = URL(fileURLWithPath: option("--sigma-dir", "Tests/Fixtures/sigma"))
    let eventsPath = option("--sigma-events", "")
    guard !eventsPath.isEmpty else { fatalError("the sigma section needs --sigma-events FILE (scripts/bench-sigma writes one)") }
    let only = Set(option("--sigma-files", "").split(separator: ",").map(String.init))
    guard case .object(let manifest) = try JSONParser().parse(Array(try Data(contentsOf: corpus.appendingPathComponent("expected.json")))) else {
        fatalError("expected.json is not an object")
    }
    let files = manifest.compactMap { name, value -> String? in
        guard case .object(let members) = value, members["accept"] == .bool(true), only.isEmpty || only.contains(name) else { return nil }
        return name
    }.sorted()
    let started = clock.now
    var rules = [DetectionRule]()
    var fileOfRule = [String: String]()
    for file in files {
        for rule in try RuleFile.rules(from: try String(contentsOf: corpus.appendingPathComponent(file), encoding: .utf8)) {
            rules.append(rule)
            fileOfRule[rule.id] = file
        }
    }
    let compiled = clock.now
    let lenient = IngestPipeline.forSamples(clock: wall)
    guard let handle = FileHandle(forReadingAtPath: eventsPath) else { fatalError("cannot read \(eventsPath)") }
    var reader = LineReader(handle: handle, maxLineBytes: 1 << 20)
    var events = [StoredEvent]()
    while let line = try reader.next() {
        guard case .bytes(let bytes) = line else { continue }
        events.append(StoredEvent(index: UInt64(events.count), event: try lenient.prepare(line: bytes, tenant: .default).event))
    }
    let parsed = clock.now
    var engine = try DetectionEngine(rules: rules)
    var matched = [String: Int]()
    var alerts = [String: Int]()
    for stored in events {
        for detection in engine.process(stored) {
            let file = fileOfRule[detection.rule]!
            if detection.group.isEmpty { matched[file, default: 0] += 1 } else { alerts[file, default: 0] += 1 }
        }
    }
    let evaluated = clock.now
    emit("\n| Sigma corpus (\(files.count) files, \(rules.count) rules) over \(events.count) events, one core | seconds | events/s |")
    emit("|---|---|---|")
    emit("| compile the rules | \(String(format: "%.3f", seconds(compiled - started))) | |")
    emit("| read and validate the NDJSON | \(String(format: "%.2f", seconds(parsed - compiled))) | \(rate(events.count, parsed - compiled)) |")
    emit("| evaluate (streaming) | \(String(format: "%.2f", seconds(evaluated - parsed))) | \(rate(events.count, evaluated - parsed)) |")
    emit("| end to end | \(String(format: "%.2f", seconds(evaluated - started))) | \(rate(events.count, evaluated - started)) |")
    let counts = JSONValue.object(
        Dictionary(
            uniqueKeysWithValues: files.map { file in
                (file, JSONValue.object(["matched": .number(Double(matched[file] ?? 0)), "detections": .number(Double(alerts[file] ?? 0))]))
            }
        )
    )
    emit("sigma-counts " + String(decoding: CanonicalJSON.encode(counts), as: UTF8.self))
}

if sections.contains("big") {
    let bigPath = root.appendingPathComponent("big.db").path
    let big = try SQLiteStore(path: bigPath, configuration: storeConfiguration)
    try await measureBig(big) { (try FileManager.default.attributesOfItem(atPath: bigPath)[.size] as? Int) ?? 0 }
}

if sections.contains("pgbig") {
    try await PostgresBench.withFreshSchema { store in
        emit("\n### PostgreSQL")
        try await measureBig(store) { try await PostgresBench.databaseSize() }
    }
}

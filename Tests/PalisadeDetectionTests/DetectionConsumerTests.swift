import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeDetection
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite
import PalisadeTesting
import Synchronization
import Testing

/// Detection as a ledger consumer over a real SQLite file: a restart in the middle of a stream —
/// with or without a checkpoint, even between a record and its incident — ends with exactly the
/// incidents and incident records of an uninterrupted run.
struct DetectionConsumerTests {
    static let signer = try! NoteSigner(name: "detection.test", privateKey: Curve25519.Signing.PrivateKey())
    static let clock = ManualWallClock(start: Timestamp(rfc3339: "2026-03-01T12:00:00Z")!)
    static let factory = EventFactory(clock: clock)

    /// A fresh SQLite ledger and its writer.
    struct Log {
        let store: SQLiteStore
        let sequencer: LogSequencer

        init() throws {
            let directory = try TemporaryDirectory.make("palisade-detection")
            store = try SQLiteStore(path: directory.appendingPathComponent("palisade.sqlite").path)
            sequencer = LogSequencer(
                backend: store,
                signer: DetectionConsumerTests.signer,
                clock: DetectionConsumerTests.clock,
                configuration: .init(origin: "detection.test"),
                logger: Logger(label: "test")
            )
        }

        func append(_ events: ArraySlice<AuditEvent>) async throws {
            _ = try await sequencer.append(events.map { PreparedEvent($0) })
        }

        func consumer(records: any RecordSink, batchSize: Int = 1_000, checkpointEvents: Int = 50_000) throws -> DetectionConsumer {
            try DetectionConsumer(
                store: store,
                rules: DefaultRulePack.rules(),
                manager: IncidentManager(store: store, records: records),
                records: records,
                clock: DetectionConsumerTests.clock,
                configuration: .init(batchSize: batchSize, checkpointEvents: checkpointEvents, checkpointSeconds: 1_000_000)
            )
        }

        /// Every incident, as JSON, by id, with its evidence named by event id (log indices differ
        /// between runs whose incident records land at different places in the log).
        func incidents() async throws -> [String: JSONValue] {
            var all = [String: JSONValue]()
            for stored in try await store.incidents(matching: IncidentQuery(tenant: .default, limit: IncidentQuery.maxLimit)) {
                guard case .object(var members) = stored.incident.jsonValue else { continue }
                var evidence = [JSONValue]()
                for index in stored.incident.evidence {
                    let record = try #require(try await store.records(of: .default, in: index..<index + 1).first)
                    evidence.append(.string(try AuditEvent(canonicalEntry: record.entry).idString))
                }
                members["evidence"] = .array(evidence)
                all[stored.incident.id.lowercasedString] = .object(members)
            }
            return all
        }

        /// The ids of the incident records in the log, in log order.
        func recordIDs() async throws -> [String] {
            try await ReservedRecords.read(of: .default, type: .palisadeIncident, from: store).map(\.event.idString)
        }
    }

    /// A stream with bursts that straddle its middle: brute force, credential stuffing and failures
    /// followed by a success, in 2,000 ordinary sign-ins.
    static let stream: [AuditEvent] = {
        let start = Timestamp(rfc3339: "2026-03-01T10:00:00Z")!
        var timed = [(Int64, AuditEvent)]()
        func add(_ millis: Int64, actor: String, success: Bool, ip: String) {
            let event = factory.event(
                actor: actor,
                success: success,
                sourceIP: ip,
                timestamp: start.adding(microseconds: millis * 1_000).rfc3339
            )
            timed.append((millis, event))
        }
        for n in 0..<2_000 { add(Int64(n) * 150, actor: "user-\(n % 40)", success: true, ip: "192.0.2.\(n % 200)") }
        // bob: 12 failures in 12 s at the start.
        for n in 0..<12 { add(1_000 + Int64(n) * 1_000, actor: "bob", success: false, ip: "198.51.100.7") }
        // carol: 12 failures 20 s apart, across the middle (the stream's midpoint is at 150 s).
        for n in 0..<12 { add(40_000 + Int64(n) * 20_000, actor: "carol", success: false, ip: "198.51.100.8") }
        // 25 usernames from one address, across the middle.
        for n in 0..<25 { add(120_000 + Int64(n) * 2_500, actor: "guess-\(n)", success: false, ip: "203.0.113.9") }
        // dave: 6 failures before the middle, the success after it.
        for n in 0..<6 { add(130_000 + Int64(n) * 1_000, actor: "dave", success: false, ip: "198.51.100.9") }
        add(170_000, actor: "dave", success: true, ip: "198.51.100.9")
        return timed.sorted { $0.0 < $1.0 }.map(\.1)
    }()

    static let middle = stream.count / 2

    /// A sink that writes each record, then fails once after the `failAfter`-th call: a crash
    /// between the ledger write and the store write.
    final class CrashingSink: RecordSink {
        let inner: any RecordSink
        let failAfter: Int
        let calls = Mutex(0)

        init(_ inner: any RecordSink, failAfter: Int) {
            self.inner = inner
            self.failAfter = failAfter
        }

        struct Crash: Error {}

        func appendRecords(_ records: [AuditEvent]) async throws {
            try await inner.appendRecords(records)
            let call = calls.withLock { count in
                count += 1
                return count
            }
            if call == failAfter { throw Crash() }
        }
    }

    static func uninterrupted() async throws -> Log {
        let log = try Log()
        try await log.append(stream[...])
        let report = try await log.consumer(records: log.sequencer).catchUp(.default)
        #expect(report.events == stream.count && report.ownRecords == 0)
        return log
    }

    @Test func firingsOfOneIncidentInABatchAreFiledAsOneChange() async throws {
        // One event per batch files every firing on its own; a batch of 1,000 merges the firings
        // of each incident. The incidents end the same — evidence, counts, times, entities — with
        // fewer records in the log.
        // A honeypot under attack: every event fires the per-event interaction rule.
        let attack = (0..<300).map { n in
            Self.factory.event(type: "honeypot", actor: "root", action: "ssh.auth_failed", success: false, sourceIP: "203.0.113.\(n % 3)")
        }
        let events = Self.stream + attack
        let perEvent = try Log()
        try await perEvent.append(events[...])
        _ = try await perEvent.consumer(records: perEvent.sequencer, batchSize: 1).catchUp(.default)
        let batched = try Log()
        try await batched.append(events[...])
        _ = try await batched.consumer(records: batched.sequencer).catchUp(.default)
        let one = try await perEvent.incidents()
        let merged = try await batched.incidents()
        #expect(Set(one.keys) == Set(merged.keys) && !one.isEmpty)
        for (id, incident) in one {
            guard case .object(let expected) = incident, case .object(let actual)? = merged[id] else {
                Issue.record("incident \(id) is missing from the batched run")
                continue
            }
            for field in ["evidence", "evidence_count", "count", "first_seen", "last_seen", "threat_level", "entities", "status"] {
                #expect(actual[field] == expected[field], "\(id) \(field)")
            }
        }
        let perEventRecords = try await perEvent.recordIDs().count
        let batchedRecords = try await batched.recordIDs().count
        #expect(batchedRecords < perEventRecords / 2, "\(batchedRecords) records batched, \(perEventRecords) one event at a time")
        #expect(batchedRecords <= merged.count * 3, "at most one record per incident in each of the stream's 3 batches")
    }

    @Test func theStreamOpensTheExpectedIncidents() async throws {
        let log = try await Self.uninterrupted()
        let keys = Set(
            try await log.incidents().values.compactMap { json -> String? in
                guard case .object(let members) = json, case .string(let key)? = members["dedup_key"] else { return nil }
                return key
            }
        )
        #expect(
            keys.isSuperset(of: [
                "auth.brute_force.actor|actor=bob", "auth.brute_force.actor|actor=carol", "auth.credential_stuffing|source_ip=203.0.113.9",
                "auth.brute_force.source|source_ip=203.0.113.9", "auth.success_after_failures|actor=dave",
            ]),
            "\(keys.sorted())"
        )
        let records = try await log.recordIDs()
        #expect(records.count == Set(records).count && records.count >= 5)
    }

    @Test func aRestartFromTheSavedCursorMissesAndRepeatsNothing() async throws {
        let reference = try await Self.uninterrupted()
        let log = try Log()
        try await log.append(Self.stream[..<Self.middle])
        // Checkpoints every 100 events: the last one is behind the crash, so events are replayed.
        let first = try log.consumer(records: log.sequencer, batchSize: 64, checkpointEvents: 100)
        let before = try await first.catchUp(.default)
        #expect(before.checkpoints >= 5)
        let saved = try #require(try await log.store.consumerCursor("detection", of: .default))
        #expect(saved.position < UInt64(Self.middle) && !saved.state.isEmpty, "the crash loses the events since the last checkpoint")
        guard case .object(let members) = try JSONParser(limits: .init(maxBytes: 1 << 26, maxDepth: 16)).parse(saved.state),
            case .string(let baselines)? = members["anomalies"]
        else {
            Issue.record("the saved state holds the windows and the anomaly baselines")
            return
        }
        #expect(baselines.count > 100 && members["rules"] != nil)
        try await log.append(Self.stream[Self.middle...])
        let second = try log.consumer(records: log.sequencer, batchSize: 64, checkpointEvents: 100)
        let after = try await second.catchUp(.default)
        #expect(after.ownRecords > 0, "the incident records the first run wrote are passed over")
        let got = try await log.incidents()
        let want = try await reference.incidents()
        #expect(got == want, "\(got.filter { want[$0.key] != $0.value }) vs \(want.filter { got[$0.key] != $0.value })")
        #expect(try await log.recordIDs().sorted() == (try await reference.recordIDs()).sorted())
    }

    @Test func aCrashBetweenARecordAndItsIncidentIsRepairedByTheReplay() async throws {
        let reference = try await Self.uninterrupted()
        let referenceRecords = try await reference.recordIDs().count
        for failAfter in [1, 3, referenceRecords - 1] {
            let log = try Log()
            try await log.append(Self.stream[...])
            let crashing = try log.consumer(records: CrashingSink(log.sequencer, failAfter: failAfter), checkpointEvents: 500)
            await #expect(throws: CrashingSink.Crash.self) { _ = try await crashing.catchUp(.default) }
            _ = try await log.consumer(records: log.sequencer, checkpointEvents: 500).catchUp(.default)
            #expect(try await log.incidents() == (try await reference.incidents()), "crash after record \(failAfter)")
            let records = try await log.recordIDs()
            let expected = Set(try await reference.recordIDs())
            #expect(records.count == referenceRecords && Set(records) == expected, "crash after record \(failAfter)")
        }
    }

    @Test func withoutSavedWindowsTheSplitBurstWouldBeMissed() async throws {
        // The control for the restart test: a consumer that starts over with empty windows at the
        // middle does not see carol's burst, so the saved state is what makes the restart exact.
        let log = try Log()
        try await log.append(Self.stream[..<Self.middle])
        let first = try log.consumer(records: log.sequencer)
        _ = try await first.catchUp(.default)
        try await first.checkpointAll()
        let saved = try #require(try await log.store.consumerCursor("detection", of: .default))
        #expect(saved.position == UInt64(Self.middle), "saved where the pass began reading nothing more (its own records come next)")
        try await log.store.saveConsumerCursor(ConsumerCursor(position: saved.position, state: []), consumer: "detection", of: .default)
        try await log.append(Self.stream[Self.middle...])
        _ = try await log.consumer(records: log.sequencer).catchUp(.default)
        let keys = try await log.incidents().values.map { json -> String in
            guard case .object(let members) = json, case .string(let key)? = members["dedup_key"] else { return "" }
            return key
        }
        #expect(!keys.contains("auth.brute_force.actor|actor=carol"))
    }

    @Test func aDamagedStateIsReportedAndTheWindowsStartEmpty() async throws {
        let log = try Log()
        try await log.append(Self.stream[..<10])
        try await log.store.saveConsumerCursor(ConsumerCursor(position: 5, state: Array("{not json".utf8)), consumer: "detection", of: .default)
        let report = try await log.consumer(records: log.sequencer).catchUp(.default)
        #expect(report.events == 5 && report.warnings.count == 1 && report.warnings[0].contains("could not be read"))
    }

    @Test func ruleChangesAreRecordedOnceAgainstTheDefaultPackAndTheSavedRevisions() async throws {
        let log = try Log()
        try await log.append(Self.stream[..<10])
        let custom = try DetectionRule(
            yaml: "id: custom.root\nincident: privilege_escalation\nlevel: high\ndetection:\n  root: {actor: root}\n  condition: root\n"
        )
        func consumer(_ rules: [DetectionRule]) throws -> DetectionConsumer {
            try DetectionConsumer(
                store: log.store,
                rules: rules,
                manager: IncidentManager(store: log.store, records: log.sequencer),
                records: log.sequencer,
                clock: Self.clock,
                configuration: .init(checkpointSeconds: 0)
            )
        }
        func records() async throws -> [String] {
            try await ReservedRecords.read(of: .default, type: .palisadeRule, from: log.store).map { stored in
                guard case .string(let id)? = stored.event.metadata["rule_id"] else { return "?" }
                return "\(stored.event.action) \(id)"
            }
        }
        let first = try consumer(try DefaultRulePack.rules() + [custom])
        _ = try await first.catchUp(.default)
        #expect(try await records() == ["active custom.root"], "the default pack is the baseline")
        try await first.checkpointAll()
        // A restart with the same rules records nothing more.
        _ = try await consumer(try DefaultRulePack.rules() + [custom]).catchUp(.default)
        #expect(try await records() == ["active custom.root"])
        // A hot reload that drops the custom rule and changes a default one.
        var changed = try DefaultRulePack.rules().filter { $0.id != "auth.brute_force.actor" }
        changed.append(
            try DetectionRule(yaml: DefaultRulePack.sources["auth.brute_force.actor"]!.replacingOccurrences(of: "count: 10", with: "count: 5"))
        )
        try await first.replaceRules(changed)
        #expect(try await records() == ["active custom.root", "removed custom.root", "active auth.brute_force.actor"])
        try await first.checkpointAll()
        _ = try await first.catchUp(.default)
        // The next start compares with the revisions saved with the cursor: nothing new.
        _ = try await consumer(changed).catchUp(.default)
        #expect(try await records().count == 3)
    }
}

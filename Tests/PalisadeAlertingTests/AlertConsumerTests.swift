import Foundation
import PalisadeAlerting
import PalisadeCore
import PalisadeIngest
import PalisadeTesting
import Testing

/// The alerting consumer over a real SQLite ledger: silences and policies take effect at their
/// place in the log, a critical incident inhibits its twin, groups collect their siblings, and a
/// consumer that starts again from an older cursor enqueues nothing twice.
struct AlertConsumerTests {
    static func notifications(_ pipeline: AlertPipeline) async throws -> [AlertNotification] {
        try await pipeline.outbox(.pending).map { try AlertNotification(json: try JSONParser().parse($0.payload)) }.sorted { $0.at < $1.at }
    }

    @Test func groupsSilencesAndInhibitionTakeEffectWhereTheyStandInTheLog() async throws {
        let pipeline = try AlertPipeline()
        try await pipeline.addReceiver("ops", kind: .webhook, secret: ReceiverSecret(url: "https://hooks.example.com/x"))
        try await pipeline.setPolicy(#"{"route": {"receiver": "ops", "group_by": ["incident_type"], "group_wait": "30s", "group_interval": "5m"}}"#)
        let consumer = pipeline.consumer()
        // Two incidents of one type within group_wait: one notification with both.
        try await pipeline.incident(["a"], entity: "actor=alice")
        #expect(try await consumer.runOnce().enqueued == 0)
        pipeline.clock.advance(seconds: 10)
        try await pipeline.incident(["b"], entity: "actor=bob")
        pipeline.clock.advance(seconds: 25)
        #expect(try await consumer.runOnce().enqueued == 1)
        #expect(try await Self.notifications(pipeline).last?.firing.map(\.fingerprint) == ["a", "b"])

        // A silence created in the log mutes c; a critical twin of b's entity inhibits b.
        let changes = AlertingChanges(sealer: pipeline.sealer, tenant: .default, actor: "oncall", now: pipeline.clock.now())
        let silence = try changes.createSilence(
            matchers: ["entity=actor=carol"],
            startsAt: nil,
            endsAt: pipeline.clock.now().adding(microseconds: 3_600_000_000),
            comment: "known"
        )
        try await pipeline.sequencer.appendRecords([silence.record])
        try await pipeline.incident(["c"], entity: "actor=carol")
        try await pipeline.incident(["d"], type: "brute_force_attack", level: "critical", entity: "actor=bob")
        pipeline.clock.advance(seconds: 300)
        #expect(try await consumer.runOnce().enqueued == 1)
        let second = try #require(try await Self.notifications(pipeline).last)
        #expect(second.firing.map(\.fingerprint) == ["a", "d"], "c is silenced, b is inhibited by its critical twin d")

        // Expiring the silence is news: c is told at the next group_interval.
        var current = TenantAlerting()
        for record in try await ReservedRecords.read(of: .default, type: .palisadeAlerting, from: pipeline.store) { current.apply(record.event) }
        let expire = AlertingChanges(sealer: pipeline.sealer, tenant: .default, actor: "oncall", now: pipeline.clock.now())
        try await pipeline.sequencer.appendRecords([try expire.expireSilence(silence.silence.id, current: current)])
        pipeline.clock.advance(seconds: 300)
        #expect(try await consumer.runOnce().enqueued == 1)
        #expect(try await Self.notifications(pipeline).last?.firing.map(\.fingerprint) == ["a", "c", "d"])

        // A consumer reading the whole log again (its cursor lost) makes the same notifications:
        // none is enqueued twice.
        let fresh = AlertConsumer(store: pipeline.store, clock: pipeline.clock, configuration: .init(name: "alerting-replay", checkpointSeconds: 0))
        _ = try await fresh.runOnce()
        let pending = try await pipeline.outbox(.pending)
        #expect(pending.count == 3 && Set(pending.map(\.stateKey)).count == 3)
    }

    @Test func incidentsNotMarkedAlertAreNotAlerted() async throws {
        let pipeline = try AlertPipeline()
        try await pipeline.addReceiver("ops", kind: .webhook, secret: ReceiverSecret(url: "https://hooks.example.com/x"))
        try await pipeline.setPolicy(#"{"route": {"receiver": "ops", "group_wait": 0}}"#)
        try await pipeline.incident(["low"], level: "medium", alert: false)
        #expect(try await pipeline.consumer().runOnce().enqueued == 0)
    }

    @Test func theConsumerParsesOnlyAlertingAndIncidentRecords() async throws {
        let pipeline = try AlertPipeline()
        let ingest = IngestPipeline(clock: pipeline.clock)
        let noise = try (0..<50).map { index in
            try ingest.prepare(
                .object(["event_type": .string("honeypot"), "action": .string("ssh.auth_failed"), "actor": .string("root-\(index)")]),
                tenant: AlertPipeline.tenant
            )
        }
        _ = try await pipeline.sequencer.append(noise)
        try await pipeline.addReceiver("ops", kind: .webhook, secret: ReceiverSecret(url: "https://hooks.example.com/x"))
        let selected = try await pipeline.store.storedEvents(of: AlertPipeline.tenant, in: 0..<1_000, types: [.palisadeAlerting])
        #expect(selected.count == 1 && selected.first?.event.eventType == .palisadeAlerting && selected.first?.index == 50)
        #expect(try await pipeline.store.storedEvents(of: AlertPipeline.tenant, in: 0..<1_000).count == 51)
        let report = try await pipeline.consumer().runOnce()
        #expect(report.records == 1 && report.configurationChanges == 1, "the 50 honeypot events were passed over: \(report)")
    }
}

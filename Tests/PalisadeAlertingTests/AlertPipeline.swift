import Crypto
import Foundation
import Logging
import PalisadeAlerting
import PalisadeChannels
import PalisadeCore
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite
import PalisadeTesting

/// A real SQLite ledger with alerting on top: the consumer that turns incident records into outbox
/// notifications and the deliverer that sends them over real HTTP to local receivers.
struct AlertPipeline {
    static let signer = try! NoteSigner(name: "alerting.test", privateKey: Curve25519.Signing.PrivateKey())
    static let tenant = TenantID.default

    let clock: ManualWallClock
    let store: SQLiteStore
    let sequencer: LogSequencer
    let sealer: SecretSealer
    let path: String

    init(clock: ManualWallClock = ManualWallClock()) throws {
        self.clock = clock
        sealer = SecretSealer(key: SymmetricKey(size: .bits256))
        let directory = try TemporaryDirectory.make("palisade-alerting")
        path = directory.appendingPathComponent("palisade.sqlite").path
        store = try SQLiteStore(path: path)
        sequencer = Self.writer(store, clock)
    }

    /// The same file opened again (a restart), with the same alerting key.
    init(reopening other: AlertPipeline) throws {
        clock = other.clock
        path = other.path
        sealer = other.sealer
        store = try SQLiteStore(path: path)
        sequencer = Self.writer(store, clock)
    }

    private static func writer(_ store: SQLiteStore, _ clock: ManualWallClock) -> LogSequencer {
        LogSequencer(backend: store, signer: signer, clock: clock, configuration: .init(origin: "alerting.test"), logger: Logger(label: "test"))
    }

    /// Stores a receiver (its secret sealed) as the API does.
    @discardableResult
    func addReceiver(_ name: String, kind: ReceiverKind, secret: ReceiverSecret) async throws -> Receiver {
        let receiver = Receiver(
            name: name,
            kind: kind,
            target: "test",
            sealed: try sealer.seal(CanonicalJSON.encode(secret.json), tenant: Self.tenant.rawValue, receiver: name),
            fingerprint: secret.fingerprint,
            storedBy: "tester",
            storedAt: clock.now()
        )
        var generator = SystemRandomNumberGenerator()
        try await sequencer.appendRecords([
            AlertingRecord.receiverStored(receiver, tenant: Self.tenant, id: .version7(at: clock.now(), using: &generator))
        ])
        return receiver
    }

    /// Stores a policy given as JSON text.
    func setPolicy(_ json: String) async throws {
        let policy = try AlertingPolicy(json: try JSONParser().parse(Array(json.utf8)))
        var generator = SystemRandomNumberGenerator()
        try await sequencer.appendRecords([
            AlertingRecord.policyStored(
                policy,
                tenant: Self.tenant,
                actor: "tester",
                at: clock.now(),
                id: .version7(at: clock.now(), using: &generator)
            )
        ])
    }

    /// Appends incident records (as detection writes them) for incidents `ids`.
    func incident(
        _ ids: [String],
        type: String = "brute_force_attack",
        level: String = "high",
        status: String = "open",
        entity: String = "actor=mallory",
        alert: Bool = true
    ) async throws {
        var generator = SystemRandomNumberGenerator()
        let records = ids.map { id in
            AuditEvent.palisadeRecord(
                tenant: Self.tenant,
                id: .version7(at: clock.now(), using: &generator),
                at: clock.now(),
                actor: "palisade/detection",
                type: .palisadeIncident,
                action: status == "open" ? "opened" : "transition",
                metadata: [
                    "incident_id": .string(id), "incident_type": .string(type), "threat_level": .string(level), "status": .string(status),
                    "source": .string("rule.test"), "dedup_key": .string("rule.test|\(entity)"), "title": .string("Incident \(id)"),
                    "alert": .bool(alert),
                ]
            )
        }
        try await sequencer.appendRecords(records)
    }

    func consumer() -> AlertConsumer { AlertConsumer(store: store, clock: clock, configuration: .init(checkpointSeconds: 0)) }

    func deliverer(
        transport: HTTPTransport,
        retry: RetryPolicy = RetryPolicy(initialSeconds: 1, multiplier: 2, maximumSeconds: 60, horizonSeconds: 3_600, jitter: 0),
        concurrency: Int = 16,
        batchSize: Int = 256,
        others: [ReceiverKind: any AlertChannel] = [:]
    ) -> OutboxDeliverer {
        let channel = HTTPAlertChannel(transport: transport, clock: clock)
        let channels: [ReceiverKind: any AlertChannel] = [.webhook: channel, .chat: channel, .slack: channel, .discord: channel, .pagerDuty: channel]
        return OutboxDeliverer(
            store: store,
            channels: channels.merging(others) { _, other in other },
            sealer: sealer,
            records: sequencer,
            clock: clock,
            configuration: .init(retry: retry, concurrency: concurrency, batchSize: batchSize, link: "https://palisade.example/incidents")
        )
    }

    static func localTransport(timeoutSeconds: Int64 = 10) -> HTTPTransport {
        HTTPTransport(configuration: .init(policy: OutboundPolicy(allowed: [IPNetwork("127.0.0.1/32")!]), timeoutSeconds: timeoutSeconds))
    }

    /// A tenant's notifications in one status.
    func outbox(_ status: OutboxStatus) async throws -> [OutboxNotification] {
        try await store.notifications(of: Self.tenant, status: status, limit: 10_000)
    }

    /// The tenant's alerting records with `action`.
    func alertingRecords(_ action: AlertingRecord.Action) async throws -> [AuditEvent] {
        try await ReservedRecords.read(of: Self.tenant, type: .palisadeAlerting, from: store).map(\.event).filter { $0.action == action.rawValue }
    }
}

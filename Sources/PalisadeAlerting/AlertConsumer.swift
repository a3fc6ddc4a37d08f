import Foundation
public import PalisadeCore

/// Alerting as a ledger consumer: reads each tenant's log in index order from its saved cursor,
/// applies its alerting records (receivers, policy, silences) where they stand, turns incident
/// records marked `alert` into alerts, groups them (``Dispatcher``), and writes every notification
/// that comes due into the outbox *before* it saves its cursor and groups — so a crash loses no
/// notification, and one made again after a restart has the same state key and is not enqueued
/// twice.
///
/// Delivery is the ``OutboxDeliverer``'s job; this actor never talks to the network.
public actor AlertConsumer {
    /// The stores the consumer reads and writes.
    public typealias Store = LedgerBackend & EventStore & ConsumerCursorStore & OutboxStore

    /// How the consumer paces itself.
    public struct Configuration: Sendable {
        /// The cursor's name in the store.
        public var name: String
        /// Records read per store call.
        public var batchSize: Int
        /// Seconds between cursor saves while there is work (and when a tenant is caught up).
        public var checkpointSeconds: Int64

        /// Creates a configuration.
        public init(name: String = "alerting", batchSize: Int = 1_000, checkpointSeconds: Int64 = 2) {
            self.name = name
            self.batchSize = max(1, batchSize)
            self.checkpointSeconds = checkpointSeconds
        }
    }

    /// What one pass did.
    public struct Report: Hashable, Sendable {
        /// Alerting and incident records read (other events are passed over unparsed).
        public var records = 0
        /// Alert states taken in (incident records marked `alert`).
        public var alerts = 0
        /// Configuration records applied.
        public var configurationChanges = 0
        /// Notifications written to the outbox.
        public var enqueued = 0
        /// Notifications made again after a restart and found in the outbox already.
        public var alreadyEnqueued = 0
        /// Notifications with nowhere to go (the tenant has no receivers).
        public var unrouted = 0
        /// Cursors saved.
        public var checkpoints = 0
        /// Records that could not be used, with the reason.
        public var warnings: [String] = []
    }

    private struct TenantState {
        var configuration: TenantAlerting
        var dispatcher: Dispatcher
        var position: UInt64
        var dirty = false
        var savedAt: Timestamp
    }

    private let store: any Store
    private let clock: any WallClock
    /// The configuration.
    public let configuration: Configuration
    private var tenants: [TenantID: TenantState] = [:]

    /// Creates a consumer.
    public init(store: any Store, clock: any WallClock, configuration: Configuration = Configuration()) {
        self.store = store
        self.clock = clock
        self.configuration = configuration
    }

    /// Reads every tenant's new records and enqueues what is due.
    public func runOnce() async throws -> Report {
        var report = Report()
        for tenant in try await store.tenants() { try await catchUp(tenant, &report) }
        return report
    }

    /// A tenant's configuration as the consumer last read it (loading the tenant if needed).
    public func configuration(of tenant: TenantID) async throws -> TenantAlerting {
        var report = Report()
        let state = try await load(tenant, &report)
        tenants[tenant] = state
        return state.configuration
    }

    /// Saves every tenant's cursor and groups now (on shutdown).
    public func checkpointAll() async throws {
        var report = Report()
        for tenant in tenants.keys.sorted() {
            guard var state = tenants[tenant], state.dirty else { continue }
            try await save(tenant, &state, &report)
            tenants[tenant] = state
        }
    }

    private func catchUp(_ tenant: TenantID, _ report: inout Report) async throws {
        var state = try await load(tenant, &report)
        defer { tenants[tenant] = state }
        let head = try await store.logHead(of: tenant)?.size ?? 0
        while state.position < head {
            let range = state.position..<min(head, state.position + UInt64(configuration.batchSize))
            // Only alerting, incident and vault records matter here; the rest are not even parsed.
            for stored in try await store.storedEvents(of: tenant, in: range, types: [.palisadeAlerting, .palisadeIncident, .palisadeVault]) {
                report.records += 1
                let event = stored.event
                if event.eventType == .palisadeAlerting {
                    let (changed, warning) = state.configuration.apply(event)
                    if let warning { report.warnings.append("\(tenant): \(warning)") }
                    if changed {
                        report.configurationChanges += 1
                        Self.configure(&state.dispatcher, state.configuration)
                    }
                } else if event.eventType == .palisadeIncident, case .bool(true)? = event.metadata["alert"],
                    let alert = Alert(incidentRecord: event)
                {
                    report.alerts += 1
                    state.dispatcher.receive(alert, at: clock.now())
                } else if let alert = Alert(approvalRecord: event) {
                    report.alerts += 1
                    state.dispatcher.receive(alert, at: clock.now())
                }
            }
            state.position = range.upperBound
            state.dirty = true
            // Enqueue what is due before the cursor moves past the alerts that made it.
            try await enqueueDue(tenant, &state, &report)
            if secondsSince(state.savedAt) >= configuration.checkpointSeconds { try await save(tenant, &state, &report) }
        }
        try await enqueueDue(tenant, &state, &report)
        if state.dirty, secondsSince(state.savedAt) >= configuration.checkpointSeconds { try await save(tenant, &state, &report) }
    }

    private func enqueueDue(_ tenant: TenantID, _ state: inout TenantState, _ report: inout Report) async throws {
        let now = clock.now()
        state.configuration.pruneSilences(at: now)
        state.dispatcher.silences = Array(state.configuration.silences.values)
        let due = state.dispatcher.due(at: now)
        guard !due.isEmpty else { return }
        state.dirty = true
        for notification in due {
            // The implicit policy of a tenant without receivers routes nowhere.
            guard !notification.receiver.isEmpty else {
                report.unrouted += 1
                continue
            }
            let key = notification.stateKey
            let entry = OutboxNotification(
                id: .derived(from: "palisade.alerting/\(tenant.rawValue)/\(notification.receiver)/\(key)"),
                tenant: tenant,
                receiver: notification.receiver,
                stateKey: key,
                payload: CanonicalJSON.encode(notification.json),
                createdAt: now
            )
            if try await store.enqueueNotification(entry) { report.enqueued += 1 } else { report.alreadyEnqueued += 1 }
        }
    }

    private static func configure(_ dispatcher: inout Dispatcher, _ configuration: TenantAlerting) {
        let policy = configuration.policy
        dispatcher.route = policy.route
        dispatcher.inhibitRules = policy.inhibitRules
        dispatcher.silences = Array(configuration.silences.values)
    }

    private func load(_ tenant: TenantID, _ report: inout Report) async throws -> TenantState {
        if let state = tenants[tenant] { return state }
        let cursor = try await store.consumerCursor(configuration.name, of: tenant)
        let position = cursor?.position ?? 0
        let alerting = try await TenantAlerting.load(of: tenant, from: store, before: position)
        var dispatcher = Dispatcher(route: alerting.policy.route)
        Self.configure(&dispatcher, alerting)
        if let cursor, !cursor.state.isEmpty {
            do {
                let saved = try JSONParser(limits: .init(maxBytes: Int.max, maxDepth: 16)).parse(cursor.state)
                guard case .object(let members) = saved, let groups = members["groups"] else { throw AlertingError("no groups") }
                try dispatcher.restore(groups)
            } catch {
                dispatcher = Dispatcher(route: alerting.policy.route)
                Self.configure(&dispatcher, alerting)
                report.warnings.append(
                    "the saved alert groups of \(tenant) could not be read (\(error)); grouping starts empty at index \(position)"
                )
            }
        }
        return TenantState(configuration: alerting, dispatcher: dispatcher, position: position, savedAt: clock.now())
    }

    private func save(_ tenant: TenantID, _ state: inout TenantState, _ report: inout Report) async throws {
        let bytes = CanonicalJSON.encode(.object(["groups": state.dispatcher.state()]))
        try await store.saveConsumerCursor(ConsumerCursor(position: state.position, state: bytes), consumer: configuration.name, of: tenant)
        state.dirty = false
        state.savedAt = clock.now()
        report.checkpoints += 1
    }

    private func secondsSince(_ time: Timestamp) -> Int64 { (clock.now().microseconds - time.microseconds) / 1_000_000 }
}

public import PalisadeCore

/// Detection as a ledger consumer: reads each tenant's log in index order from its saved cursor,
/// runs the rules and the statistical detectors, files detections as incidents, escalates missed
/// SLA deadlines, and saves its cursor together with the rules' windows and the detectors'
/// baselines — so a restart neither misses nor double-counts an event, a burst split by a restart
/// still fires, and the baselines are not learned again from zero.
///
/// Between two checkpoints a crash replays the events since the last one; that is safe because
/// filing is idempotent (see ``IncidentManager``). Palisade's own records (`palisade.` types,
/// including the incident records this consumer writes) are not shown to the rules.
public actor DetectionConsumer {
    /// The stores the consumer reads and writes.
    public typealias Store = LedgerBackend & EventStore & IncidentStore & ConsumerCursorStore

    /// How the consumer paces itself.
    public struct Configuration: Sendable {
        /// The cursor's name in the store.
        public var name: String
        /// Records read per store call.
        public var batchSize: Int
        /// Save the cursor at least after this many events…
        public var checkpointEvents: Int
        /// …or this many seconds, whichever comes first (and whenever a tenant is caught up after
        /// this long).
        public var checkpointSeconds: Int64
        /// SLA deadlines and how often they are checked.
        public var sla: IncidentSLA
        /// Seconds between SLA checks.
        public var slaCheckSeconds: Int64
        /// The statistical detectors' settings; `nil` turns them off.
        public var anomalies: AnomalyConfiguration?

        /// Creates a configuration.
        public init(
            name: String = "detection",
            batchSize: Int = 1_000,
            checkpointEvents: Int = 50_000,
            checkpointSeconds: Int64 = 5,
            sla: IncidentSLA = .standard,
            slaCheckSeconds: Int64 = 30,
            anomalies: AnomalyConfiguration? = AnomalyConfiguration()
        ) {
            self.name = name
            self.batchSize = max(1, batchSize)
            self.checkpointEvents = max(1, checkpointEvents)
            self.checkpointSeconds = checkpointSeconds
            self.sla = sla
            self.slaCheckSeconds = slaCheckSeconds
            self.anomalies = anomalies
        }
    }

    /// What one pass did.
    public struct Report: Hashable, Sendable {
        /// Events shown to the rules.
        public var events = 0
        /// Palisade's own records passed over.
        public var ownRecords = 0
        /// Detections the rules made.
        public var detections = 0
        /// Incidents opened, updated with new evidence, reopened.
        public var opened = 0
        /// Incidents that took new evidence.
        public var updated = 0
        /// Incidents reopened.
        public var reopened = 0
        /// Detections already filed (replays after a restart).
        public var unchanged = 0
        /// Incidents escalated for a missed SLA.
        public var escalated = 0
        /// Checkpoints saved.
        public var checkpoints = 0
        /// Things worth a log line (state that could not be restored).
        public var warnings: [String] = []

        static func + (lhs: Report, rhs: Report) -> Report {
            var sum = lhs
            sum.events += rhs.events
            sum.ownRecords += rhs.ownRecords
            sum.detections += rhs.detections
            sum.opened += rhs.opened
            sum.updated += rhs.updated
            sum.reopened += rhs.reopened
            sum.unchanged += rhs.unchanged
            sum.escalated += rhs.escalated
            sum.checkpoints += rhs.checkpoints
            sum.warnings += rhs.warnings
            return sum
        }
    }

    private struct TenantState {
        /// The tenant's own rule files (from its log, as of the cursor).
        var files: TenantRuleFiles
        var engine: DetectionEngine
        var anomalies: AnomalyEngine?
        var position: UInt64
        var unsaved = 0
        var savedAt: Timestamp
        var slaCheckedAt: Timestamp = .minimum
    }

    private let store: any Store
    private let manager: IncidentManager
    private let records: (any RecordSink)?
    private let clock: any WallClock
    private let geo: (any GeoLocator)?
    /// The configuration.
    public let configuration: Configuration
    private var rules: [DetectionRule]
    private var tenants: [TenantID: TenantState] = [:]

    /// Creates a consumer.
    ///
    /// - Throws: ``RuleError`` when two rules share an id.
    ///
    /// - Parameters:
    ///   - records: where the rules in force are recorded (``RuleRecord``) in each tenant's log.
    ///   - geo: where addresses are, for the country and impossible-travel detectors (off without).
    public init(
        store: any Store,
        rules: [DetectionRule],
        manager: IncidentManager,
        records: (any RecordSink)?,
        clock: any WallClock,
        configuration: Configuration = Configuration(),
        geo: (any GeoLocator)? = nil
    ) throws(RuleError) {
        self.geo = geo
        _ = try DetectionEngine(rules: rules)
        self.store = store
        self.records = records
        self.rules = rules
        self.manager = manager
        self.clock = clock
        self.configuration = configuration
    }

    /// The global rules in force (the default pack and the rules directory).
    public var currentRules: [DetectionRule] { rules }

    /// Replaces the rules (hot reload): every tenant's engine is rebuilt and keeps the windows of
    /// the rules whose revision did not change; the change is recorded in each loaded tenant's log
    /// (the others record the rules in force when they are first read).
    ///
    /// - Throws: ``RuleError`` when two rules share an id (the old rules stay in force), or the
    ///   sink's error.
    ///
    /// - Returns: warnings (a tenant rule file this binary cannot read).
    @discardableResult
    public func replaceRules(_ newRules: [DetectionRule]) async throws -> [String] {
        _ = try DetectionEngine(rules: newRules)
        let old = rules
        rules = newRules
        var warnings = [String]()
        do {
            for tenant in tenants.keys.sorted() {
                guard var state = tenants[tenant] else { continue }
                try await rebuild(tenant, &state, &warnings)
                tenants[tenant] = state
            }
        } catch {
            rules = old
            throw error
        }
        return warnings
    }

    /// Rebuilds a tenant's engine for the global rules and its files, keeping the windows of rules
    /// whose revision did not change, and records the change in its log.
    private func rebuild(_ tenant: TenantID, _ state: inout TenantState, _ warnings: inout [String]) async throws {
        var own = [DetectionRule]()
        do {
            own = try state.files.rules()
        } catch {
            // Files are checked when stored; one this binary cannot read leaves the tenant on the
            // global rules rather than without detection.
            warnings.append("\(tenant): \(error); its detection runs on the global rules")
        }
        let effective = TenantRuleFiles.effective(global: rules, tenant: own)
        var engine = try DetectionEngine(rules: effective)
        do {
            try engine.restore(state.engine.state())
        } catch {
            // The state came from a live engine; it always reads back.
            preconditionFailure("a live engine's state did not read back: \(error)")
        }
        let before = Dictionary(uniqueKeysWithValues: state.engine.rules.map { ($0.id, $0.revision) })
        try await record(RuleRecord.changes(from: before, to: effective, tenant: tenant, actor: manager.actor, at: clock.now()))
        state.engine = engine
    }

    /// Processes every tenant's new events (and its SLA deadlines when due).
    public func runOnce() async throws -> Report {
        var report = Report()
        for tenant in try await store.tenants() { report = report + (try await catchUp(tenant)) }
        return report
    }

    /// Processes the tenant's events up to the current head of its log.
    public func catchUp(_ tenant: TenantID) async throws -> Report {
        var report = Report()
        var state = try await load(tenant, &report)
        defer { tenants[tenant] = state }
        let head = try await store.logHead(of: tenant)?.size ?? 0
        while state.position < head {
            let range = state.position..<min(head, state.position + UInt64(configuration.batchSize))
            // The batch's firings of one incident are filed as one change, so an ongoing attack
            // adds one incident record per pass rather than one per event.
            var firings = DetectionBatch()
            for stored in try await store.storedEvents(of: tenant, in: range) {
                let event = stored.event
                if event.eventType.isReserved {
                    report.ownRecords += 1
                    // A tenant's rule file stored or deleted: in force from here on.
                    if state.files.apply(stored) { try await rebuild(tenant, &state, &report.warnings) }
                    continue
                }
                report.events += 1
                var detections = state.engine.process(stored)
                if state.anomalies != nil { detections += state.anomalies!.process(stored) }
                report.detections += detections.count
                firings.add(detections)
            }
            for detection in firings.merged {
                switch try await manager.file(detection, tenant: tenant, now: clock.now()) {
                case .opened: report.opened += 1
                case .updated: report.updated += 1
                case .reopened: report.reopened += 1
                case .unchanged: report.unchanged += 1
                }
            }
            state.unsaved += Int(range.upperBound - state.position)
            state.position = range.upperBound
            if state.unsaved >= configuration.checkpointEvents || secondsSince(state.savedAt) >= configuration.checkpointSeconds {
                try await save(tenant, &state, &report)
            }
        }
        if state.unsaved > 0, secondsSince(state.savedAt) >= configuration.checkpointSeconds { try await save(tenant, &state, &report) }
        if secondsSince(state.slaCheckedAt) >= configuration.slaCheckSeconds {
            report.escalated += try await manager.escalateOverdue(tenant: tenant, sla: configuration.sla, at: clock.now()).count
            state.slaCheckedAt = clock.now()
        }
        return report
    }

    /// Saves every tenant's cursor now (on shutdown).
    public func checkpointAll() async throws {
        var report = Report()
        for tenant in tenants.keys.sorted() {
            guard var state = tenants[tenant], state.unsaved > 0 else { continue }
            try await save(tenant, &state, &report)
            tenants[tenant] = state
        }
    }

    private func load(_ tenant: TenantID, _ report: inout Report) async throws -> TenantState {
        if let state = tenants[tenant] { return state }
        let cursor = try await store.consumerCursor(configuration.name, of: tenant)
        let position = cursor?.position ?? 0
        let files = try await TenantRuleFiles.load(of: tenant, from: store, before: position)
        var own = [DetectionRule]()
        do {
            own = try files.rules()
        } catch {
            report.warnings.append("\(tenant): \(error); its detection runs on the global rules")
        }
        let effective = TenantRuleFiles.effective(global: rules, tenant: own)
        var engine = try DetectionEngine(rules: effective)
        var anomalies = configuration.anomalies.map { AnomalyEngine(configuration: $0, geo: geo) }
        // The rules the tenant was last watched by: those saved with its cursor, else the default pack.
        var before = try DefaultRulePack.revisions()
        if let cursor, !cursor.state.isEmpty {
            do {
                let saved = try JSONParser(limits: .init(maxBytes: Int.max, maxDepth: 16)).parse(cursor.state)
                try engine.restore(saved)
                if let revisions = DetectionEngine.revisions(in: saved) { before = revisions }
                if case .object(let members) = saved, let learned = members["anomalies"] { try anomalies?.restore(learned) }
            } catch {
                engine = try DetectionEngine(rules: effective)
                anomalies = configuration.anomalies.map { AnomalyEngine(configuration: $0, geo: geo) }
                report.warnings.append(
                    "the saved detection state of \(tenant) could not be read (\(error)); its windows start empty at index \(position)"
                )
            }
        }
        try await record(RuleRecord.changes(from: before, to: effective, tenant: tenant, actor: manager.actor, at: clock.now()))
        return TenantState(files: files, engine: engine, anomalies: anomalies, position: position, savedAt: clock.now())
    }

    private func record(_ changes: [AuditEvent]) async throws {
        guard let records, !changes.isEmpty else { return }
        try await records.appendRecords(changes)
    }

    private func save(_ tenant: TenantID, _ state: inout TenantState, _ report: inout Report) async throws {
        var saved = state.engine.state()
        if let anomalies = state.anomalies, case .object(var members) = saved {
            members["anomalies"] = anomalies.savedState()
            saved = .object(members)
        }
        let bytes = CanonicalJSON.encode(saved)
        try await store.saveConsumerCursor(ConsumerCursor(position: state.position, state: bytes), consumer: configuration.name, of: tenant)
        state.unsaved = 0
        state.savedAt = clock.now()
        report.checkpoints += 1
    }

    private func secondsSince(_ time: Timestamp) -> Int64 { (clock.now().microseconds - time.microseconds) / 1_000_000 }
}

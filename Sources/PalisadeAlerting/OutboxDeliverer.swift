import Foundation
public import PalisadeCore

/// Delivers the outbox: takes the notifications that are due, opens their receiver's secret, sends
/// each through its channel (at most `concurrency` at a time), and records every attempt's outcome
/// — delivered, retried with backoff and jitter (``RetryPolicy``), or dead-lettered (a permanent
/// failure, a receiver that no longer exists, or a retry past the horizon).
///
/// Each receiver has a ``CircuitBreaker``: its minimum gap spaces sends, and when it opens the pause
/// is recorded in the tenant's log (`receiver.paused`) and its notifications wait for the pause to
/// end (without counting an attempt). A notification stays pending until its outcome is recorded, so
/// a crash mid-send sends it again after the restart, with the same `X-Palisade-Delivery` id.
public actor OutboxDeliverer {
    /// The stores the deliverer reads and writes.
    public typealias Store = OutboxStore & EventStore & LedgerBackend

    /// How the deliverer paces itself.
    public struct Configuration: Sendable {
        /// Retries and the horizon after which a failing notification is dead-lettered.
        public var retry: RetryPolicy
        /// Each receiver's breaker (failures, window, pause); the minimum gap comes from its kind.
        public var breaker: CircuitBreaker
        /// Deliveries in flight at once.
        public var concurrency: Int
        /// Due notifications taken per pass.
        public var batchSize: Int
        /// Who the pause records name.
        public var actor: String
        /// The dashboard's incidents page, for links in messages.
        public var link: String?

        /// Creates a configuration.
        public init(
            retry: RetryPolicy = .standard,
            breaker: CircuitBreaker = CircuitBreaker(),
            concurrency: Int = 16,
            batchSize: Int = 256,
            actor: String = "palisade/alerting",
            link: String? = nil
        ) {
            self.retry = retry
            self.breaker = breaker
            self.concurrency = max(1, concurrency)
            self.batchSize = max(1, batchSize)
            self.actor = actor
            self.link = link
        }
    }

    /// What one pass did.
    public struct Report: Hashable, Sendable {
        /// Attempts made, by receiver kind and outcome (`delivered`, `retry`, `dead`).
        public var attempts: [Attempt: Int] = [:]
        /// Notifications put back because their receiver is paused or must wait for its gap.
        public var deferred = 0
        /// Notifications dead-lettered without an attempt (no such receiver, a secret that does
        /// not open, a payload that does not read).
        public var undeliverable = 0
        /// Receivers paused by their breaker.
        public var paused: [String] = []
        /// Reasons worth a log line.
        public var failures: [String] = []

        /// How many attempts ended `outcome` (any kind).
        public func count(_ outcome: Attempt.Outcome) -> Int { attempts.filter { $0.key.outcome == outcome }.reduce(0) { $0 + $1.value } }
    }

    /// An attempt's kind and outcome, the labels of the attempt counter in /metrics.
    public struct Attempt: Hashable, Sendable {
        /// How an attempt ended.
        public enum Outcome: String, Hashable, Sendable, CaseIterable {
            /// Accepted.
            case delivered
            /// Failed; will be retried.
            case retry
            /// Failed for good, or past the horizon: dead-lettered.
            case dead
        }
        /// The receiver's kind.
        public var kind: ReceiverKind
        /// The outcome.
        public var outcome: Outcome
    }

    private let store: any Store
    private let channels: [ReceiverKind: any AlertChannel]
    private let sealer: SecretSealer
    private let records: (any RecordSink)?
    private let clock: any WallClock
    /// The configuration.
    public let configuration: Configuration
    private var breakers: [String: CircuitBreaker] = [:]
    private var cachedConfigurations: [TenantID: (head: UInt64, alerting: TenantAlerting)] = [:]
    private var random = SystemRandomNumberGenerator()

    /// Creates a deliverer.
    ///
    /// - Parameters:
    ///   - channels: the channel for each receiver kind (a receiver of a kind without one is
    ///     dead-lettered with the reason).
    ///   - records: where receiver pauses are recorded.
    public init(
        store: any Store,
        channels: [ReceiverKind: any AlertChannel],
        sealer: SecretSealer,
        records: (any RecordSink)?,
        clock: any WallClock,
        configuration: Configuration = Configuration()
    ) {
        self.store = store
        self.channels = channels
        self.sealer = sealer
        self.records = records
        self.clock = clock
        self.configuration = configuration
    }

    /// Delivers what is due now (one batch).
    public func runOnce() async throws -> Report {
        var report = Report()
        let now = clock.now()
        let due = try await store.dueNotifications(at: now, limit: configuration.batchSize)
        guard !due.isEmpty else { return report }
        var configurations = [TenantID: TenantAlerting]()
        for tenant in Set(due.map(\.tenant)) { configurations[tenant] = try await receivers(of: tenant) }
        var outcomes = [OutboxNotification]()
        var slotsTaken = [String: Int]()
        var jobs = [(OutboxNotification, Delivery, any AlertChannel)]()
        for entry in due {
            guard let receiver = configurations[entry.tenant]?.receivers[entry.receiver] else {
                outcomes.append(
                    finish(
                        entry,
                        .permanent("there is no receiver \(entry.receiver) in tenant \(entry.tenant) (it was removed)"),
                        kind: nil,
                        &report
                    )
                )
                continue
            }
            guard let channel = channels[receiver.kind] else {
                outcomes.append(finish(entry, .permanent("this server has no \(receiver.kind.rawValue) channel"), kind: nil, &report))
                continue
            }
            let delivery: Delivery
            do {
                let secret = try ReceiverSecret(
                    json: try JSONParser().parse(try sealer.open(receiver.sealed, tenant: entry.tenant.rawValue, receiver: receiver.name))
                )
                let notification = try AlertNotification(json: try JSONParser(limits: .init(maxBytes: Int.max, maxDepth: 16)).parse(entry.payload))
                delivery = Delivery(
                    id: entry.id,
                    tenant: entry.tenant,
                    receiver: receiver,
                    secret: secret,
                    notification: notification,
                    attempt: entry.attempts + 1,
                    link: configuration.link
                )
            } catch {
                outcomes.append(finish(entry, .permanent("\(error)"), kind: nil, &report))
                continue
            }
            // Pace each receiver: its breaker's pause, and its minimum gap between sends.
            let key = "\(entry.tenant.rawValue)/\(receiver.name)"
            var breaker = breakers[key] ?? configuration.breaker
            breaker.minimumGapSeconds = receiver.kind.minimumGapSeconds
            breakers[key] = breaker
            let taken = slotsTaken[key, default: 0]
            var slot = breaker.nextSend(at: now)
            if taken > 0 { slot = max(slot, now.adding(microseconds: Int64(Double(taken) * receiver.kind.minimumGapSeconds * 1_000_000))) }
            if slot > now || (taken > 0 && receiver.kind.minimumGapSeconds > 0) {
                var later = entry
                later.nextAttemptAt = max(slot, now.adding(microseconds: 1))
                outcomes.append(later)
                report.deferred += 1
                slotsTaken[key] = taken + 1
                continue
            }
            slotsTaken[key] = taken + 1
            jobs.append((entry, delivery, channel))
        }
        try await flush(&outcomes, &report)
        // Send, at most `concurrency` at a time; outcomes are recorded in batches of up to
        // `concurrency` (one write each), so a crash repeats at most those in flight and unrecorded.
        let limit = configuration.concurrency
        try await withThrowingTaskGroup(of: (Int, DeliveryOutcome).self) { group in
            var next = 0
            func start() {
                let position = next
                let (_, delivery, channel) = jobs[position]
                group.addTask { (position, await channel.deliver(delivery)) }
                next += 1
            }
            while next < jobs.count && next < limit { start() }
            while let (position, outcome) = try await group.next() {
                let (entry, delivery, _) = jobs[position]
                outcomes.append(finish(entry, outcome, kind: delivery.receiver.kind, &report))
                try await trip(delivery, outcome, &report)
                if outcomes.count >= limit { try await flush(&outcomes, &report) }
                if next < jobs.count { start() }
            }
        }
        try await flush(&outcomes, &report)
        return report
    }

    /// The tenant's receivers, read again only when its log has grown.
    private func receivers(of tenant: TenantID) async throws -> TenantAlerting {
        let head = try await store.logHead(of: tenant)?.size ?? 0
        if let cached = cachedConfigurations[tenant], cached.head == head { return cached.alerting }
        let alerting = try await TenantAlerting.load(of: tenant, from: store)
        cachedConfigurations[tenant] = (head, alerting)
        return alerting
    }

    /// Records outcomes in one write (a notification stays pending until its outcome is stored: a
    /// crash before this sends it again, with the same delivery id).
    private func flush(_ outcomes: inout [OutboxNotification], _ report: inout Report) async throws {
        guard !outcomes.isEmpty else { return }
        for id in try await store.recordAttempts(outcomes) {
            report.failures.append(
                "notification \(id.lowercasedString) was no longer pending when its outcome was recorded (is a second server delivering?)"
            )
        }
        outcomes.removeAll(keepingCapacity: true)
    }

    /// An attempt's outcome as the notification's new state (counted in the report).
    private func finish(_ entry: OutboxNotification, _ outcome: DeliveryOutcome, kind: ReceiverKind?, _ report: inout Report) -> OutboxNotification {
        let now = clock.now()
        var updated = entry
        let counted: Attempt.Outcome
        switch outcome {
        case .delivered:
            updated.status = .delivered
            updated.deliveredAt = now
            updated.lastError = nil
            counted = .delivered
        case .retry(let reason):
            updated.lastError = reason
            if let next = configuration.retry.nextAttempt(after: entry.attempts + 1, firstAttempt: entry.createdAt, now: now, random: &random) {
                updated.nextAttemptAt = next
                counted = .retry
            } else {
                updated.status = .dead
                updated.lastError = "\(reason); retried for \(configuration.retry.horizonSeconds)s, giving up"
                counted = .dead
            }
        case .permanent(let reason):
            updated.status = .dead
            updated.lastError = reason
            counted = .dead
        }
        if let kind {
            updated.attempts += 1
            updated.nextAttemptAt = updated.status == .pending ? updated.nextAttemptAt : now
            report.attempts[Attempt(kind: kind, outcome: counted), default: 0] += 1
            if counted != .delivered { report.failures.append("\(entry.tenant)/\(entry.receiver) \(entry.id): \(updated.lastError ?? "")") }
        } else {
            updated.nextAttemptAt = now
            report.undeliverable += 1
            report.failures.append("\(entry.tenant)/\(entry.receiver) \(entry.id): \(updated.lastError ?? "")")
        }
        return updated
    }

    /// Feeds an outcome to the receiver's breaker and records a pause it opens.
    private func trip(_ delivery: Delivery, _ outcome: DeliveryOutcome, _ report: inout Report) async throws {
        let key = "\(delivery.tenant.rawValue)/\(delivery.receiver.name)"
        var breaker = breakers[key] ?? configuration.breaker
        let now = clock.now()
        let pausedUntil = breaker.record(outcome, at: now)
        breakers[key] = breaker
        guard let pausedUntil else { return }
        report.paused.append(key)
        guard let records else { return }
        let reason: String
        switch outcome {
        case .delivered: reason = ""
        case .retry(let text), .permanent(let text):
            reason = "\(configuration.breaker.failures) failures within \(configuration.breaker.windowSeconds)s; last: \(text)"
        }
        try await records.appendRecords([
            AlertingRecord.receiverPaused(
                delivery.receiver.name,
                until: pausedUntil,
                reason: reason,
                tenant: delivery.tenant,
                actor: configuration.actor,
                at: now
            )
        ])
    }
}

extension ReceiverKind {
    /// The least time between two sends to one receiver of this kind, seconds: the services' own
    /// rate limits (Slack: one message per second per webhook; Discord: 5 per 2 s; PagerDuty: 120
    /// per minute per key); none for Palisade's webhooks.
    public var minimumGapSeconds: Double {
        switch self {
        case .slack, .chat: 1
        case .discord: 0.4
        case .pagerDuty: 0.5
        case .webhook, .email, .syslog, .splunk, .elastic: 0
        }
    }
}

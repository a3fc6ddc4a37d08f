import Foundation
public import PalisadeCore

/// Streams every event of a tenant's log to its SIEM receivers (Splunk HEC, Elasticsearch `_bulk`)
/// from a cursor of its own per receiver (`export/<name>`), in batches; the cursor moves only past a
/// batch the SIEM accepted, so a failure or a restart sends the batch again (Elasticsearch answers a
/// replayed event with a 409 conflict, as each is created under its event id; Splunk HEC has no such
/// check, so after a crash mid-batch Splunk may hold an event twice — with the same `id`).
///
/// A failing receiver is retried with backoff (1 s doubling to 5 min) without holding up the others.
public actor EventExporter {
    /// The stores the exporter reads and writes.
    public typealias Store = LedgerBackend & EventStore & ConsumerCursorStore

    /// Batching.
    public struct Configuration: Sendable {
        /// Events per request.
        public var batchEvents: Int
        /// Requests per receiver per pass (so one backlog does not starve the others).
        public var batchesPerPass: Int
        /// The `host` of HEC events.
        public var hostname: String

        /// Creates a configuration.
        public init(batchEvents: Int = 500, batchesPerPass: Int = 20, hostname: String = "palisade") {
            self.batchEvents = max(1, batchEvents)
            self.batchesPerPass = max(1, batchesPerPass)
            self.hostname = hostname
        }
    }

    /// What one pass did.
    public struct Report: Hashable, Sendable {
        /// Events accepted, by receiver kind.
        public var exported: [ReceiverKind: Int] = [:]
        /// Events the SIEM already had (replays).
        public var replayed = 0
        /// Events the SIEM refused for good (skipped, with the reason in `failures`).
        public var rejected = 0
        /// Requests that failed and will be retried.
        public var failedRequests = 0
        /// Reasons worth a log line.
        public var failures: [String] = []
    }

    private struct Backoff {
        var failures = 0
        var until: Timestamp = .minimum
    }

    private let store: any Store
    private let poster: any HTTPPoster
    private let sealer: SecretSealer
    private let clock: any WallClock
    /// The configuration.
    public let configuration: Configuration
    private var backoff: [String: Backoff] = [:]
    private var configurations: [TenantID: (head: UInt64, alerting: TenantAlerting)] = [:]

    /// Creates an exporter.
    public init(store: any Store, poster: any HTTPPoster, sealer: SecretSealer, clock: any WallClock, configuration: Configuration = Configuration())
    {
        self.store = store
        self.poster = poster
        self.sealer = sealer
        self.clock = clock
        self.configuration = configuration
    }

    /// Sends every tenant's new events to its exporters (up to `batchesPerPass` batches each).
    public func runOnce() async throws -> Report {
        var report = Report()
        for tenant in try await store.tenants() {
            let head = try await store.logHead(of: tenant)?.size ?? 0
            // The tenant's receivers change only with its log: read them again when it grew.
            if configurations[tenant]?.head != head {
                configurations[tenant] = (head, try await TenantAlerting.load(of: tenant, from: store))
            }
            guard let alerting = configurations[tenant]?.alerting else { continue }
            for receiver in alerting.receivers.values.sorted(by: { $0.name < $1.name }) where receiver.kind.isExporter {
                try await export(tenant, receiver, head: head, &report)
            }
        }
        return report
    }

    /// The cursor name of a receiver.
    public static func cursorName(_ receiver: String) -> String { "export/\(receiver)" }

    private func export(_ tenant: TenantID, _ receiver: Receiver, head: UInt64, _ report: inout Report) async throws {
        let key = "\(tenant.rawValue)/\(receiver.name)"
        let now = clock.now()
        if let waiting = backoff[key], waiting.until > now { return }
        let secret: ReceiverSecret
        do {
            secret = try ReceiverSecret(
                json: try JSONParser().parse(try sealer.open(receiver.sealed, tenant: tenant.rawValue, receiver: receiver.name))
            )
        } catch {
            fail(key, "\(error)", &report)
            return
        }
        var position = try await store.consumerCursor(Self.cursorName(receiver.name), of: tenant)?.position ?? 0
        for _ in 0..<configuration.batchesPerPass where position < head {
            let range = position..<min(head, position + UInt64(configuration.batchEvents))
            let events = try await store.storedEvents(of: tenant, in: range)
            guard try await send(events, kind: receiver.kind, secret: secret, key: key, &report) else { return }
            position = range.upperBound
            try await store.saveConsumerCursor(ConsumerCursor(position: position), consumer: Self.cursorName(receiver.name), of: tenant)
            backoff[key] = nil
        }
    }

    /// Sends one batch; whether the cursor may move past it.
    private func send(_ events: [StoredEvent], kind: ReceiverKind, secret: ReceiverSecret, key: String, _ report: inout Report) async throws -> Bool {
        guard let token = secret.token else {
            fail(key, "the receiver has no token; store it again", &report)
            return false
        }
        let url: String
        let body: [UInt8]
        var headers = [("User-Agent", "Palisade-Export/1")]
        if kind == .splunk {
            url = secret.url
            body = SIEMFormats.hecBatch(events, host: configuration.hostname, index: secret.index)
            headers += [("Content-Type", "application/json"), ("Authorization", "Splunk \(token)")]
        } else {
            url = secret.url.hasSuffix("/") ? secret.url + "_bulk" : secret.url + "/_bulk"
            body = SIEMFormats.bulkBatch(events, index: secret.index ?? "palisade-events")
            headers += [("Content-Type", "application/x-ndjson"), ("Authorization", "ApiKey \(token)")]
        }
        switch await poster.send(url, headers: headers, body: body) {
        case .failure(let failure):
            fail(key, "\(failure)", &report)
            return false
        case .success(let answer) where !(200..<300).contains(answer.status):
            fail(key, "HTTP \(answer.status): \(String(decoding: answer.body.prefix(300), as: UTF8.self))", &report)
            return false
        case .success(let answer):
            guard kind == .elastic else {
                report.exported[kind, default: 0] += events.count
                return true
            }
            let outcome: SIEMFormats.BulkOutcome
            do {
                outcome = try SIEMFormats.bulkOutcome(answer.body)
            } catch {
                fail(key, "\(error)", &report)
                return false
            }
            // A document Elasticsearch may take later (429, 5xx) holds the batch back; one it
            // refuses for good (a mapping error) is skipped and reported, not retried forever.
            guard outcome.retry == 0 else {
                fail(key, "\(outcome.retry) documents were refused for now (429/5xx)", &report)
                return false
            }
            report.exported[kind, default: 0] += outcome.created
            report.replayed += outcome.present
            report.rejected += outcome.rejected
            if let reason = outcome.firstRejection { report.failures.append("\(key): \(outcome.rejected) events refused: \(reason.prefix(300))") }
            return true
        }
    }

    private func fail(_ key: String, _ reason: String, _ report: inout Report) {
        var state = backoff[key] ?? Backoff()
        state.failures += 1
        let seconds = min(300, 1 << min(state.failures - 1, 9))
        state.until = clock.now().adding(microseconds: Int64(seconds) * 1_000_000)
        backoff[key] = state
        report.failedRequests += 1
        report.failures.append("\(key): \(reason); retrying in \(seconds)s")
    }
}

import CoreMetrics
import Foundation
public import PalisadeAlerting
public import PalisadeDetection
public import Prometheus

/// The server's metrics, written through swift-metrics into a Prometheus registry that `/metrics`
/// renders. Each server owns its registry, so tests (and several servers in one process) do not
/// share counters.
public struct ServerMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: any MetricsFactory

    /// Metrics in a new registry.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        factory.valueHistogramBuckets["palisade_ingest_batch_events"] = [1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10000]
        self.factory = factory
    }

    /// One answered request: `route` is the route template, never the raw path, to bound label values.
    public func request(route: String, method: String, status: Int, duration: Duration) {
        let dimensions = [("route", route), ("method", method), ("status", String(status))]
        Counter(label: "palisade_http_requests_total", dimensions: dimensions, factory: factory).increment()
        Timer(label: "palisade_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory)
            .recordNanoseconds(Int64(duration / .nanoseconds(1)))
    }

    /// Events appended (new, not duplicates) for a tenant, and the request's batch size.
    public func appended(_ count: Int, batchSize: Int, tenant: String) {
        Counter(label: "palisade_events_appended_total", dimensions: [("tenant", tenant)], factory: factory).increment(by: count)
        Recorder(label: "palisade_ingest_batch_events", dimensions: [], aggregate: true, factory: factory).record(batchSize)
    }

    /// The size of a tenant's log after an append.
    public func logSize(_ size: UInt64, tenant: String) {
        Gauge(label: "palisade_log_size", dimensions: [("tenant", tenant)], factory: factory).record(Double(size))
    }

    /// One vault key operation and how it ended (`ok`, or the API error code such as `sealed`,
    /// `rate_limited`, `decryption_failed`, `forbidden`); labels name the key, never its material.
    public func vaultOperation(tenant: String, key: String, operation: String, outcome: String) {
        Counter(
            label: "palisade_vault_operations_total",
            dimensions: [("tenant", tenant), ("key", key), ("operation", operation), ("outcome", outcome)],
            factory: factory
        ).increment()
    }

    /// A request refused by the rate limiter.
    public func rateLimited(_ routeClass: String) {
        Counter(label: "palisade_rate_limited_total", dimensions: [("class", routeClass)], factory: factory).increment()
    }

    /// A failed authentication, by kind (`missing`, `api_token`, `jwt`, `unavailable`).
    public func authFailure(_ kind: String) {
        Counter(label: "palisade_auth_failures_total", dimensions: [("kind", kind)], factory: factory).increment()
    }

    /// An internal failure that was logged (audit append failed, JWKS reload failed…).
    public func internalFailure(_ what: String) {
        Counter(label: "palisade_internal_failures_total", dimensions: [("what", what)], factory: factory).increment()
    }

    /// One detection pass: events read, detections made, incidents opened/updated/reopened/escalated.
    public func detection(_ report: DetectionConsumer.Report) {
        Counter(label: "palisade_detection_events_total", dimensions: [], factory: factory).increment(by: report.events)
        Counter(label: "palisade_detections_total", dimensions: [], factory: factory).increment(by: report.detections)
        for (change, count) in [
            ("opened", report.opened), ("updated", report.updated), ("reopened", report.reopened), ("escalated", report.escalated),
        ]
        where count > 0 {
            Counter(label: "palisade_incident_changes_total", dimensions: [("change", change)], factory: factory).increment(by: count)
        }
    }

    /// One alerting consumer pass: notifications enqueued (and made again but already enqueued).
    public func alerting(_ report: AlertConsumer.Report) {
        Counter(label: "palisade_alert_notifications_enqueued_total", dimensions: [], factory: factory).increment(by: report.enqueued)
        if report.unrouted > 0 {
            Counter(label: "palisade_alert_notifications_unrouted_total", dimensions: [], factory: factory).increment(by: report.unrouted)
        }
    }

    /// One delivery pass: every attempt by receiver kind and outcome (`delivered`, `retry`,
    /// `dead`), notifications dead-lettered without an attempt, deferrals and breaker pauses.
    public func delivery(_ report: OutboxDeliverer.Report) {
        for (attempt, count) in report.attempts {
            Counter(
                label: "palisade_alert_delivery_attempts_total",
                dimensions: [("kind", attempt.kind.rawValue), ("outcome", attempt.outcome.rawValue)],
                factory: factory
            ).increment(by: count)
            if attempt.outcome == .dead {
                Counter(label: "palisade_alert_dead_letters_total", dimensions: [("reason", "failed")], factory: factory).increment(by: count)
            }
        }
        if report.undeliverable > 0 {
            Counter(label: "palisade_alert_dead_letters_total", dimensions: [("reason", "undeliverable")], factory: factory)
                .increment(by: report.undeliverable)
        }
        if report.deferred > 0 {
            Counter(label: "palisade_alert_deliveries_deferred_total", dimensions: [], factory: factory).increment(by: report.deferred)
        }
        if !report.paused.isEmpty {
            Counter(label: "palisade_alert_receiver_pauses_total", dimensions: [], factory: factory).increment(by: report.paused.count)
        }
    }

    /// One export pass: events accepted by kind, replays, refusals, failed requests.
    public func export(_ report: EventExporter.Report) {
        for (kind, count) in report.exported where count > 0 {
            Counter(label: "palisade_export_events_total", dimensions: [("kind", kind.rawValue)], factory: factory).increment(by: count)
        }
        if report.replayed > 0 {
            Counter(label: "palisade_export_events_replayed_total", dimensions: [], factory: factory).increment(by: report.replayed)
        }
        if report.rejected > 0 {
            Counter(label: "palisade_export_events_rejected_total", dimensions: [], factory: factory).increment(by: report.rejected)
        }
        if report.failedRequests > 0 {
            Counter(label: "palisade_export_failed_requests_total", dimensions: [], factory: factory).increment(by: report.failedRequests)
        }
    }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }
}

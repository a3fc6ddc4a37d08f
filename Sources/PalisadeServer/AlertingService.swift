public import Logging
public import PalisadeAlerting
public import PalisadeIngest
public import ServiceLifecycle

/// Runs alerting next to the server: after every commit (or `interval` at the latest, for group
/// timers and retries) the consumer turns new incident records into outbox notifications, then the
/// deliverer sends what is due — again at once while it keeps finding work — and the SIEM exporters
/// stream new events. A failed pass is
/// logged, counted and retried; it never stops the server, and nothing leaves the outbox until its
/// outcome is recorded. On graceful shutdown the consumer saves its cursors.
public struct AlertingService: Service {
    let consumer: AlertConsumer
    let deliverer: OutboxDeliverer
    let exporter: EventExporter?
    let commits: CommitSignal?
    let interval: Duration
    let coalesce: Duration
    let metrics: ServerMetrics
    let logger: Logger

    /// Creates the service: `interval` is the longest pause between passes, `coalesce` the shortest
    /// between the starts of two passes (commits in between wait for one pass).
    public init(
        consumer: AlertConsumer,
        deliverer: OutboxDeliverer,
        exporter: EventExporter?,
        commits: CommitSignal?,
        interval: Duration,
        coalesce: Duration,
        metrics: ServerMetrics,
        logger: Logger
    ) {
        self.consumer = consumer
        self.deliverer = deliverer
        self.exporter = exporter
        self.commits = commits
        self.interval = interval
        self.coalesce = coalesce
        self.metrics = metrics
        self.logger = logger
    }

    /// Passes until graceful shutdown.
    public func run() async throws {
        await runPaced(commits: commits, interval: interval, coalesce: coalesce) {
            await consume()
            while await deliver(), !Task.isShuttingDownGracefully {}
            await export()
        }
        do {
            try await consumer.checkpointAll()
        } catch {
            metrics.internalFailure("alerting_checkpoint")
            logger.error("palisade.alerting.checkpoint_failed", metadata: ["error": "\(error)"])
        }
    }

    private func consume() async {
        do {
            let report = try await consumer.runOnce()
            metrics.alerting(report)
            for warning in report.warnings { logger.warning("palisade.alerting.state", metadata: ["warning": "\(warning)"]) }
        } catch {
            metrics.internalFailure("alerting")
            logger.error("palisade.alerting.failed", metadata: ["error": "\(error)"])
        }
    }

    /// One pass of the SIEM exporters.
    private func export() async {
        guard let exporter else { return }
        do {
            let report = try await exporter.runOnce()
            metrics.export(report)
            for failure in report.failures { logger.warning("palisade.export.failed", metadata: ["failure": "\(failure)"]) }
        } catch {
            metrics.internalFailure("export")
            logger.error("palisade.export.pass_failed", metadata: ["error": "\(error)"])
        }
    }

    /// One delivery pass; whether it attempted anything (then another pass follows at once).
    private func deliver() async -> Bool {
        do {
            let report = try await deliverer.runOnce()
            metrics.delivery(report)
            for failure in report.failures { logger.warning("palisade.alerting.delivery_failed", metadata: ["failure": "\(failure)"]) }
            for receiver in report.paused { logger.error("palisade.alerting.receiver_paused", metadata: ["receiver": "\(receiver)"]) }
            return !report.attempts.isEmpty || report.undeliverable > 0
        } catch {
            metrics.internalFailure("delivery")
            logger.error("palisade.alerting.delivery_pass_failed", metadata: ["error": "\(error)"])
            return false
        }
    }
}

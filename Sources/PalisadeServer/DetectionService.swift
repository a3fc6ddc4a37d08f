public import Logging
public import PalisadeDetection
public import PalisadeIngest
public import ServiceLifecycle

/// Runs the detection consumer next to the server: a pass over every tenant's new events as soon
/// as a commit is signalled (or after `interval` at the latest, for SLA checks and appends by other
/// processes), until graceful shutdown, when the cursors are saved. A failed pass is logged, counted and
/// retried after the pause; it never stops the server, and the cursor stays where the last good
/// pass left it, so nothing is skipped.
public struct DetectionService: Service {
    let consumer: DetectionConsumer
    let commits: CommitSignal?
    let interval: Duration
    let coalesce: Duration
    let metrics: ServerMetrics
    let logger: Logger

    /// Creates the service: `interval` is the longest pause between passes, `coalesce` the shortest
    /// between the starts of two passes (commits in between wait for one pass).
    public init(consumer: DetectionConsumer, commits: CommitSignal?, interval: Duration, coalesce: Duration, metrics: ServerMetrics, logger: Logger) {
        self.consumer = consumer
        self.commits = commits
        self.interval = interval
        self.coalesce = coalesce
        self.metrics = metrics
        self.logger = logger
    }

    /// Passes until graceful shutdown.
    public func run() async throws {
        await runPaced(commits: commits, interval: interval, coalesce: coalesce) { await pass() }
        do {
            try await consumer.checkpointAll()
        } catch {
            metrics.internalFailure("detection_checkpoint")
            logger.error("palisade.detection.checkpoint_failed", metadata: ["error": "\(error)"])
        }
    }

    private func pass() async {
        do {
            let report = try await consumer.runOnce()
            metrics.detection(report)
            for warning in report.warnings { logger.warning("palisade.detection.state", metadata: ["warning": "\(warning)"]) }
            if report.opened + report.updated + report.reopened + report.escalated > 0 {
                logger.info(
                    "palisade.detection.incidents",
                    metadata: [
                        "opened": "\(report.opened)", "updated": "\(report.updated)", "reopened": "\(report.reopened)",
                        "escalated": "\(report.escalated)",
                    ]
                )
            }
        } catch {
            metrics.internalFailure("detection")
            logger.error("palisade.detection.failed", metadata: ["error": "\(error)"])
        }
    }
}

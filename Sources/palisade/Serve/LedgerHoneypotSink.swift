import Logging
import PalisadeCore
import PalisadeHoneypot
import PalisadeIngest
import PalisadeServer

/// The in-process honeypot's events straight into a tenant's ledger, through the same validation
/// and group commit as the ingest API. An event that does not validate (which would be a bug in the
/// honeypot) is logged and counted, and the others are still appended.
struct LedgerHoneypotSink: HoneypotSink {
    let pipeline: IngestPipeline
    let committer: GroupCommitter
    let tenant: TenantID
    let metrics: ServerMetrics
    let logger: Logger

    func record(_ events: [JSONValue]) async {
        var prepared = [PreparedEvent]()
        for event in events {
            do {
                prepared.append(try pipeline.prepare(event, tenant: tenant))
            } catch {
                metrics.internalFailure("honeypot_event")
                logger.error("palisade.honeypot.invalid_event", metadata: ["error": "\(error)"])
            }
        }
        guard !prepared.isEmpty else { return }
        do {
            _ = try await committer.append(prepared)
        } catch {
            metrics.internalFailure("honeypot_append")
            logger.error("palisade.honeypot.append_failed", metadata: ["error": "\(error)", "events": "\(prepared.count)"])
        }
    }
}

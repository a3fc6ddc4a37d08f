import Foundation
import Logging
import PalisadeCore
import PalisadeExport
import PalisadeIngest

/// `serve`'s scheduled `palisade retention sweep`: every interval, each tenant's log is archived
/// and its expired, unheld events pruned, through the server's own sequencer (so sweeps and
/// ingest never race for the log). A failed sweep is logged and retried at the next interval; it
/// never stops the server, and nothing is pruned without its archive.
struct RetentionSweeping: Sendable {
    let store: any LedgerStore
    let sweeper: RetentionSweeper
    let clock: any WallClock
    let interval: Duration
    let logger: Logger

    /// Sweeps once the interval has passed, then every interval, until cancelled.
    func run() async {
        await periodically(every: interval) { await sweepAll() }
    }

    /// Sweeps every tenant; a failure of one does not stop the others.
    func sweepAll() async {
        let tenants: [TenantID]
        do {
            tenants = try await store.tenants()
        } catch {
            logger.error("palisade.retention.failed", metadata: ["error": "\(error)"])
            return
        }
        for tenant in tenants {
            do {
                let report = try await sweeper.sweep(tenant: tenant, actor: "palisade-serve", now: clock.now())
                if report.pruned > 0 || report.held > 0 {
                    logger.info(
                        "palisade.retention.swept",
                        metadata: [
                            "tenant": "\(tenant)", "pruned": "\(report.pruned)", "held": "\(report.held)",
                            "records": "\(report.records.map(String.init).joined(separator: ","))",
                        ]
                    )
                }
            } catch {
                logger.error("palisade.retention.failed", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
            }
        }
    }
}

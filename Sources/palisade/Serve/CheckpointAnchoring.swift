import Foundation
import Logging
import PalisadeCore
import PalisadeExport

/// `serve`'s periodic `palisade anchor`: every interval, each log's latest checkpoint goes to the
/// configured sinks (the anchor directory, a witness, a TSA) and a receipt per sink is recorded in
/// the ledger; a head holding nothing new but the last receipts is left alone. A failure is logged
/// and counted and retried at the next interval; it never stops the server — but a witness refusing
/// is logged as an error naming the rollback or rewrite it saw.
struct CheckpointAnchoring: Sendable {
    let store: any LedgerStore
    let anchoring: Anchoring
    let interval: Duration
    let logger: Logger

    /// Anchors at once, then every interval until cancelled, then once more.
    func run() async {
        var failures = 0
        while !Task.isCancelled {
            failures += await anchorAll() ? 0 : 1
            do {
                try await Task.sleep(for: interval)
            } catch {
                break  // cancelled: the server is stopping
            }
        }
        // The last anchor runs outside this cancelled task, so the store's reads are not cancelled.
        let anchoring = self
        failures += await Task { await anchoring.anchorAll() }.value ? 0 : 1
        if failures > 0 { logger.warning("palisade.anchors.failures", metadata: ["count": "\(failures)"]) }
    }

    /// Anchors every tenant's head; returns whether all succeeded.
    private func anchorAll() async -> Bool {
        var succeeded = true
        let tenants: [TenantID]
        do {
            tenants = try await store.tenants()
        } catch {
            logger.error("palisade.anchors.failed", metadata: ["error": "\(error)"])
            return false
        }
        for tenant in tenants {
            do {
                for line in try await anchoring.anchor(tenant: tenant) {
                    logger.info("palisade.anchors.anchored", metadata: ["tenant": "\(tenant)", "result": "\(line)"])
                }
            } catch {
                logger.error("palisade.anchors.failed", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
                succeeded = false
            }
        }
        return succeeded
    }
}

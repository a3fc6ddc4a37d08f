import Foundation
import Logging
import PalisadeCore
import PalisadeExport

/// `serve`'s periodic `palisade anchor`: every interval, each log's latest checkpoint is copied to
/// the anchor directory (a no-op when it is already there). A failure is logged and counted and
/// retried at the next interval; it never stops the server.
struct CheckpointAnchoring: Sendable {
    let store: any LedgerStore
    let directory: URL
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
        do {
            for tenant in try await store.tenants() {
                guard let head = try await store.logHead(of: tenant) else { continue }
                let (path, isNew) = try CheckpointAnchors.anchor(head.checkpoint, tenant: tenant, in: directory)
                if isNew { logger.info("palisade.anchors.written", metadata: ["tenant": "\(tenant)", "size": "\(head.size)", "path": "\(path)"]) }
            }
            return true
        } catch {
            logger.error("palisade.anchors.failed", metadata: ["directory": "\(directory.path)", "error": "\(error)"])
            return false
        }
    }
}

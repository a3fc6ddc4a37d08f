import Foundation
import Logging
import PalisadeCore
import PalisadeVault

/// `serve`'s key retention: every interval, for each tenant, the vault asks for the destruction of
/// key versions older than their key's `retention_days` (approval requests the quorum decides;
/// nothing is destroyed here). A sealed vault waits for the next round; a failure is logged and
/// retried then, and never stops the server.
struct KeyRetention: Sendable {
    let vault: Vault
    let store: any LedgerStore
    let interval: Duration
    let logger: Logger

    /// Runs once the interval has passed, then every interval, until cancelled.
    func run() async {
        await periodically(every: interval) { await requestAll() }
    }

    /// Asks for every tenant's due purges; a failure of one does not stop the others.
    func requestAll() async {
        let tenants: [TenantID]
        do {
            guard case .unsealed = try await vault.status() else {
                logger.info("palisade.vault.retention_waits", metadata: ["reason": "the vault is sealed or not initialised"])
                return
            }
            tenants = try await store.tenants()
        } catch {
            logger.error("palisade.vault.retention_failed", metadata: ["error": "\(error)"])
            return
        }
        for tenant in tenants {
            do {
                let made = try await vault.requestRetentionPurges(tenant: tenant)
                if !made.isEmpty {
                    logger.info(
                        "palisade.vault.retention_requested",
                        metadata: ["tenant": "\(tenant)", "keys": "\(made.map(\.target).joined(separator: ","))"]
                    )
                }
            } catch {
                logger.error("palisade.vault.retention_failed", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
            }
        }
    }
}

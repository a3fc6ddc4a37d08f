import Foundation
public import PalisadeCore

extension Vault {
    /// Key retention (a policy's `retentionDays`): for each of the tenant's keys with versions
    /// older than its retention, asks for their destruction — a `key.purge_versions` request
    /// marked `retention`, which raises the decryption minimum past them when it is carried out —
    /// unless a purge of that key is already waiting. The quorum decides; nothing is destroyed here.
    ///
    /// - Returns: the requests made.
    /// - Throws: ``VaultError/sealed`` while sealed.
    @discardableResult
    public func requestRetentionPurges(tenant: TenantID, by actor: String = "palisade-retention") async throws -> [ApprovalRequest] {
        var waiting = Set<String>()
        for status in [ApprovalRequest.Status.pending, .approved] {
            var before: UUID?
            while true {
                let page = try await approvals(tenant: tenant, status: status, before: before, limit: 500)
                // A stored `pending` may have expired since; only a live request holds the key back.
                for request in page where request.operation == .keyPurgeVersions && request.status(at: clock.now()) == status {
                    waiting.insert(request.target)
                }
                guard page.count == 500, let last = page.last else { break }
                before = last.id
            }
        }
        let now = clock.now()
        var made = [ApprovalRequest]()
        var after: String?
        while true {
            let page = try await listKeys(tenant: tenant, after: after, limit: 500)
            for key in page where !waiting.contains(key.name) && key.state != .destroyed {
                guard let days = key.policy.retentionDays, let below = try await fresh(tenant, key.name).key.retentionCutoff(days: days, at: now)
                else {
                    continue
                }
                made.append(
                    try await requestApproval(
                        .keyPurgeVersions,
                        target: key.name,
                        parameters: ["below": String(below), "retention": "\(days) days"],
                        tenant: tenant,
                        by: actor
                    )
                )
            }
            guard page.count == 500, let last = page.last else { break }
            after = last.name
        }
        return made
    }
}

public import Foundation
public import PalisadeCore

/// Dual control: destroying a key, or its old versions, needs a quorum of approvers other than the
/// requester; an approved request waits out its grace period (the key meanwhile purge-scheduled,
/// when it is a destruction) and is then executed by anyone entitled to approve it. Every step is
/// a `palisade.vault` record.
extension Vault {
    /// The operations the vault itself carries out after approval.
    public static let approvableOperations: Set<ApprovalOperation> = [.keyDestroy, .keyPurgeVersions, .policyRelax, .keyExport]

    /// The operations on the ledger that need approval and are carried out by the command that
    /// writes it (`palisade redact|retention … --approval ID`) through ``executeExternally(_:tenant:operation:target:parameters:by:_:)``.
    public static let ledgerOperations: Set<ApprovalOperation> = [.legalHoldRelease, .redaction, .purgeOutsideRetention, .retentionChange]

    /// The command that carries out each ledger operation, for messages.
    public static func command(for operation: ApprovalOperation) -> String {
        switch operation {
        case .legalHoldRelease: "palisade retention hold release"
        case .redaction: "palisade redact"
        case .purgeOutsideRetention: "palisade retention purge"
        case .retentionChange: "palisade retention policy set|remove"
        default: "palisade approvals execute"
        }
    }

    /// Asks for an operation. A key operation's key must exist (and, to be destroyed, be revoked
    /// already; to purge versions, `parameters["below"]` names the first version kept); a ledger
    /// operation names its target (a hold, an event, an instant, event types) and its parameters,
    /// which the command carrying it out must repeat exactly.
    public func requestApproval(
        _ operation: ApprovalOperation,
        target: String,
        parameters: [String: String] = [:],
        tenant: TenantID,
        by actor: String
    ) async throws -> ApprovalRequest {
        if Self.ledgerOperations.contains(operation) {
            guard !target.isEmpty, target.utf8.count <= 256 else { throw ApprovalError.badRequest("target must be 1 to 256 bytes") }
            if operation != .retentionChange, (parameters["reason"] ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ApprovalError.badRequest("parameters.reason is required for \(operation.rawValue)")
            }
        } else {
            guard Self.approvableOperations.contains(operation) else {
                throw VaultError.keyState(key: target, .active, "\(operation.rawValue) cannot be requested yet")
            }
            let key = try await fresh(tenant, target).key
            switch operation {
            case .keyDestroy:
                guard key.state == .revoked else { throw VaultError.keyState(key: target, key.state, "revoke it before asking to destroy it") }
            case .keyPurgeVersions:
                // A retention purge may reach past the decryption minimum (raised when it runs),
                // never the current version.
                let limit = parameters["retention"] == nil ? key.minDecryptionVersion : key.currentVersion
                guard let text = parameters["below"], let below = Int(text), below >= 2, below <= limit else {
                    throw VaultError.versionTooOld(key: target, version: Int(parameters["below"] ?? "") ?? 0, minimum: limit)
                }
            case .policyRelax:
                guard key.policy.isRelaxed(by: try Self.requestedPolicy(parameters)) else {
                    throw ApprovalError.badRequest("that policy allows nothing more than the current one; set it directly")
                }
            case .keyExport:
                guard key.policy.exportable else {
                    throw VaultError.keyState(
                        key: target,
                        key.state,
                        "its policy does not allow export; relax it first (policy.relax with exportable)"
                    )
                }
                _ = try KeyExport.recipient(parameters["recipient"] ?? "")
                _ = try key.material(of: try Self.exportVersion(parameters, key))
            default: break
            }
        }
        var generator = SystemRandomNumberGenerator()
        let now = clock.now()
        let request = ApprovalRequest(
            id: .version7(at: now, using: &generator),
            tenant: tenant,
            operation: operation,
            target: target,
            parameters: parameters,
            requester: actor,
            policy: approvalPolicies[operation] ?? Self.defaultApprovalPolicy,
            at: now
        )
        try await store.insertApproval(ApprovalDocument(request).stored(tenant: tenant))
        try await recordApproval(request, "approval.request", actor: actor)
        return request
    }

    /// The request with this id.
    public func approval(_ id: UUID, tenant: TenantID) async throws -> ApprovalRequest {
        try await storedApproval(id, tenant).request
    }

    /// A page of requests, newest first (`before`: the last id of the previous page).
    public func approvals(
        tenant: TenantID,
        status: ApprovalRequest.Status? = nil,
        before: UUID? = nil,
        limit: Int = 100
    ) async throws -> [ApprovalRequest] {
        try await store.approvals(of: tenant, status: status?.rawValue, before: before?.lowercasedString, limit: limit)
            .map { try ApprovalDocument(decoding: $0).request(tenant: tenant) }
    }

    /// Approves; at the quorum a destruction's key becomes purge-scheduled until the grace period ends.
    public func approve(_ id: UUID, tenant: TenantID, by approver: Approver, comment: String? = nil) async throws -> ApprovalRequest {
        try await decide(id, tenant, "approval.approve", actor: approver.id) { request, now throws(ApprovalError) in
            try request.approve(by: approver, comment: comment, at: now)
        }
    }

    /// Rejects (one refusal ends the request).
    public func reject(_ id: UUID, tenant: TenantID, by approver: Approver, reason: String) async throws -> ApprovalRequest {
        try await decide(id, tenant, "approval.reject", actor: approver.id) { request, now throws(ApprovalError) in
            try request.reject(by: approver, reason: reason, at: now)
        }
    }

    /// Cancels before execution; a destruction's key goes back to revoked.
    public func cancel(_ id: UUID, tenant: TenantID, by person: Approver, reason: String) async throws -> ApprovalRequest {
        try await decide(id, tenant, "approval.cancel", actor: person.id) { request, now throws(ApprovalError) in
            try request.cancel(by: person, reason: reason, at: now)
        }
    }

    /// Carries out an approved ledger operation once its grace period is over: checks that the
    /// request is for `operation` on `target` with exactly `parameters`, runs `body` (the
    /// operation itself, given the request to cite), then marks the request executed and records
    /// that. When `body` throws, the request stays approved.
    ///
    /// - Throws: ``ApprovalError/mismatch(_:)`` when the request is for something else,
    ///   ``ApprovalError`` when it is not approved or still in its grace period, or `body`'s error.
    public func executeExternally(
        _ id: UUID,
        tenant: TenantID,
        operation: ApprovalOperation,
        target: String,
        parameters: [String: String],
        by person: Approver,
        _ body: @Sendable (ApprovalRequest) async throws -> Void
    ) async throws -> ApprovalRequest {
        var (request, revision) = try await storedApproval(id, tenant)
        guard request.operation == operation, request.target == target, request.parameters == parameters else {
            let asked = ([request.target] + request.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
            throw ApprovalError.mismatch("request \(id.lowercasedString) is for \(request.operation.rawValue) \(asked)")
        }
        if person.id != request.requester, let group = request.policy.group, !person.groups.contains(group) {
            throw ApprovalError.notInGroup(person.id, group)
        }
        try request.markExecuted(by: person.id, at: clock.now())
        try await body(request)
        revision = try await store.updateApproval(ApprovalDocument(request).stored(tenant: tenant), expectedRevision: revision)
        try await recordApproval(request, "approval.execute", actor: person.id)
        return request
    }

    /// Carries out an approved request once its grace period is over: the key's material (or its
    /// old versions') is wiped, and the wipe is recorded.
    public func execute(_ id: UUID, tenant: TenantID, by person: Approver) async throws -> ApprovalRequest {
        var (request, revision) = try await storedApproval(id, tenant)
        if Self.ledgerOperations.contains(request.operation) {
            throw ApprovalError.carriedOutElsewhere(
                "\(request.operation.rawValue) is carried out by `\(Self.command(for: request.operation)) … --approval \(id.lowercasedString)`"
            )
        }
        if person.id != request.requester, let group = request.policy.group, !person.groups.contains(group) {
            throw ApprovalError.notInGroup(person.id, group)
        }
        try request.markExecuted(by: person.id, at: clock.now())
        switch request.operation {
        case .keyDestroy:
            _ = try await change(tenant, request.target, "key.destroy", actor: person.id, extra: ["approval": .string(id.lowercasedString)]) {
                key,
                now throws(VaultError) in
                try key.apply(.destroy, at: now)
            }
        case .keyPurgeVersions:
            let below = Int(request.parameters["below"] ?? "") ?? 0
            _ = try await change(
                tenant,
                request.target,
                "key.purge_versions",
                actor: person.id,
                extra: ["approval": .string(id.lowercasedString), "below": .number(Double(below))]
            ) { key, _ throws(VaultError) in
                if request.parameters["retention"] != nil, below > key.minDecryptionVersion {
                    try key.setMinimumVersions(decryption: below, encryption: max(below, key.minEncryptionVersion))
                }
                _ = try key.destroyVersions(below: below)
            }
        case .policyRelax:
            try await relaxPolicy(request, by: person.id)
        case .keyExport:
            request.result = ["jwe": try await export(request, by: person.id)]
        default: throw VaultError.keyState(key: request.target, .active, "\(request.operation.rawValue) is not carried out by the vault")
        }
        revision = try await store.updateApproval(ApprovalDocument(request).stored(tenant: tenant), expectedRevision: revision)
        try await recordApproval(request, "approval.execute", actor: person.id)
        return request
    }

    // MARK: - Helpers

    private func storedApproval(_ id: UUID, _ tenant: TenantID) async throws -> (request: ApprovalRequest, revision: Int) {
        guard let stored = try await store.approval(id: id, of: tenant) else { throw VaultError.noSuchApproval(id.lowercasedString) }
        return (try ApprovalDocument(decoding: stored).request(tenant: tenant), stored.revision)
    }

    /// Applies a decision, keeps the key's state in step (purge-scheduled while an approved
    /// destruction waits; revoked again when it is cancelled), stores and records it.
    private func decide(
        _ id: UUID,
        _ tenant: TenantID,
        _ action: String,
        actor: String,
        _ body: (inout ApprovalRequest, Timestamp) throws(ApprovalError) -> Void
    ) async throws -> ApprovalRequest {
        var (request, revision) = try await storedApproval(id, tenant)
        let before = request.status(at: clock.now())
        try body(&request, clock.now())
        if request.operation == .keyDestroy {
            if before == .pending, request.status == .approved, let executeAfter = request.executeAfter {
                let grace = max(0, (executeAfter.microseconds - clock.now().microseconds) / 1_000_000)
                _ = try await transition(request.target, .schedulePurge, tenant: tenant, purgeGraceSeconds: grace, by: actor)
            } else if before == .approved, request.status == .cancelled {
                _ = try await transition(request.target, .cancelPurge, tenant: tenant, by: actor)
            }
        }
        revision = try await store.updateApproval(ApprovalDocument(request).stored(tenant: tenant), expectedRevision: revision)
        try await recordApproval(request, action, actor: actor)
        return request
    }

    private func recordApproval(_ request: ApprovalRequest, _ action: String, actor: String) async throws {
        var metadata: [String: JSONValue] = [
            "approval": .string(request.id.lowercasedString), "operation": .string(request.operation.rawValue),
            "target": .string(request.target), "status": .string(request.status.rawValue),
            "approvals": .number(Double(request.approvals.count)), "quorum": .number(Double(request.policy.quorum)),
            "requester": .string(request.requester), "expires_at": .string(request.expiresAt.rfc3339),
        ]
        if let executeAfter = request.executeAfter { metadata["execute_after"] = .string(executeAfter.rfc3339) }
        if let comment = request.ending?.comment { metadata["reason"] = .string(comment) }
        try await record(request.tenant, action, actor: actor, resource: "vault/approval/\(request.id.lowercasedString)", metadata: metadata)
    }

    /// The version an export names (`parameters.version`, else the current one).
    static func exportVersion(_ parameters: [String: String], _ key: ManagedKey) throws(ApprovalError) -> Int {
        guard let text = parameters["version"] else { return key.currentVersion }
        guard let version = Int(text), version >= 1 else { throw .badRequest("parameters.version must be a version number") }
        return version
    }

    /// Wraps the approved version to the recipient and records the export (the recipient's key
    /// fingerprint, never the material).
    private func export(_ request: ApprovalRequest, by actor: String) async throws -> String {
        let key = try await fresh(request.tenant, request.target).key
        guard key.policy.exportable else {
            throw VaultError.keyState(key: key.name, key.state, "its policy no longer allows export")
        }
        let version = try Self.exportVersion(request.parameters, key)
        let recipient = try KeyExport.recipient(request.parameters["recipient"] ?? "")
        let jwe = try KeyExport.wrap(try key.material(of: version), kid: "\(key.name)/v\(version)", to: recipient)
        let fingerprint = KeyExport.fingerprint(recipient)
        try await recordKey(
            request.tenant,
            key.name,
            "key.export",
            actor: actor,
            version: version,
            extra: ["approval": .string(request.id.lowercasedString), "recipient_sha256": .string(fingerprint)]
        )
        return jwe
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import PalisadeCore
import PalisadeVault

/// `/v1/vault/approvals`: ask for a key's destruction or the purge of its old versions — or for a
/// destructive change to the ledger (a legal hold's release, a redaction, a purge outside the
/// retention policies, a retention policy change) — decide, cancel during the grace period, and
/// execute after it. Deciding and executing need the policy's
/// group (a vault role scope); the requester never decides their own request.
extension VaultController {
    func addApprovalRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("vault/approvals", use: requestApproval)
        group.get("vault/approvals", use: listApprovals)
        group.get("vault/approvals/:id", use: getApproval)
        group.post("vault/approvals/:id/approve", use: approve)
        group.post("vault/approvals/:id/reject", use: reject)
        group.post("vault/approvals/:id/cancel", use: cancel)
        group.post("vault/approvals/:id/execute", use: execute)
    }

    /// `POST /v1/vault/approvals` with `{"operation", "target", "parameters"?}`: `key.destroy` or
    /// `key.purge_versions` of a key (`{"below": "3"}`), carried out by the vault; or
    /// `legal_hold.release` (a hold id), `redaction` (an event id; `fields`), `retention.purge`
    /// (an RFC 3339 instant) or `retention.change` (event types; `keep_days` or `remove`), each
    /// with a `reason`, carried out by the command that writes the ledger once approved.
    @Sendable func requestApproval(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let requestable = Vault.approvableOperations.union(Vault.ledgerOperations)
        guard case .string(let name)? = body["operation"], let operation = ApprovalOperation(rawValue: name), requestable.contains(operation)
        else { throw APIError.badField("operation", "must be one of \(requestable.map(\.rawValue).sorted().joined(separator: ", "))") }
        let ledger = Vault.ledgerOperations.contains(operation)
        let needed: VaultAction =
            switch operation {
            case .keyDestroy: .keyDestroy
            case .keyPurgeVersions: .keyPurgeVersion
            case .keyExport: .cryptoWrap
            default: .policyConfigure
            }
        try require(needed, context)
        guard case .string(let target)? = body["target"], ledger || Vault.isValidKeyName(target) else {
            throw APIError.badField("target", ledger ? "is required" : "must name a key")
        }
        var parameters = [String: String]()
        if case .object(let members)? = body["parameters"] {
            for (key, value) in members {
                // A relaxation's policy may come as the object `POST …/policy` takes.
                if operation == .policyRelax, key == "policy", case .object = value {
                    parameters[key] = Vault.policyText(try Self.policy(value))
                    continue
                }
                guard case .string(let text) = value else { throw APIError.badField("parameters.\(key)", "must be a string") }
                parameters[key] = text
            }
        }
        let created = try await mapped {
            try await vault.requestApproval(operation, target: target, parameters: parameters, tenant: context.tenant, by: context.principal.actor)
        }
        return .json(Self.json(created, at: created.createdAt), status: .created)
    }

    /// `GET /v1/vault/approvals?status=&before=&limit=`: newest first; `next` is the `before` of
    /// the next page.
    @Sendable func listApprovals(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.keyDescribe, context)
        var status: ApprovalRequest.Status?
        if let text = try request.queryValue("status") {
            guard let parsed = ApprovalRequest.Status(rawValue: text) else {
                throw APIError.badField("status", "must be pending, approved, executed, rejected, cancelled or expired")
            }
            status = parsed
        }
        var before: UUID?
        if let text = try request.queryValue("before") {
            guard let id = UUID(text: text) else { throw APIError.badField("before", "must be a request id") }
            before = id
        }
        var limit = 50
        if let text = try request.queryValue("limit") {
            guard let value = Int(text), (1...500).contains(value) else { throw APIError.badField("limit", "must be a number from 1 to 500") }
            limit = value
        }
        let page = try await mapped { try await vault.approvals(tenant: context.tenant, status: status, before: before, limit: limit) }
        let now = await vault.now()
        return .json(
            .object([
                "approvals": .array(page.map { Self.json($0, at: now) }),
                "next": page.count == limit ? page.last.map { .string($0.id.lowercasedString) } ?? .null : .null,
            ])
        )
    }

    /// `GET /v1/vault/approvals/:id`.
    @Sendable func getApproval(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.keyDescribe, context)
        let id = try Self.approvalID(context)
        let found = try await mapped { try await vault.approval(id, tenant: context.tenant) }
        return .json(Self.json(found, at: await vault.now()))
    }

    /// `POST /v1/vault/approvals/:id/approve` with `{"comment"?}`.
    @Sendable func approve(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try Self.approvalID(context)
        let comment = try Self.optionalText("comment", try await request.jsonObject(upTo: maxBodyBytes))
        let decided = try await mapped { try await vault.approve(id, tenant: context.tenant, by: Self.approver(context), comment: comment) }
        return .json(Self.json(decided, at: await vault.now()))
    }

    /// `POST /v1/vault/approvals/:id/reject` with `{"reason"}`.
    @Sendable func reject(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try Self.approvalID(context)
        let reason = try Self.reason(try await request.jsonObject(upTo: maxBodyBytes))
        let decided = try await mapped { try await vault.reject(id, tenant: context.tenant, by: Self.approver(context), reason: reason) }
        return .json(Self.json(decided, at: await vault.now()))
    }

    /// `POST /v1/vault/approvals/:id/cancel` with `{"reason"}`.
    @Sendable func cancel(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try Self.approvalID(context)
        let reason = try Self.reason(try await request.jsonObject(upTo: maxBodyBytes))
        let decided = try await mapped { try await vault.cancel(id, tenant: context.tenant, by: Self.approver(context), reason: reason) }
        return .json(Self.json(decided, at: await vault.now()))
    }

    /// `POST /v1/vault/approvals/:id/execute`: after the grace period.
    @Sendable func execute(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try Self.approvalID(context)
        let done = try await mapped { try await vault.execute(id, tenant: context.tenant, by: Self.approver(context)) }
        return .json(Self.json(done, at: await vault.now()))
    }

    static func approvalID(_ context: TenantRequestContext) throws(APIError) -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(text: text) else { throw APIError.notFound("no such approval request") }
        return id
    }

    static func reason(_ body: [String: JSONValue]) throws(APIError) -> String {
        guard let reason = try optionalText("reason", body), !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.badField("reason", "is required")
        }
        return reason
    }
}

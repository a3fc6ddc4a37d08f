import Foundation
import HTTPTypes
import Hummingbird
import PalisadeCore
import PalisadeVault

extension VaultController {
    /// The caller's vault actions: the `vault:*` role scopes, and `admin` as the administrator.
    static func actions(_ context: TenantRequestContext) -> Set<VaultAction> {
        var actions = VaultRole.actions(forScopes: context.principal.scopes.map(\.rawValue))
        if context.principal.scopes.contains(.admin) { actions.formUnion(VaultRole.administrator.actions) }
        return actions
    }

    func require(_ action: VaultAction, _ context: TenantRequestContext) throws(APIError) {
        guard Self.actions(context).contains(action) else {
            throw APIError.forbidden("this credential may not \(action.rawValue); a vault role scope (vault:operator, vault:service, …) grants it")
        }
    }

    /// The seal is the installation's: only the operator tenant's administrators touch it.
    func requireOperator(_ context: TenantRequestContext) throws(APIError) {
        guard context.tenant == operatorTenant, Self.actions(context).contains(.policyConfigure) else {
            throw APIError.forbidden("only the operator tenant's administrators initialise, unseal and seal the vault")
        }
    }

    /// Runs a vault call, answering its refusals as HTTP errors.
    @discardableResult
    func mapped<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as VaultError {
            throw Self.apiError(error)
        } catch let error as ShamirError {
            throw APIError.badField("shares", error.description)
        } catch let error as ApprovalError {
            switch error {
            case .notInGroup, .selfApproval: throw APIError.forbidden(error.description)
            case .alreadyApproved, .notOpen, .inGracePeriod: throw APIError(.conflict, code: "approval_state", error.description)
            case .badRequest: throw APIError(.badRequest, code: "invalid_request", error.description)
            case .mismatch, .carriedOutElsewhere: throw APIError(.conflict, code: "carried_out_elsewhere", error.description)
            }
        }
    }

    /// Runs a key operation and counts how it ended, per tenant, key and operation.
    func counted<T: Sendable>(_ operation: String, key: String, _ context: TenantRequestContext, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await mapped(body)
            metrics.vaultOperation(tenant: context.tenant.rawValue, key: key, operation: operation, outcome: "ok")
            return result
        } catch let error as APIError {
            metrics.vaultOperation(tenant: context.tenant.rawValue, key: key, operation: operation, outcome: error.code)
            throw error
        }
    }

    static func apiError(_ error: VaultError) -> APIError {
        switch error {
        case .sealed:
            var answer = APIError(.serviceUnavailable, code: "sealed", error.description)
            answer.headers[.retryAfter] = "30"
            return answer
        case .notInitialized: return APIError(.serviceUnavailable, code: "not_initialized", error.description)
        case .noSuchKey, .noSuchApproval: return APIError.notFound(error.description)
        case .keyExists, .alreadyInitialized: return APIError(.conflict, code: "conflict", error.description)
        case .keyState: return APIError(.conflict, code: "key_state", error.description)
        case .operationNotAllowed: return APIError.forbidden(error.description)
        case .badKeyName: return APIError(.badRequest, code: "invalid_request", error.description, field: "name")
        case .malformedValue: return APIError(.badRequest, code: "invalid_request", error.description)
        case .decryptionFailed: return APIError(.badRequest, code: "decryption_failed", error.description)
        case .wrongShares, .unsealFailed, .kdf: return APIError(.badRequest, code: "unseal_failed", error.description)
        case .noSuchVersion, .versionTooOld, .unsupportedOperation, .badKeyLength, .badKeyMaterial:
            return APIError(.badRequest, code: "invalid_request", error.description)
        case .rateLimited(let seconds):
            var answer = APIError(.tooManyRequests, code: "rate_limited", error.description)
            answer.headers[.retryAfter] = String(seconds)
            return answer
        case .corrupt: return APIError(.internalServerError, code: "corrupt", error.description)
        case .approvalRequired: return APIError(.conflict, code: "approval_required", error.description)
        }
    }

    // MARK: - JSON

    /// The caller as an approver: its actor name, and its vault role scopes as groups (`admin`
    /// counting as `vault:administrator`).
    static func approver(_ context: TenantRequestContext) -> Approver {
        var groups = Set(context.principal.scopes.map(\.rawValue))
        if context.principal.scopes.contains(.admin) { groups.insert(Scope.vaultAdministrator.rawValue) }
        return Approver(id: context.principal.actor, groups: groups)
    }

    static func json(_ request: ApprovalRequest, at now: Timestamp) -> JSONValue {
        let decision = { (decision: ApprovalRequest.Decision) -> JSONValue in
            .object(["by": .string(decision.approver), "at": .string(decision.at.rfc3339), "comment": decision.comment.map { .string($0) } ?? .null])
        }
        return .object([
            "id": .string(request.id.lowercasedString), "operation": .string(request.operation.rawValue), "target": .string(request.target),
            "parameters": .object(request.parameters.mapValues { .string($0) }), "requester": .string(request.requester),
            "created_at": .string(request.createdAt.rfc3339), "expires_at": .string(request.expiresAt.rfc3339),
            "status": .string(request.status(at: now).rawValue), "quorum": .number(Double(request.policy.quorum)),
            "group": request.policy.group.map { .string($0) } ?? .null, "approvals": .array(request.approvals.map(decision)),
            "ended_by": request.ending.map(decision) ?? .null, "execute_after": request.executeAfter.map { .string($0.rfc3339) } ?? .null,
            "result": request.result.isEmpty ? .null : .object(request.result.mapValues { .string($0) }),
        ])
    }

    static func json(_ status: Vault.Status) -> JSONValue {
        switch status {
        case .uninitialized: return .object(["status": .string("uninitialized")])
        case .unsealed: return .object(["status": .string("unsealed")])
        case .sealed(let threshold, let shares, let progress, let passphrase):
            return .object([
                "status": .string("sealed"), "threshold": .number(Double(threshold)), "shares": .number(Double(shares)),
                "progress": .number(Double(progress)), "passphrase": .bool(passphrase),
            ])
        }
    }

    /// A new ciphertext, signature or MAC: `{"<field>": "palisade:vN:…", "key_version": N}`.
    static func versioned(_ field: String, _ value: VersionedValue) -> Response {
        .json(.object([field: .string(value.description), "key_version": .number(Double(value.version))]))
    }

    static func json(_ key: KeyDescription) -> JSONValue {
        var policy: [String: JSONValue] = [
            "actors": .array(key.policy.actors.sorted().map { .string($0) }),
            "tags": .array(key.policy.tags.sorted().map { .string($0) }),
            "exportable": .bool(key.policy.exportable),
        ]
        policy["operations"] = key.policy.operations.map { .array($0.map(\.rawValue).sorted().map { .string($0) }) } ?? .null
        policy["retention_days"] = key.policy.retentionDays.map { .number(Double($0)) } ?? .null
        return .object([
            "name": .string(key.name), "type": .string(key.type.rawValue), "state": .string(key.state.rawValue),
            "created_at": .string(key.createdAt.rfc3339), "current_version": .number(Double(key.currentVersion)),
            "latest_version": .number(Double(key.latestVersion)), "min_decryption_version": .number(Double(key.minDecryptionVersion)),
            "min_encryption_version": .number(Double(key.minEncryptionVersion)),
            "purge_after": key.purgeAfter.map { .string($0.rfc3339) } ?? .null,
            "versions": .array(
                key.versions.map {
                    .object(["version": .number(Double($0.number)), "created_at": .string($0.createdAt.rfc3339), "destroyed": .bool($0.destroyed)])
                }
            ),
            "policy": .object(policy),
        ])
    }

    // MARK: - Fields

    static func name(_ context: TenantRequestContext) throws(APIError) -> String {
        guard let name = context.parameters.get("name"), Vault.isValidKeyName(name) else { throw APIError.notFound("no such key") }
        return name
    }

    static func integer(_ field: String, _ body: [String: JSONValue], default fallback: Int?, in range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let value = body[field] else {
            guard let fallback else { throw APIError.badField(field, "is required") }
            return fallback
        }
        guard case .number(let number) = value, number.rounded() == number, let integer = Int(exactly: number), range.contains(integer) else {
            throw APIError.badField(field, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    static func optionalText(_ field: String, _ body: [String: JSONValue]) throws(APIError) -> String? {
        switch body[field] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw APIError.badField(field, "must be a string")
        }
    }

    static func optionalBase64(_ field: String, _ body: [String: JSONValue]) throws(APIError) -> [UInt8]? {
        guard let text = try optionalText(field, body) else { return nil }
        guard let data = Data(base64Encoded: text) else { throw APIError.badField(field, "must be base64") }
        return Array(data)
    }

    static func base64(_ field: String, _ body: [String: JSONValue]) throws(APIError) -> [UInt8] {
        guard let bytes = try optionalBase64(field, body) else { throw APIError.badField(field, "is required (base64)") }
        return bytes
    }

    static func value(_ field: String, _ body: [String: JSONValue]) throws(APIError) -> VersionedValue {
        guard let text = try optionalText(field, body) else { throw APIError.badField(field, "is required (palisade:vN:…)") }
        do {
            return try VersionedValue(text: text)
        } catch {
            throw APIError.badField(field, error.description)
        }
    }

    static func format(_ body: [String: JSONValue]) throws(APIError) -> SignatureFormat {
        guard let text = try optionalText("format", body) else { return .standard }
        guard let format = SignatureFormat(rawValue: text) else { throw APIError.badField("format", "must be standard, raw or pkcs1v15") }
        return format
    }

    static func policy(_ value: JSONValue?) throws(APIError) -> KeyPolicy {
        guard let value, value != .null else { return KeyPolicy() }
        guard case .object(let members) = value else { throw APIError.badField("policy", "must be an object") }
        func strings(_ field: String) throws(APIError) -> Set<String>? {
            guard let list = members[field] else { return nil }
            guard case .array(let items) = list else { throw APIError.badField("policy.\(field)", "must be a list of strings") }
            var result = Set<String>()
            for item in items {
                guard case .string(let text) = item else { throw APIError.badField("policy.\(field)", "must be a list of strings") }
                result.insert(text)
            }
            return result
        }
        var policy = KeyPolicy()
        if let names = try strings("operations") {
            var operations = Set<KeyOperation>()
            for name in names {
                guard let operation = KeyOperation(rawValue: name) else {
                    throw APIError.badField(
                        "policy.operations",
                        "\(name) is not one of \(KeyOperation.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                operations.insert(operation)
            }
            policy.operations = operations
        }
        policy.actors = try strings("actors") ?? []
        policy.tags = try strings("tags") ?? []
        if members["retention_days"] != nil, members["retention_days"] != .null {
            policy.retentionDays = try integer("retention_days", members, default: nil, in: 1...36_500)
        }
        switch members["exportable"] {
        case nil, .null?, .bool(false)?: break
        case .bool(true)?: policy.exportable = true
        default: throw APIError.badField("policy.exportable", "must be true or false")
        }
        return policy
    }
}

import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
public import PalisadeCore

/// `/v1/admin`: tenants (operator only) and API tokens. Every change is appended to the ledger.
///
/// An admin of the operator tenant manages every tenant and every tenant's tokens (naming it with
/// `tenant`); an admin of another tenant manages only that tenant's tokens, and other tenants do
/// not exist for it (404).
public struct AdminController: Sendable {
    let access: any AccessStore
    let codec: APITokenCodec
    let audit: AuditTrail
    let clock: any WallClock
    let operatorTenant: TenantID
    let maxBodyBytes: Int

    /// Creates the controller.
    public init(access: any AccessStore, codec: APITokenCodec, audit: AuditTrail, clock: any WallClock, operatorTenant: TenantID, maxBodyBytes: Int) {
        self.access = access
        self.codec = codec
        self.audit = audit
        self.clock = clock
        self.operatorTenant = operatorTenant
        self.maxBodyBytes = maxBodyBytes
    }

    /// Adds the routes to the `/v1` group.
    public func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("admin/tenants", use: listTenants)
        group.post("admin/tenants", use: createTenant)
        group.post("admin/tenants/:name/disable", use: disableTenant)
        group.post("admin/tenants/:name/enable", use: enableTenant)
        group.get("admin/tokens", use: listTokens)
        group.post("admin/tokens", use: createToken)
        group.delete("admin/tokens/:id", use: revokeToken)
    }

    @Sendable func listTenants(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try requireOperator(context)
        return .json(.object(["tenants": .array(try await access.tenantRecords().map(Self.json))]))
    }

    @Sendable func createTenant(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try requireOperator(context)
        let body = try await object(request)
        guard case .string(let name) = body["name"], let tenant = TenantID(name) else {
            throw APIError.badField("name", "must be a tenant id: lowercase letters, digits, '-' and '_', 1 to 64 characters")
        }
        let record = TenantRecord(id: tenant, createdAt: clock.now())
        do {
            try await access.createTenant(record)
        } catch let error as StoreError where error.code == .conflict {
            throw APIError(.conflict, code: "conflict", "tenant \(tenant) already exists", field: "name")
        }
        try await recordAction("tenant.create", resource: "tenant:\(tenant)", context: context)
        return .json(Self.json(record), status: .created)
    }

    @Sendable func disableTenant(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try await setTenant(disabled: true, context: context)
    }

    @Sendable func enableTenant(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try await setTenant(disabled: false, context: context)
    }

    private func setTenant(disabled: Bool, context: TenantRequestContext) async throws -> Response {
        try requireOperator(context)
        guard let name = context.parameters.get("name"), let tenant = TenantID(name) else { throw APIError.notFound("no such tenant") }
        guard tenant != operatorTenant else {
            throw APIError(.conflict, code: "conflict", "the operator tenant cannot be disabled: it holds the admin tokens", field: "name")
        }
        guard let record = try await access.setTenantDisabled(tenant, at: disabled ? clock.now() : nil) else {
            throw APIError.notFound("no tenant \(tenant)")
        }
        try await recordAction(disabled ? "tenant.disable" : "tenant.enable", resource: "tenant:\(tenant)", context: context)
        return .json(Self.json(record))
    }

    @Sendable func listTokens(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let tenant = try await targetTenant(try request.queryValue("tenant"), context: context)
        let now = clock.now()
        return .json(.object(["tokens": .array(try await access.tokens(of: tenant).map { .object(Self.members($0, now: now)) })]))
    }

    @Sendable func createToken(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let body = try await object(request)
        var tenantName: String?
        if let value = body["tenant"] {
            guard case .string(let text) = value else { throw APIError.badField("tenant", "must be a string") }
            tenantName = text
        }
        let tenant = try await targetTenant(tenantName, context: context)
        guard case .string(let name) = body["name"], !name.isEmpty, name.utf8.count <= 128 else {
            throw APIError.badField("name", "must be a label of 1 to 128 bytes")
        }
        guard case .array(let scopeValues) = body["scopes"], !scopeValues.isEmpty else {
            throw APIError.badField("scopes", "must be a non-empty array of ingest, read, admin")
        }
        var scopes: Set<Scope> = []
        for value in scopeValues {
            guard case .string(let text) = value, let scope = Scope(rawValue: text) else {
                throw APIError.badField("scopes", "must hold only ingest, read or admin")
            }
            scopes.insert(scope)
        }
        var expiresAt: Timestamp?
        if let value = body["expires_at"], value != .null {
            guard case .string(let text) = value, let time = Timestamp(rfc3339: text) else {
                throw APIError.badField("expires_at", "must be an RFC 3339 time")
            }
            guard time > clock.now() else { throw APIError.badField("expires_at", "must be in the future") }
            expiresAt = time
        }
        var networks: [IPNetwork] = []
        if let value = body["allowed_cidrs"], value != .null {
            guard case .array(let items) = value, items.count <= 64 else {
                throw APIError.badField("allowed_cidrs", "must be an array of at most 64 CIDRs")
            }
            for item in items {
                guard case .string(let text) = item, let network = IPNetwork(text) else {
                    throw APIError.badField("allowed_cidrs", "must hold CIDRs such as 10.0.0.0/8 or 2001:db8::/32")
                }
                networks.append(network)
            }
        }
        let (token, record) = codec.mint(
            tenant: tenant,
            name: name,
            scopes: scopes,
            createdAt: clock.now(),
            expiresAt: expiresAt,
            allowedNetworks: networks
        )
        try await access.createToken(record)
        try await recordAction("token.create", resource: "token:\(record.id)", context: context, target: tenant)
        var json = Self.members(record, now: clock.now())
        json["token"] = .string(token)
        return .json(.object(json), status: .created)
    }

    @Sendable func revokeToken(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let tenant = try await targetTenant(try request.queryValue("tenant"), context: context)
        guard let id = context.parameters.get("id"),
            let record = try await access.revokeToken(id: id, of: tenant, at: clock.now())
        else { throw APIError.notFound("no such token") }
        try await recordAction("token.revoke", resource: "token:\(record.id)", context: context, target: tenant)
        return .json(.object(Self.members(record, now: clock.now())))
    }

    // MARK: Helpers

    private func requireOperator(_ context: TenantRequestContext) throws(APIError) {
        try context.require(.admin)
        guard context.tenant == operatorTenant else { throw APIError.notFound("no route matches this path") }
    }

    /// The tenant an admin acts on: its own, or (operator only) the one named.
    private func targetTenant(_ name: String?, context: TenantRequestContext) async throws -> TenantID {
        try context.require(.admin)
        guard let name, name != context.tenant.rawValue else { return context.tenant }
        guard context.tenant == operatorTenant else { throw APIError.notFound("no tenant \(name)") }
        guard let tenant = TenantID(name), try await access.tenantRecord(tenant) != nil else { throw APIError.notFound("no tenant \(name)") }
        return tenant
    }

    private func object(_ request: Request) async throws -> [String: JSONValue] {
        try await request.jsonObject(upTo: maxBodyBytes)
    }

    private func recordAction(_ action: String, resource: String, context: TenantRequestContext, target: TenantID? = nil) async throws {
        var metadata: [String: JSONValue] = [:]
        if let target, target != context.tenant { metadata["target_tenant"] = .string(target.rawValue) }
        let recorded = await audit.record(
            AuditTrail.Entry(
                tenant: context.tenant,
                type: .configuration,
                action: action,
                actor: context.principal.actor,
                resource: resource,
                success: true,
                severity: .medium,
                sourceIP: context.remoteAddress,
                requestID: context.id,
                metadata: metadata
            )
        )
        guard recorded else {
            throw APIError(
                .internalServerError,
                code: "audit_failed",
                "the change was made but its audit event could not be appended; quote request id \(context.id)"
            )
        }
    }

    static func json(_ record: TenantRecord) -> JSONValue {
        .object([
            "name": .string(record.id.rawValue), "created_at": .string(record.createdAt.rfc3339),
            "disabled_at": record.disabledAt.map { .string($0.rfc3339) } ?? .null, "enabled": .bool(record.isEnabled),
        ])
    }

    /// A token as the API shows it (never its secret or hash).
    static func members(_ record: APITokenRecord, now: Timestamp) -> [String: JSONValue] {
        [
            "id": .string(record.id), "prefix": .string(APITokenCodec.prefix + record.id), "tenant": .string(record.tenant.rawValue),
            "name": .string(record.name), "scopes": .array(record.scopes.sorted().map { .string($0.rawValue) }),
            "created_at": .string(record.createdAt.rfc3339), "expires_at": record.expiresAt.map { .string($0.rfc3339) } ?? .null,
            "allowed_cidrs": .array(record.allowedNetworks.map { .string($0.description) }),
            "revoked_at": record.revokedAt.map { .string($0.rfc3339) } ?? .null,
            "active": .bool(record.isActive(at: now)),
        ]
    }
}

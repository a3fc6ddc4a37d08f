import Foundation
import HTTPTypes
public import Hummingbird
import Logging
public import PalisadeCore

/// Finds the principal of every request that needs one (all but the public routes), applies the
/// per-actor rate limits, and records every authentication failure in the ledger.
///
/// Credentials are checked against the store on every request, so a revocation or a disabled
/// tenant takes effect on the next request; if the store or the key set cannot be consulted the
/// request is refused with 503 (fail closed).
public struct AuthenticationMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = PalisadeRequestContext

    let access: any AccessStore
    let codec: APITokenCodec
    let jwt: JWTVerifier?
    let limiter: RateLimiter
    let audit: AuditTrail
    let metrics: ServerMetrics
    let clock: any WallClock
    let operatorTenant: TenantID
    let publicPaths: Set<String>

    /// Creates the middleware.
    public init(
        access: any AccessStore,
        codec: APITokenCodec,
        jwt: JWTVerifier?,
        limiter: RateLimiter,
        audit: AuditTrail,
        metrics: ServerMetrics,
        clock: any WallClock,
        operatorTenant: TenantID,
        publicPaths: Set<String>
    ) {
        self.access = access
        self.codec = codec
        self.jwt = jwt
        self.limiter = limiter
        self.audit = audit
        self.metrics = metrics
        self.clock = clock
        self.operatorTenant = operatorTenant
        self.publicPaths = publicPaths
    }

    /// Authenticates, rate-limits, then runs the request.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if publicPaths.contains(request.uri.path) { return try await next(request, context) }
        var context = context
        do {
            context.principal = try await authenticate(request, context: context)
        } catch let error as APIError where error.status == .unauthorized {
            try await recordFailure(error, request: request, context: context)
            throw error
        } catch let error as APIError where error.status == .serviceUnavailable {
            metrics.authFailure("unavailable")
            throw error
        }
        if let principal = context.principal {
            let routeClass = Self.routeClass(of: request)
            if let wait = limiter.take(actor: principal.actor, routeClass) {
                metrics.rateLimited(routeClass.rawValue)
                var error = APIError(.tooManyRequests, code: "rate_limited", "too many \(routeClass.rawValue) requests; retry in \(wait) s")
                error.headers[.retryAfter] = String(wait)
                throw error
            }
        }
        return try await next(request, context)
    }

    /// The rate-limit class of a request.
    static func routeClass(of request: Request) -> RateLimiter.RouteClass {
        let path = request.uri.path
        if path.hasPrefix("/v1/admin") { return .admin }
        if request.method == .post && path.hasPrefix("/v1/events") { return .ingest }
        return .read
    }

    private func authenticate(_ request: Request, context: Context) async throws -> Principal {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("this route needs an Authorization: Bearer header")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be Bearer <token>")
        }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        let principal: Principal
        if token.hasPrefix(APITokenCodec.prefix) {
            principal = try await apiTokenPrincipal(token, from: context.remoteAddress)
        } else if let jwt {
            principal = try await jwt.principal(for: token)
        } else {
            throw APIError.unauthorized("the bearer token is not a Palisade API token and no JWT issuer is configured")
        }
        let tenant: TenantRecord?
        do {
            tenant = try await access.tenantRecord(principal.tenant)
        } catch {
            throw APIError.unavailable("the tenant registry cannot be consulted; try again")
        }
        guard let tenant else { throw APIError.unauthorized("the credential's tenant \(principal.tenant) is not registered") }
        guard tenant.isEnabled else { throw APIError.unauthorized("the credential's tenant \(principal.tenant) is disabled") }
        return principal
    }

    private func apiTokenPrincipal(_ token: String, from address: IPAddress?) async throws -> Principal {
        guard let id = APITokenCodec.id(of: token) else { throw APIError.unauthorized("the API token is malformed") }
        let record: APITokenRecord?
        do {
            record = try await access.token(id: id)
        } catch {
            throw APIError.unavailable("the token registry cannot be consulted; try again")
        }
        // Unknown id and wrong secret read the same, so ids cannot be probed.
        guard let record, codec.matches(token, record) else { throw APIError.unauthorized("the API token is not valid") }
        if let refusal = record.refusal(at: clock.now(), from: address) { throw APIError.unauthorized(refusal) }
        return Principal(tenant: record.tenant, scopes: record.scopes, credential: .apiToken(id: record.id))
    }

    /// Counts the failure and appends it to the operator tenant's log, unless the client address
    /// is over its failure budget (then it is counted and summarized in the next event written).
    private func recordFailure(_ error: APIError, request: Request, context: Context) async throws {
        let header = request.headers[.authorization] ?? ""
        let kind = header.isEmpty ? "missing" : header.contains(APITokenCodec.prefix) ? "api_token" : "jwt"
        metrics.authFailure(kind)
        let address = context.remoteAddress?.text ?? "unknown"
        if let wait = limiter.take(actor: address, .authFailure) {
            limiter.noteSuppressedFailure(from: address)
            metrics.rateLimited(RateLimiter.RouteClass.authFailure.rawValue)
            var limited = APIError(.tooManyRequests, code: "rate_limited", "too many failed authentications; retry in \(wait) s")
            limited.headers[.retryAfter] = String(wait)
            throw limited
        }
        let skipped = limiter.takeSuppressedFailures(from: address)
        var metadata: [String: JSONValue] = [
            "reason": .string(error.message), "path": .string(String(request.uri.path.prefix(256))), "kind": .string(kind),
        ]
        if skipped > 0 { metadata["suppressed_failures"] = .number(Double(skipped)) }
        let tokenID = header.split(separator: " ").last.flatMap { APITokenCodec.id(of: String($0)) }
        await audit.record(
            AuditTrail.Entry(
                tenant: operatorTenant,
                type: .authentication,
                action: "auth.failure",
                actor: tokenID.map { "token:\($0)" } ?? "ip:\(address)",
                resource: request.uri.path,
                success: false,
                severity: .medium,
                sourceIP: context.remoteAddress,
                requestID: context.id,
                metadata: metadata
            )
        )
    }
}

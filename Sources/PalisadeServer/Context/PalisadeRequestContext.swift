public import Hummingbird
import Logging
import NIOCore
public import PalisadeCore

/// The context of every request: the client's address and, once authenticated, its principal.
public struct PalisadeRequestContext: RequestContext {
    /// Hummingbird's storage (logger with request id, parameters).
    public var coreContext: CoreRequestContextStorage
    /// The client's address, when the connection has one.
    public var remoteAddress: IPAddress?
    /// Who is calling, set by ``AuthenticationMiddleware``.
    public var principal: Principal?
    /// When the request began (for latency metrics).
    public let startedAt: ContinuousClock.Instant

    /// Creates the context of a new request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }?.unmappingIPv4
        self.startedAt = .now
    }

    /// Bodies are collected explicitly, each with its own limit.
    public var maxUploadSize: Int { 64 * 1024 }
}

/// The context of routes that need a credential: the tenant and scopes are known and non-optional.
public struct TenantRequestContext: ChildRequestContext {
    /// Hummingbird's storage.
    public var coreContext: CoreRequestContextStorage
    /// Who is calling.
    public let principal: Principal
    /// The client's address.
    public let remoteAddress: IPAddress?

    /// Takes the principal the authentication middleware found; without one the request is refused.
    public init(context: PalisadeRequestContext) throws {
        guard let principal = context.principal else { throw APIError.unauthorized("this route needs a bearer token") }
        self.coreContext = context.coreContext
        self.principal = principal
        self.remoteAddress = context.remoteAddress
    }

    /// The caller's tenant: every query and proof is scoped to it.
    public var tenant: TenantID { principal.tenant }

    /// Refuses the request unless the credential has `scope`.
    public func require(_ scope: Scope) throws(APIError) {
        guard principal.scopes.contains(scope) else {
            throw APIError.forbidden("this credential lacks the \(scope.rawValue) scope")
        }
    }

    /// Bodies are collected explicitly, each with its own limit.
    public var maxUploadSize: Int { 64 * 1024 }
}

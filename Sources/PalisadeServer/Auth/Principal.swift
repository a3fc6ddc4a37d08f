public import PalisadeCore

/// An authenticated caller: the tenant it acts for, what it may do, and how it is named in logs
/// and audit events.
public struct Principal: Sendable, Hashable {
    /// How the caller proved who it is.
    public enum Credential: Sendable, Hashable {
        /// An API token, by its public id.
        case apiToken(id: String)
        /// A JWT, by its `sub` and `iss`.
        case jwt(subject: String, issuer: String)
    }

    /// The tenant.
    public var tenant: TenantID
    /// The scopes granted.
    public var scopes: Set<Scope>
    /// The credential.
    public var credential: Credential

    /// Creates a principal.
    public init(tenant: TenantID, scopes: Set<Scope>, credential: Credential) {
        self.tenant = tenant
        self.scopes = scopes
        self.credential = credential
    }

    /// The actor name used in audit events and rate-limit keys: `token:<id>` or `jwt:<sub>`.
    public var actor: String {
        switch credential {
        case .apiToken(let id): "token:\(id)"
        case .jwt(let subject, _): "jwt:\(subject)"
        }
    }
}

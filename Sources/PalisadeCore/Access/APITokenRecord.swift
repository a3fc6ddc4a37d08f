/// An API token as stored: everything about it except the secret, of which only a keyed hash is kept.
///
/// Tokens read `pal_<id>_<secret>`; the id is public (it names the token in lists and logs) and
/// finds the record, whose hash the presented token must match in constant time.
public struct APITokenRecord: Hashable, Sendable {
    /// The public identifier (12 lowercase base32 characters).
    public var id: String
    /// The tenant the token acts for.
    public var tenant: TenantID
    /// A label chosen by whoever created it.
    public var name: String
    /// What it may do.
    public var scopes: Set<Scope>
    /// HMAC-SHA-256 of the whole token under the server's token key.
    public var secretHash: [UInt8]
    /// When it was created.
    public var createdAt: Timestamp
    /// When it stops working, if ever.
    public var expiresAt: Timestamp?
    /// The networks it may be used from; empty means anywhere.
    public var allowedNetworks: [IPNetwork]
    /// When it was revoked, if it was.
    public var revokedAt: Timestamp?

    /// Creates a record.
    public init(
        id: String,
        tenant: TenantID,
        name: String,
        scopes: Set<Scope>,
        secretHash: [UInt8],
        createdAt: Timestamp,
        expiresAt: Timestamp? = nil,
        allowedNetworks: [IPNetwork] = [],
        revokedAt: Timestamp? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.name = name
        self.scopes = scopes
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.allowedNetworks = allowedNetworks
        self.revokedAt = revokedAt
    }

    /// Whether the token is neither revoked nor expired at `now` (whatever the caller's address).
    public func isActive(at now: Timestamp) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }

    /// The reason the token cannot be used at `now` from `address`, or `nil` when it can.
    public func refusal(at now: Timestamp, from address: IPAddress?) -> String? {
        if revokedAt != nil { return "the token was revoked" }
        if let expiresAt, now >= expiresAt { return "the token expired at \(expiresAt.rfc3339)" }
        if !allowedNetworks.isEmpty {
            guard let address, allowedNetworks.contains(where: { $0.contains(address) }) else {
                return "the token may not be used from \(address?.text ?? "an unknown address")"
            }
        }
        return nil
    }
}

/// A registered tenant: its id, when it was created and whether it is disabled.
///
/// A disabled tenant keeps its log (nothing is deleted) but no credential of it is accepted.
public struct TenantRecord: Hashable, Sendable {
    /// The tenant.
    public var id: TenantID
    /// When it was registered.
    public var createdAt: Timestamp
    /// When it was disabled, if it is.
    public var disabledAt: Timestamp?

    /// Creates a record.
    public init(id: TenantID, createdAt: Timestamp, disabledAt: Timestamp? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }

    /// Whether credentials of the tenant are accepted.
    public var isEnabled: Bool { disabledAt == nil }
}

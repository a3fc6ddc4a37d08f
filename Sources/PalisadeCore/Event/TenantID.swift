/// The identifier of a tenant: `[a-z0-9][a-z0-9-]{0,62}`. Each tenant has its own Merkle log.
public struct TenantID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The identifier.
    public let rawValue: String

    /// The tenant used when none is named.
    public static let `default` = TenantID(known: "default")

    /// The reserved tenant that holds Palisade's own vault keys (its checkpoint key, the key API
    /// tokens are hashed under…). It does not match the pattern, so no caller can name it, and it
    /// never has a log.
    public static let palisade = TenantID(known: "_palisade")

    /// Creates a tenant id.
    ///
    /// - Returns: `nil` when it does not match `[a-z0-9][a-z0-9-]{0,62}`.
    public init?(_ rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard let first = bytes.first, bytes.count <= 63, Self.isAlnum(first),
            bytes.allSatisfy({ Self.isAlnum($0) || $0 == UInt8(ascii: "-") })
        else { return nil }
        self.rawValue = rawValue
    }

    private init(known rawValue: String) { self.rawValue = rawValue }

    private static func isAlnum(_ byte: UInt8) -> Bool { (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) }

    /// The identifier.
    public var description: String { rawValue }
    /// Orders by identifier.
    public static func < (lhs: TenantID, rhs: TenantID) -> Bool { lhs.rawValue < rhs.rawValue }
}

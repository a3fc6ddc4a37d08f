public import PalisadeCore

/// Where alert delivery may connect: public addresses, and private, loopback, link-local and
/// other special ranges only when an allow-list names them — so a webhook URL cannot be used to
/// reach the metadata service or the database next to Palisade (SSRF). Checked against every
/// address a host name resolves to, right before connecting.
public struct OutboundPolicy: Hashable, Sendable {
    /// Networks allowed even though they are special (e.g. `127.0.0.1/32` for a local receiver).
    public var allowed: [IPNetwork]

    /// Creates a policy.
    public init(allowed: [IPNetwork] = []) {
        self.allowed = allowed
    }

    /// Ranges that are not the public Internet (RFC 6890 and friends).
    public static let special: [IPNetwork] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128",
        "::ffff:0:0/96", "64:ff9b::/96", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
    ].map { IPNetwork($0)! }

    /// Whether delivery may connect to `address`.
    public func permits(_ address: IPAddress) -> Bool {
        // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is checked as the IPv4 address it is.
        let address = address.unmappingIPv4
        if allowed.contains(where: { $0.contains(address) }) { return true }
        return !Self.special.contains { $0.contains(address) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address in its canonical text form.
///
/// IPv4 is dotted decimal without leading zeros; IPv6 is RFC 5952 text (lowercase, longest run of
/// zero groups compressed). Zone identifiers (`%eth0`) and CIDR suffixes are not addresses and are
/// rejected.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The canonical text.
    public let text: String
    /// Whether this is an IPv6 address.
    public let isIPv6: Bool

    /// Parses an address and puts it in canonical form.
    ///
    /// - Returns: `nil` when `text` is not an IPv4 or IPv6 address.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            self.text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            self.isIPv6 = true
        } else {
            // inet_pton(AF_INET) accepts only dotted quads, but glibc allows leading zeros; octal
            // ambiguity ("010.0.0.1") is a classic filter bypass, so reject them.
            let octets = text.split(separator: ".", omittingEmptySubsequences: false)
            guard octets.count == 4,
                octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) && ($0.count == 1 || $0.first != "0") }),
                octets.allSatisfy({ Int($0)! <= 255 })
            else { return nil }
            self.text = text
            self.isIPv6 = false
        }
    }

    /// The canonical text.
    public var description: String { text }
    /// Orders by text (a stable order for display, not numeric order).
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool { lhs.text < rhs.text }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

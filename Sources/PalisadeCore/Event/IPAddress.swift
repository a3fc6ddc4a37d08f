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
            // Strict dotted quad: four decimal octets 0-255 without leading zeros, since octal
            // ambiguity ("010.0.0.1") is a classic filter bypass.
            guard Self.isDottedQuad(text) else { return nil }
            self.text = text
            self.isIPv6 = false
        }
    }

    private static func isDottedQuad(_ text: String) -> Bool {
        var octets = 0
        var value = 0
        var digits = 0
        var leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                octets += 1
                value = 0
                digits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), !leadingZero || digits == 0 else { return false }
            if digits == 0 { leadingZero = byte == UInt8(ascii: "0") } else if leadingZero { return false }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard value <= 255, digits <= 3 else { return false }
        }
        return digits > 0 && octets == 3
    }

    /// The canonical text.
    public var description: String { text }
    /// Orders by text (a stable order for display, not numeric order).
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool { lhs.text < rhs.text }
}

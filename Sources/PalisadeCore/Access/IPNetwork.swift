import Foundation

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`); a bare address is a
/// network of one.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network address with the host bits cleared.
    public let address: IPAddress
    /// The prefix length: 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int
    private let networkBytes: [UInt8]

    /// Parses CIDR text.
    ///
    /// - Returns: `nil` when the address or the prefix length is not valid.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.isIPv6 ? 128 : 32
        var length = bits
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parsed >= 0, parsed <= bits, String(parsed) == parts[1] else { return nil }
            length = parsed
        }
        var bytes = address.bytes
        for bit in length..<bits {
            bytes[bit / 8] &= ~(UInt8(0x80) >> UInt8(bit % 8))
        }
        guard let network = IPAddress(bytes: bytes) else { return nil }
        self.address = network
        self.prefixLength = length
        self.networkBytes = bytes
    }

    /// Whether `candidate` is inside this network (never across address families).
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.isIPv6 == address.isIPv6 else { return false }
        let bytes = candidate.bytes
        for bit in 0..<prefixLength where (bytes[bit / 8] ^ networkBytes[bit / 8]) & (UInt8(0x80) >> UInt8(bit % 8)) != 0 {
            return false
        }
        return true
    }

    /// `address/prefixLength`.
    public var description: String { "\(address.text)/\(prefixLength)" }
}

extension IPAddress {
    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        if isIPv6 {
            var address = in6_addr()
            inet_pton(AF_INET6, text, &address)
            return withUnsafeBytes(of: &address) { Array($0) }
        }
        return text.split(separator: ".").map { UInt8($0)! }
    }

    /// The address with these network-order bytes (4 or 16 of them).
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4:
            self.init(bytes.map(String.init).joined(separator: "."))
        case 16:
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            self.init(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        default:
            return nil
        }
    }
}

extension IPAddress {
    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), as a dual-stack
    /// socket reports IPv4 clients; any other address unchanged.
    public var unmappingIPv4: IPAddress {
        guard isIPv6 else { return self }
        let bytes = self.bytes
        guard bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else { return self }
        return IPAddress(bytes: Array(bytes[12..<16])) ?? self
    }
}

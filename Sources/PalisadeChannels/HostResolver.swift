import NIOPosix
public import PalisadeAlerting
public import PalisadeCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves host names to addresses (getaddrinfo, on NIO's blocking thread pool) so that alert
/// delivery can check every address against its ``OutboundPolicy`` before it connects.
public struct HostResolver: Sendable {
    /// Creates a resolver.
    public init() {}

    /// The addresses of `host` (an address literal resolves to itself).
    ///
    /// - Throws: ``TransportError`` when the name does not resolve.
    public func addresses(of host: String) async throws -> [IPAddress] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = IPAddress(bare) { return [literal] }
        return try await NIOThreadPool.singleton.runIfActive { try Self.lookup(bare) }
    }

    /// The address to connect to for `host`: every address it resolves to must be one the policy
    /// permits (a name with one private address among public ones is refused), and the first is
    /// used, so the connection goes to an address that was checked.
    public func checkedAddress(of host: String, policy: OutboundPolicy) async -> Result<IPAddress, DeliveryFailure> {
        let addresses: [IPAddress]
        do {
            addresses = try await self.addresses(of: host)
        } catch {
            return .failure(.network("\(error)"))
        }
        for address in addresses where !policy.permits(address) {
            return .failure(
                .refused(
                    "\(host) resolves to \(address), which outbound delivery may not reach (loopback, private or reserved); allow it with alerting.allow_networks"
                )
            )
        }
        return .success(addresses[0])
    }

    private static func lookup(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0, let first = result else {
            throw TransportError("\(host) does not resolve (\(String(cString: gai_strerror(status))))")
        }
        defer { freeaddrinfo(first) }
        var addresses = [IPAddress]()
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if entry.pointee.ai_family == AF_INET, let raw = entry.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    var address = pointer.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
                }
            } else if entry.pointee.ai_family == AF_INET6, let raw = entry.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    var address = pointer.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
                }
            }
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let address = IPAddress(text), !addresses.contains(address) { addresses.append(address) }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw TransportError("\(host) resolves to no IPv4 or IPv6 address") }
        return addresses
    }
}

/// A channel that cannot be set up or a target it may not reach; the message says what to do.
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}

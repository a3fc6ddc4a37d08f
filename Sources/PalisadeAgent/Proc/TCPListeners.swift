/// The TCP ports something listens on, from /proc/net/tcp and /proc/net/tcp6 (state 0A, LISTEN):
/// a port that appears is a security signal.
public struct TCPListener: Hashable, Sendable, Comparable {
    /// The local address as the kernel shows it, decoded (`0.0.0.0`, `127.0.0.1`, `::`, `::1`…).
    public let address: String
    /// The port.
    public let port: Int
    /// The socket's inode (to find the owning process through /proc/<pid>/fd).
    public let inode: UInt64

    /// Orders by port, then address.
    public static func < (lhs: TCPListener, rhs: TCPListener) -> Bool { (lhs.port, lhs.address) < (rhs.port, rhs.address) }

    /// The listening sockets of a /proc/net/tcp or /proc/net/tcp6 text.
    ///
    /// - Throws: ``ProcError`` when a socket line is malformed.
    public static func parse(procNetTCP text: String) throws(ProcError) -> [TCPListener] {
        var listeners = [TCPListener]()
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count >= 10 else { throw ProcError("/proc/net/tcp line is malformed: \(line.prefix(80))") }
            guard fields[3] == "0A" else { continue }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, let port = Int(local[1], radix: 16), let inode = UInt64(fields[9]), let address = decode(local[0]) else {
                throw ProcError("/proc/net/tcp local address is malformed: \(fields[1])")
            }
            listeners.append(TCPListener(address: address, port: port, inode: inode))
        }
        return listeners
    }

    /// The kernel's hex address: 8 digits (IPv4, one little-endian 32-bit word) or 32 (IPv6, four
    /// such words).
    static func decode(_ hex: Substring) -> String? {
        guard hex.count == 8 || hex.count == 32, let bytes = Self.bytes(hex) else { return nil }
        // Each 32-bit word is in host (little-endian) order.
        var ordered = [UInt8]()
        for word in stride(from: 0, to: bytes.count, by: 4) { ordered += bytes[word..<(word + 4)].reversed() }
        if ordered.count == 4 { return ordered.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(ordered[$0]) << 8 | UInt16(ordered[$0 + 1]), radix: 16) }
        // The usual shortening for the two addresses that matter most.
        let text = groups.joined(separator: ":")
        if text == "0:0:0:0:0:0:0:0" { return "::" }
        if text == "0:0:0:0:0:0:0:1" { return "::1" }
        if text.hasPrefix("0:0:0:0:0:ffff:"), ordered.count == 16 { return ordered[12...].map(String.init).joined(separator: ".") }
        return text
    }

    private static func bytes(_ hex: Substring) -> [UInt8]? {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// Reads SSH's data types (RFC 4251 §5) from a message, every read bounded: a length that runs
/// past the message, a string longer than its limit, a name-list with a forbidden character or an
/// mpint not in canonical form is an ``SSHWireError``, never a crash or a large allocation.
public struct SSHReader: Sendable {
    private let bytes: [UInt8]
    /// The next byte's offset.
    public private(set) var offset: Int

    /// A reader over `bytes`, from `offset`.
    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Bytes not read yet.
    public var remaining: Int { bytes.count - offset }
    /// Whether everything was read.
    public var isAtEnd: Bool { offset == bytes.count }

    /// A `byte`.
    public mutating func readByte() throws(SSHWireError) -> UInt8 {
        guard remaining >= 1 else { throw SSHWireError(.protocolError, "the message ends where a byte was expected") }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// `n` raw bytes.
    public mutating func readBytes(_ count: Int) throws(SSHWireError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw SSHWireError(.protocolError, "the message ends \(count - remaining) bytes early") }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// A `boolean` (any non-zero byte is true, RFC 4251 §5).
    public mutating func readBool() throws(SSHWireError) -> Bool { try readByte() != 0 }

    /// A `uint32`, big-endian.
    public mutating func readUInt32() throws(SSHWireError) -> UInt32 {
        guard remaining >= 4 else { throw SSHWireError(.protocolError, "the message ends where a uint32 was expected") }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// A `uint64`, big-endian.
    public mutating func readUInt64() throws(SSHWireError) -> UInt64 {
        let high = try readUInt32()
        let low = try readUInt32()
        return UInt64(high) << 32 | UInt64(low)
    }

    /// A `string` of at most `limit` bytes.
    public mutating func readString(limit: Int = 262_144) throws(SSHWireError) -> [UInt8] {
        let length = Int(try readUInt32())
        guard length <= limit else { throw SSHWireError(.protocolError, "a string of \(length) bytes is over the limit of \(limit)") }
        return try readBytes(length)
    }

    /// A `string` holding UTF-8 text.
    public mutating func readText(limit: Int = 65_536) throws(SSHWireError) -> String {
        let raw = try readString(limit: limit)
        guard let text = String(validating: raw, as: UTF8.self) else { throw SSHWireError(.protocolError, "a text string is not UTF-8") }
        return text
    }

    /// A `name-list`: comma-separated US-ASCII names without spaces or control characters (RFC 4251
    /// §5), at most `limit` bytes and `maxNames` names. Empty names (a trailing comma, which libssh
    /// sends) are passed over, as OpenSSH does, rather than refused.
    public mutating func readNameList(limit: Int = 4_096, maxNames: Int = 128) throws(SSHWireError) -> [String] {
        let raw = try readString(limit: limit)
        guard !raw.isEmpty else { return [] }
        guard raw.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw SSHWireError(.protocolError, "a name-list holds a byte that is not printable US-ASCII")
        }
        let names = raw.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard names.count <= maxNames else { throw SSHWireError(.protocolError, "a name-list has \(names.count) names, over \(maxNames)") }
        return names.filter { !$0.isEmpty }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// An `mpint` (two's complement, big-endian, minimal), returned as its magnitude bytes with its
    /// sign; at most `limit` bytes.
    public mutating func readMPInt(limit: Int = 2_048) throws(SSHWireError) -> (negative: Bool, magnitude: [UInt8]) {
        let raw = try readString(limit: limit)
        guard let first = raw.first else { return (false, []) }
        if raw.count > 1 {
            // Minimal: no leading 0x00 unless the next byte's high bit is set, no leading 0xFF
            // unless the next byte's high bit is clear.
            guard !(first == 0 && raw[1] & 0x80 == 0), !(first == 0xFF && raw[1] & 0x80 != 0) else {
                throw SSHWireError(.protocolError, "an mpint is not in its shortest form")
            }
        }
        guard first & 0x80 == 0 else { throw SSHWireError(.protocolError, "a negative mpint where only positive ones are used") }
        return (false, first == 0 ? Array(raw.dropFirst()) : raw)
    }
}

/// Writes SSH's data types (RFC 4251 §5).
public struct SSHWriter: Sendable {
    /// What was written.
    public private(set) var bytes: [UInt8]

    /// An empty writer.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A `byte`.
    public mutating func write(byte: UInt8) { bytes.append(byte) }

    /// Raw bytes.
    public mutating func write(raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    /// A `boolean`.
    public mutating func write(bool: Bool) { bytes.append(bool ? 1 : 0) }

    /// A `uint32`.
    public mutating func write(uint32 value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// A `uint64`.
    public mutating func write(uint64 value: UInt64) {
        write(uint32: UInt32(value >> 32))
        write(uint32: UInt32(value & 0xFFFF_FFFF))
    }

    /// A `string`.
    public mutating func write(string: some Collection<UInt8>) {
        write(uint32: UInt32(string.count))
        bytes.append(contentsOf: string)
    }

    /// A `string` of UTF-8 text.
    public mutating func write(text: String) { write(string: Array(text.utf8)) }

    /// A `name-list`.
    public mutating func write(nameList: [String]) { write(text: nameList.joined(separator: ",")) }

    /// A positive `mpint` from its big-endian magnitude (leading zeros dropped, a zero byte added
    /// when the high bit is set).
    public mutating func write(mpint magnitude: some Collection<UInt8>) {
        let trimmed = Array(magnitude.drop { $0 == 0 })
        if let first = trimmed.first, first & 0x80 != 0 {
            write(uint32: UInt32(trimmed.count + 1))
            bytes.append(0)
            bytes += trimmed
        } else {
            write(string: trimmed)
        }
    }
}

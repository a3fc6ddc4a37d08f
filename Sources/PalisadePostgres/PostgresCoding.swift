import Foundation
import NIOCore
import PalisadeCore
import PostgresNIO

/// A ``Timestamp`` bound and read as `timestamptz` without loss.
///
/// PostgreSQL's binary `timestamptz` is microseconds since 2000-01-01T00:00:00Z as an int64, the
/// same resolution as ``Timestamp``; going through `Foundation.Date` (a `Double` of seconds) could
/// move an instant by a microsecond, which would change which page a cursor resumes on.
struct PostgresTimestamp: PostgresNonThrowingEncodable, PostgresDecodable, Sendable {
    /// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01).
    static let epochOffset: Int64 = 946_684_800_000_000

    let value: Timestamp

    init(_ value: Timestamp) { self.value = value }

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(value.microseconds - Self.epochOffset)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary else { throw PostgresDecodingError.Code.typeMismatch }
        guard buffer.readableBytes == 8, let microseconds = buffer.readInteger(as: Int64.self) else {
            throw PostgresDecodingError.Code.failure
        }
        // ±infinity are stored as Int64.max/min; Palisade never writes them, and they would overflow.
        guard microseconds != .max, microseconds != .min else { throw PostgresDecodingError.Code.failure }
        value = Timestamp(microseconds: microseconds + Self.epochOffset)
    }
}

extension PostgresRow {
    /// Decodes a row, turning a type mismatch into a ``StoreError`` that names the query.
    func decodeOrCorrupt<each Column: PostgresDecodable>(_ types: (repeat each Column).Type, _ what: String) throws -> (repeat each Column) {
        do {
            return try decode((repeat each Column).self)
        } catch {
            throw StoreError(.corrupt, "a stored \(what) has an unexpected value; run `palisade verify`", underlying: error)
        }
    }
}

/// Writes rows in COPY's text format: tab-separated columns, `\N` for NULL, and backslash escapes
/// for the characters the format gives meaning to.
///
/// See PostgreSQL's documentation of COPY, "Text Format": backslash, newline, carriage return and
/// the delimiter must be escaped; bytea columns take the hex form `\x…`, whose backslash is
/// itself escaped.
struct CopyTextWriter {
    private(set) var buffer: ByteBuffer
    private var atRowStart = true

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    private mutating func separate() {
        if !atRowStart { buffer.writeInteger(UInt8(ascii: "\t")) }
        atRowStart = false
    }

    /// Ends the current row.
    mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        atRowStart = true
    }

    /// A NULL column.
    mutating func null() {
        separate()
        buffer.writeStaticString("\\N")
    }

    /// A text column (or NULL).
    mutating func text(_ value: String?) {
        guard var text = value else { return null() }
        separate()
        text.withUTF8 { bytes in
            var start = 0
            for (position, byte) in bytes.enumerated() {
                let escape: UInt8
                switch byte {
                case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
                case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
                case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
                case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
                default: continue
                }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<position]))
                buffer.writeInteger(UInt8(ascii: "\\"))
                buffer.writeInteger(escape)
                start = position + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start...]))
        }
    }

    /// A column whose text needs no escaping (numbers, UUIDs, timestamps, booleans).
    mutating func plain(_ value: String) {
        separate()
        buffer.writeString(value)
    }

    /// A bytea column in hex form (`\\x` then two hex digits per byte).
    mutating func bytea(_ bytes: [UInt8]) {
        separate()
        buffer.writeStaticString("\\\\x")
        let length = bytes.count * 2
        // One capacity check and no per-byte bookkeeping: entries are most of a commit's bytes.
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { output in
            Self.hexDigits.withUnsafeBufferPointer { digits in
                bytes.withUnsafeBufferPointer { input in
                    var position = 0
                    for byte in input {
                        output[position] = digits[Int(byte >> 4)]
                        output[position + 1] = digits[Int(byte & 0x0f)]
                        position += 2
                    }
                }
            }
            return length
        }
    }

    /// `0`–`9`, `a`–`f`.
    private static let hexDigits = Array("0123456789abcdef".utf8)
}

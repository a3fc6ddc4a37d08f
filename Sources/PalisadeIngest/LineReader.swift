public import Foundation

/// Reads newline-separated byte lines (NDJSON) from a file handle in large chunks, without
/// decoding them (input bytes reach the JSON parser exactly as sent) and without holding more than
/// one line beyond `maxLineBytes` in memory.
///
/// ```swift
/// var reader = LineReader(handle: .standardInput, maxLineBytes: 1 << 16)
/// while let line = try reader.next() { … }
/// ```
public struct LineReader {
    /// A line, or a line that was too long (its bytes were discarded, its length is given).
    public enum Line: Hashable, Sendable {
        /// The line's bytes, without its terminator.
        case bytes([UInt8])
        /// A line longer than the limit, of this many bytes.
        case tooLong(Int)
    }

    private let handle: FileHandle
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    private var discarding = 0
    private let chunkSize: Int

    /// Creates a reader.
    ///
    /// - Parameters:
    ///   - handle: where the bytes come from.
    ///   - maxLineBytes: the longest line returned whole.
    ///   - chunkSize: how many bytes to read at a time; default 1 MiB.
    public init(handle: FileHandle, maxLineBytes: Int, chunkSize: Int = 1 << 20) {
        self.chunkSize = chunkSize
        self.handle = handle
        self.maxLineBytes = maxLineBytes
    }

    /// The next line without its terminator (`\n` or `\r\n`), or `nil` at the end.
    public mutating func next() throws -> Line? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0a) {
                var line = Array(buffer[position..<newline])
                position = newline + 1
                if line.last == 0x0d { line.removeLast() }
                if discarding > 0 || line.count > maxLineBytes {
                    let total = discarding + line.count
                    discarding = 0
                    return .tooLong(total)
                }
                return .bytes(line)
            }
            if buffer.count - position > maxLineBytes {
                discarding += buffer.count - position
                buffer.removeAll(keepingCapacity: true)
                position = 0
            }
            if finished {
                guard position < buffer.count || discarding > 0 else { return nil }
                let line = Array(buffer[position...])
                buffer.removeAll()
                position = 0
                if discarding > 0 || line.count > maxLineBytes {
                    let total = discarding + line.count
                    discarding = 0
                    return .tooLong(total)
                }
                return .bytes(line)
            }
            let chunk = try handle.read(upToCount: chunkSize) ?? Data()
            if chunk.isEmpty {
                finished = true
            } else {
                if position > 0 {
                    buffer.removeFirst(position)
                    position = 0
                }
                buffer.append(contentsOf: chunk)
            }
        }
    }
}

import Foundation

/// Reads newline-separated byte lines from a file handle in large chunks, without decoding them
/// (input bytes reach the JSON parser exactly as sent) and without holding more than one line
/// beyond `maxLineBytes` in memory.
struct LineReader {
    /// A line, or a line that was too long (its bytes were discarded).
    enum Line {
        case bytes([UInt8])
        case tooLong(Int)
    }

    private let handle: FileHandle
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    private var discarding = 0

    init(handle: FileHandle, maxLineBytes: Int) {
        self.handle = handle
        self.maxLineBytes = maxLineBytes
    }

    /// The next line without its terminator (`\n` or `\r\n`), or `nil` at the end.
    mutating func next() throws -> Line? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0a) {
                var line = Array(buffer[position..<newline])
                position = newline + 1
                if line.last == 0x0d { line.removeLast() }
                if discarding > 0 {
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
                if discarding > 0 {
                    let total = discarding + line.count
                    discarding = 0
                    return .tooLong(total)
                }
                return .bytes(line)
            }
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
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

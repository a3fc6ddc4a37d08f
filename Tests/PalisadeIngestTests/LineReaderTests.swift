import Foundation
import PalisadeIngest
import Testing

struct LineReaderTests {
    static func lines(_ input: [UInt8], chunkSize: Int, maxLineBytes: Int = 16) throws -> [LineReader.Line] {
        let pipe = Pipe()
        let writer = pipe.fileHandleForWriting
        // Write the input a byte at a time from another thread, so reads see every partial line.
        let thread = Thread {
            for byte in input { writer.write(Data([byte])) }
            do {
                try writer.close()
            } catch {
                Issue.record("closing the pipe failed: \(error)")
            }
        }
        thread.start()
        var reader = LineReader(handle: pipe.fileHandleForReading, maxLineBytes: maxLineBytes, chunkSize: chunkSize)
        var result = [LineReader.Line]()
        while let line = try reader.next() { result.append(line) }
        return result
    }

    static let input = Array("{\"a\":1}\nsecond\r\n\n\(String(repeating: "x", count: 40))\nlast-without-newline".utf8)
    static let expected: [LineReader.Line] = [
        .bytes(Array("{\"a\":1}".utf8)), .bytes(Array("second".utf8)), .bytes([]), .tooLong(40), .bytes(Array("last-without-newline".utf8)),
    ]

    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func byteAtATimeAndAnyChunkSizeGiveTheSameLines(chunkSize: Int) throws {
        #expect(try Self.lines(Self.input, chunkSize: chunkSize, maxLineBytes: 20) == Self.expected)
    }

    @Test func anOverlongLastLineIsReportedNotReturned() throws {
        #expect(try Self.lines(Array(String(repeating: "y", count: 50).utf8), chunkSize: 8, maxLineBytes: 10) == [.tooLong(50)])
        #expect(try Self.lines([], chunkSize: 8).isEmpty)
    }
}

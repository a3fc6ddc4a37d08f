public import Foundation
public import PalisadeCore
import Synchronization

/// The standalone sensor's disk buffer: events as NDJSON in numbered segment files
/// (`spool-000001.ndjson` …), each closed at `segmentBytes`, at most `segments` kept (original
/// requirement: bounded disk, e.g. 100 MB × 5). Events are appended and fsynced before the sensor
/// moves on; the forwarder reads from a cursor (`spool.cursor`: segment and byte offset, replaced
/// atomically) and moves it only past batches the server acknowledged; delivered segments are
/// deleted. When the spool is full the oldest segment is dropped — its undelivered events are
/// counted and logged by the caller, never lost without a trace.
public final class EventSpool: Sendable {
    /// Where the spool stands.
    public struct Statistics: Sendable, Equatable {
        /// Events appended and not yet acknowledged.
        public var pending: Int
        /// Events dropped with a full spool since start.
        public var dropped: Int
        /// Segment files on disk.
        public var segments: Int
        /// Bytes on disk.
        public var bytes: Int
    }

    /// A batch read for delivery: the events' lines and where the cursor goes once they are
    /// acknowledged.
    public struct Batch: Sendable {
        /// One NDJSON line (without its newline) per event.
        public var lines: [[UInt8]]
        let end: Position
    }

    struct Position: Sendable, Equatable, Comparable {
        var segment: Int
        var offset: Int

        static func < (a: Position, b: Position) -> Bool { (a.segment, a.offset) < (b.segment, b.offset) }
    }

    private struct State {
        var cursor: Position
        var writeSegment: Int
        var writeOffset: Int
        var pending: Int
        var dropped: Int
    }

    /// The directory.
    public let directory: URL
    /// A segment is closed at this size.
    public let segmentBytes: Int
    /// Segments kept at most.
    public let segments: Int
    private let state: Mutex<State>

    /// Opens (or creates, mode 0700) the spool in `directory`, resuming from its cursor.
    public init(directory: URL, segmentBytes: Int = 100 << 20, segments: Int = 5) throws {
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.segments = max(2, segments)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let existing = try Self.segmentNumbers(in: directory)
        var cursor = Position(segment: existing.first ?? 1, offset: 0)
        let cursorFile = directory.appendingPathComponent("spool.cursor")
        if FileManager.default.fileExists(atPath: cursorFile.path) {
            let text = try String(contentsOf: cursorFile, encoding: .utf8).split(separator: " ")
            guard text.count == 2, let segment = Int(text[0]), let offset = Int(text[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: cursorFile.path])
            }
            cursor = max(cursor, Position(segment: segment, offset: offset))
        }
        let last = existing.last ?? cursor.segment
        let lastSize = try Self.size(Self.segmentURL(directory, last))
        var pending = 0
        for number in existing where number >= cursor.segment {
            let data = try Data(contentsOf: Self.segmentURL(directory, number))
            let from = number == cursor.segment ? min(cursor.offset, data.count) : 0
            pending += data[from...].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        state = Mutex(State(cursor: cursor, writeSegment: max(last, cursor.segment), writeOffset: lastSize, pending: pending, dropped: 0))
    }

    /// Appends events, one line each, and syncs them to disk; returns how many undelivered events
    /// a full spool had to drop to make room.
    @discardableResult
    public func append(_ events: [JSONValue]) throws -> Int {
        var data = Data()
        for event in events {
            data.append(contentsOf: CanonicalJSON.encode(event))
            data.append(0x0A)
        }
        guard !data.isEmpty else { return 0 }
        return try state.withLock { state in
            var dropped = 0
            if state.writeOffset > 0 && state.writeOffset + data.count > segmentBytes {
                state.writeSegment += 1
                state.writeOffset = 0
                // Over the limit: drop the oldest segment, with whatever it still held.
                while state.writeSegment - (try firstSegment(state)) + 1 > segments {
                    let oldest = try firstSegment(state)
                    let url = Self.segmentURL(directory, oldest)
                    let contents = try Data(contentsOf: url)
                    let from = oldest == state.cursor.segment ? min(state.cursor.offset, contents.count) : 0
                    let lost = contents[from...].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                    try FileManager.default.removeItem(at: url)
                    if state.cursor.segment <= oldest {
                        state.cursor = Position(segment: oldest + 1, offset: 0)
                        try saveCursor(state.cursor)
                    }
                    dropped += lost
                    state.pending -= lost
                }
            }
            let url = Self.segmentURL(directory, state.writeSegment)
            if !FileManager.default.fileExists(atPath: url.path) {
                guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
                }
            }
            let handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            state.writeOffset += data.count
            state.pending += events.count
            state.dropped += dropped
            return dropped
        }
    }

    /// Up to `maxEvents` events (and about `maxBytes`) from the cursor on; empty when all are delivered.
    public func read(maxEvents: Int, maxBytes: Int) throws -> Batch {
        try state.withLock { state in
            var position = state.cursor
            var lines: [[UInt8]] = []
            var bytes = 0
            while lines.count < maxEvents && bytes < maxBytes && position.segment <= state.writeSegment {
                let url = Self.segmentURL(directory, position.segment)
                guard FileManager.default.fileExists(atPath: url.path) else {
                    position = Position(segment: position.segment + 1, offset: 0)
                    continue
                }
                // Only from the cursor on, at most what the batch may hold (a line is an event, far
                // below 1 MiB): a segment of 100 MB is not read again for every batch.
                let handle = try FileHandle(forReadingFrom: url)
                try handle.seek(toOffset: UInt64(position.offset))
                let data = [UInt8](try handle.read(upToCount: max(maxBytes - bytes, 1 << 20)) ?? Data())
                try handle.close()
                var offset = 0
                while lines.count < maxEvents && bytes < maxBytes, let newline = data[offset...].firstIndex(of: 0x0A) {
                    lines.append(Array(data[offset..<newline]))
                    bytes += newline - offset + 1
                    offset = newline + 1
                }
                position.offset += offset
                let atEnd = try position.offset >= Self.size(url)
                if atEnd && position.segment < state.writeSegment {
                    position = Position(segment: position.segment + 1, offset: 0)
                } else {
                    break
                }
            }
            return Batch(lines: lines, end: position)
        }
    }

    /// Moves the cursor past a delivered batch and deletes segments wholly delivered.
    public func acknowledge(_ batch: Batch) throws {
        try state.withLock { state in
            guard state.cursor < batch.end else { return }
            let before = state.cursor
            state.cursor = batch.end
            state.pending -= batch.lines.count
            try saveCursor(batch.end)
            for number in before.segment..<batch.end.segment {
                let url = Self.segmentURL(directory, number)
                if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            }
        }
    }

    /// Pending, dropped, files and bytes.
    public func statistics() throws -> Statistics {
        try state.withLock { state in
            let numbers = try Self.segmentNumbers(in: directory)
            var bytes = 0
            for number in numbers { bytes += try Self.size(Self.segmentURL(directory, number)) }
            return Statistics(pending: state.pending, dropped: state.dropped, segments: numbers.count, bytes: bytes)
        }
    }

    private func firstSegment(_ state: State) throws -> Int {
        try Self.segmentNumbers(in: directory).first ?? state.writeSegment
    }

    /// A file's size; 0 when it does not exist.
    private static func size(_ url: URL) throws -> Int {
        guard FileManager.default.fileExists(atPath: url.path) else { return 0 }
        return try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
    }

    private func saveCursor(_ position: Position) throws {
        let url = directory.appendingPathComponent("spool.cursor")
        try Data("\(position.segment) \(position.offset)\n".utf8).write(to: url, options: .atomic)
    }

    static func segmentURL(_ directory: URL, _ number: Int) -> URL {
        directory.appendingPathComponent("spool-" + String(repeating: "0", count: max(0, 6 - String(number).count)) + "\(number).ndjson")
    }

    static func segmentNumbers(in directory: URL) throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).compactMap { name -> Int? in
            guard name.hasPrefix("spool-"), name.hasSuffix(".ndjson") else { return nil }
            return Int(name.dropFirst(6).dropLast(7))
        }.sorted()
    }
}

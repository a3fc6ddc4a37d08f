public import PalisadeLedger

/// What a JSONL archive holds, signed as a note by the log's checkpoint key: each segment's index
/// range, time span, SHA-256 and the Merkle root the log has at its end; how the archive's range
/// joins the log before it (the border hashes at `start`) and after it (a consistency proof to the
/// archive's checkpoint).
///
/// The note text, one item per line (hashes in base64, SHA-256 in hex):
///
/// ```
/// palisade.local/default archive
/// start 0
/// frontier <hash>                       (one per set bit of start, largest subtree first)
/// segment <first> <end> <first time> <last time> <sha256> <root at end> <file>
/// checkpoint <size>
/// proof <hash>                          (consistency from the last end to the checkpoint size)
/// ```
public struct ArchiveManifest: Hashable, Sendable {
    /// One sealed segment file.
    public struct Segment: Hashable, Sendable {
        /// The log index of its first line.
        public var first: UInt64
        /// One past the log index of its last line: the tree size whose root is ``root``.
        public var end: UInt64
        /// The timestamp of its first and last events (RFC 3339), for finding a period's files.
        public var firstTimestamp: String
        /// See ``firstTimestamp``.
        public var lastTimestamp: String
        /// SHA-256 of the file as written (gzip-compressed), lowercase hex.
        public var sha256: String
        /// The Merkle root of the log's first ``end`` entries.
        public var root: MerkleHash
        /// The file name inside the archive directory.
        public var fileName: String

        /// Creates a segment description.
        public init(first: UInt64, end: UInt64, firstTimestamp: String, lastTimestamp: String, sha256: String, root: MerkleHash, fileName: String) {
            self.first = first
            self.end = end
            self.firstTimestamp = firstTimestamp
            self.lastTimestamp = lastTimestamp
            self.sha256 = sha256
            self.root = root
            self.fileName = fileName
        }
    }

    /// The log's origin (`<server origin>/<tenant>`), as in its checkpoints.
    public var origin: String
    /// The log index of the archive's first entry.
    public var start: UInt64
    /// The border of the tree of `start` leaves (``CompactRange/borderNodes(ofSize:)``), empty
    /// when the archive starts at 0.
    public var frontier: [MerkleHash]
    /// The segments, in index order, each starting where the previous ended.
    public var segments: [Segment]
    /// The size of the signed checkpoint stored beside the manifest.
    public var checkpointSize: UInt64
    /// The consistency proof from the archive's end to ``checkpointSize`` (empty when equal).
    public var proof: [MerkleHash]

    /// Creates a manifest.
    public init(origin: String, start: UInt64, frontier: [MerkleHash], segments: [Segment], checkpointSize: UInt64, proof: [MerkleHash]) {
        self.origin = origin
        self.start = start
        self.frontier = frontier
        self.segments = segments
        self.checkpointSize = checkpointSize
        self.proof = proof
    }

    /// One past the last archived index (``start`` when there are no segments).
    public var end: UInt64 { segments.last?.end ?? start }

    /// The suffix of the first line after the origin.
    static let marker = "archive"

    /// The note text.
    public var text: String {
        var lines = ["\(origin) \(Self.marker)", "start \(start)"]
        lines += frontier.map { "frontier \($0.base64)" }
        lines += segments.map {
            "segment \($0.first) \($0.end) \($0.firstTimestamp) \($0.lastTimestamp) \($0.sha256) \($0.root.base64) \($0.fileName)"
        }
        lines.append("checkpoint \(checkpointSize)")
        lines += proof.map { "proof \($0.base64)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses a manifest's note text.
    ///
    /// - Throws: ``ArchiveError`` naming the line that is wrong.
    public init(parsing text: String) throws(ArchiveError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.last == "" else { throw ArchiveError("the manifest does not end with a newline") }
        lines.removeLast()
        guard let header = lines.first, header.hasSuffix(" " + Self.marker), header.count > Self.marker.count + 1 else {
            throw ArchiveError("the manifest's first line must be '<origin> archive'")
        }
        origin = String(header.dropLast(Self.marker.count + 1))
        var start: UInt64?
        var frontier = [MerkleHash]()
        var segments = [Segment]()
        var checkpointSize: UInt64?
        var proof = [MerkleHash]()
        for (number, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            func fail(_ reason: String) -> ArchiveError { ArchiveError("manifest line \(number + 1) (\(fields[0])): \(reason)") }
            func hash(_ text: String) throws(ArchiveError) -> MerkleHash {
                guard let hash = MerkleHash(base64: text) else { throw fail("\(text) is not a base64 SHA-256 hash") }
                return hash
            }
            func count(_ text: String) throws(ArchiveError) -> UInt64 {
                guard let value = UInt64(text), String(value) == text else { throw fail("\(text) is not a log index") }
                return value
            }
            switch (fields[0], fields.count) {
            case ("start", 2) where start == nil && segments.isEmpty:
                start = try count(fields[1])
            case ("frontier", 2) where start != nil && segments.isEmpty:
                frontier.append(try hash(fields[1]))
            case ("segment", 8) where start != nil && checkpointSize == nil:
                let segment = Segment(
                    first: try count(fields[1]),
                    end: try count(fields[2]),
                    firstTimestamp: fields[3],
                    lastTimestamp: fields[4],
                    sha256: fields[5],
                    root: try hash(fields[6]),
                    fileName: fields[7]
                )
                guard segment.first < segment.end else { throw fail("an empty or reversed range \(segment.first)..<\(segment.end)") }
                guard segment.first == (segments.last?.end ?? start) else {
                    throw fail("segment starts at \(segment.first), not where the previous one ended")
                }
                guard segment.sha256.count == 64, segment.sha256.allSatisfy(\.isHexDigit), segment.sha256 == segment.sha256.lowercased() else {
                    throw fail("\(segment.sha256) is not a lowercase hex SHA-256")
                }
                guard Self.isSafeFileName(segment.fileName) else { throw fail("\(segment.fileName) is not a plain file name") }
                segments.append(segment)
            case ("checkpoint", 2) where checkpointSize == nil && start != nil:
                checkpointSize = try count(fields[1])
            case ("proof", 2) where checkpointSize != nil:
                proof.append(try hash(fields[1]))
            default:
                throw fail("unexpected here (lines go: start, frontier…, segment…, checkpoint, proof…)")
            }
        }
        guard let start, let checkpointSize else { throw ArchiveError("the manifest has no start or no checkpoint line") }
        guard frontier.count == start.nonzeroBitCount else {
            throw ArchiveError("the manifest starts at \(start), which needs \(start.nonzeroBitCount) frontier hashes, not \(frontier.count)")
        }
        self.start = start
        self.frontier = frontier
        self.segments = segments
        self.checkpointSize = checkpointSize
        self.proof = proof
        guard end <= checkpointSize else { throw ArchiveError("the archive ends at \(end), beyond its checkpoint of size \(checkpointSize)") }
    }

    /// A name without directories, that cannot point outside the archive directory.
    static func isSafeFileName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 255 && !name.hasPrefix(".") && !name.contains("/") && !name.contains("\0")
    }
}

/// Why an archive could not be written, read or verified; the message says what is wrong.
public struct ArchiveError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}

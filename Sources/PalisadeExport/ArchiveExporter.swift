public import Foundation
public import Logging
public import PalisadeCore
public import PalisadeLedger

/// Writes a tenant's log, or a range of it, as a sealed JSONL archive: gzip-compressed segment
/// files of one canonical event per line, then the log's latest signed checkpoint, then a manifest
/// signed with the checkpoint key (see ``ArchiveManifest``). Every file is written under a
/// temporary name and renamed into place; the manifest comes last, so a directory with a manifest
/// is a complete archive.
///
/// Nothing unverified is archived: every entry must decode to a canonical event, and the tree the
/// entries rebuild must have the root the stored tiles give, else the export stops and names the
/// index (the database was changed behind the ledger's back: run `palisade verify`).
public struct ArchiveExporter: Sendable {
    /// What to export and how to cut it into segments.
    public struct Options: Sendable {
        /// The first log index to export. Default 0.
        public var from: UInt64
        /// One past the last index to export; `nil` exports up to the log's current size.
        public var to: UInt64?
        /// A segment is sealed once it holds this many bytes of entries (uncompressed). Default 64 MiB.
        public var maxSegmentBytes: Int
        /// A segment is sealed once it holds this many events. Default 1,000,000.
        public var maxSegmentEvents: Int
        /// When set, a segment is also sealed where an event falls in another period of this many
        /// seconds (e.g. 86,400 for daily files) than the segment's first event.
        public var segmentPeriodSeconds: Int64?

        /// Creates options.
        public init(
            from: UInt64 = 0,
            to: UInt64? = nil,
            maxSegmentBytes: Int = 64 << 20,
            maxSegmentEvents: Int = 1_000_000,
            segmentPeriodSeconds: Int64? = nil
        ) {
            self.from = from
            self.to = to
            self.maxSegmentBytes = maxSegmentBytes
            self.maxSegmentEvents = maxSegmentEvents
            self.segmentPeriodSeconds = segmentPeriodSeconds
        }
    }

    /// What an export wrote.
    public struct Report: Sendable {
        /// The manifest written.
        public var manifest: ArchiveManifest
        /// Bytes of entries (uncompressed, with newlines).
        public var entryBytes: Int
        /// Bytes of segment files (compressed).
        public var fileBytes: Int
    }

    /// How many records are read per query.
    static let chunkSize: UInt64 = 4096

    private let backend: any LedgerBackend
    private let events: any EventStore
    private let signer: NoteSigner
    private let logger: Logger

    /// Creates an exporter over a store; `signer` (the log's checkpoint key) signs the manifest.
    public init(backend: any LedgerBackend, events: any EventStore, signer: NoteSigner, logger: Logger = Logger(label: "palisade.export")) {
        self.backend = backend
        self.events = events
        self.signer = signer
        self.logger = logger
    }

    /// Exports the tenant's log (or `options`' range of it) into `directory`, which must not hold
    /// an archive yet.
    ///
    /// - Throws: ``ArchiveError`` saying what is wrong (an empty range, an entry that does not
    ///   match the tree, a file that cannot be written), or the store's error.
    public func export(tenant: TenantID, to directory: URL, options: Options = Options()) async throws -> Report {
        guard let head = try await backend.logHead(of: tenant), head.size > 0 else {
            throw ArchiveError("tenant \(tenant) has no events to export")
        }
        let to = options.to ?? head.size
        guard options.from < to, to <= head.size else {
            throw ArchiveError("the range \(options.from)..<\(to) is empty or beyond the log's size \(head.size)")
        }
        guard options.maxSegmentBytes > 0, options.maxSegmentEvents > 0, (options.segmentPeriodSeconds ?? 1) > 0 else {
            throw ArchiveError("segment limits must be positive")
        }
        let note = try SignedNote(parsing: head.checkpoint)
        let checkpoint = try Checkpoint(parsing: note.text)
        try ArchiveFiles.createDirectory(directory)
        guard !FileManager.default.fileExists(atPath: directory.appendingPathComponent(ArchiveFiles.manifestName).path) else {
            throw ArchiveError("\(directory.path) already holds an archive; export into an empty directory")
        }

        var writer = SegmentWriter(options: options, directory: directory)
        do {
            let manifest = try await write(tenant: tenant, head: head, origin: checkpoint.origin, to: to, options: options, into: &writer)
            return Report(manifest: manifest, entryBytes: writer.entryBytes, fileBytes: writer.fileBytes)
        } catch {
            // What is not listed in a manifest is not an archive: remove this export's segments.
            writer.removeWrittenFiles(logger: logger)
            throw error
        }
    }

    private func write(
        tenant: TenantID,
        head: LogHead,
        origin: String,
        to: UInt64,
        options: Options,
        into writer: inout SegmentWriter
    ) async throws -> ArchiveManifest {
        let directory = writer.directory
        let reader = TileHashReader { [backend] ids in try await backend.tiles(ids, of: tenant) }
        let frontier = try await reader.hashes(of: CompactRange.borderNodes(ofSize: options.from))
        var range = try CompactRange(size: options.from, hashes: frontier)
        var next = options.from
        while next < to {
            let chunkEnd = min(to, next + Self.chunkSize)
            // An archive holds only entries that hash to their leaves: not pruned or redacted ones.
            if let erased = try await events.erasures(of: tenant, in: next..<chunkEnd).first {
                throw try await missing(erased.index, tenant: tenant)
            }
            let records = try await events.records(of: tenant, in: next..<chunkEnd)
            for record in records {
                guard record.index == next else { throw try await missing(next, tenant: tenant) }
                let event: AuditEvent
                do {
                    event = try AuditEvent(canonicalEntry: record.entry)
                } catch {
                    throw ArchiveError("the entry at index \(next) is not a canonical event (\(error)); run `palisade verify`")
                }
                // A segment ends before an event of another period, or once it is full.
                if writer.startsNewPeriod(event.timestamp) { try writer.seal(root: range.root) }
                range.append(RFC9162.leafHash(of: record.entry))
                if writer.add(record.entry, timestamp: event.timestamp, index: next) { try writer.seal(root: range.root) }
                next += 1
            }
            guard next == chunkEnd else { throw try await missing(next, tenant: tenant) }
        }
        try writer.seal(root: range.root)
        let expected = try await reader.root(ofSize: to)
        guard range.root == expected else {
            throw ArchiveError(
                "the exported entries give root \(range.root.base64) at size \(to), but the stored tree has \(expected.base64); run `palisade verify`"
            )
        }
        let proof = to == head.size ? [] : try await reader.hashes(of: ProofPlan.consistency(from: to, to: head.size))
        let manifest = ArchiveManifest(
            origin: origin,
            start: options.from,
            frontier: frontier,
            segments: writer.segments,
            checkpointSize: head.size,
            proof: proof
        )
        try ArchiveFiles.writeAtomically(Array(head.checkpoint.utf8), name: ArchiveFiles.checkpointName, in: directory)
        let signed = try signer.sign(manifest.text)
        try ArchiveFiles.writeAtomically(Array(signed.serialized.utf8), name: ArchiveFiles.manifestName, in: directory)
        return manifest
    }
}

extension ArchiveExporter {
    /// Why index `index` has no stored entry to archive: pruned, or deleted behind the ledger's back.
    fileprivate func missing(_ index: UInt64, tenant: TenantID) async throws -> ArchiveError {
        guard let erasure = try await events.erasures(of: tenant, in: index..<(index + 1)).first else {
            return ArchiveError("log index \(index) of tenant \(tenant) has no stored event; run `palisade verify`")
        }
        return ArchiveError(
            "log index \(index) of tenant \(tenant) was \(erasure.kind.rawValue) under record \(erasure.record); its content is in the retention archive (or gone, if redacted): export a range without it"
        )
    }
}

/// Collects lines into the current segment and seals it (gzip, write, describe) when a limit is
/// reached.
private struct SegmentWriter {
    let options: ArchiveExporter.Options
    let directory: URL
    private(set) var segments = [ArchiveManifest.Segment]()
    private(set) var entryBytes = 0
    private(set) var fileBytes = 0
    private var lines = [UInt8]()
    private var first: UInt64 = 0
    private var count = 0
    private var firstTimestamp = Timestamp(microseconds: 0)
    private var lastTimestamp = Timestamp(microseconds: 0)

    init(options: ArchiveExporter.Options, directory: URL) {
        self.options = options
        self.directory = directory
    }

    /// Adds the entry at `index` to the current segment; returns whether the segment is now full.
    mutating func add(_ entry: [UInt8], timestamp: Timestamp, index: UInt64) -> Bool {
        if count == 0 {
            first = index
            firstTimestamp = timestamp
        }
        lines += entry
        lines.append(0x0A)
        count += 1
        lastTimestamp = timestamp
        return lines.count >= options.maxSegmentBytes || count >= options.maxSegmentEvents
    }

    /// Whether `timestamp` falls in another period than the segment's first event.
    func startsNewPeriod(_ timestamp: Timestamp) -> Bool {
        guard let period = options.segmentPeriodSeconds, count > 0 else { return false }
        let length = period * 1_000_000
        return Self.floorDiv(timestamp.microseconds, length) != Self.floorDiv(firstTimestamp.microseconds, length)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Removes the segment files written so far (after a failed export).
    func removeWrittenFiles(logger: Logger) {
        for segment in segments {
            let path = directory.appendingPathComponent(segment.fileName).path
            if unlink(path) != 0 {
                logger.warning("palisade.export.cleanup.failed", metadata: ["file": "\(path)", "errno": "\(errno)"])
            }
        }
    }

    /// Writes the current segment, if it holds anything; `root` is the tree root at its end.
    mutating func seal(root: MerkleHash) throws {
        guard count > 0 else { return }
        let name = ArchiveFiles.segmentName(first: first)
        let compressed = try ArchiveFiles.gzip(lines)
        try ArchiveFiles.writeAtomically(compressed, name: name, in: directory)
        segments.append(
            ArchiveManifest.Segment(
                first: first,
                end: first + UInt64(count),
                firstTimestamp: firstTimestamp.rfc3339,
                lastTimestamp: lastTimestamp.rfc3339,
                sha256: ArchiveFiles.sha256(compressed),
                root: root,
                fileName: name
            )
        )
        entryBytes += lines.count
        fileBytes += compressed.count
        lines.removeAll(keepingCapacity: true)
        count = 0
    }
}

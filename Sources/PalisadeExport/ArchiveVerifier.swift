public import Foundation
public import PalisadeCore
public import PalisadeLedger

/// Checks a JSONL archive offline, with nothing but its files and the log's verifier key: the
/// manifest and checkpoint signatures, every segment's SHA-256, that every line is a canonical
/// event, that the lines rebuild the Merkle root the manifest gives at each segment's end, and
/// that the archive's tree is a prefix of the signed checkpoint's (its consistency proof).
public enum ArchiveVerifier {
    /// What a successful verification covered.
    public struct Report: Sendable {
        /// The verified manifest.
        public var manifest: ArchiveManifest
        /// The signed checkpoint the archive leads to.
        public var checkpoint: Checkpoint
        /// The tenant every event belongs to.
        public var tenant: TenantID
        /// Events checked.
        public var entries: UInt64
        /// Bytes of entries (uncompressed, with newlines).
        public var entryBytes: Int
        /// Bytes of segment files.
        public var fileBytes: Int
    }

    /// An archive whose manifest and checkpoint verified, read segment by segment: the state of a
    /// verification in progress (``ArchiveImporter`` appends each segment's events in between).
    public struct Reading: Sendable {
        /// The verified manifest.
        public let manifest: ArchiveManifest
        /// The verified checkpoint.
        public let checkpoint: Checkpoint
        let directory: URL
        var range: CompactRange
        var tenant: TenantID?
        var entryBytes = 0
        var fileBytes = 0

        /// Checks `segment` (the next in the manifest): its SHA-256, its lines, its root.
        ///
        /// - Returns: its events, in log order.
        public mutating func verify(_ segment: ArchiveManifest.Segment) throws -> [PreparedEvent] {
            guard segment.first == range.size else { throw ArchiveError("\(segment.fileName) is not the next segment") }
            let file = try ArchiveFiles.read(segment.fileName, in: directory)
            guard ArchiveFiles.sha256(file) == segment.sha256 else {
                throw ArchiveError("\(segment.fileName): its SHA-256 is not the manifest's; the file was changed or damaged")
            }
            let lines = try ArchiveFiles.gunzip(file, name: segment.fileName)
            let events = try ArchiveVerifier.entries(of: lines, segment: segment)
            let expected = tenant ?? events[0].event.tenant
            if let stray = events.firstIndex(where: { $0.event.tenant != expected }) {
                throw ArchiveError(
                    "\(segment.fileName): index \(segment.first + UInt64(stray)) belongs to tenant \(events[stray].event.tenant), not \(expected)"
                )
            }
            tenant = expected
            for event in events { range.append(event.leafHash) }
            guard range.root == segment.root else {
                throw ArchiveError(
                    "\(segment.fileName): its events give root \(range.root.base64) at size \(segment.end), the manifest says \(segment.root.base64)"
                )
            }
            entryBytes += lines.count
            fileBytes += file.count
            return events
        }

        /// Checks that the segments verified so far (all of them) lead to the checkpoint.
        public func finish() throws -> Report {
            guard range.size == manifest.end else { throw ArchiveError("not every segment was verified") }
            if manifest.end == checkpoint.size {
                guard range.root == checkpoint.rootHash else {
                    throw ArchiveError("the archive's root at \(manifest.end) is not the checkpoint's root")
                }
            } else {
                let verdict = ProofVerifier.verifyConsistency(
                    first: manifest.end,
                    second: checkpoint.size,
                    firstRoot: range.root,
                    secondRoot: checkpoint.rootHash,
                    proof: manifest.proof
                )
                guard verdict.isValid else {
                    throw ArchiveError(
                        "the archive's tree of \(manifest.end) is not a prefix of the checkpoint's tree of \(checkpoint.size): \(verdict)"
                    )
                }
            }
            return Report(
                manifest: manifest,
                checkpoint: checkpoint,
                tenant: tenant ?? .default,
                entries: manifest.end - manifest.start,
                entryBytes: entryBytes,
                fileBytes: fileBytes
            )
        }
    }

    /// Verifies the archive in `directory` against `key`.
    ///
    /// - Throws: ``ArchiveError`` naming the file and, where there is one, the log index at fault.
    public static func verify(_ directory: URL, key: NoteVerifier) throws -> Report {
        var reading = try open(directory, key: key)
        for segment in reading.manifest.segments { _ = try reading.verify(segment) }
        return try reading.finish()
    }

    /// Checks the manifest's and the checkpoint's signatures and that they agree; the segments
    /// are then checked one by one with ``Reading/verify(_:)``.
    public static func open(_ directory: URL, key: NoteVerifier) throws -> Reading {
        let manifestNote = try signedNote(ArchiveFiles.manifestName, in: directory, key: key)
        let manifest = try ArchiveManifest(parsing: manifestNote.text)
        let checkpointNote = try signedNote(ArchiveFiles.checkpointName, in: directory, key: key)
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint(parsing: checkpointNote.text)
        } catch {
            throw ArchiveError("\(ArchiveFiles.checkpointName) is not a checkpoint: \(error)")
        }
        guard checkpoint.origin == manifest.origin else {
            throw ArchiveError("the checkpoint is of log \(checkpoint.origin), the manifest of \(manifest.origin)")
        }
        guard checkpoint.size == manifest.checkpointSize else {
            throw ArchiveError("the checkpoint has size \(checkpoint.size), the manifest names \(manifest.checkpointSize)")
        }
        guard !manifest.segments.isEmpty else { throw ArchiveError("the manifest lists no segments") }
        return Reading(
            manifest: manifest,
            checkpoint: checkpoint,
            directory: directory,
            range: try CompactRange(size: manifest.start, hashes: manifest.frontier)
        )
    }

    /// A file of the archive as a note signed by `key`.
    private static func signedNote(_ name: String, in directory: URL, key: NoteVerifier) throws -> SignedNote {
        let note: SignedNote
        do {
            note = try SignedNote(parsing: ArchiveFiles.read(name, in: directory))
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError("\(name) is not a signed note: \(error)")
        }
        guard case .verified = key.verify(note) else {
            throw ArchiveError("\(name) is not signed by key \(key.name) (\(key.verify(note)))")
        }
        return note
    }

    /// The events of a segment's lines: each must be a canonical event, one per line.
    static func entries(of lines: [UInt8], segment: ArchiveManifest.Segment) throws -> [PreparedEvent] {
        guard lines.last == 0x0A else { throw ArchiveError("\(segment.fileName): the last line does not end with a newline") }
        var events = [PreparedEvent]()
        events.reserveCapacity(Int(segment.end - segment.first))
        var index = segment.first
        for line in lines.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false) {
            guard index < segment.end else {
                throw ArchiveError("\(segment.fileName): more lines than the \(segment.end - segment.first) of its range")
            }
            let entry = Array(line)
            let event: AuditEvent
            do {
                event = try AuditEvent(canonicalEntry: entry)
            } catch {
                throw ArchiveError("\(segment.fileName): index \(index) is not a canonical event (\(error))")
            }
            let prepared = PreparedEvent(event)
            guard prepared.entry == entry else {
                throw ArchiveError("\(segment.fileName): index \(index) is not in canonical form")
            }
            events.append(prepared)
            index += 1
        }
        guard index == segment.end else {
            throw ArchiveError(
                "\(segment.fileName): \(index - segment.first) lines, but its range \(segment.first)..<\(segment.end) needs \(segment.end - segment.first)"
            )
        }
        return events
    }
}

public import Foundation
public import PalisadeCore
public import PalisadeIngest
public import PalisadeLedger

/// Restores an archive that starts at index 0 into its tenant's log, which must be empty (each
/// entry names its tenant, so a log cannot be restored under another name): the archive is
/// verified in full first (nothing is written from an archive that fails), then verified again
/// segment by segment while its events are appended through the sequencer, in order, so the
/// restored log has the archive's leaves and therefore its roots.
public struct ArchiveImporter: Sendable {
    /// Events appended per commit.
    static let batchSize = 1000

    private let backend: any LedgerBackend
    private let sequencer: LogSequencer

    /// Creates an importer writing through `sequencer` (which signs the restored log's
    /// checkpoints) into `backend`.
    public init(backend: any LedgerBackend, sequencer: LogSequencer) {
        self.backend = backend
        self.sequencer = sequencer
    }

    /// Restores the archive in `directory` (signed by `key`) into its tenant's log.
    ///
    /// - Returns: the verification report; the restored log's root at the archive's end equals
    ///   the manifest's.
    /// - Throws: ``ArchiveError`` when the archive does not verify, does not start at 0, or the
    ///   tenant already has events; the store's error when a commit fails.
    public func restore(_ directory: URL, key: NoteVerifier) async throws -> ArchiveVerifier.Report {
        let checked = try ArchiveVerifier.verify(directory, key: key)
        let tenant = checked.tenant
        if let head = try await backend.logHead(of: tenant), head.size > 0 {
            throw ArchiveError("tenant \(tenant) already has \(head.size) events; restore into an empty store")
        }
        guard checked.manifest.start == 0 else {
            throw ArchiveError(
                "the archive starts at index \(checked.manifest.start); only an archive from index 0 can be restored into an empty log"
            )
        }
        // Read again, verifying each segment before its events are appended: the files may have
        // changed since the first pass.
        var reading = try ArchiveVerifier.open(directory, key: key)
        guard reading.manifest == checked.manifest else { throw ArchiveError("the manifest changed during the restore") }
        for segment in reading.manifest.segments {
            let events = try reading.verify(segment)
            var offset = 0
            while offset < events.count {
                let batch = Array(events[offset..<min(events.count, offset + Self.batchSize)])
                let outcomes = try await sequencer.append(batch)
                for (position, outcome) in outcomes.enumerated() {
                    let expected = segment.first + UInt64(offset + position)
                    guard outcome == .appended(index: expected) else {
                        throw ArchiveError("index \(expected) was restored as \(outcome); the store changed during the restore")
                    }
                }
                offset += batch.count
            }
        }
        let report = try reading.finish()
        let reader = TileHashReader { [backend] ids in try await backend.tiles(ids, of: tenant) }
        let root = try await reader.root(ofSize: report.manifest.end)
        guard let last = report.manifest.segments.last, root == last.root else {
            throw ArchiveError("the restored log's root at \(report.manifest.end) is not the archive's; run `palisade verify`")
        }
        return report
    }
}

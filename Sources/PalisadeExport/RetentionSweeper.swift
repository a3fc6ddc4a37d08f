public import Foundation
public import Logging
public import PalisadeCore
public import PalisadeIngest
public import PalisadeLedger

/// The retention sweep: finds a tenant's events whose retention has ended and that no legal hold
/// covers, archives the log up to them as a sealed JSONL archive (verified by reading it back),
/// then prunes them in bounded batches, each batch one transaction with its signed
/// ``ErasureRecord``. Leaf hashes and tiles stay, so every proof and checkpoint still verifies.
///
/// Archives go to `<archive root>/<tenant>/<from>-<to>/`; each sweep archives from where the last
/// one stopped (`archived_to` in its prune records), so the archives of a tenant tile its log —
/// except events redacted before they were archived, which no archive holds (an archive holds
/// only entries that hash to their leaves, and the redaction removed the original on purpose).
public struct RetentionSweeper: Sendable {
    /// What a sweep found and did.
    public struct Report: Sendable {
        /// The tenant swept.
        public var tenant: TenantID
        /// Events examined (stored rows, erased ones not counted).
        public var examined: UInt64 = 0
        /// Expired events that a legal hold kept.
        public var held: UInt64 = 0
        /// Events pruned (or, in a dry run, that would be).
        public var pruned: UInt64 = 0
        /// The log indices of the prune records appended.
        public var records: [UInt64] = []
        /// The archive written by this sweep, if any.
        public var archive: URL?
        /// Every event below this index is archived.
        public var archivedTo: UInt64 = 0
        /// Time spent writing and reading back archives.
        public var archiveDuration: Duration = .zero
        /// Time spent pruning (the recorded batches).
        public var pruneDuration: Duration = .zero
    }

    /// The most events one prune record (and its transaction) covers. Default 10,000.
    public var batchSize: Int

    private let sequencer: LogSequencer
    private let backend: any LedgerBackend
    private let events: any EventStore
    private let signer: NoteSigner
    private let archiveRoot: URL
    private let logger: Logger

    /// Creates a sweeper.
    ///
    /// - Parameters:
    ///   - sequencer: the log writer (the server's, when it runs in the server).
    ///   - backend: the log storage.
    ///   - events: the event storage (usually the same store).
    ///   - signer: the checkpoint key; it signs archive manifests.
    ///   - archiveRoot: where archives are written.
    ///   - logger: progress and problems.
    public init(
        sequencer: LogSequencer,
        backend: any LedgerBackend,
        events: any EventStore,
        signer: NoteSigner,
        archiveRoot: URL,
        logger: Logger,
        batchSize: Int = 10_000
    ) {
        precondition(batchSize > 0, "a prune batch holds at least one event")
        self.sequencer = sequencer
        self.backend = backend
        self.events = events
        self.signer = signer
        self.archiveRoot = archiveRoot
        self.logger = logger
        self.batchSize = batchSize
    }

    /// Sweeps one tenant.
    ///
    /// - Parameters:
    ///   - tenant: the tenant.
    ///   - actor: who runs the sweep (recorded in the prune records).
    ///   - now: the instant retention is judged at.
    ///   - dryRun: count only; archive and prune nothing.
    ///   - purge: a purge outside policy: every event before `before` goes (policies or not),
    ///     except what a legal hold covers; its reason and approval are recorded.
    /// - Throws: ``RetentionError`` when the retention records cannot be read, ``ArchiveError``
    ///   when the archive cannot be written or does not verify (nothing is pruned then), or the
    ///   store's error (a batch already pruned stays pruned and recorded).
    public func sweep(
        tenant: TenantID,
        actor: String,
        now: Timestamp,
        dryRun: Bool = false,
        purge: (before: Timestamp, reason: String, approval: String)? = nil
    ) async throws -> Report {
        var report = Report(tenant: tenant)
        let rules = try await RetentionLedger.rules(of: tenant, from: events)
        report.archivedTo = try await RetentionLedger.archivedTo(of: tenant, from: events)
        guard !rules.policies.isEmpty || purge != nil, let head = try await backend.logHead(of: tenant) else { return report }

        // Which stored events may go.
        var prunable = [ErasureRequest]()
        var chunk: UInt64 = 0
        while chunk < head.size {
            let end = min(head.size, chunk + LogVerifier.chunkSize)
            let erased = Set(try await events.erasures(of: tenant, in: chunk..<end).map(\.index))
            for record in try await events.records(of: tenant, in: chunk..<end) where !erased.contains(record.index) {
                report.examined += 1
                let event: AuditEvent
                do {
                    event = try AuditEvent(canonicalEntry: record.entry)
                } catch {
                    throw RetentionError("the entry at index \(record.index) is not a canonical event (\(error)); run `palisade verify`")
                }
                // A purge judges every event before its cut-off as expired; holds still apply.
                var disposition = rules.disposition(of: event, at: now)
                if let purge {
                    disposition = .keptForever
                    if event.timestamp < purge.before && !event.eventType.isReserved {
                        let hold = rules.holds.first { $0.isActive(at: now) && $0.matches(event) }
                        disposition = hold.map { .held(by: $0.id, expiredAt: purge.before) } ?? .prunable(expiredAt: purge.before)
                    }
                }
                switch disposition {
                case .prunable: prunable.append(ErasureRequest(index: record.index, eventID: event.id, kind: .pruned))
                case .held: report.held += 1
                case .keptForever, .retainedUntil: break
                }
            }
            chunk = end
        }
        report.pruned = UInt64(prunable.count)
        guard let last = prunable.last, !dryRun else { return report }

        // Archive first, and read the archive back, before anything is pruned. Redacted entries
        // are left out (their original content is gone, and what is stored no longer hashes to
        // their leaf): the archive is cut around them into ranges that each verify on their own.
        var archive = (directory: "", manifestSHA256: "")
        let clock = ContinuousClock()
        var start = clock.now
        if last.index >= report.archivedTo {
            let redacted = try await events.erasures(of: tenant, in: report.archivedTo..<head.size).filter { $0.kind == .redacted }.map(\.index)
            var from = report.archivedTo
            for end in redacted + [head.size] {
                if from < end {
                    let (url, name, sha) = try await writeArchive(tenant: tenant, from: from, to: end)
                    report.archive = url
                    archive = (name, sha)
                }
                from = end + 1
            }
            report.archivedTo = head.size
        }
        report.archiveDuration = clock.now - start
        start = clock.now

        var generator = SystemRandomNumberGenerator()
        for batchStart in stride(from: 0, to: prunable.count, by: batchSize) {
            let batch = Array(prunable[batchStart..<min(prunable.count, batchStart + batchSize)])
            let record = ErasureRecord.pruneRecord(
                tenant: tenant,
                id: UUID.version7(at: now, using: &generator),
                at: now,
                actor: actor,
                erasures: batch,
                archive: (archive.directory, archive.manifestSHA256, report.archivedTo),
                outsidePolicy: purge.map { ($0.reason, $0.approval) }
            )
            let index = try await sequencer.appendRecord(PreparedEvent(record, idIsClientSupplied: false), erasing: batch)
            report.records.append(index)
            logger.info(
                "retention sweep pruned a batch",
                metadata: ["tenant": "\(tenant)", "events": "\(batch.count)", "record": "\(index)", "first": "\(batch[0].index)"]
            )
        }
        report.pruneDuration = clock.now - start
        return report
    }

    /// Exports `[from, to)` into `<root>/<tenant>/<from>-<to>/` and verifies what was written.
    /// A complete archive of exactly that range left by an interrupted sweep is verified and reused.
    private func writeArchive(tenant: TenantID, from: UInt64, to: UInt64) async throws -> (URL, String, String) {
        let name = "\(tenant.rawValue)/\(Self.padded(from))-\(Self.padded(to))"
        let directory = archiveRoot.appendingPathComponent(name, isDirectory: true)
        let manifestURL = directory.appendingPathComponent(ArchiveFiles.manifestName)
        if !FileManager.default.fileExists(atPath: manifestURL.path) {
            let exporter = ArchiveExporter(backend: backend, events: events, signer: signer, logger: logger)
            _ = try await exporter.export(tenant: tenant, to: directory, options: .init(from: from, to: to))
        }
        let verified = try ArchiveVerifier.verify(directory, key: signer.verifier)
        guard verified.tenant == tenant, verified.manifest.start == from, verified.entries == to - from else {
            throw ArchiveError("\(directory.path) holds another range or tenant than \(tenant) \(from)..<\(to); move it away and sweep again")
        }
        let manifest: [UInt8]
        do {
            manifest = Array(try Data(contentsOf: manifestURL))
        } catch {
            throw ArchiveError("cannot read back \(manifestURL.path): \(error.localizedDescription)")
        }
        return (directory, name, ArchiveFiles.sha256(manifest))
    }

    private static func padded(_ value: UInt64) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 12 - text.count)) + text
    }
}

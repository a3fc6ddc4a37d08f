import Foundation
public import PalisadeCore
public import PalisadeLedger

/// Audits a tenant's stored log from scratch: every entry is decoded and re-encoded, every leaf
/// hash recomputed, the whole tree rebuilt and compared tile by tile with what is stored, and every
/// checkpoint's signature and root checked against the rebuilt tree.
///
/// It trusts nothing in the database: a changed, deleted, reordered or inserted row, an edited
/// column, a rewritten tile or a forged checkpoint each produce a ``Failure`` naming the first
/// index (or checkpoint) that is wrong.
///
/// ```swift
/// let report = try await LogVerifier(backend: store, events: store, verifier: key).verify(tenant: .default)
/// if let failure = report.failure { print(failure) }
/// ```
public struct LogVerifier: Sendable {
    /// What went wrong first.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The first log index at fault, when the problem is at an index.
        public var index: UInt64?
        /// What is wrong.
        public var reason: String

        /// `index N: reason` or the reason alone.
        public var description: String { index.map { "index \($0): \(reason)" } ?? reason }
    }

    /// The result for one tenant.
    public struct Report: Hashable, Sendable {
        /// The tenant.
        public var tenant: TenantID
        /// The signed size of its log.
        public var size: UInt64
        /// Entries checked.
        public var entriesChecked: UInt64
        /// Entry bytes hashed.
        public var bytesHashed: UInt64
        /// Checkpoints whose signature and root were checked (history and latest).
        public var checkpointsChecked: Int
        /// Entries pruned by retention, each accounted for by a signed erasure record; their leaf
        /// hashes were checked against the checkpoints, their content is in the archive.
        public var pruned: UInt64 = 0
        /// Entries redacted, each under a signed erasure record that commits to the redacted copy.
        public var redacted: UInt64 = 0
        /// The erasure records whose filings were checked.
        public var erasureRecords: Int = 0
        /// The first problem, or `nil` when the log is intact.
        public var failure: Failure?
    }

    /// Entries read per round trip.
    public static let chunkSize: UInt64 = 65_536

    private let backend: any LedgerBackend
    private let events: any EventStore
    private let verifier: NoteVerifier

    /// Creates a verifier.
    ///
    /// - Parameters:
    ///   - backend: the log storage.
    ///   - events: the event storage (usually the same store).
    ///   - verifier: the checkpoint key that must have signed every checkpoint.
    public init(backend: any LedgerBackend, events: any EventStore, verifier: NoteVerifier) {
        self.backend = backend
        self.events = events
        self.verifier = verifier
    }

    /// Verifies one tenant's log.
    ///
    /// - Parameter progress: called after each chunk with (entries checked, total).
    /// - Returns: the report; its ``Report/failure`` is `nil` when everything checks out.
    /// - Throws: only when storage cannot be read at all.
    public func verify(tenant: TenantID, progress: @Sendable (UInt64, UInt64) -> Void = { _, _ in }) async throws -> Report {
        var report = Report(tenant: tenant, size: 0, entriesChecked: 0, bytesHashed: 0, checkpointsChecked: 0, failure: nil)
        guard let head = try await backend.logHead(of: tenant) else {
            let rows = try await events.recordCount(of: tenant)
            if rows > 0 { report.failure = Failure(index: 0, reason: "\(rows) event rows exist but the tenant has no signed log") }
            return report
        }
        report.size = head.size

        // Checkpoints first: they say what the tree must be.
        var expectedRoots = [UInt64: MerkleHash]()
        let history = try await backend.checkpoints(of: tenant)
        for stored in history + [StoredCheckpoint(size: head.size, note: head.checkpoint)] {
            switch checkCheckpoint(stored, tenant: tenant) {
            case .success(let checkpoint):
                if let earlier = expectedRoots[checkpoint.size], earlier != checkpoint.rootHash {
                    report.failure = Failure(index: nil, reason: "two checkpoints of size \(checkpoint.size) have different roots")
                    return report
                }
                expectedRoots[checkpoint.size] = checkpoint.rootHash
                report.checkpointsChecked += 1
            case .failure(let failure):
                report.failure = failure
                return report
            }
        }

        // Erasures next: each must be accounted for by its signed record, or it is tampering.
        let erasures: [UInt64: Erasure]
        switch try await checkErasures(tenant: tenant, size: head.size) {
        case .success(let checked):
            erasures = checked.erasures
            report.erasureRecords = checked.records
        case .failure(let failure):
            report.failure = failure
            return report
        }

        var tree = TiledTree()
        var rebuiltRightmost = [Int: Tile]()
        var start: UInt64 = 0
        var records = try await events.records(of: tenant, in: 0..<min(head.size, Self.chunkSize))
        while start < head.size {
            let end = min(head.size, start + Self.chunkSize)
            // Read the next chunk while this one is checked.
            let nextRange = end..<min(head.size, end + Self.chunkSize)
            let events = events
            async let upcoming = nextRange.isEmpty ? [] : events.records(of: tenant, in: nextRange)
            // Positions first (cheap, in order), then the costly per-entry checks on every core.
            var expected = start
            for record in records {
                if record.index < expected {
                    report.failure = Failure(index: record.index, reason: "more than one event row claims this index")
                    return report
                }
                while expected < record.index {
                    guard erasures[expected]?.kind == .pruned else {
                        report.failure = Failure(index: expected, reason: "the event row is missing (deleted)")
                        return report
                    }
                    expected += 1
                }
                if erasures[record.index]?.kind == .pruned {
                    report.failure = Failure(
                        index: record.index,
                        reason: "the event was pruned under record \(erasures[record.index]!.record) but its row is back"
                    )
                    return report
                }
                expected += 1
            }
            while expected < end {
                guard erasures[expected]?.kind == .pruned else {
                    report.failure = Failure(index: expected, reason: "the event row is missing (deleted)")
                    return report
                }
                expected += 1
            }
            let checked = await checkInParallel(records, tenant: tenant, erasures: erasures)
            if let failure = checked.failure {
                report.failure = failure
                return report
            }
            report.bytesHashed += records.reduce(0) { $0 + UInt64($1.entry.count) }
            // Compare the recomputed leaves with the stored level-0 tiles, hash by hash; an erased
            // entry's leaf is taken from the tile, and the checkpoints below vouch for it.
            let firstTile = start >> 8
            let lastTile = (end - 1) >> 8
            let stored = try await backend.tiles((firstTile...lastTile).map { TileID(level: 0, index: $0) }, of: tenant)
            var recomputed = [UInt64: MerkleHash](minimumCapacity: records.count)
            for (record, leaf) in zip(records, checked.leafHashes) { recomputed[record.index] = leaf }
            var leafHashes = [MerkleHash]()
            leafHashes.reserveCapacity(Int(end - start))
            for index in start..<end {
                let tile = stored[TileID(level: 0, index: index >> 8)]
                let position = Int(index & 255)
                guard let tile, position < tile.width else {
                    report.failure = Failure(index: index, reason: "the stored tree has no leaf hash for this entry (tile missing or cut short)")
                    return report
                }
                if let erasure = erasures[index] {
                    if erasure.kind == .pruned { report.pruned += 1 } else { report.redacted += 1 }
                } else if tile.hashes[position] != recomputed[index] {
                    report.failure = Failure(
                        index: index,
                        reason: "the event does not match the leaf hash in the stored tree (changed, reordered or inserted)"
                    )
                    return report
                }
                leafHashes.append(tile.hashes[position])
            }
            // Rebuild the tree segment by segment, stopping at every checkpoint size to check its root.
            let stops = expectedRoots.keys.filter { $0 > start && $0 < end }.sorted() + [end]
            var segmentStart = start
            for stop in stops {
                let segment = Array(leafHashes[Int(segmentStart - start)..<Int(stop - start)])
                for tile in tree.append(segment) {
                    if tile.isFull {
                        if tile.id.level > 0, let failure = try await compareUpperTile(tile, tenant: tenant) {
                            report.failure = failure
                            return report
                        }
                        rebuiltRightmost[tile.id.level] = nil
                    } else {
                        rebuiltRightmost[tile.id.level] = tile
                    }
                }
                if let root = expectedRoots[stop], root != tree.root {
                    report.failure = Failure(index: stop - 1, reason: "the checkpoint of size \(stop) does not match the events (history rewritten)")
                    return report
                }
                segmentStart = stop
            }
            report.entriesChecked = end
            start = end
            progress(end, head.size)
            records = try await upcoming
        }
        if let root = expectedRoots[0], root != RFC9162.emptyRoot {
            report.failure = Failure(index: nil, reason: "the checkpoint of size 0 has a non-empty root")
            return report
        }
        // The rightmost upper-level tiles of the final tree must match too.
        let partials = rebuiltRightmost.values.filter { $0.id.level > 0 }
        let storedPartials = try await backend.tiles(partials.map(\.id), of: tenant)
        for tile in partials where storedPartials[tile.id] != tile {
            // A live log may have grown since its head was read: its stored tile then extends the
            // rebuilt one (tiles only grow), which is no finding.
            if let stored = storedPartials[tile.id], stored.hashes.count > tile.hashes.count,
                Array(stored.hashes.prefix(tile.hashes.count)) == tile.hashes,
                let now = try await backend.logHead(of: tenant), now.size > head.size
            {
                continue
            }
            report.failure = Failure(index: nil, reason: "stored tile \(tile.id) does not match the rebuilt tree")
            return report
        }
        // The store's own indexes must describe the same events.
        if let finding = try await events.auditDerivedIndexes(of: tenant) {
            report.failure = Failure(index: finding.index, reason: finding.reason)
            return report
        }
        // Rows past the signed size were inserted behind the ledger's back — unless a live log
        // signed them since its head was read (rows and head are committed together, so the head
        // read after the count covers every row the count saw).
        let rows = try await events.recordCount(of: tenant)
        let signedNow = try await backend.logHead(of: tenant)?.size ?? head.size
        if rows > max(head.size, signedNow) {
            let extra = try await events.records(of: tenant, in: head.size..<UInt64(Int64.max)).first?.index
            report.failure = Failure(
                index: extra ?? head.size,
                reason: "\(rows - head.size) event rows exist beyond the signed tree size \(head.size)"
            )
        }
        return report
    }

    private func checkCheckpoint(_ stored: StoredCheckpoint, tenant: TenantID) -> Result<Checkpoint, Failure> {
        let note: SignedNote
        let checkpoint: Checkpoint
        do {
            note = try SignedNote(parsing: stored.note)
        } catch {
            return .failure(Failure(index: nil, reason: "the checkpoint of size \(stored.size) is not a signed note: \(error)"))
        }
        guard case .verified(let text) = verifier.verify(note) else {
            return .failure(Failure(index: nil, reason: "the checkpoint of size \(stored.size) is not signed by key \(verifier.name)"))
        }
        do {
            checkpoint = try Checkpoint(parsing: text)
        } catch {
            return .failure(Failure(index: nil, reason: "the checkpoint of size \(stored.size) is malformed: \(error)"))
        }
        guard checkpoint.size == stored.size else {
            return .failure(Failure(index: nil, reason: "a checkpoint stored as size \(stored.size) signs size \(checkpoint.size)"))
        }
        guard checkpoint.origin.hasSuffix("/" + tenant.rawValue) else {
            return .failure(Failure(index: nil, reason: "the checkpoint of size \(stored.size) belongs to another log (\(checkpoint.origin))"))
        }
        return .success(checkpoint)
    }

    /// Reads the tenant's erasures and checks each record's filings against what the record, a
    /// signed leaf of the same log, committed to.
    private func checkErasures(tenant: TenantID, size: UInt64) async throws -> Result<(erasures: [UInt64: Erasure], records: Int), Failure> {
        let stored = try await events.erasures(of: tenant, in: 0..<UInt64(Int64.max))
        var byIndex = [UInt64: Erasure](minimumCapacity: stored.count)
        var byRecord = [UInt64: [Erasure]]()
        for erasure in stored {
            guard erasure.index < size else {
                return .failure(Failure(index: erasure.index, reason: "an erasure is filed beyond the signed tree size \(size)"))
            }
            byIndex[erasure.index] = erasure
            byRecord[erasure.record, default: []].append(erasure)
        }
        for (recordIndex, filed) in byRecord.sorted(by: { $0.key < $1.key }) {
            let first = filed.map(\.index).min() ?? recordIndex
            guard recordIndex < size, recordIndex > filed.map(\.index).max() ?? 0, byIndex[recordIndex] == nil else {
                return .failure(Failure(index: first, reason: "erased under record \(recordIndex), which cannot be an erasure record of this log"))
            }
            let rows = try await events.records(of: tenant, in: recordIndex..<(recordIndex + 1))
            let record: ErasureRecord
            do {
                guard let row = rows.first else { throw RetentionError("its row is missing") }
                record = try ErasureRecord(reading: try AuditEvent(canonicalEntry: row.entry))
            } catch {
                return .failure(Failure(index: first, reason: "erased under record \(recordIndex), which is not an erasure record (\(error))"))
            }
            if let problem = record.check(filed) {
                return .failure(Failure(index: first, reason: "the erasures filed under record \(recordIndex) were altered: \(problem)"))
            }
        }
        return .success((byIndex, byRecord.count))
    }

    /// Decodes, checks and hashes records on every core; returns the leaf hashes in order, or the
    /// failure at the lowest index. A redacted record is checked against its erasure instead (its
    /// leaf hash is the original's, kept in the tiles).
    private func checkInParallel(
        _ records: [LogRecord],
        tenant: TenantID,
        erasures: [UInt64: Erasure]
    ) async -> (
        leafHashes: [MerkleHash?], failure: Failure?
    ) {
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, records.count / 1024))
        let size = (records.count + slices - 1) / max(slices, 1)
        let results = await withTaskGroup(of: (Int, [MerkleHash?], Failure?).self) { group in
            for slice in 0..<slices {
                let part = records[min(records.count, slice * size)..<min(records.count, (slice + 1) * size)]
                group.addTask {
                    var hashes = [MerkleHash?]()
                    hashes.reserveCapacity(part.count)
                    for record in part {
                        if let failure = checkRecord(record, tenant: tenant) { return (slice, hashes, failure) }
                        if let erasure = erasures[record.index] {
                            guard erasure.redactedEntry == record.entry else {
                                let failure = Failure(
                                    index: record.index,
                                    reason:
                                        "the event was redacted under record \(erasure.record), but its row is not the redacted copy that record names"
                                )
                                return (slice, hashes, failure)
                            }
                            hashes.append(nil)
                        } else {
                            hashes.append(RFC9162.leafHash(of: record.entry))
                        }
                    }
                    return (slice, hashes, nil)
                }
            }
            var collected = [(Int, [MerkleHash?], Failure?)]()
            for await result in group { collected.append(result) }
            return collected.sorted { $0.0 < $1.0 }
        }
        var leafHashes = [MerkleHash?]()
        leafHashes.reserveCapacity(records.count)
        for (_, hashes, failure) in results {
            if let failure { return (leafHashes, failure) }
            leafHashes += hashes
        }
        return (leafHashes, nil)
    }

    private func checkRecord(_ record: LogRecord, tenant: TenantID) -> Failure? {
        let event: AuditEvent
        do {
            event = try AuditEvent(canonicalEntry: record.entry)
        } catch {
            return Failure(index: record.index, reason: "the stored entry is not a canonical event (\(error.reason))")
        }
        guard event.tenant == tenant else { return Failure(index: record.index, reason: "the entry belongs to tenant \(event.tenant)") }
        let derived = IndexedColumns(event)
        guard derived == record.columns else {
            return Failure(
                index: record.index,
                reason: "stored column \(Self.firstDifference(derived, record.columns)) differs from the signed entry"
            )
        }
        return nil
    }

    private func compareUpperTile(_ tile: Tile, tenant: TenantID) async throws -> Failure? {
        let stored = try await backend.tiles([tile.id], of: tenant)
        guard stored[tile.id] == tile else {
            return Failure(index: tile.id.index << UInt64(8 * (tile.id.level + 1)), reason: "stored tile \(tile.id) does not match the rebuilt tree")
        }
        return nil
    }

    private static func firstDifference(_ a: IndexedColumns, _ b: IndexedColumns) -> String {
        if a.id != b.id { return "event_id" }
        if a.timestamp != b.timestamp { return "ts" }
        if a.eventType != b.eventType { return "event_type" }
        if a.severity != b.severity { return "severity" }
        if a.actor != b.actor { return "actor" }
        if a.action != b.action { return "action" }
        if a.resource != b.resource { return "resource" }
        if a.success != b.success { return "success" }
        if a.sourceIP != b.sourceIP { return "source_ip" }
        if a.sessionID != b.sessionID { return "session_id" }
        return "request_id"
    }
}

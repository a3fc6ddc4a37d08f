import Foundation
public import Logging
public import PalisadeCore
public import PalisadeLedger

/// The only writer of tenants' Merkle logs: it numbers events, extends the tiled tree, signs a
/// checkpoint and hands all of it to the ``LedgerBackend`` as one transaction.
///
/// It keeps each tenant's ``TiledTree`` in memory (O(log n) hashes) after loading it once, and
/// checks on load that the stored tiles reproduce the root of the latest signed checkpoint. When
/// the backend reports a conflict (another process appended to the same database), it reloads the
/// tenant and tries again, so nothing is numbered twice.
///
/// Being an actor, it serializes appends; ``GroupCommitter`` gathers concurrent callers into one
/// call so that the cost of a transaction is shared.
public actor LogSequencer {
    /// How checkpoints are named and kept.
    public struct Configuration: Sendable {
        /// The origin prefix; a tenant's log origin is `<origin>/<tenant>`. Default `palisade.local`.
        public var origin: String
        /// The minimum time between checkpoints kept in the history, in seconds. Every commit signs
        /// a new latest checkpoint; the history keeps one per interval. Default 10 s; 0 keeps all.
        public var historyIntervalSeconds: Int64
        /// How many times a conflicting commit is retried after reloading. Default 3.
        public var conflictRetries: Int

        /// Creates a configuration.
        public init(origin: String = "palisade.local", historyIntervalSeconds: Int64 = 10, conflictRetries: Int = 3) {
            self.origin = origin
            self.historyIntervalSeconds = historyIntervalSeconds
            self.conflictRetries = conflictRetries
        }
    }

    private let backend: any LedgerBackend
    private let signer: NoteSigner
    private let clock: any WallClock
    private let configuration: Configuration
    private let logger: Logger
    private var trees: [TenantID: TiledTree] = [:]
    private var lastHistory: [TenantID: Timestamp] = [:]
    /// Raised after every commit, for in-process consumers.
    public nonisolated let commits = CommitSignal()

    /// Creates a sequencer.
    ///
    /// - Parameters:
    ///   - backend: where logs are stored.
    ///   - signer: the checkpoint key.
    ///   - clock: the wall clock for the history interval.
    ///   - configuration: naming and history policy.
    ///   - logger: for conflicts and reloads.
    public init(backend: any LedgerBackend, signer: NoteSigner, clock: any WallClock, configuration: Configuration = Configuration(), logger: Logger)
    {
        self.backend = backend
        self.signer = signer
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
    }

    /// The origin line of a tenant's checkpoints.
    public nonisolated func origin(of tenant: TenantID) -> String { "\(configuration.origin)/\(tenant.rawValue)" }

    /// Appends events (of any tenants) durably and returns one outcome per event, in order.
    ///
    /// Events whose id is already in their tenant's log, or earlier in the same call, are reported
    /// as duplicates and not appended again.
    /// - Throws: ``StoreError`` when the backend fails (nothing is appended then) and
    ///   ``LedgerError`` when stored tiles cannot be read back.
    public func append(_ events: [PreparedEvent]) async throws -> [AppendOutcome] {
        var attempt = 0
        while true {
            do {
                return try await appendOnce(events)
            } catch let error as StoreError where error.code == .conflict && attempt < configuration.conflictRetries {
                attempt += 1
                logger.info("ledger commit conflicted; reloading logs", metadata: ["attempt": "\(attempt)"])
                for tenant in Set(events.map(\.event.tenant)) { trees[tenant] = nil }
            }
        }
    }

    /// Appends one of Palisade's erasure records and, in the same transaction, makes the erasures
    /// it records (the stored rows are deleted or replaced; leaf hashes and tiles stay).
    ///
    /// - Parameters:
    ///   - record: the ``EventType/palisadeErasure`` event, with a Palisade-generated id.
    ///   - erasures: what it erases; each must name a stored, not yet erased event of its tenant.
    /// - Returns: the record's log index.
    /// - Throws: ``StoreError`` `rejected` when an erasure does not fit the stored rows (nothing is
    ///   written then), or the backend's error.
    public func appendRecord(_ record: PreparedEvent, erasing erasures: [ErasureRequest]) async throws -> UInt64 {
        var attempt = 0
        while true {
            do {
                let outcomes = try await appendOnce([record], erasing: erasures)
                guard case .appended(let index) = outcomes[0] else {
                    throw StoreError(.rejected, "record \(record.event.idString) is already in the log")
                }
                return index
            } catch let error as StoreError where error.code == .conflict && attempt < configuration.conflictRetries {
                attempt += 1
                logger.info("ledger commit conflicted; reloading logs", metadata: ["attempt": "\(attempt)"])
                trees[record.event.tenant] = nil
            }
        }
    }

    private func appendOnce(_ events: [PreparedEvent], erasing erasures: [ErasureRequest] = []) async throws -> [AppendOutcome] {
        var outcomes = [AppendOutcome?](repeating: nil, count: events.count)
        var positionsByTenant = [TenantID: [Int]]()
        for (position, prepared) in events.enumerated() { positionsByTenant[prepared.event.tenant, default: []].append(position) }

        var appends = [LogAppend]()
        var newTrees = [TenantID: TiledTree]()
        var recorded = Set<TenantID>()
        let now = clock.now()
        for tenant in positionsByTenant.keys.sorted() {
            let positions = positionsByTenant[tenant]!
            var tree = try await loadTree(of: tenant)
            let lookups = positions.filter { events[$0].idIsClientSupplied }.map { events[$0].event.id }
            let existing = lookups.isEmpty ? [:] : try await backend.existingEvents(lookups, of: tenant)
            var fresh = [PreparedEvent]()
            var seen = [UUID: UInt64]()
            for position in positions {
                let event = events[position]
                if let index = existing[event.event.id] ?? seen[event.event.id] {
                    outcomes[position] = .duplicate(existingIndex: index)
                } else {
                    let index = tree.size + UInt64(fresh.count)
                    seen[event.event.id] = index
                    outcomes[position] = .appended(index: index)
                    fresh.append(event)
                }
            }
            guard !fresh.isEmpty else { continue }
            let firstIndex = tree.size
            let tiles = tree.append(fresh.map(\.leafHash))
            let checkpoint = Checkpoint(origin: origin(of: tenant), size: tree.size, rootHash: tree.root)
            let note = try signer.sign(checkpoint.text)
            let keep = lastHistory[tenant].map { now.microseconds - $0.microseconds >= configuration.historyIntervalSeconds * 1_000_000 } ?? true
            if keep { recorded.insert(tenant) }
            appends.append(
                LogAppend(
                    tenant: tenant,
                    firstIndex: firstIndex,
                    events: fresh,
                    tiles: tiles,
                    head: LogHead(size: tree.size, checkpoint: note.serialized),
                    recordInHistory: keep,
                    erasures: erasures.map { $0.erasure(record: firstIndex) }
                )
            )
            newTrees[tenant] = tree
        }
        if !appends.isEmpty {
            try await backend.commit(appends)
        }
        for (tenant, tree) in newTrees { trees[tenant] = tree }
        for tenant in recorded { lastHistory[tenant] = now }
        if !appends.isEmpty { commits.notify() }
        return outcomes.map { $0! }
    }

    /// The tenant's tree, loaded from storage on first use and checked against its checkpoint.
    private func loadTree(of tenant: TenantID) async throws -> TiledTree {
        if let tree = trees[tenant] { return tree }
        guard let head = try await backend.logHead(of: tenant) else {
            trees[tenant] = TiledTree()
            return TiledTree()
        }
        let ids = (0..<8).map { TileID.rightmost(level: $0, inTreeOfSize: head.size) }.filter { $0.width > 0 }.map(\.id)
        let tiles = try await backend.tiles(ids, of: tenant)
        let tree = try TiledTree(size: head.size, rightmostTiles: Array(tiles.values))
        let note = try SignedNote(parsing: head.checkpoint)
        guard case .verified(let text) = signer.verifier.verify(note) else {
            throw StoreError(.corrupt, "the latest checkpoint of tenant \(tenant) is not signed by this data directory's key; run `palisade verify`")
        }
        let checkpoint = try Checkpoint(parsing: text)
        guard checkpoint.size == head.size, checkpoint.rootHash == tree.root else {
            throw StoreError(.corrupt, "the stored tiles of tenant \(tenant) do not match its signed checkpoint; run `palisade verify`")
        }
        trees[tenant] = tree
        return tree
    }

    /// Forgets cached trees, so the next append reloads them from storage.
    public func reset() {
        trees.removeAll()
    }
}

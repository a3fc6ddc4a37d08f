public import Foundation
public import PalisadeLedger

/// The storage of tenants' Merkle logs: entries, tiles and checkpoints, written atomically.
///
/// Implemented by every store (memory, SQLite, PostgreSQL) and checked by one conformance suite.
/// The sequencer in PalisadeIngest is its only writer; it computes indices, tiles and checkpoints,
/// and the backend stores them in one transaction.
public protocol LedgerBackend: Sendable {
    /// The tenants that have a log.
    func tenants() async throws -> [TenantID]

    /// The size and latest signed checkpoint of a tenant's log, or `nil` when it has none yet.
    func logHead(of tenant: TenantID) async throws -> LogHead?

    /// The latest stored version of each tile asked for; missing tiles are left out.
    func tiles(_ ids: [TileID], of tenant: TenantID) async throws -> [TileID: Tile]

    /// The log indices of those of `ids` already in the tenant's log, pruned ones included.
    func existingEvents(_ ids: [UUID], of tenant: TenantID) async throws -> [UUID: UInt64]

    /// Writes appends to one or more tenants' logs in one transaction.
    ///
    /// - Throws: ``StoreError`` with code `conflict` when a log's size is not the append's
    ///   `firstIndex` (another writer moved it on) or an event id already exists, and `rejected`
    ///   when an erasure names an event row that is not stored (with that id) or is already erased;
    ///   nothing is written.
    func commit(_ appends: [LogAppend]) async throws

    /// The checkpoints kept in the tenant's history, oldest first.
    func checkpoints(of tenant: TenantID) async throws -> [StoredCheckpoint]
}

/// A log's current size and the checkpoint that signs it.
public struct LogHead: Hashable, Sendable {
    /// The number of entries.
    public var size: UInt64
    /// The serialized signed note of the latest checkpoint.
    public var checkpoint: String

    /// Creates a head.
    public init(size: UInt64, checkpoint: String) {
        self.size = size
        self.checkpoint = checkpoint
    }
}

/// A signed checkpoint kept in a log's history.
public struct StoredCheckpoint: Hashable, Sendable {
    /// The tree size it signs.
    public var size: UInt64
    /// The serialized signed note.
    public var note: String

    /// Creates a stored checkpoint.
    public init(size: UInt64, note: String) {
        self.size = size
        self.note = note
    }
}

/// An event ready to append: the event, its canonical entry and the entry's leaf hash.
public struct PreparedEvent: Hashable, Sendable {
    /// The event.
    public let event: AuditEvent
    /// `event.canonicalEntry`.
    public let entry: [UInt8]
    /// `RFC9162.leafHash(of: entry)`.
    public let leafHash: MerkleHash
    /// Whether the client chose the id. Ids Palisade generated (random version 7 UUIDs) cannot
    /// already be in the log, so only client-chosen ids are looked up for duplicates.
    public let idIsClientSupplied: Bool

    /// Encodes and hashes an event (the costly part of an append, done by the caller's task).
    ///
    /// - Parameters:
    ///   - event: the validated event.
    ///   - idIsClientSupplied: `false` only when Palisade generated the id; default `true`.
    public init(_ event: AuditEvent, idIsClientSupplied: Bool = true) {
        self.event = event
        self.entry = event.canonicalEntry
        self.leafHash = RFC9162.leafHash(of: entry)
        self.idIsClientSupplied = idIsClientSupplied
    }
}

/// Everything one commit adds to one tenant's log.
public struct LogAppend: Sendable {
    /// The tenant.
    public var tenant: TenantID
    /// The index of the first event; must equal the log's size before the commit.
    public var firstIndex: UInt64
    /// The events, at indices `firstIndex...`.
    public var events: [PreparedEvent]
    /// The tiles that changed (full tiles written once, rightmost tiles overwritten).
    public var tiles: [Tile]
    /// The new head: size `firstIndex + events.count` and its signed checkpoint.
    public var head: LogHead
    /// Whether the checkpoint is also kept in the history.
    public var recordInHistory: Bool
    /// Events erased in the same transaction, each naming its record among ``events``: pruned rows
    /// are deleted, redacted rows replaced; leaf hashes and tiles are never touched.
    public var erasures: [Erasure]

    /// Creates an append.
    public init(
        tenant: TenantID,
        firstIndex: UInt64,
        events: [PreparedEvent],
        tiles: [Tile],
        head: LogHead,
        recordInHistory: Bool,
        erasures: [Erasure] = []
    ) {
        self.tenant = tenant
        self.firstIndex = firstIndex
        self.events = events
        self.tiles = tiles
        self.head = head
        self.recordInHistory = recordInHistory
        self.erasures = erasures
    }
}

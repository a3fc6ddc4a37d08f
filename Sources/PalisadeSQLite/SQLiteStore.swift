public import Foundation
import GRDB
public import PalisadeCore
public import PalisadeLedger
import Synchronization

/// The embedded store: one SQLite file in WAL mode holding every tenant's events, tiles and
/// checkpoints. Implements ``LedgerBackend`` and ``EventStore``.
///
/// Writes go through GRDB's serial writer queue and reads through its reader pool, never on the
/// cooperative thread pool (libsqlite3 blocks). A commit is one transaction with
/// `synchronous = FULL` by default, so an acknowledged append survives a crash or power loss; a
/// half-written batch is rolled back by SQLite on the next open.
///
/// ```swift
/// let store = try SQLiteStore(path: "palisade-data/palisade.db")
/// let page = try await store.events(matching: EventQuery(tenant: .default).validated())
/// ```
public final class SQLiteStore: LedgerBackend, EventStore, Sendable {
    /// How the database is opened.
    public struct Configuration: Sendable {
        /// How hard SQLite works to make a commit durable.
        public enum Durability: String, Sendable, CaseIterable {
            /// fsync the WAL on every commit: survives power loss (the default).
            case full
            /// fsync at checkpoints only: survives a process crash, may lose the last commits on power loss.
            case normal
        }

        /// Commit durability. Default `.full`.
        public var durability: Durability
        /// How long a writer waits for another process's lock, in milliseconds. Default 5,000.
        public var busyTimeoutMilliseconds: Int
        /// Concurrent readers. Default 4.
        public var maximumReaders: Int
        /// How many unindexed events a tenant's tail may hold before a commit builds their facet
        /// rows (sorted, in the same transaction). Larger batches amortize better; the tail is
        /// scanned by facet queries. Default 4,096: at 1M events facet queries ran 3-15x faster than with 16,384 and loading
        /// 18% slower (BENCHMARKS.md).
        public var facetIndexBatch: Int

        /// Creates a configuration.
        public init(durability: Durability = .full, busyTimeoutMilliseconds: Int = 5000, maximumReaders: Int = 4, facetIndexBatch: Int = 4096) {
            precondition(facetIndexBatch > 0, "the facet batch must be positive")
            self.durability = durability
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.maximumReaders = maximumReaders
            self.facetIndexBatch = facetIndexBatch
        }
    }

    let pool: DatabasePool
    /// A read-only connection for point lookups (see ``pointRead(_:)``).
    private let lookups: DatabaseQueue
    private let facetIndexBatch: Int64
    private let tenantIDs = Mutex<[TenantID: Int64]>([:])

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Throws: ``StoreError`` `unavailable` when the file cannot be opened, `schemaTooNew` when a
    ///   newer Palisade wrote it.
    public init(path: String, configuration: Configuration = Configuration()) throws {
        var config = GRDB.Configuration()
        config.busyMode = .timeout(Double(configuration.busyTimeoutMilliseconds) / 1000)
        config.maximumReaderCount = configuration.maximumReaders
        config.label = "palisade"
        facetIndexBatch = Int64(configuration.facetIndexBatch)
        let synchronous = configuration.durability == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError(.unavailable, "cannot open the SQLite database; check the data directory exists and is writable", underlying: error)
        }
        let migrator = SQLiteSchema.migrator
        do {
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            guard !superseded else {
                throw StoreError(.schemaTooNew, "the database was written by a newer Palisade; upgrade the palisade binary")
            }
            try migrator.migrate(pool)
            var lookupConfiguration = GRDB.Configuration()
            lookupConfiguration.readonly = true
            lookupConfiguration.busyMode = .timeout(Double(configuration.busyTimeoutMilliseconds) / 1000)
            lookupConfiguration.label = "palisade.lookups"
            lookups = try DatabaseQueue(path: path, configuration: lookupConfiguration)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "cannot migrate the SQLite schema or open its lookup connection", underlying: error)
        }
    }

    // MARK: LedgerBackend

    /// The tenants that have a log.
    public func tenants() async throws -> [TenantID] {
        try await read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT t.name FROM tenants t JOIN log_heads h ON h.tenant_id = t.id ORDER BY t.name"))
                .compactMap(TenantID.init)
        }
    }

    /// The tenant's log size and latest checkpoint.
    public func logHead(of tenant: TenantID) async throws -> LogHead? {
        try pointRead { db in
            let statement = try db.cachedStatement(
                sql: "SELECT h.size, h.checkpoint FROM log_heads h JOIN tenants t ON t.id = h.tenant_id WHERE t.name = ?"
            )
            return try Row.fetchOne(statement, arguments: [tenant.rawValue]).map { LogHead(size: UInt64($0[0] as Int64), checkpoint: $0[1]) }
        }
    }

    /// Stored tiles by id.
    public func tiles(_ ids: [TileID], of tenant: TenantID) async throws -> [TileID: Tile] {
        guard !ids.isEmpty else { return [:] }
        return try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return [:] }
            var result = [TileID: Tile]()
            let statement = try db.cachedStatement(sql: "SELECT hashes FROM tiles WHERE tenant_id = ? AND level = ? AND idx = ?")
            for id in ids {
                guard let blob = try Data.fetchOne(statement, arguments: [tenantID, id.level, Int64(id.index)]) else { continue }
                guard let hashes = [MerkleHash](concatenated: blob), !hashes.isEmpty, hashes.count <= Tile.fullWidth else {
                    throw StoreError(.corrupt, "tile \(id) of tenant \(tenant) is not a whole number of hashes; run `palisade verify`")
                }
                result[id] = Tile(id: id, hashes: hashes)
            }
            return result
        }
    }

    /// Indices of the ids already in the tenant's log.
    public func existingEvents(_ ids: [UUID], of tenant: TenantID) async throws -> [UUID: UInt64] {
        guard !ids.isEmpty else { return [:] }
        return try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return [:] }
            var result = [UUID: UInt64]()
            let statement = try db.cachedStatement(sql: "SELECT log_index FROM events WHERE tenant_id = ? AND event_id = ?")
            // Pruned events keep their id: appending one again is a duplicate, not a new event.
            let pruned = try db.cachedStatement(sql: "SELECT log_index FROM erasures WHERE tenant_id = ? AND event_id = ?")
            for id in ids {
                if let index = try Int64.fetchOne(statement, arguments: [tenantID, id.blob])
                    ?? Int64.fetchOne(pruned, arguments: [tenantID, id.blob])
                {
                    result[id] = UInt64(index)
                }
            }
            return result
        }
    }

    /// Writes all appends in one transaction.
    public func commit(_ appends: [LogAppend]) async throws {
        do {
            try await pool.write { db in
                for append in appends { try self.write(append, db) }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as CancellationError {
            // GRDB rolls the transaction back when the task is cancelled: nothing was written.
            throw error
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError(.conflict, "an event id or log position already exists; reload and retry", underlying: error)
        } catch {
            throw StoreError(.unavailable, "the SQLite commit failed; nothing of this batch was written", underlying: error)
        }
    }

    private func write(_ append: LogAppend, _ db: Database) throws {
        let tenantID = try tenantID(append.tenant, db)
        let size = try Int64.fetchOne(db.cachedStatement(sql: "SELECT size FROM log_heads WHERE tenant_id = ?"), arguments: [tenantID]) ?? 0
        guard UInt64(size) == append.firstIndex else {
            throw StoreError(.conflict, "the log of tenant \(append.tenant) is at \(size), not \(append.firstIndex); another writer appended")
        }
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO events (tenant_id, log_index, event_id, ts, event_type, severity, actor, action, resource,
                                    success, source_ip, session_id, request_id, entry)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        for (offset, prepared) in append.events.enumerated() {
            let columns = IndexedColumns(prepared.event)
            try insert.execute(arguments: [
                tenantID, Int64(append.firstIndex) + Int64(offset), columns.id.blob, columns.timestamp, columns.eventType, columns.severity,
                columns.actor, columns.action, columns.resource, columns.success, columns.sourceIP, columns.sessionID, columns.requestID,
                Data(prepared.entry),
            ])
        }
        // A stored tile only ever grows; a full tile (8,192 bytes) is never rewritten.
        let upsertTile = try db.cachedStatement(
            sql: """
                INSERT INTO tiles (tenant_id, level, idx, hashes) VALUES (?, ?, ?, ?)
                ON CONFLICT (tenant_id, level, idx) DO UPDATE SET hashes = excluded.hashes
                WHERE length(tiles.hashes) < length(excluded.hashes)
                """
        )
        for tile in append.tiles {
            try upsertTile.execute(arguments: [tenantID, tile.id.level, Int64(tile.id.index), Data(tile.hashes.concatenatedBytes)])
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO log_heads (tenant_id, size, checkpoint) VALUES (?, ?, ?)
                ON CONFLICT (tenant_id) DO UPDATE SET size = excluded.size, checkpoint = excluded.checkpoint
                """
        ).execute(arguments: [tenantID, Int64(append.head.size), append.head.checkpoint]
        )
        if !append.erasures.isEmpty {
            let indexedTo =
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT indexed_to FROM facet_progress WHERE tenant_id = ?"), arguments: [tenantID]) ?? 0
            try writeErasures(append.erasures, tenantID: tenantID, tenant: append.tenant, indexedTo: indexedTo, db)
        }
        try SQLiteFacet.catchUp(tenantID: tenantID, size: Int64(append.head.size), batch: facetIndexBatch, db)
        if append.recordInHistory {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO checkpoints (tenant_id, size, note) VALUES (?, ?, ?)").execute(arguments: [
                tenantID, Int64(append.head.size), append.head.checkpoint,
            ]
            )
        }
    }

    /// The checkpoint history, oldest first.
    public func checkpoints(of tenant: TenantID) async throws -> [StoredCheckpoint] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT c.size, c.note FROM checkpoints c JOIN tenants t ON t.id = c.tenant_id WHERE t.name = ? ORDER BY c.size"
                ),
                arguments: [tenant.rawValue]
            ).map { StoredCheckpoint(size: UInt64($0[0] as Int64), note: $0[1]) }
        }
    }

    // MARK: EventStore

    /// One page of matching events.
    public func events(matching validated: ValidatedEventQuery) async throws -> EventPage {
        let query = validated.query
        guard !validated.isEmptyRange else {
            return EventPage(events: [], next: nil, limit: query.limit, limitWasCapped: validated.limitWasCapped)
        }
        let rows: [(index: UInt64, entry: Data)] = try await read { db in
            guard let tenantID = try self.existingTenantID(query.tenant, db) else { return [] }
            let (sql, arguments) = SQLiteQueryBuilder.select(query, tenantID: tenantID)
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { (UInt64($0[0] as Int64), $0[1] as Data) }
        }
        return try EventPage(rows: rows, for: validated) { index, entry in try Self.decode(entry, index: index) }
    }

    /// The event with this id.
    public func event(id: UUID, of tenant: TenantID) async throws -> StoredEvent? {
        let row: (UInt64, Data)? = try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return nil }
            return try Row.fetchOne(
                db.cachedStatement(sql: "SELECT log_index, entry FROM events WHERE tenant_id = ? AND event_id = ?"),
                arguments: [tenantID, id.blob]
            )
            .map { (UInt64($0[0] as Int64), $0[1] as Data) }
        }
        guard let (index, entry) = row else { return nil }
        return StoredEvent(index: index, event: try Self.decode(entry, index: index))
    }

    /// Raw records by index.
    public func records(of tenant: TenantID, in range: Range<UInt64>) async throws -> [LogRecord] {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return [] }
            let cursor = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT log_index, entry, event_id, ts, event_type, severity, actor, action, resource, success, source_ip,
                               session_id, request_id
                        FROM events WHERE tenant_id = ? AND log_index >= ? AND log_index < ? ORDER BY log_index
                        """
                ),
                arguments: [tenantID, Int64(range.lowerBound), Int64(range.upperBound)]
            )
            var records = [LogRecord]()
            while let row = try cursor.next() {
                let idBlob: Data = row[2]
                guard let id = UUID(blob: idBlob) else {
                    throw StoreError(.corrupt, "the event id at index \(row[0] as Int64) is not 16 bytes; run `palisade verify`")
                }
                records.append(
                    LogRecord(
                        index: UInt64(row[0] as Int64),
                        entry: [UInt8](row[1] as Data),
                        columns: IndexedColumns(
                            id: id,
                            timestamp: row[3],
                            eventType: row[4],
                            severity: row[5],
                            actor: row[6],
                            action: row[7],
                            resource: row[8],
                            success: row[9],
                            sourceIP: row[10],
                            sessionID: row[11],
                            requestID: row[12]
                        )
                    )
                )
            }
            return records
        }
    }

    /// The number of event rows of the tenant.
    public func recordCount(of tenant: TenantID) async throws -> UInt64 {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return 0 }
            return UInt64(try Int64.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM events WHERE tenant_id = ?"), arguments: [tenantID]) ?? 0)
        }
    }

    /// Checks that the facet rows are exactly those of the events below `indexed_to`.
    public func auditDerivedIndexes(of tenant: TenantID) async throws -> IntegrityFinding? {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return nil }
            let indexedTo =
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT indexed_to FROM facet_progress WHERE tenant_id = ?"), arguments: [tenantID]) ?? 0
            var expected: Int64 = 0
            for facet in SQLiteFacet.allCases {
                let column = facet.column
                let missing = try Int64.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT min(e.log_index) FROM events e WHERE e.tenant_id = ? AND e.log_index < ? AND e.\(column) IS NOT NULL
                            AND NOT EXISTS (SELECT 1 FROM event_facets f WHERE f.tenant_id = e.tenant_id AND f.facet = ?
                                            AND f.value = e.\(column) AND f.ts = e.ts AND f.log_index = e.log_index)
                            """
                    ),
                    arguments: [tenantID, indexedTo, facet.rawValue]
                )
                if let missing {
                    return IntegrityFinding(index: UInt64(missing), reason: "the \(column) facet index entry of this event is missing or altered")
                }
                expected +=
                    try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT count(*) FROM events WHERE tenant_id = ? AND log_index < ? AND \(column) IS NOT NULL"),
                        arguments: [tenantID, indexedTo]
                    ) ?? 0
            }
            let stored =
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM event_facets WHERE tenant_id = ?"), arguments: [tenantID]) ?? 0
            guard stored == expected else {
                return IntegrityFinding(
                    index: nil,
                    reason: "the facet index holds \(stored - expected) entries that match no event (inserted behind the ledger's back)"
                )
            }
            return nil
        }
    }

    // MARK: Helpers

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StoreError(.unavailable, "the SQLite read failed", underlying: error)
        }
    }

    /// A point lookup (one row by key, microseconds in SQLite) on a dedicated read-only
    /// connection, run on the calling thread.
    ///
    /// The pool's asynchronous `read` hops to a GRDB queue and back, which costs far more than
    /// such a lookup; the per-request credential checks use this instead. The connection is its
    /// own (a blocking read from the pool could wait on a reader that needs this very thread), and
    /// WAL readers never wait for the writer.
    func pointRead<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            // One SELECT is atomic on its own: no transaction around it.
            return try lookups.inDatabase(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "the SQLite read failed", underlying: error)
        }
    }

    private static func decode(_ entry: Data, index: UInt64) throws -> AuditEvent {
        do {
            return try AuditEvent(canonicalEntry: [UInt8](entry))
        } catch {
            throw StoreError(.corrupt, "the entry at log index \(index) is not a canonical event (\(error.reason)); run `palisade verify`")
        }
    }

    func existingTenantID(_ tenant: TenantID, _ db: Database) throws -> Int64? {
        if let cached = tenantIDs.withLock({ $0[tenant] }) { return cached }
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM tenants WHERE name = ?"), arguments: [tenant.rawValue]) else {
            return nil
        }
        tenantIDs.withLock { $0[tenant] = id }
        return id
    }

    func tenantID(_ tenant: TenantID, _ db: Database) throws -> Int64 {
        if let id = try existingTenantID(tenant, db) { return id }
        try db.cachedStatement(sql: "INSERT INTO tenants (name) VALUES (?)").execute(arguments: [tenant.rawValue])
        // Cached only after the transaction commits (on next lookup), so a rollback leaves no stale id.
        return db.lastInsertedRowID
    }
}

extension UUID {
    /// The 16 bytes of the UUID.
    var blob: Data { withUnsafeBytes(of: uuid) { Data($0) } }

    /// A UUID from 16 bytes.
    init?(blob: Data) {
        guard blob.count == 16 else { return nil }
        var value = UUID().uuid
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: blob) }
        self.init(uuid: value)
    }
}

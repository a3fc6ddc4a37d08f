public import Foundation
import Logging
import NIOCore
public import PalisadeCore
public import PalisadeLedger
import PostgresNIO
import Synchronization

extension PostgresStore: LedgerBackend {
    /// The advisory lock class of per-tenant log writers ("pali" in ASCII); the object is the tenant id.
    static let logLockClass: Int32 = 0x7061_6c69

    /// The tenants that have a log.
    public func tenants() async throws -> [TenantID] {
        try await run("listing tenants") {
            try await client.rows("SELECT t.name FROM tenants t JOIN log_heads h ON h.tenant_id = t.id ORDER BY t.name COLLATE \"C\"", logger)
                .compactMap { TenantID(try $0.decodeOrCorrupt(String.self, "tenant name")) }
        }
    }

    /// The tenant's log size and latest checkpoint.
    public func logHead(of tenant: TenantID) async throws -> LogHead? {
        try await run("reading the log head") {
            let rows = try await client.rows(
                "SELECT h.size, h.checkpoint FROM log_heads h JOIN tenants t ON t.id = h.tenant_id WHERE t.name = \(tenant.rawValue)",
                logger
            )
            return try rows.first.map { row in
                let (size, checkpoint) = try row.decodeOrCorrupt((Int64, String).self, "log head")
                return LogHead(size: UInt64(size), checkpoint: checkpoint)
            }
        }
    }

    /// Stored tiles by id.
    public func tiles(_ ids: [TileID], of tenant: TenantID) async throws -> [TileID: Tile] {
        guard !ids.isEmpty else { return [:] }
        return try await run("reading tiles") {
            guard let tenantID = try await existingTenantID(tenant) else { return [:] }
            let levels = ids.map { Int16($0.level) }
            let indices = ids.map { Int64($0.index) }
            let rows = try await client.rows(
                """
                SELECT t.level, t.idx, t.hashes FROM tiles t
                JOIN unnest(\(levels)::int2[], \(indices)::int8[]) AS wanted (level, idx) ON t.level = wanted.level AND t.idx = wanted.idx
                WHERE t.tenant_id = \(tenantID)
                """,
                logger
            )
            var result = [TileID: Tile]()
            for row in rows {
                let (level, index, blob) = try row.decodeOrCorrupt((Int16, Int64, ByteBuffer).self, "tile")
                let id = TileID(level: Int(level), index: UInt64(index))
                guard let hashes = [MerkleHash](concatenated: Array(blob.readableBytesView)), !hashes.isEmpty, hashes.count <= Tile.fullWidth
                else {
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
        return try await run("looking up event ids") {
            guard let tenantID = try await existingTenantID(tenant) else { return [:] }
            // One unique-index probe per id, whatever the statistics say: with `event_id = ANY(…)`
            // a young, not yet analyzed table got a bitmap scan of the whole tenant (40 ms for 1,000 ids).
            let rows = try await client.rows(
                """
                SELECT wanted.id, e.log_index FROM unnest(\(ids)::uuid[]) AS wanted (id)
                CROSS JOIN LATERAL (SELECT log_index FROM ledger_entries WHERE tenant_id = \(tenantID) AND event_id = wanted.id) e
                """,
                logger
            )
            var result = [UUID: UInt64]()
            for row in rows {
                let (id, index) = try row.decodeOrCorrupt((UUID, Int64).self, "ledger entry")
                result[id] = UInt64(index)
            }
            return result
        }
    }

    /// The checkpoint history, oldest first.
    public func checkpoints(of tenant: TenantID) async throws -> [StoredCheckpoint] {
        try await run("reading checkpoints") {
            guard let tenantID = try await existingTenantID(tenant) else { return [] }
            return try await client.rows("SELECT size, note FROM checkpoints WHERE tenant_id = \(tenantID) ORDER BY size", logger).map { row in
                let (size, note) = try row.decodeOrCorrupt((Int64, String).self, "checkpoint")
                return StoredCheckpoint(size: UInt64(size), note: note)
            }
        }
    }

    // MARK: Commit

    /// Writes all appends in one transaction.
    ///
    /// The events are sent with COPY (ledger_entries, then audit_events); tiles, heads and history
    /// with one statement each. A lost connection is retried: the retry takes the log locks and, if
    /// the first append's first event is already at its index, the lost transaction committed and
    /// nothing is written again.
    public func commit(_ appends: [LogAppend]) async throws {
        guard !appends.isEmpty else { return }
        let tenantIDs = try await run("registering tenants") {
            var ids = [Int32]()
            for append in appends { ids.append(try await tenantID(append.tenant)) }
            return ids
        }
        try await ensurePartitions(for: appends.flatMap { $0.events.map(\.event.timestamp) })
        let batch = CommitBatch(appends: appends, tenantIDs: tenantIDs)
        try await retrying("the PostgreSQL commit (nothing of this batch was written)") { earlierAttempts in
            try await client.transaction(logger) { connection in
                try await self.write(batch, isRetry: earlierAttempts > 0, connection)
            }
        }
    }

    private func write(_ batch: CommitBatch, isRetry: Bool, _ connection: PostgresConnection) async throws {
        for (append, tenantID) in zip(batch.appends, batch.tenantIDs) {
            // Writers of one log queue here until this transaction ends; other tenants are not held up.
            try await connection.execute("SELECT pg_advisory_xact_lock(\(Self.logLockClass), \(tenantID))", logger)
            let head = try await connection.rows("SELECT size FROM log_heads WHERE tenant_id = \(tenantID)", logger).first
            let size: Int64 = try head?.decodeOrCorrupt(Int64.self, "log size") ?? 0
            guard UInt64(size) != append.firstIndex else { continue }
            if isRetry, try await alreadyWritten(batch, connection) {
                logger.info("palisade.postgres.commit.recovered", metadata: ["tenant": "\(append.tenant)", "size": "\(size)"])
                return
            }
            throw StoreError(.conflict, "the log of tenant \(append.tenant) is at \(size), not \(append.firstIndex); another writer appended")
        }
        if batch.ledgerRows.readableBytes > 0 {
            try await connection.copyFrom(table: "ledger_entries", columns: CommitBatch.ledgerColumns, logger: logger) { writer in
                try await writer.write(batch.ledgerRows)
            }
            try await connection.copyFrom(table: "audit_events", columns: CommitBatch.eventColumns, logger: logger) { writer in
                try await writer.write(batch.eventRows)
            }
        }
        for (append, tenantID) in zip(batch.appends, batch.tenantIDs) where !append.erasures.isEmpty {
            try await writeErasures(append, tenantID: tenantID, connection)
        }
        if !batch.tileTenants.isEmpty {
            // A stored tile only ever grows; a full tile (8,192 bytes) is never rewritten.
            try await connection.execute(
                """
                INSERT INTO tiles (tenant_id, level, idx, hashes)
                SELECT * FROM unnest(\(batch.tileTenants)::int4[], \(batch.tileLevels)::int2[], \(batch.tileIndices)::int8[], \(batch.tileHashes)::bytea[])
                ON CONFLICT (tenant_id, level, idx) DO UPDATE SET hashes = excluded.hashes
                WHERE octet_length(tiles.hashes) < octet_length(excluded.hashes)
                """,
                logger
            )
        }
        for (append, tenantID) in zip(batch.appends, batch.tenantIDs) {
            try await connection.execute(
                """
                INSERT INTO log_heads (tenant_id, size, checkpoint) VALUES (\(tenantID), \(Int64(append.head.size)), \(append.head.checkpoint))
                ON CONFLICT (tenant_id) DO UPDATE SET size = excluded.size, checkpoint = excluded.checkpoint
                """,
                logger
            )
            if append.recordInHistory {
                try await connection.execute(
                    """
                    INSERT INTO checkpoints (tenant_id, size, note) VALUES (\(tenantID), \(Int64(append.head.size)), \(append.head.checkpoint))
                    ON CONFLICT (tenant_id, size) DO NOTHING
                    """,
                    logger
                )
            }
        }
    }

    /// Files an append's erasures and has ``apply_erasures`` delete or rewrite the rows, record by
    /// record, inside the commit's transaction.
    private func writeErasures(_ append: LogAppend, tenantID: Int32, _ connection: PostgresConnection) async throws {
        let indices = append.erasures.map { Int64($0.index) }
        let taken = try await connection.rows(
            "SELECT min(log_index) FROM erasures WHERE tenant_id = \(tenantID) AND log_index = ANY(\(indices)::int8[])",
            logger
        )
        let erased: Int64? = try taken.first.flatMap { try $0.decodeOrCorrupt(Int64?.self, "erased index") }
        if let index = erased {
            throw StoreError(.rejected, "index \(index) of tenant \(append.tenant) is already erased")
        }
        let pruned = append.erasures.filter { $0.kind == .pruned }
        if !pruned.isEmpty {
            try await connection.execute(
                """
                INSERT INTO erasures (tenant_id, log_index, event_id, kind, record)
                SELECT \(tenantID), u.i, u.e, 'pruned', u.r FROM unnest(\(pruned.map { Int64($0.index) })::int8[], \(pruned.map(\.eventID))::uuid[],
                                                                  \(pruned.map { Int64($0.record) })::int8[]) AS u (i, e, r)
                """,
                logger
            )
        }
        for erasure in append.erasures where erasure.kind == .redacted {
            var entry = ByteBuffer()
            entry.writeBytes(erasure.redactedEntry ?? [])
            try await connection.execute(
                """
                INSERT INTO erasures (tenant_id, log_index, event_id, kind, record, redacted_entry)
                VALUES (\(tenantID), \(Int64(erasure.index)), \(erasure.eventID), 'redacted', \(Int64(erasure.record)), \(entry))
                """,
                logger
            )
        }
        for record in Set(append.erasures.map(\.record)).sorted() {
            try await connection.execute("SELECT apply_erasures(\(tenantID), \(Int64(record)))", logger)
        }
    }

    /// Whether a batch whose commit lost its connection is in the database after all: the whole
    /// transaction committed or none of it, so one of its rows tells.
    private func alreadyWritten(_ batch: CommitBatch, _ connection: PostgresConnection) async throws -> Bool {
        for (append, tenantID) in zip(batch.appends, batch.tenantIDs) {
            if let first = append.events.first {
                let rows = try await connection.rows(
                    """
                    SELECT 1 FROM ledger_entries
                    WHERE tenant_id = \(tenantID) AND log_index = \(Int64(append.firstIndex)) AND event_id = \(first.event.id)
                    """,
                    logger
                )
                return !rows.isEmpty
            }
        }
        let (append, tenantID) = (batch.appends[0], batch.tenantIDs[0])
        let rows = try await connection.rows("SELECT checkpoint FROM log_heads WHERE tenant_id = \(tenantID)", logger)
        return try rows.first?.decodeOrCorrupt(String.self, "checkpoint") == append.head.checkpoint
    }

    // MARK: Partitions

    /// Makes sure the monthly partitions holding these instants exist, and those `partitionsAhead`
    /// months after each.
    func ensurePartitions(for timestamps: [Timestamp]) async throws {
        var months = Set<Int>()
        for timestamp in timestamps { months.insert(Self.month(of: timestamp)) }
        let missing = knownPartitions.withLock { known in months.subtracting(known) }
        guard !missing.isEmpty else { return }
        var wanted = Set<Int>()
        for month in missing { wanted.formUnion(month...(month + configuration.partitionsAhead)) }
        try await createPartitions(wanted.sorted())
    }

    /// Creates the partitions of the month before `now` through `partitionsAhead` months after it.
    func ensurePartitionsAhead(from now: Timestamp) async throws {
        let month = Self.month(of: now)
        try await createPartitions(Array((month - 1)...(month + configuration.partitionsAhead)))
    }

    private func createPartitions(_ months: [Int]) async throws {
        let months = months.filter { $0 >= 12 && $0 < 10_000 * 12 }  // years 1-9999
        try await run("creating monthly partitions") {
            for month in months {
                let firstDay = String(format: "%04d-%02d-01", month / 12, month % 12 + 1)
                try await client.execute("SELECT ensure_audit_partition(\(firstDay)::date)", logger)
            }
        }
        knownPartitions.withLock { $0.formUnion(months) }
    }

    /// Year × 12 + month − 1 of an instant (UTC), read from its RFC 3339 text.
    static func month(of timestamp: Timestamp) -> Int {
        let text = Array(timestamp.rfc3339.utf8.prefix(7))
        let digit = { (index: Int) in Int(text[index]) - 48 }
        let year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
        return year * 12 + digit(5) * 10 + digit(6) - 1
    }
}

/// The rows of one commit, encoded once (outside the transaction, so a retry does not redo it).
struct CommitBatch: Sendable {
    static let ledgerColumns = ["tenant_id", "log_index", "event_id", "timestamp", "leaf_hash"]
    static let eventColumns = [
        "tenant_id", "log_index", "id", "timestamp", "event_type", "severity", "actor", "action", "resource", "success",
        "error_message", "source_ip", "user_agent", "session_id", "request_id", "metadata", "leaf_hash", "entry",
    ]

    let appends: [LogAppend]
    let tenantIDs: [Int32]
    /// COPY text rows of ledger_entries.
    let ledgerRows: ByteBuffer
    /// COPY text rows of audit_events.
    let eventRows: ByteBuffer
    let tileTenants: [Int32]
    let tileLevels: [Int16]
    let tileIndices: [Int64]
    let tileHashes: [ByteBuffer]

    init(appends: [LogAppend], tenantIDs: [Int32]) {
        self.appends = appends
        self.tenantIDs = tenantIDs
        let count = appends.reduce(0) { $0 + $1.events.count }
        var ledger = CopyTextWriter(capacity: count * 160)
        var events = CopyTextWriter(capacity: appends.reduce(0) { $0 + $1.events.reduce(0) { $0 + $1.entry.count * 4 + 200 } })
        var tileTenants = [Int32]()
        var tileLevels = [Int16]()
        var tileIndices = [Int64]()
        var tileHashes = [ByteBuffer]()
        for (append, tenantID) in zip(appends, tenantIDs) {
            let tenant = String(tenantID)
            for (offset, prepared) in append.events.enumerated() {
                Self.encode(prepared, tenant: tenant, index: append.firstIndex + UInt64(offset), ledger: &ledger, events: &events)
            }
            for tile in append.tiles {
                tileTenants.append(tenantID)
                tileLevels.append(Int16(tile.id.level))
                tileIndices.append(Int64(tile.id.index))
                tileHashes.append(ByteBuffer(bytes: tile.hashes.concatenatedBytes))
            }
        }
        self.ledgerRows = ledger.buffer
        self.eventRows = events.buffer
        self.tileTenants = tileTenants
        self.tileLevels = tileLevels
        self.tileIndices = tileIndices
        self.tileHashes = tileHashes
    }

    /// Appends one event's COPY text rows: its ledger entry and its audit_events row.
    static func encode(_ prepared: PreparedEvent, tenant: String, index: UInt64, ledger: inout CopyTextWriter, events: inout CopyTextWriter) {
        let event = prepared.event
        let index = String(index)
        let id = event.idString
        let timestamp = event.timestamp.rfc3339
        let leafHash = prepared.leafHash.bytes
        ledger.plain(tenant)
        ledger.plain(index)
        ledger.plain(id)
        ledger.plain(timestamp)
        ledger.bytea(leafHash)
        ledger.endRow()

        events.plain(tenant)
        events.plain(index)
        events.plain(id)
        events.plain(timestamp)
        events.text(event.eventType.rawValue)
        events.plain(String(event.severity.rawValue))
        events.text(event.actor)
        events.text(event.action)
        events.text(event.resource)
        events.plain(event.success ? "t" : "f")
        events.text(event.errorMessage)
        events.text(event.sourceIP?.text)
        events.text(event.userAgent)
        events.text(event.sessionID)
        events.text(event.requestID)
        events.text(String(decoding: CanonicalJSON.encode(.object(event.metadata)), as: UTF8.self))
        events.bytea(leafHash)
        events.bytea(prepared.entry)
        events.endRow()
    }
}

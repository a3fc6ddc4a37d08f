import Foundation
import GRDB
public import PalisadeCore

/// The limit append throughput is measured against: the same rows, columns, indexes (facets
/// included, built by the same policy) and durability as ``SQLiteStore``, inserted with a prepared
/// statement in transactions of the same size — with no canonical encoding, hashing, tiles,
/// checkpoints or duplicate checks. Used by `palisade-bench` only.
public enum SQLiteInsertBaseline {
    /// Inserts `rows` into a new database at `path` in transactions of `batchSize` rows.
    ///
    /// - Returns: the time the inserts took (schema creation excluded).
    public static func insert(
        rows: [(columns: IndexedColumns, entry: [UInt8])],
        batchSize: Int,
        path: String,
        facetIndexBatch: Int = SQLiteStore.Configuration().facetIndexBatch
    ) async throws -> Duration {
        var config = GRDB.Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: config)
        try SQLiteSchema.migrator.migrate(pool)
        try await pool.write { db in try db.execute(sql: "INSERT INTO tenants (id, name) VALUES (1, 'default')") }
        let rows = rows.map { ($0.columns, Data($0.entry)) }
        let clock = ContinuousClock()
        let start = clock.now
        var offset = 0
        while offset < rows.count {
            let slice = rows[offset..<min(rows.count, offset + batchSize)]
            let first = offset
            try await pool.write { db in
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT INTO events (tenant_id, log_index, event_id, ts, event_type, severity, actor, action, resource,
                                            success, source_ip, session_id, request_id, entry)
                        VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                )
                for (position, (columns, entry)) in slice.enumerated() {
                    try insert.execute(arguments: [
                        Int64(first + position), columns.id.blob, columns.timestamp, columns.eventType, columns.severity, columns.actor,
                        columns.action, columns.resource, columns.success, columns.sourceIP, columns.sessionID, columns.requestID, entry,
                    ])
                }
                try SQLiteFacet.catchUp(tenantID: 1, size: Int64(first + slice.count), batch: Int64(facetIndexBatch), db)
            }
            offset += batchSize
        }
        return clock.now - start
    }

    /// The limit pruning is measured against: deletes rows of a database written by ``insert`` by
    /// log index, in transactions of `batchSize`, with the append-only trigger dropped and no
    /// erasure rows, facet upkeep or records.
    ///
    /// - Returns: the time the deletes took.
    public static func delete(indices: [UInt64], batchSize: Int, path: String) async throws -> Duration {
        var config = GRDB.Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: config)
        try await pool.write { db in try db.execute(sql: "DROP TRIGGER events_no_delete") }
        let clock = ContinuousClock()
        let start = clock.now
        for offset in stride(from: 0, to: indices.count, by: batchSize) {
            let slice = indices[offset..<min(indices.count, offset + batchSize)]
            try await pool.write { db in
                let delete = try db.cachedStatement(sql: "DELETE FROM events WHERE tenant_id = 1 AND log_index = ?")
                for index in slice { try delete.execute(arguments: [Int64(index)]) }
            }
        }
        return clock.now - start
    }
}

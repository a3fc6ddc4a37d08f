public import PalisadeCore
import PostgresNIO

/// The limit PostgreSQL append throughput is measured against: the same rows sent with COPY into
/// the same tables (same columns, indexes, partitions and triggers) in transactions of the same
/// size — with the COPY text prepared beforehand, and no canonical encoding, hashing, tiles,
/// checkpoints, log lock, head update or duplicate checks. Used by `palisade-bench` only.
public enum PostgresInsertBaseline {
    /// Inserts `events` as the tenant's log entries 0… into `store`'s (empty) database, in
    /// transactions of `batchSize` events.
    ///
    /// - Returns: the time the COPYs took (tenant registration, partitions and text preparation
    ///   excluded).
    public static func insert(_ events: [PreparedEvent], tenant: TenantID, batchSize: Int, into store: PostgresStore) async throws -> Duration {
        let tenantID = try await store.run("registering the tenant") { try await store.tenantID(tenant) }
        try await store.ensurePartitions(for: events.map(\.event.timestamp))
        var batches = [(ledger: ByteBuffer, events: ByteBuffer)]()
        var offset = 0
        while offset < events.count {
            var ledger = CopyTextWriter(capacity: batchSize * 160)
            var rows = CopyTextWriter(capacity: batchSize * 1_500)
            for index in offset..<min(events.count, offset + batchSize) {
                CommitBatch.encode(events[index], tenant: String(tenantID), index: UInt64(index), ledger: &ledger, events: &rows)
            }
            batches.append((ledger.buffer, rows.buffer))
            offset += batchSize
        }
        let logger = store.logger
        let clock = ContinuousClock()
        let start = clock.now
        for batch in batches {
            try await store.client.transaction(logger) { connection in
                try await connection.copyFrom(table: "ledger_entries", columns: CommitBatch.ledgerColumns, logger: logger) { writer in
                    try await writer.write(batch.ledger)
                }
                try await connection.copyFrom(table: "audit_events", columns: CommitBatch.eventColumns, logger: logger) { writer in
                    try await writer.write(batch.events)
                }
            }
        }
        return clock.now - start
    }
}

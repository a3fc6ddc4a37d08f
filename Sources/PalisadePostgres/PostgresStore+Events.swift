public import Foundation
import Logging
import NIOCore
public import PalisadeCore
import PostgresNIO

extension PostgresStore: EventStore {
    /// One page of matching events.
    public func events(matching validated: ValidatedEventQuery) async throws -> EventPage {
        let query = validated.query
        guard !validated.isEmptyRange else {
            return EventPage(events: [], next: nil, limit: query.limit, limitWasCapped: validated.limitWasCapped)
        }
        let rows: [(index: UInt64, entry: ByteBuffer)] = try await run("querying events") {
            guard let tenantID = try await existingTenantID(query.tenant) else { return [] }
            return try await client.rows(try PostgresQueryBuilder.select(query, tenantID: tenantID), logger).map { row in
                let (index, entry) = try row.decodeOrCorrupt((Int64, ByteBuffer).self, "event")
                return (UInt64(index), entry)
            }
        }
        return try EventPage(rows: rows, for: validated) { index, entry in try Self.decode(entry, index: index) }
    }

    /// The event with this id.
    public func event(id: UUID, of tenant: TenantID) async throws -> StoredEvent? {
        let row: (UInt64, ByteBuffer)? = try await run("reading an event") {
            guard let tenantID = try await existingTenantID(tenant) else { return nil }
            // The ledger entry locates the row (and its partition, by timestamp).
            let rows = try await client.rows(
                """
                SELECT a.log_index, a.entry FROM ledger_entries l
                JOIN audit_events a ON a.tenant_id = l.tenant_id AND a.timestamp = l.timestamp AND a.log_index = l.log_index
                WHERE l.tenant_id = \(tenantID) AND l.event_id = \(id)
                """,
                logger
            )
            return try rows.first.map { row in
                let (index, entry) = try row.decodeOrCorrupt((Int64, ByteBuffer).self, "event")
                return (UInt64(index), entry)
            }
        }
        guard let (index, entry) = row else { return nil }
        return StoredEvent(index: index, event: try Self.decode(entry, index: index))
    }

    /// Raw records by index.
    public func records(of tenant: TenantID, in range: Range<UInt64>) async throws -> [LogRecord] {
        try await run("reading records") {
            guard let tenantID = try await existingTenantID(tenant) else { return [] }
            let rows = try await client.rows(
                """
                SELECT log_index, entry, id, timestamp, event_type, severity, actor, action, resource, success, host(source_ip),
                       session_id, request_id
                FROM audit_events
                WHERE tenant_id = \(tenantID) AND log_index >= \(Int64(range.lowerBound)) AND log_index < \(Int64(range.upperBound))
                ORDER BY log_index
                """,
                logger
            )
            return try rows.map { row in
                let (index, entry, id, timestamp, eventType, severity, actor, action, resource, success, sourceIP, session, request) =
                    try row.decodeOrCorrupt(
                        (
                            Int64, ByteBuffer, UUID, PostgresTimestamp, String, Int16, String?, String, String?, Bool, String?, String?,
                            String?
                        ).self,
                        "event row"
                    )
                return LogRecord(
                    index: UInt64(index),
                    entry: Array(entry.readableBytesView),
                    columns: IndexedColumns(
                        id: id,
                        timestamp: timestamp.value.microseconds,
                        eventType: eventType,
                        severity: Int(severity),
                        actor: actor,
                        action: action,
                        resource: resource,
                        success: success,
                        // inet prints its own spelling; compare addresses, not spellings.
                        sourceIP: sourceIP.map { IPAddress($0)?.text ?? $0 },
                        sessionID: session,
                        requestID: request
                    )
                )
            }
        }
    }

    /// The number of event rows of the tenant.
    public func recordCount(of tenant: TenantID) async throws -> UInt64 {
        try await run("counting events") {
            guard let tenantID = try await existingTenantID(tenant) else { return 0 }
            let rows = try await client.rows("SELECT count(*) FROM audit_events WHERE tenant_id = \(tenantID)", logger)
            let count: Int64 = try rows.first?.decodeOrCorrupt(Int64.self, "count") ?? 0
            return UInt64(count)
        }
    }

    /// Checks that every ledger entry (the never-pruned index of positions, ids and leaf hashes)
    /// agrees with its event row (or was pruned), and that no event row lacks its ledger entry.
    public func auditDerivedIndexes(of tenant: TenantID) async throws -> IntegrityFinding? {
        try await run("auditing the ledger entries") {
            guard let tenantID = try await existingTenantID(tenant) else { return nil }
            let mismatched = try await client.rows(
                """
                SELECT min(coalesce(l.log_index, a.log_index))
                FROM (SELECT log_index, event_id, leaf_hash, timestamp FROM ledger_entries WHERE tenant_id = \(tenantID)) l
                FULL JOIN (SELECT log_index, id, leaf_hash, timestamp FROM audit_events WHERE tenant_id = \(tenantID)) a
                       ON a.log_index = l.log_index
                LEFT JOIN (SELECT log_index FROM erasures WHERE tenant_id = \(tenantID) AND kind = 'pruned') p ON p.log_index = l.log_index
                WHERE (a.log_index IS NULL AND p.log_index IS NULL) OR l.log_index IS NULL OR a.id <> l.event_id
                   OR a.leaf_hash <> l.leaf_hash OR a.timestamp <> l.timestamp
                """,
                logger
            )
            let first: Int64?? = try mismatched.first.map { try $0.decodeOrCorrupt(Int64?.self, "ledger entry index") }
            guard let index = first ?? nil else { return nil }
            return IntegrityFinding(
                index: UInt64(index),
                reason: "the ledger entry (position, id, leaf hash) and the event row disagree or one of them is missing"
            )
        }
    }

    static func decode(_ entry: ByteBuffer, index: UInt64) throws -> AuditEvent {
        do {
            return try AuditEvent(canonicalEntry: Array(entry.readableBytesView))
        } catch {
            throw StoreError(.corrupt, "the entry at log index \(index) is not a canonical event (\(error.reason)); run `palisade verify`")
        }
    }
}

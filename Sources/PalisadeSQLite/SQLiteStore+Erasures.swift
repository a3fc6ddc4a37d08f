public import Foundation
import GRDB
public import PalisadeCore

/// Erasures: pruned and redacted events (see the `erasures` table).
extension SQLiteStore {
    /// The tenant's erasures with an index in `range`, in index order.
    public func erasures(of tenant: TenantID, in range: Range<UInt64>) async throws -> [Erasure] {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return [] }
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT log_index, event_id, kind, record, redacted_entry FROM erasures
                    WHERE tenant_id = ? AND log_index >= ? AND log_index < ? ORDER BY log_index
                    """,
                arguments: [tenantID, Int64(clamping: range.lowerBound), Int64(clamping: range.upperBound)]
            )
            var result = [Erasure]()
            while let row = try rows.next() { result.append(try Self.erasure(row)) }
            return result
        }
    }

    /// The erasure of the event with this id, if any.
    public func erasure(ofEvent id: UUID, tenant: TenantID) async throws -> Erasure? {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return nil }
            return try Row.fetchOne(
                db,
                sql: "SELECT log_index, event_id, kind, record, redacted_entry FROM erasures WHERE tenant_id = ? AND event_id = ?",
                arguments: [tenantID, id.blob]
            ).map(Self.erasure)
        }
    }

    /// Files and applies an append's erasures inside its commit transaction: the erasure row first
    /// (the triggers on `events` only let through what it says), then the event row and its facet
    /// rows are deleted (pruned) or replaced (redacted).
    func writeErasures(_ erasures: [Erasure], tenantID: Int64, tenant: TenantID, indexedTo: Int64, _ db: Database) throws {
        guard !erasures.isEmpty else { return }
        let select = try db.cachedStatement(
            sql: """
                SELECT event_id, ts, actor, resource, source_ip, session_id, request_id FROM events
                WHERE tenant_id = ? AND log_index = ?
                """
        )
        let file = try db.cachedStatement(
            sql: "INSERT INTO erasures (tenant_id, log_index, event_id, kind, record, redacted_entry) VALUES (?, ?, ?, ?, ?, ?)"
        )
        let deleteFacet = try db.cachedStatement(
            sql: "DELETE FROM event_facets WHERE tenant_id = ? AND facet = ? AND value = ? AND ts = ? AND log_index = ?"
        )
        let insertFacet = try db.cachedStatement(sql: "INSERT INTO event_facets (tenant_id, facet, value, ts, log_index) VALUES (?, ?, ?, ?, ?)")
        let deleteEvent = try db.cachedStatement(sql: "DELETE FROM events WHERE tenant_id = ? AND log_index = ?")
        let updateEvent = try db.cachedStatement(
            sql: """
                UPDATE events SET actor = ?, resource = ?, source_ip = ?, session_id = ?, request_id = ?, entry = ?
                WHERE tenant_id = ? AND log_index = ?
                """
        )
        for erasure in erasures {
            let index = Int64(erasure.index)
            guard let row = try Row.fetchOne(select, arguments: [tenantID, index]), (row[0] as Data) == erasure.eventID.blob else {
                throw StoreError(.rejected, "event \(erasure.eventID.lowercasedString) is not stored at index \(erasure.index) of tenant \(tenant)")
            }
            let ts: Int64 = row[1]
            var redacted: AuditEvent?
            if erasure.kind == .redacted {
                do {
                    redacted = try AuditEvent(canonicalEntry: erasure.redactedEntry ?? [])
                } catch {
                    throw StoreError(.rejected, "the redacted entry of index \(erasure.index) is not a canonical event: \(error)")
                }
            }
            do {
                try file.execute(arguments: [
                    tenantID, index, erasure.eventID.blob, erasure.kind == .pruned ? 1 : 2, Int64(erasure.record),
                    erasure.redactedEntry.map { Data($0) },
                ])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                throw StoreError(.rejected, "index \(erasure.index) of tenant \(tenant) is already erased", underlying: error)
            }
            if index < indexedTo {
                for facet in SQLiteFacet.allCases {
                    if let value: String = row[facet.rawValue + 1] {
                        try deleteFacet.execute(arguments: [tenantID, facet.rawValue, value, ts, index])
                    }
                }
            }
            guard let redacted else {
                try deleteEvent.execute(arguments: [tenantID, index])
                continue
            }
            let columns = IndexedColumns(redacted)
            try updateEvent.execute(arguments: [
                columns.actor, columns.resource, columns.sourceIP, columns.sessionID, columns.requestID, Data(erasure.redactedEntry ?? []), tenantID,
                index,
            ])
            if index < indexedTo {
                let values = [columns.actor, columns.resource, columns.sourceIP, columns.sessionID, columns.requestID]
                for facet in SQLiteFacet.allCases {
                    if let value = values[facet.rawValue - 1] { try insertFacet.execute(arguments: [tenantID, facet.rawValue, value, ts, index]) }
                }
            }
        }
    }

    private static func erasure(_ row: Row) throws -> Erasure {
        let index = UInt64(row[0] as Int64)
        guard let id = UUID(blob: row[1]) else {
            throw StoreError(.corrupt, "the erasure of index \(index) has an id that is not 16 bytes; run `palisade verify`")
        }
        let kind: Int64 = row[2]
        guard kind == 1 || kind == 2 else { throw StoreError(.corrupt, "the erasure of index \(index) has unknown kind \(kind)") }
        let entry: Data? = row[4]
        return Erasure(
            index: index,
            eventID: id,
            kind: kind == 1 ? .pruned : .redacted,
            record: UInt64(row[3] as Int64),
            redactedEntry: entry.map { [UInt8]($0) }
        )
    }
}

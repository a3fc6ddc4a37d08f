public import Foundation
import GRDB
public import PalisadeCore

/// Incidents (see the `incidents` table).
extension SQLiteStore: IncidentStore {
    /// Stores a new incident at version 1.
    public func insertIncident(_ incident: Incident) async throws {
        do {
            try await pool.write { db in
                let tenantID = try self.tenantID(incident.tenant, db)
                try db.cachedStatement(
                    sql: """
                        INSERT INTO incidents (tenant_id, id, dedup_key, incident_type, threat_level, status, opened_at, last_seen, version, document)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                        """
                ).execute(
                    arguments: Self.columns(incident, tenantID: tenantID)
                )
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw StoreError(.conflict, "incident \(incident.id.lowercasedString) exists", underlying: error)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "storing the incident failed", underlying: error)
        }
    }

    /// Replaces an incident if it is still at `expectedVersion`.
    public func updateIncident(_ incident: Incident, expectedVersion: Int) async throws -> Int {
        do {
            return try await pool.write { db in
                guard let tenantID = try self.existingTenantID(incident.tenant, db),
                    let version = try Int.fetchOne(
                        db.cachedStatement(sql: "SELECT version FROM incidents WHERE tenant_id = ? AND id = ?"),
                        arguments: [tenantID, incident.id.blob]
                    )
                else { throw StoreError(.rejected, "incident \(incident.id.lowercasedString) does not exist") }
                guard version == expectedVersion else {
                    throw StoreError(.conflict, "incident \(incident.id.lowercasedString) changed (version \(version)); reload and retry")
                }
                var arguments = Self.columns(incident, tenantID: tenantID)
                arguments += [tenantID, incident.id.blob]
                try db.cachedStatement(
                    sql: """
                        UPDATE incidents SET tenant_id = ?, id = ?, dedup_key = ?, incident_type = ?, threat_level = ?, status = ?,
                               opened_at = ?, last_seen = ?, document = ?, version = version + 1
                        WHERE tenant_id = ? AND id = ?
                        """
                ).execute(
                    arguments: arguments
                )
                return version + 1
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "updating the incident failed", underlying: error)
        }
    }

    /// One incident.
    public func incident(id: UUID, of tenant: TenantID) async throws -> StoredIncident? {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return nil }
            return try Row.fetchOne(
                db.cachedStatement(sql: "SELECT document, version FROM incidents WHERE tenant_id = ? AND id = ?"),
                arguments: [tenantID, id.blob]
            )
            .map(Self.decode)
        }
    }

    /// The latest incident with a deduplication key.
    public func latestIncident(dedupKey: String, of tenant: TenantID) async throws -> StoredIncident? {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return nil }
            return try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT document, version FROM incidents WHERE tenant_id = ? AND dedup_key = ?
                        ORDER BY opened_at DESC, lower(hex(id)) DESC LIMIT 1
                        """
                ),
                arguments: [tenantID, dedupKey]
            ).map(Self.decode)
        }
    }

    /// A page of a tenant's incidents, newest first.
    public func incidents(matching query: IncidentQuery) async throws -> [StoredIncident] {
        try await read { db in
            guard let tenantID = try self.existingTenantID(query.tenant, db) else { return [] }
            var clauses = ["tenant_id = ?"]
            var arguments: [any DatabaseValueConvertible] = [tenantID]
            func list(_ column: String, _ values: [String]) {
                guard !values.isEmpty else { return }
                clauses.append("\(column) IN (\(values.map { _ in "?" }.joined(separator: ",")))")
                arguments += values as [any DatabaseValueConvertible]
            }
            list("status", query.statuses.map(\.rawValue).sorted())
            list("incident_type", query.types.map(\.rawValue).sorted())
            if let level = query.minimumLevel {
                clauses.append("threat_level >= ?")
                arguments.append(level.rawValue)
            }
            if let assignee = query.assignee {
                clauses.append("json_extract(document, '$.assignee') = ?")
                arguments.append(assignee)
            }
            if let since = query.openedSince {
                clauses.append("opened_at >= ?")
                arguments.append(since.microseconds)
            }
            if let before = query.openedBefore {
                clauses.append("opened_at < ?")
                arguments.append(before.microseconds)
            }
            if let after = query.after {
                clauses.append("(opened_at < ? OR (opened_at = ? AND id < ?))")
                arguments += [after.openedAt.microseconds, after.openedAt.microseconds, after.id.blob]
            }
            arguments.append(query.limit)
            // Not cached: the clauses vary with the filters.
            return try Row.fetchAll(
                db.makeStatement(
                    sql: """
                        SELECT document, version FROM incidents WHERE \(clauses.joined(separator: " AND "))
                        ORDER BY opened_at DESC, id DESC LIMIT ?
                        """
                ),
                arguments: StatementArguments(arguments)
            ).map(Self.decode)
        }
    }

    private static func columns(_ incident: Incident, tenantID: Int64) -> StatementArguments {
        [
            tenantID, incident.id.blob, incident.dedupKey, incident.type.rawValue, incident.threatLevel.rawValue, incident.status.rawValue,
            incident.openedAt.microseconds, incident.lastSeen.microseconds,
            String(decoding: CanonicalJSON.encode(incident.jsonValue), as: UTF8.self),
        ]
    }

    private static func decode(_ row: Row) throws -> StoredIncident {
        let document: String = row[0]
        do {
            let json = try JSONParser().parse(Array(document.utf8))
            return StoredIncident(incident: try Incident(json: json), version: row[1])
        } catch {
            throw StoreError(.corrupt, "a stored incident is not readable (\(error)); it was changed behind Palisade's back")
        }
    }
}

/// Consumer cursors (see the `consumer_cursors` table).
extension SQLiteStore: ConsumerCursorStore {
    /// The saved cursor.
    public func consumerCursor(_ consumer: String, of tenant: TenantID) async throws -> ConsumerCursor? {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return nil }
            return try Row.fetchOne(
                db.cachedStatement(sql: "SELECT position, state FROM consumer_cursors WHERE tenant_id = ? AND consumer = ?"),
                arguments: [tenantID, consumer]
            ).map { row in
                let position: Int64 = row[0]
                let state: Data = row[1]
                return ConsumerCursor(position: UInt64(position), state: Array(state))
            }
        }
    }

    /// Saves a cursor; never backwards.
    public func saveConsumerCursor(_ cursor: ConsumerCursor, consumer: String, of tenant: TenantID) async throws {
        do {
            try await pool.write { db in
                let tenantID = try self.tenantID(tenant, db)
                if let saved = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT position FROM consumer_cursors WHERE tenant_id = ? AND consumer = ?"),
                    arguments: [tenantID, consumer]
                ), saved > Int64(cursor.position) {
                    throw StoreError(
                        .rejected,
                        "consumer \(consumer) of \(tenant) is at \(saved); refusing to move it back to \(cursor.position)"
                    )
                }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO consumer_cursors (tenant_id, consumer, position, state, updated_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (tenant_id, consumer) DO UPDATE SET position = excluded.position, state = excluded.state,
                            updated_at = excluded.updated_at
                        """
                ).execute(arguments: [tenantID, consumer, Int64(cursor.position), Data(cursor.state), Self.nowMicroseconds()]
                )
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "saving the cursor of \(consumer) failed", underlying: error)
        }
    }

    private static func nowMicroseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
}

public import Foundation
public import PalisadeCore
import PostgresNIO

/// Incidents (see the `security_incidents` table).
extension PostgresStore: IncidentStore {
    /// Stores a new incident at version 1.
    public func insertIncident(_ incident: Incident) async throws {
        let document = Self.document(incident)
        try await run("storing an incident") {
            let tenantID = try await tenantID(incident.tenant)
            try await client.execute(
                """
                INSERT INTO security_incidents (tenant_id, id, dedup_key, incident_type, threat_level, status, opened_at, last_seen, version, document)
                VALUES (\(tenantID), \(incident.id), \(incident.dedupKey), \(incident.type.rawValue), \(Int16(incident.threatLevel.rawValue)),
                        \(incident.status.rawValue), \(PostgresTimestamp(incident.openedAt)), \(PostgresTimestamp(incident.lastSeen)), 1, \(document)::jsonb)
                """,
                logger
            )
        }
    }

    /// Replaces an incident if it is still at `expectedVersion`.
    public func updateIncident(_ incident: Incident, expectedVersion: Int) async throws -> Int {
        let document = Self.document(incident)
        return try await run("updating an incident") {
            guard let tenantID = try await existingTenantID(incident.tenant) else {
                throw StoreError(.rejected, "incident \(incident.id.lowercasedString) does not exist")
            }
            let rows = try await client.rows(
                """
                UPDATE security_incidents SET dedup_key = \(incident.dedupKey), incident_type = \(incident.type.rawValue),
                       threat_level = \(Int16(incident.threatLevel.rawValue)), status = \(incident.status.rawValue),
                       opened_at = \(PostgresTimestamp(incident.openedAt)), last_seen = \(PostgresTimestamp(incident.lastSeen)),
                       document = \(document)::jsonb, version = version + 1, updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(incident.id) AND version = \(Int32(expectedVersion))
                RETURNING version
                """,
                logger
            )
            if let row = rows.first {
                let version: Int32 = try row.decodeOrCorrupt(Int32.self, "incident version")
                return Int(version)
            }
            let current = try await client.rows(
                "SELECT version FROM security_incidents WHERE tenant_id = \(tenantID) AND id = \(incident.id)",
                logger
            )
            let version: Int32? = try current.first.map { try $0.decodeOrCorrupt(Int32.self, "incident version") }
            guard let version else {
                throw StoreError(.rejected, "incident \(incident.id.lowercasedString) does not exist")
            }
            throw StoreError(.conflict, "incident \(incident.id.lowercasedString) changed (version \(version)); reload and retry")
        }
    }

    /// One incident.
    public func incident(id: UUID, of tenant: TenantID) async throws -> StoredIncident? {
        try await run("reading an incident") {
            guard let tenantID = try await existingTenantID(tenant) else { return nil }
            let rows = try await client.rows(
                "SELECT document::text, version FROM security_incidents WHERE tenant_id = \(tenantID) AND id = \(id)",
                logger
            )
            return try rows.first.map(Self.decode)
        }
    }

    /// The latest incident with a deduplication key.
    public func latestIncident(dedupKey: String, of tenant: TenantID) async throws -> StoredIncident? {
        try await run("reading an incident") {
            guard let tenantID = try await existingTenantID(tenant) else { return nil }
            let rows = try await client.rows(
                """
                SELECT document::text, version FROM security_incidents WHERE tenant_id = \(tenantID) AND dedup_key = \(dedupKey)
                ORDER BY opened_at DESC, id::text DESC LIMIT 1
                """,
                logger
            )
            return try rows.first.map(Self.decode)
        }
    }

    /// A page of a tenant's incidents, newest first.
    public func incidents(matching query: IncidentQuery) async throws -> [StoredIncident] {
        let statuses = query.statuses.map(\.rawValue).sorted()
        let types = query.types.map(\.rawValue).sorted()
        let level = Int16(query.minimumLevel?.rawValue ?? 0)
        let since = query.openedSince.map(PostgresTimestamp.init)
        let before = query.openedBefore.map(PostgresTimestamp.init)
        let afterTime = query.after.map { PostgresTimestamp($0.openedAt) }
        let afterID = query.after?.id
        return try await run("listing incidents") {
            guard let tenantID = try await existingTenantID(query.tenant) else { return [] }
            let rows = try await client.rows(
                """
                SELECT document::text, version FROM security_incidents
                WHERE tenant_id = \(tenantID)
                  AND (cardinality(\(statuses)::text[]) = 0 OR status = ANY(\(statuses)::text[]))
                  AND (cardinality(\(types)::text[]) = 0 OR incident_type = ANY(\(types)::text[]))
                  AND threat_level >= \(level)
                  AND (\(query.assignee)::text IS NULL OR document->>'assignee' = \(query.assignee)::text)
                  AND (\(since)::timestamptz IS NULL OR opened_at >= \(since)::timestamptz)
                  AND (\(before)::timestamptz IS NULL OR opened_at < \(before)::timestamptz)
                  AND (\(afterTime)::timestamptz IS NULL OR opened_at < \(afterTime)::timestamptz
                       OR (opened_at = \(afterTime)::timestamptz AND id < \(afterID)::uuid))
                ORDER BY opened_at DESC, id DESC LIMIT \(Int64(query.limit))
                """,
                logger
            )
            return try rows.map(Self.decode)
        }
    }

    private static func document(_ incident: Incident) -> String {
        String(decoding: CanonicalJSON.encode(incident.jsonValue), as: UTF8.self)
    }

    private static func decode(_ row: PostgresRow) throws -> StoredIncident {
        let (document, version) = try row.decodeOrCorrupt((String, Int32).self, "incident")
        do {
            return StoredIncident(incident: try Incident(json: try JSONParser().parse(Array(document.utf8))), version: Int(version))
        } catch {
            throw StoreError(.corrupt, "a stored incident is not readable (\(error)); it was changed behind Palisade's back")
        }
    }
}

/// Consumer cursors (see the `consumer_cursors` table).
extension PostgresStore: ConsumerCursorStore {
    /// The saved cursor.
    public func consumerCursor(_ consumer: String, of tenant: TenantID) async throws -> ConsumerCursor? {
        try await run("reading the cursor of \(consumer)") {
            guard let tenantID = try await existingTenantID(tenant) else { return nil }
            let rows = try await client.rows(
                "SELECT position, state FROM consumer_cursors WHERE tenant_id = \(tenantID) AND consumer = \(consumer)",
                logger
            )
            for row in rows {
                let (position, state) = try row.decodeOrCorrupt((Int64, ByteBuffer).self, "consumer cursor")
                return ConsumerCursor(position: UInt64(position), state: Array(state.readableBytesView))
            }
            return nil
        }
    }

    /// Saves a cursor; never backwards.
    public func saveConsumerCursor(_ cursor: ConsumerCursor, consumer: String, of tenant: TenantID) async throws {
        let position = Int64(cursor.position)
        let state = ByteBuffer(bytes: cursor.state)
        try await run("saving the cursor of \(consumer)") {
            let tenantID = try await tenantID(tenant)
            let rows = try await client.rows(
                """
                INSERT INTO consumer_cursors (tenant_id, consumer, position, state, updated_at)
                VALUES (\(tenantID), \(consumer), \(position), \(state), now())
                ON CONFLICT (tenant_id, consumer) DO UPDATE SET position = excluded.position, state = excluded.state, updated_at = now()
                WHERE consumer_cursors.position <= excluded.position
                RETURNING position
                """,
                logger
            )
            guard !rows.isEmpty else {
                throw StoreError(.rejected, "consumer \(consumer) of \(tenant) is ahead of \(cursor.position); refusing to move it back")
            }
        }
    }
}

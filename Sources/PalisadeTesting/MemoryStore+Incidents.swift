public import Foundation
public import PalisadeCore

/// Incidents in memory, with the same versioning as the database stores.
extension MemoryStore: IncidentStore {
    /// Stores a new incident.
    public func insertIncident(_ incident: Incident) throws {
        guard storedIncidents[incident.id] == nil else { throw StoreError(.conflict, "incident \(incident.id) exists") }
        storedIncidents[incident.id] = StoredIncident(incident: incident, version: 1)
    }

    /// Replaces an incident at the expected version.
    public func updateIncident(_ incident: Incident, expectedVersion: Int) throws -> Int {
        guard let stored = storedIncidents[incident.id], stored.incident.tenant == incident.tenant else {
            throw StoreError(.rejected, "incident \(incident.id) does not exist")
        }
        guard stored.version == expectedVersion else { throw StoreError(.conflict, "incident \(incident.id) changed; reload and retry") }
        storedIncidents[incident.id] = StoredIncident(incident: incident, version: expectedVersion + 1)
        return expectedVersion + 1
    }

    /// One incident.
    public func incident(id: UUID, of tenant: TenantID) -> StoredIncident? {
        storedIncidents[id].flatMap { $0.incident.tenant == tenant ? $0 : nil }
    }

    /// The latest incident with a dedup key.
    public func latestIncident(dedupKey: String, of tenant: TenantID) -> StoredIncident? {
        storedIncidents.values.filter { $0.incident.tenant == tenant && $0.incident.dedupKey == dedupKey }
            .max { ($0.incident.openedAt, $0.incident.id.lowercasedString) < ($1.incident.openedAt, $1.incident.id.lowercasedString) }
    }

    /// A page of a tenant's incidents, newest first.
    public func incidents(matching query: IncidentQuery) -> [StoredIncident] {
        Array(
            storedIncidents.values.filter { query.admits($0.incident) }
                .sorted { IncidentPosition($0.incident) > IncidentPosition($1.incident) }
                .prefix(query.limit)
        )
    }
}

/// Consumer cursors in memory.
extension MemoryStore: ConsumerCursorStore {
    /// The saved cursor.
    public func consumerCursor(_ consumer: String, of tenant: TenantID) -> ConsumerCursor? {
        cursors["\(tenant.rawValue)/\(consumer)"]
    }

    /// Saves a cursor; never backwards.
    public func saveConsumerCursor(_ cursor: ConsumerCursor, consumer: String, of tenant: TenantID) throws {
        let key = "\(tenant.rawValue)/\(consumer)"
        if let saved = cursors[key], saved.position > cursor.position {
            throw StoreError(.rejected, "consumer \(consumer) of \(tenant) is at \(saved.position); refusing to move it back to \(cursor.position)")
        }
        cursors[key] = cursor
    }
}

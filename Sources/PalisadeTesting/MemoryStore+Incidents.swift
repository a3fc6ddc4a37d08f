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

    /// A tenant's incidents, newest first.
    public func incidents(of tenant: TenantID, statuses: Set<IncidentStatus>, limit: Int) -> [StoredIncident] {
        Array(
            storedIncidents.values.filter { $0.incident.tenant == tenant && (statuses.isEmpty || statuses.contains($0.incident.status)) }
                .sorted { ($0.incident.openedAt, $0.incident.id.lowercasedString) > ($1.incident.openedAt, $1.incident.id.lowercasedString) }
                .prefix(max(0, limit))
        )
    }
}

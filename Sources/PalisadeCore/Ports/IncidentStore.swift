public import Foundation

/// Where incidents are kept (the original design's `security_incidents`, extended): one document
/// per incident with the columns lists and deduplication filter on, and a version for optimistic
/// concurrency, so two writers never silently overwrite each other's transitions.
///
/// Implemented by every store and checked by the conformance suite; every method is scoped to one
/// tenant.
public protocol IncidentStore: Sendable {
    /// Stores a new incident at version 1.
    ///
    /// - Throws: ``StoreError`` `conflict` when its id exists.
    func insertIncident(_ incident: Incident) async throws

    /// Replaces an incident if it is still at `expectedVersion`.
    ///
    /// - Returns: the new version.
    /// - Throws: ``StoreError`` `conflict` when another writer changed it first (reload and retry),
    ///   `rejected` when it does not exist.
    func updateIncident(_ incident: Incident, expectedVersion: Int) async throws -> Int

    /// The incident with this id in the tenant, if any.
    func incident(id: UUID, of tenant: TenantID) async throws -> StoredIncident?

    /// The most recently opened incident with this deduplication key, whatever its status.
    func latestIncident(dedupKey: String, of tenant: TenantID) async throws -> StoredIncident?

    /// One page of the tenant's incidents that match the query, most recently opened first (ties
    /// broken by id, descending), starting after ``IncidentQuery/after``.
    func incidents(matching query: IncidentQuery) async throws -> [StoredIncident]
}

/// An incident as stored, with its version.
public struct StoredIncident: Hashable, Sendable {
    /// The incident.
    public var incident: Incident
    /// Its version: 1 when inserted, one more per update.
    public var version: Int

    /// Creates a stored incident.
    public init(incident: Incident, version: Int) {
        self.incident = incident
        self.version = version
    }
}

extension IncidentStore {
    /// Every incident matching the query (page after page), most recently opened first.
    public func allIncidents(matching start: IncidentQuery) async throws -> [StoredIncident] {
        var query = start
        query.limit = IncidentQuery.maxLimit
        var all = [StoredIncident]()
        while true {
            let page = try await incidents(matching: query)
            all += page
            guard page.count == query.limit, let last = page.last else { return all }
            query.after = IncidentPosition(last.incident)
        }
    }
}

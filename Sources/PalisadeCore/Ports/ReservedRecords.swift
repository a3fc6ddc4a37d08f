public import Foundation

/// Reads Palisade's own records (events of a reserved `palisade.` type) from a tenant's log.
public enum ReservedRecords {
    /// All of the tenant's events of a reserved type, in log order.
    public static func read(of tenant: TenantID, type: EventType, from events: any EventStore) async throws -> [StoredEvent] {
        var query = EventQuery(tenant: tenant)
        query.eventTypes = [type]
        query.order = .oldestFirst
        query.limit = EventQuery.maxLimit
        var collected = [StoredEvent]()
        while true {
            let page = try await events.events(matching: try query.validated())
            collected += page.events
            guard let next = page.next else { break }
            query.cursor = next
        }
        // Pages run in time order; records take effect in log order.
        return collected.sorted { $0.index < $1.index }
    }
}

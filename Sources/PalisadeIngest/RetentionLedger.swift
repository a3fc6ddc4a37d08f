public import PalisadeCore

/// Reads what the retention records in a tenant's ledger establish: the rules in force and how far
/// retention sweeps have archived.
public enum RetentionLedger {
    /// The tenant's retention policies and legal holds, replayed from its
    /// ``EventType/palisadeRetention`` records in log order.
    ///
    /// - Throws: ``RetentionError`` when a record cannot be read (no sweep should run then), or the
    ///   store's error.
    public static func rules(of tenant: TenantID, from events: any EventStore) async throws -> RetentionRules {
        try RetentionRules(replaying: try await ReservedRecords.read(of: tenant, type: .palisadeRetention, from: events).map(\.event))
    }

    /// How far retention sweeps have archived the tenant's log: every event below this index is in
    /// a verified archive (the largest `archived_to` of its prune records; 0 when none).
    public static func archivedTo(of tenant: TenantID, from events: any EventStore) async throws -> UInt64 {
        var archived: UInt64 = 0
        for stored in try await ReservedRecords.read(of: tenant, type: .palisadeErasure, from: events)
        where stored.event.action == ErasureRecord.pruneAction {
            if case .number(let value)? = stored.event.metadata["archived_to"], value >= 0, value < 9_007_199_254_740_992 {
                archived = max(archived, UInt64(value))
            }
        }
        return archived
    }
}

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

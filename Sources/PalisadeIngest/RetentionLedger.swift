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

extension EventStore {
    /// The events in `range` of the tenant's log, decoded, in index order — what ledger consumers
    /// (detection, alerting, exporters) read.
    ///
    /// - Throws: ``StoreError`` `corrupt` naming the index of an entry that does not decode.
    public func storedEvents(of tenant: TenantID, in range: Range<UInt64>) async throws -> [StoredEvent] {
        try await records(of: tenant, in: range).map { record in
            do {
                return StoredEvent(index: record.index, event: try AuditEvent(canonicalEntry: record.entry))
            } catch {
                throw StoreError(.corrupt, "log index \(record.index) of \(tenant) cannot be read (\(error)); run palisade verify")
            }
        }
    }

    /// The events in `range` whose type is one of `types`, decoded, in index order. The others are
    /// passed over by their stored type column and never parsed, so a consumer of a few record
    /// types does not pay for every event of the log. (A column that disagrees with its entry is
    /// tampering, which `palisade verify` reports.)
    ///
    /// - Throws: ``StoreError`` `corrupt` naming the index of an entry that does not decode.
    public func storedEvents(of tenant: TenantID, in range: Range<UInt64>, types: Set<EventType>) async throws -> [StoredEvent] {
        let names = Set(types.map(\.rawValue))
        return try await records(of: tenant, in: range).filter { names.contains($0.columns.eventType) }.map { record in
            do {
                return StoredEvent(index: record.index, event: try AuditEvent(canonicalEntry: record.entry))
            } catch {
                throw StoreError(.corrupt, "log index \(record.index) of \(tenant) cannot be read (\(error)); run palisade verify")
            }
        }
    }
}

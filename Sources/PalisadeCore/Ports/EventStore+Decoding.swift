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
}

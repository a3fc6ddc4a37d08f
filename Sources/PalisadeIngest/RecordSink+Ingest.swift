public import PalisadeCore

/// Palisade's own records go through the same single writer as every event: batched with
/// concurrent appends and acknowledged only once committed.
extension GroupCommitter: RecordSink {
    /// Appends the records; ids already in the log are duplicates and left alone.
    public func appendRecords(_ records: [AuditEvent]) async throws {
        _ = try await append(records.map { PreparedEvent($0, idIsClientSupplied: true) })
    }
}

/// For commands that write without a running server (the CLI) and for tests.
extension LogSequencer: RecordSink {
    /// Appends the records; ids already in the log are duplicates and left alone.
    public func appendRecords(_ records: [AuditEvent]) async throws {
        _ = try await append(records.map { PreparedEvent($0, idIsClientSupplied: true) })
    }
}

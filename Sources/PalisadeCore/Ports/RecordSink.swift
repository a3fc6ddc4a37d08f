/// Where Palisade's own components write their records (incident changes, rule changes) into the
/// tenants' logs: the ingest pipeline's single writer, behind a port so that detection does not
/// depend on it.
public protocol RecordSink: Sendable {
    /// Appends the records, each to its tenant's log; durable when this returns. A record whose id
    /// is already in the log is a duplicate (a replay after a restart) and is not appended again.
    func appendRecords(_ records: [AuditEvent]) async throws
}

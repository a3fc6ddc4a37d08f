import PalisadeCore
import PalisadeIngest

/// Holds the vault's audit records while Palisade starts — the ledger's writer needs the
/// checkpoint key, which the vault hands out first — and passes them, in order, to the writer
/// once it exists; afterwards records go straight through — to the server's group committer while
/// it runs (so concurrent vault calls share commits), to the writer itself before and after.
actor PendingRecords: RecordSink {
    private var sink: (any RecordSink)?
    private var committer: GroupCommitter?
    private var pending: [AuditEvent] = []

    /// Appends now if a writer is connected, else holds the records until ``connect(_:committer:)``.
    func appendRecords(_ records: [AuditEvent]) async throws {
        if let committer, committer.isAcceptingAppends {
            try await committer.appendRecords(records)
        } else if let sink {
            try await sink.appendRecords(records)
        } else {
            pending += records
        }
    }

    /// Appends the held records to `sink` and sends every later record there, or to `committer`
    /// whenever it is running.
    ///
    /// - Throws: the sink's error (the records stay held, and a later connect tries again).
    func connect(_ sink: any RecordSink, committer: GroupCommitter? = nil) async throws {
        if !pending.isEmpty { try await sink.appendRecords(pending) }
        pending = []
        self.sink = sink
        self.committer = committer
    }

    /// Whether records wait for a writer.
    var isHoldingRecords: Bool { !pending.isEmpty }
}

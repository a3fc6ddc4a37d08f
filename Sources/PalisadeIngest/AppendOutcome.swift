/// What became of one event handed to the ledger.
public enum AppendOutcome: Hashable, Sendable {
    /// It was appended at this log index.
    case appended(index: UInt64)
    /// An event with the same id was already in the tenant's log at this index; nothing was added.
    case duplicate(existingIndex: UInt64)

    /// The index the event has in the log, whether new or already there.
    public var index: UInt64 {
        switch self {
        case .appended(let index), .duplicate(let index): index
        }
    }
}

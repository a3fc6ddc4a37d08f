public import Foundation

/// An event whose stored row was removed (pruned by a retention sweep) or replaced by a redacted
/// copy, while its leaf hash stays in the Merkle tree.
///
/// Every erasure names the ledger record that made it: an event of type
/// ``EventType/palisadeErasure`` later in the same log, whose metadata commits to the erasures it
/// made (see ``ErasureRecord``). A verifier accepts a missing or changed row only when such a
/// record, itself proven by the signed tree, accounts for it; anything else is tampering.
public struct Erasure: Hashable, Sendable {
    /// What happened to the row.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// The row was deleted after being archived; only its leaf hash remains.
        case pruned
        /// The row was replaced by ``Erasure/redactedEntry``.
        case redacted
    }

    /// The log index of the erased event.
    public var index: UInt64
    /// The erased event's id (still unique in the log: a pruned id cannot be appended again).
    public var eventID: UUID
    /// Pruned or redacted.
    public var kind: Kind
    /// The log index of the ``EventType/palisadeErasure`` record that made the erasure.
    public var record: UInt64
    /// For ``Kind/redacted``: the canonical entry stored in place of the original; `nil` when pruned.
    public var redactedEntry: [UInt8]?

    /// Creates an erasure.
    public init(index: UInt64, eventID: UUID, kind: Kind, record: UInt64, redactedEntry: [UInt8]? = nil) {
        self.index = index
        self.eventID = eventID
        self.kind = kind
        self.record = record
        self.redactedEntry = redactedEntry
    }
}

/// An erasure to make together with the append of its record (the record's index is not known
/// until the sequencer numbers it).
public struct ErasureRequest: Hashable, Sendable {
    /// The log index of the event to erase.
    public var index: UInt64
    /// Its id, checked against the stored row.
    public var eventID: UUID
    /// Pruned or redacted.
    public var kind: Erasure.Kind
    /// For ``Erasure/Kind/redacted``: the replacement entry.
    public var redactedEntry: [UInt8]?

    /// Creates a request.
    public init(index: UInt64, eventID: UUID, kind: Erasure.Kind, redactedEntry: [UInt8]? = nil) {
        self.index = index
        self.eventID = eventID
        self.kind = kind
        self.redactedEntry = redactedEntry
    }

    /// The erasure once its record has index `record`.
    public func erasure(record: UInt64) -> Erasure {
        Erasure(index: index, eventID: eventID, kind: kind, record: record, redactedEntry: redactedEntry)
    }
}

public import Foundation
public import PalisadeCore

/// Redacts single events for erasure requests: the named fields (or the whole payload) are removed
/// from the stored row, the leaf hash stays in the tree, and a ``EventType/palisadeErasure`` record
/// saying who, why and under which approval is appended in the same transaction.
///
/// An event under an active legal hold is not redacted: release the hold first.
public struct Redactor: Sendable {
    /// What a redaction did.
    public struct Outcome: Hashable, Sendable {
        /// The log index of the redacted event.
        public var index: UInt64
        /// The log index of the record of the redaction.
        public var record: UInt64
        /// The fields removed.
        public var fields: [String]
    }

    private let sequencer: LogSequencer
    private let events: any EventStore

    /// Creates a redactor writing through `sequencer` and reading `events` (the same store).
    public init(sequencer: LogSequencer, events: any EventStore) {
        self.sequencer = sequencer
        self.events = events
    }

    /// Redacts one event.
    ///
    /// - Parameters:
    ///   - eventID: the event.
    ///   - tenant: its tenant.
    ///   - redaction: what to remove.
    ///   - actor: who asked for it.
    ///   - reason: why (an erasure request reference).
    ///   - approval: the approval it is made under.
    ///   - now: the time of the record.
    /// - Throws: ``RetentionError`` when the event is unknown, already pruned or redacted, held,
    ///   one of Palisade's records, or has none of the fields; ``StoreError`` from the store.
    public func redact(
        eventID: UUID,
        tenant: TenantID,
        redaction: Redaction,
        actor: String,
        reason: String,
        approval: String,
        now: Timestamp
    ) async throws -> Outcome {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RetentionError("a redaction needs a reason (the erasure request it answers)")
        }
        if let erasure = try await events.erasure(ofEvent: eventID, tenant: tenant) {
            throw RetentionError("event \(eventID.lowercasedString) was already \(erasure.kind.rawValue) under record \(erasure.record)")
        }
        guard let stored = try await events.event(id: eventID, of: tenant) else {
            throw RetentionError("tenant \(tenant) has no event \(eventID.lowercasedString)")
        }
        let rules = try await RetentionLedger.rules(of: tenant, from: events)
        if let hold = rules.holds.first(where: { $0.isActive(at: now) && $0.matches(stored.event) }) {
            throw RetentionError(
                "event \(eventID.lowercasedString) is under legal hold \(hold.id.lowercasedString) (\(hold.reason)); release the hold first"
            )
        }
        let redacted = try redaction.apply(to: stored.event)
        let entry = redacted.canonicalEntry
        var generator = SystemRandomNumberGenerator()
        let record = ErasureRecord.redactionRecord(
            id: UUID.version7(at: now, using: &generator),
            at: now,
            index: stored.index,
            original: stored.event,
            redaction: redaction,
            redactedEntry: entry,
            actor: actor,
            reason: reason,
            approval: approval
        )
        let recordIndex = try await sequencer.appendRecord(
            PreparedEvent(record, idIsClientSupplied: false),
            erasing: [ErasureRequest(index: stored.index, eventID: eventID, kind: .redacted, redactedEntry: entry)]
        )
        return Outcome(index: stored.index, record: recordIndex, fields: redaction.fields)
    }
}

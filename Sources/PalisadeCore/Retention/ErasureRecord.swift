import Crypto
public import Foundation

/// The ledger record of an erasure: a ``EventType/palisadeErasure`` event that says who erased
/// which events, why, and commits to exactly which rows it took out.
///
/// A prune record commits to the set of (index, event id) pairs it pruned with a SHA-256 digest, so
/// the list kept in the store cannot grow, shrink or change without the verifier noticing; a
/// redaction record names its one event and the SHA-256 of the redacted entry stored in its place.
/// The record is itself a leaf of the signed tree, so it cannot be forged after the fact.
public struct ErasureRecord: Hashable, Sendable {
    /// What the record erased.
    public enum Content: Hashable, Sendable {
        /// A retention sweep pruned `count` events between `firstIndex` and `lastIndex`.
        case pruned(count: Int, firstIndex: UInt64, lastIndex: UInt64, digest: String)
        /// One event was redacted: these fields removed, and the stored entry has this SHA-256.
        case redacted(index: UInt64, eventID: UUID, fields: [String], entrySHA256: String)
    }

    /// The record's action for a prune.
    public static let pruneAction = "retention.pruned"
    /// The record's action for a redaction.
    public static let redactAction = "ledger.redacted"

    /// What it erased.
    public var content: Content

    /// Reads the record from a ledger event.
    ///
    /// - Throws: ``RetentionError`` when the event is not a well-formed erasure record.
    public init(reading event: AuditEvent) throws(RetentionError) {
        guard event.eventType == .palisadeErasure else { throw RetentionError("event \(event.idString) is not an erasure record") }
        let m = event.metadata
        func number(_ name: String) throws(RetentionError) -> UInt64 {
            guard case .number(let value)? = m[name], value >= 0, value < 9_007_199_254_740_992, value == value.rounded() else {
                throw RetentionError("erasure record \(event.idString) has no valid \(name)")
            }
            return UInt64(value)
        }
        func text(_ name: String) throws(RetentionError) -> String {
            guard case .string(let value)? = m[name] else { throw RetentionError("erasure record \(event.idString) has no \(name)") }
            return value
        }
        switch event.action {
        case Self.pruneAction:
            content = .pruned(
                count: Int(try number("count")),
                firstIndex: try number("first_index"),
                lastIndex: try number("last_index"),
                digest: try text("erased_sha256")
            )
        case Self.redactAction:
            guard let id = UUID(text: try text("event_id")) else { throw RetentionError("erasure record \(event.idString) has no valid event_id") }
            guard case .array(let names)? = m["fields"] else { throw RetentionError("erasure record \(event.idString) has no fields") }
            content = .redacted(
                index: try number("index"),
                eventID: id,
                fields: names.compactMap { value in
                    if case .string(let name) = value { return name }
                    return nil
                },
                entrySHA256: try text("redacted_entry_sha256")
            )
        default:
            throw RetentionError("erasure record \(event.idString) has an unknown action \(event.action.prefix(60))")
        }
    }

    /// Checks the erasures the store holds for this record against what the record committed to.
    ///
    /// - Parameter erasures: every stored erasure naming this record.
    /// - Returns: what does not match, or `nil` when the store holds exactly what the record erased.
    public func check(_ erasures: [Erasure]) -> String? {
        switch content {
        case .pruned(let count, let first, let last, let digest):
            guard erasures.allSatisfy({ $0.kind == .pruned }) else { return "a redaction is filed under a prune record" }
            guard erasures.count == count else { return "the record pruned \(count) events but the store lists \(erasures.count)" }
            let sorted = erasures.sorted { $0.index < $1.index }
            guard sorted.first?.index == first, sorted.last?.index == last else {
                return "the stored list of pruned events does not span \(first)...\(last) as the record says"
            }
            guard Self.digest(of: sorted.map { ($0.index, $0.eventID) }) == digest else {
                return "the stored list of pruned events is not the one the record committed to"
            }
            return nil
        case .redacted(let index, let eventID, _, let entrySHA256):
            guard erasures.count == 1, let erasure = erasures.first else {
                return "the record redacted one event but the store lists \(erasures.count)"
            }
            guard erasure.kind == .redacted, erasure.index == index, erasure.eventID == eventID else {
                return "the stored redaction does not name index \(index), event \(eventID.lowercasedString)"
            }
            guard let entry = erasure.redactedEntry, Self.sha256(entry) == entrySHA256 else {
                return "the stored redacted entry is not the one the record committed to"
            }
            return nil
        }
    }

    // MARK: Building records

    /// The record of a retention sweep that prunes `erasures`.
    ///
    /// - Parameters:
    ///   - erasures: the events pruned (at least one).
    ///   - actor: who ran the sweep (`retention-sweep` for the scheduled one).
    ///   - archive: the archive this sweep wrote (its directory under the archive root, empty when
    ///     the events were archived by earlier sweeps), its manifest's SHA-256, and the index below
    ///     which every event of the log is archived.
    ///   - outsidePolicy: `nil` for a sweep by policy; otherwise why events are purged before
    ///     their retention ends, and under which approval.
    public static func pruneRecord(
        tenant: TenantID,
        id: UUID,
        at now: Timestamp,
        actor: String,
        erasures: [ErasureRequest],
        archive: (directory: String, manifestSHA256: String, archivedTo: UInt64),
        outsidePolicy: (reason: String, approval: String)? = nil
    ) -> AuditEvent {
        let sorted = erasures.sorted { $0.index < $1.index }
        var metadata: [String: JSONValue] = [
            "count": .number(Double(sorted.count)),
            "first_index": .number(Double(sorted.first?.index ?? 0)),
            "last_index": .number(Double(sorted.last?.index ?? 0)),
            "erased_sha256": .string(digest(of: sorted.map { ($0.index, $0.eventID) })),
            "archive": .string(archive.directory),
            "archive_manifest_sha256": .string(archive.manifestSHA256),
            "archived_to": .number(Double(archive.archivedTo)),
        ]
        if let outsidePolicy {
            metadata["reason"] = .string(outsidePolicy.reason)
            metadata["approval"] = .string(outsidePolicy.approval)
        }
        return AuditEvent.palisadeRecord(
            tenant: tenant,
            id: id,
            at: now,
            actor: actor,
            type: .palisadeErasure,
            action: pruneAction,
            metadata: metadata
        )
    }

    /// The record of one redaction.
    ///
    /// - Parameters:
    ///   - index: the log index of the redacted event.
    ///   - original: the event as it was.
    ///   - redaction: what was removed.
    ///   - redactedEntry: the canonical entry stored in its place.
    ///   - actor: who asked for it.
    ///   - reason: why (e.g. an erasure request reference).
    ///   - approval: the approval it was made under.
    public static func redactionRecord(
        id: UUID,
        at now: Timestamp,
        index: UInt64,
        original: AuditEvent,
        redaction: Redaction,
        redactedEntry: [UInt8],
        actor: String,
        reason: String,
        approval: String
    ) -> AuditEvent {
        AuditEvent.palisadeRecord(
            tenant: original.tenant,
            id: id,
            at: now,
            actor: actor,
            type: .palisadeErasure,
            action: redactAction,
            metadata: [
                "index": .number(Double(index)),
                "event_id": .string(original.idString),
                "fields": .array(redaction.fields.map { .string($0) }),
                "redacted_entry_sha256": .string(sha256(redactedEntry)),
                "reason": .string(reason),
                "approval": .string(approval),
            ]
        )
    }

    /// SHA-256 over each (index as 8 big-endian bytes, id as 16 bytes), in the order given.
    public static func digest(of entries: [(UInt64, UUID)]) -> String {
        var hasher = SHA256()
        for (index, id) in entries {
            withUnsafeBytes(of: index.bigEndian) { hasher.update(bufferPointer: $0) }
            withUnsafeBytes(of: id.uuid) { hasher.update(bufferPointer: $0) }
        }
        return hex(hasher.finalize())
    }

    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}

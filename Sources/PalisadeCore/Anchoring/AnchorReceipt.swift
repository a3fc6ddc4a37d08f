public import Foundation

/// The ledger record of an anchor: a ``EventType/palisadeAnchor`` event saying where a checkpoint
/// was anchored outside Palisade (a write-once directory, a witness, a time-stamp authority) and
/// with what proof (the cosignature, the token's digest). The receipt is evidence for auditors;
/// the rollback check itself relies on the copies outside the database, never on these rows.
public enum AnchorReceipt {
    /// A checkpoint file created in a write-once directory.
    public static let directoryAction = "anchor.directory"
    /// A witness cosignature.
    public static let witnessAction = "anchor.witness"
    /// An RFC 3161 time-stamp token.
    public static let timestampAction = "anchor.timestamp"

    /// A receipt.
    ///
    /// - Parameters:
    ///   - action: one of the actions above.
    ///   - size: the anchored checkpoint's size.
    ///   - root: its root hash, base64.
    ///   - details: sink-specific members (witness name and cosignature, token digest, file path).
    public static func record(
        tenant: TenantID,
        id: UUID,
        at now: Timestamp,
        actor: String,
        action: String,
        size: UInt64,
        root: String,
        details: [String: JSONValue]
    ) -> AuditEvent {
        var metadata = details
        metadata["size"] = .number(Double(size))
        metadata["root"] = .string(root)
        return AuditEvent.palisadeRecord(tenant: tenant, id: id, at: now, actor: actor, type: .palisadeAnchor, action: action, metadata: metadata)
    }

    /// The size a receipt anchored, if it is a receipt of `action` whose `key` member is `value`.
    public static func size(of event: AuditEvent, action: String, where key: String, is value: String) -> UInt64? {
        guard event.eventType == .palisadeAnchor, event.action == action, event.metadata[key] == .string(value),
            case .number(let size)? = event.metadata["size"], size >= 0, size < 9_007_199_254_740_992
        else { return nil }
        return UInt64(size)
    }
}

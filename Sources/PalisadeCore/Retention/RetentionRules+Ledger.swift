public import Foundation

/// Retention policies and legal holds live in the tenant's own ledger, as
/// ``EventType/palisadeRetention`` records: setting or removing a policy, placing or releasing a
/// hold is an event, and the rules in force are those records replayed in log order. A database
/// administrator cannot quietly drop a hold: it would take rewriting the signed log.
extension RetentionRules {
    /// The record actions.
    public enum RecordAction {
        /// A policy was set (added, or its retention changed).
        public static let policySet = "retention.policy_set"
        /// A policy was removed.
        public static let policyRemoved = "retention.policy_removed"
        /// A legal hold was placed.
        public static let holdPlaced = "legal_hold.placed"
        /// A legal hold was released.
        public static let holdReleased = "legal_hold.released"
    }

    /// The record of setting `policy` (it replaces the tenant's policy for the same event types).
    ///
    /// - Parameter approval: the approved request the change carries out, cited in the record.
    public static func policySetRecord(
        _ policy: RetentionPolicy,
        id: UUID,
        at now: Timestamp,
        actor: String,
        approval: String? = nil
    )
        -> AuditEvent
    {
        var metadata: [String: JSONValue] = ["event_types": typesJSON(policy.eventTypes), "keep_days": .number(Double(policy.keepDays))]
        if let approval { metadata["approval"] = .string(approval) }
        return AuditEvent.palisadeRecord(
            tenant: policy.tenant,
            id: id,
            at: now,
            actor: actor,
            type: .palisadeRetention,
            action: RecordAction.policySet,
            metadata: metadata
        )
    }

    /// The record of removing the tenant's policy for `eventTypes` (empty: the default policy).
    public static func policyRemovedRecord(
        tenant: TenantID,
        eventTypes: Set<EventType>,
        id: UUID,
        at now: Timestamp,
        actor: String,
        approval: String? = nil
    )
        -> AuditEvent
    {
        var metadata: [String: JSONValue] = ["event_types": typesJSON(eventTypes)]
        if let approval { metadata["approval"] = .string(approval) }
        return AuditEvent.palisadeRecord(
            tenant: tenant,
            id: id,
            at: now,
            actor: actor,
            type: .palisadeRetention,
            action: RecordAction.policyRemoved,
            metadata: metadata
        )
    }

    /// The record of placing `hold` (its ``LegalHold/createdAt`` is the record's time).
    public static func holdPlacedRecord(_ hold: LegalHold, id: UUID, actor: String) -> AuditEvent {
        var metadata: [String: JSONValue] = ["hold_id": .string(hold.id.lowercasedString), "reason": .string(hold.reason)]
        if let value = hold.actor { metadata["match_actor"] = .string(value) }
        if let value = hold.resource { metadata["match_resource"] = .string(value) }
        if let value = hold.start { metadata["start"] = .string(value.rfc3339) }
        if let value = hold.end { metadata["end"] = .string(value.rfc3339) }
        return AuditEvent.palisadeRecord(
            tenant: hold.tenant,
            id: id,
            at: hold.createdAt,
            actor: actor,
            type: .palisadeRetention,
            action: RecordAction.holdPlaced,
            metadata: metadata
        )
    }

    /// The record of releasing a hold.
    public static func holdReleasedRecord(
        holdID: UUID,
        tenant: TenantID,
        id: UUID,
        at now: Timestamp,
        actor: String,
        reason: String,
        approval: String
    ) -> AuditEvent {
        AuditEvent.palisadeRecord(
            tenant: tenant,
            id: id,
            at: now,
            actor: actor,
            type: .palisadeRetention,
            action: RecordAction.holdReleased,
            metadata: ["hold_id": .string(holdID.lowercasedString), "reason": .string(reason), "approval": .string(approval)]
        )
    }

    /// The rules a tenant's retention records establish, replayed oldest first.
    ///
    /// - Throws: ``RetentionError`` for a malformed record or one that releases an unknown hold:
    ///   a sweep must not prune on rules it cannot read.
    public init(replaying records: [AuditEvent]) throws(RetentionError) {
        var policies = [[String]: RetentionPolicy]()
        var holds = [UUID: LegalHold]()
        var holdOrder = [UUID]()
        for record in records where record.eventType == .palisadeRetention {
            let m = record.metadata
            func text(_ name: String) -> String? {
                if case .string(let value)? = m[name] { return value }
                return nil
            }
            func types() throws(RetentionError) -> Set<EventType> {
                guard case .array(let values)? = m["event_types"] else {
                    throw RetentionError("retention record \(record.idString) has no event_types")
                }
                var result = Set<EventType>()
                for value in values {
                    guard case .string(let name) = value, let type = EventType(name) else {
                        throw RetentionError("retention record \(record.idString) has an invalid event type")
                    }
                    result.insert(type)
                }
                return result
            }
            func instant(_ name: String) throws(RetentionError) -> Timestamp? {
                guard let value = text(name) else { return nil }
                guard let instant = Timestamp(rfc3339: value) else {
                    throw RetentionError("retention record \(record.idString) has an invalid \(name)")
                }
                return instant
            }
            func holdID() throws(RetentionError) -> UUID {
                guard let value = text("hold_id"), let id = UUID(text: value) else {
                    throw RetentionError("retention record \(record.idString) has no valid hold_id")
                }
                return id
            }
            switch record.action {
            case RecordAction.policySet:
                guard case .number(let days)? = m["keep_days"], days == days.rounded(), abs(days) < 1e9 else {
                    throw RetentionError("retention record \(record.idString) has no valid keep_days")
                }
                let policy = try RetentionPolicy(tenant: record.tenant, eventTypes: try types(), keepDays: Int(days))
                policies[Self.key(policy.eventTypes)] = policy
            case RecordAction.policyRemoved:
                policies[Self.key(try types())] = nil
            case RecordAction.holdPlaced:
                let id = try holdID()
                let hold = try LegalHold(
                    id: id,
                    tenant: record.tenant,
                    actor: text("match_actor"),
                    resource: text("match_resource"),
                    start: try instant("start"),
                    end: try instant("end"),
                    reason: text("reason") ?? "",
                    createdAt: record.timestamp
                )
                if holds[id] == nil { holdOrder.append(id) }
                holds[id] = hold
            case RecordAction.holdReleased:
                let id = try holdID()
                guard holds[id] != nil else {
                    throw RetentionError("retention record \(record.idString) releases unknown hold \(id.lowercasedString)")
                }
                holds[id]?.releasedAt = record.timestamp
            default:
                throw RetentionError("retention record \(record.idString) has an unknown action \(record.action.prefix(60))")
            }
        }
        self.init(policies: policies.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { policies[$0]! }, holds: holdOrder.map { holds[$0]! })
    }

    /// The tenant's policy for exactly these event types, if one is set.
    public func policy(for eventTypes: Set<EventType>) -> RetentionPolicy? {
        policies.first { Self.key($0.eventTypes) == Self.key(eventTypes) }
    }

    private static func key(_ types: Set<EventType>) -> [String] { types.map(\.rawValue).sorted() }

    private static func typesJSON(_ types: Set<EventType>) -> JSONValue { .array(key(types).map { .string($0) }) }
}

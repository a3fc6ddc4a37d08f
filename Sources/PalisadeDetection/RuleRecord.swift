public import Foundation
public import PalisadeCore

/// The ledger records of the rules watching a tenant's log: a ``EventType/palisadeRule`` event when
/// a rule (at a revision) comes into force and when it is removed, with its text, so an auditor can
/// tell exactly which rules saw which events.
///
/// Only changes are recorded: against the revisions saved with the consumer's cursor, or for a
/// tenant detection has not read yet, against the default pack of the running binary (so a log
/// without rule records was watched by the default pack). Ids are derived from the tenant, rule,
/// revision and action, so a change recorded twice (a crash before the cursor was saved) is one
/// record.
public enum RuleRecord {
    /// `active` when the rule is in force, `removed` when it is taken out.
    public enum Action: String, Sendable {
        /// In force from now on.
        case active
        /// No longer in force.
        case removed
    }

    /// The record of a rule coming into force in (or leaving) `tenant`'s detection: its id and
    /// revision, and (when in force) its text, incident type and level.
    public static func event(
        id ruleID: String,
        revision: String,
        rule: DetectionRule?,
        _ action: Action,
        tenant: TenantID,
        actor: String,
        at now: Timestamp
    ) -> AuditEvent {
        var metadata: [String: JSONValue] = ["rule_id": .string(ruleID), "revision": .string(revision)]
        if let rule {
            metadata["incident_type"] = .string(rule.incident.rawValue)
            metadata["threat_level"] = .string(rule.level.name)
            metadata["source"] = .string(rule.source)
        }
        return AuditEvent.palisadeRecord(
            tenant: tenant,
            id: .derived(from: "palisade.rule/\(tenant.rawValue)/\(ruleID)/\(revision)/\(action.rawValue)"),
            at: now,
            actor: actor,
            type: .palisadeRule,
            action: action.rawValue,
            severity: .low,
            resource: "rule/\(ruleID)",
            metadata: metadata
        )
    }

    /// The records that take a tenant's detection from the rules at `before` (id → revision) to
    /// `after`: `active` for every new or changed rule, `removed` for every rule gone.
    public static func changes(
        from before: [String: String],
        to after: [DetectionRule],
        tenant: TenantID,
        actor: String,
        at now: Timestamp
    )
        -> [AuditEvent]
    {
        var records = [AuditEvent]()
        let current = Set(after.map(\.id))
        for (id, revision) in before.sorted(by: { $0.key < $1.key }) where !current.contains(id) {
            records.append(event(id: id, revision: revision, rule: nil, .removed, tenant: tenant, actor: actor, at: now))
        }
        for rule in after where before[rule.id] != rule.revision {
            records.append(event(id: rule.id, revision: rule.revision, rule: rule, .active, tenant: tenant, actor: actor, at: now))
        }
        return records
    }
}

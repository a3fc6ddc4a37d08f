public import Foundation
public import PalisadeCore

/// The ledger records of a tenant's alerting configuration (``EventType/palisadeAlerting``): every
/// receiver stored or removed (its secret sealed), every policy stored, every silence created or
/// expired — so who changed where alerts go, and who muted what and why, is in the audit trail, and
/// alerting applies each change exactly at its place in the log. A receiver paused by its circuit
/// breaker is recorded too.
public enum AlertingRecord {
    /// What a record does.
    public enum Action: String, Sendable, CaseIterable {
        /// A receiver stored (created or replaced).
        case receiverStored = "receiver.stored"
        /// A receiver removed.
        case receiverRemoved = "receiver.removed"
        /// A routing policy stored.
        case policyStored = "policy.stored"
        /// A silence created.
        case silenceCreated = "silence.created"
        /// A silence ended before its time.
        case silenceExpired = "silence.expired"
        /// A receiver paused by its circuit breaker (informational).
        case receiverPaused = "receiver.paused"
    }

    /// The record of a receiver stored.
    public static func receiverStored(_ receiver: Receiver, tenant: TenantID, id: UUID) -> AuditEvent {
        record(
            tenant: tenant,
            id: id,
            at: receiver.storedAt,
            actor: receiver.storedBy,
            .receiverStored,
            resource: "receiver/\(receiver.name)",
            metadata: [
                "name": .string(receiver.name), "kind": .string(receiver.kind.rawValue), "target": .string(receiver.target),
                "sealed_secret": .string(receiver.sealed), "secret_fingerprint": .string(receiver.fingerprint),
            ]
        )
    }

    /// The record of a receiver removed.
    public static func receiverRemoved(_ name: String, tenant: TenantID, actor: String, at now: Timestamp, id: UUID) -> AuditEvent {
        record(tenant: tenant, id: id, at: now, actor: actor, .receiverRemoved, resource: "receiver/\(name)", metadata: ["name": .string(name)])
    }

    /// The record of a policy stored.
    public static func policyStored(_ policy: AlertingPolicy, tenant: TenantID, actor: String, at now: Timestamp, id: UUID) -> AuditEvent {
        let text = String(decoding: CanonicalJSON.encode(policy.json), as: UTF8.self)
        return record(tenant: tenant, id: id, at: now, actor: actor, .policyStored, resource: "alerting/policy", metadata: ["policy": .string(text)])
    }

    /// The record of a silence created (its creator is the record's actor).
    public static func silenceCreated(_ silence: Silence, tenant: TenantID, id: UUID, at now: Timestamp) -> AuditEvent {
        record(
            tenant: tenant,
            id: id,
            at: now,
            actor: silence.createdBy,
            .silenceCreated,
            resource: "silence/\(silence.id.uuidString.lowercased())",
            metadata: [
                "silence_id": .string(silence.id.uuidString.lowercased()), "matchers": .array(silence.matchers.map { .string($0.description) }),
                "starts_at": .string(silence.startsAt.rfc3339), "ends_at": .string(silence.endsAt.rfc3339), "comment": .string(silence.comment),
            ]
        )
    }

    /// The record of a silence ended early.
    public static func silenceExpired(_ silenceID: UUID, tenant: TenantID, actor: String, at now: Timestamp, id: UUID) -> AuditEvent {
        record(
            tenant: tenant,
            id: id,
            at: now,
            actor: actor,
            .silenceExpired,
            resource: "silence/\(silenceID.uuidString.lowercased())",
            metadata: ["silence_id": .string(silenceID.uuidString.lowercased())]
        )
    }

    /// The record of a receiver paused by its breaker until `until` (its id derived, so the same
    /// pause is recorded once).
    public static func receiverPaused(
        _ name: String,
        until: Timestamp,
        reason: String,
        tenant: TenantID,
        actor: String,
        at now: Timestamp
    )
        -> AuditEvent
    {
        record(
            tenant: tenant,
            id: .derived(from: "palisade.alerting/\(tenant.rawValue)/\(name)/paused/\(until.microseconds)"),
            at: now,
            actor: actor,
            .receiverPaused,
            severity: .high,
            resource: "receiver/\(name)",
            metadata: ["name": .string(name), "paused_until": .string(until.rfc3339), "reason": .string(reason)]
        )
    }

    private static func record(
        tenant: TenantID,
        id: UUID,
        at now: Timestamp,
        actor: String,
        _ action: Action,
        severity: Severity = .medium,
        resource: String,
        metadata: [String: JSONValue]
    ) -> AuditEvent {
        AuditEvent.palisadeRecord(
            tenant: tenant,
            id: id,
            at: now,
            actor: actor,
            type: .palisadeAlerting,
            action: action.rawValue,
            severity: severity,
            resource: resource,
            metadata: metadata
        )
    }
}

/// A tenant's alerting configuration as of a place in its log: its receivers, its policy (or the
/// implicit one) and its silences, built by applying its ``AlertingRecord``s in log order.
public struct TenantAlerting: Hashable, Sendable {
    /// Receivers by name.
    public var receivers: [String: Receiver] = [:]
    /// The stored policy; `nil` until one is stored.
    public var storedPolicy: AlertingPolicy?
    /// Silences by id (expired ones included until they are an hour past their end).
    public var silences: [UUID: Silence] = [:]

    /// An empty configuration.
    public init() {}

    /// The policy in force: the stored one, else every alert to every receiver.
    public var policy: AlertingPolicy {
        storedPolicy ?? .implicit(receivers: receivers.values.filter { !$0.kind.isExporter }.map(\.name))
    }

    /// Applies a record; `false` for events that are not alerting records (or do not change it).
    ///
    /// Records are written by Palisade after validation, so one that does not read (altered, or
    /// from a newer binary) is passed over rather than stopping alerting; the reason is returned.
    @discardableResult
    public mutating func apply(_ event: AuditEvent) -> (changed: Bool, warning: String?) {
        guard event.eventType == .palisadeAlerting, let action = AlertingRecord.Action(rawValue: event.action) else { return (false, nil) }
        func text(_ name: String) -> String? { if case .string(let value)? = event.metadata[name] { value } else { nil } }
        switch action {
        case .receiverStored:
            guard let name = text("name"), let kind = text("kind").flatMap(ReceiverKind.init(rawValue:)), let sealed = text("sealed_secret")
            else { return (false, "receiver record \(event.id) does not read") }
            receivers[name] = Receiver(
                name: name,
                kind: kind,
                target: text("target") ?? "",
                sealed: sealed,
                fingerprint: text("secret_fingerprint") ?? "",
                storedBy: event.actor ?? "",
                storedAt: event.timestamp
            )
        case .receiverRemoved:
            guard let name = text("name") else { return (false, "receiver record \(event.id) does not read") }
            receivers[name] = nil
        case .policyStored:
            guard let source = text("policy") else { return (false, "policy record \(event.id) has no policy") }
            do {
                storedPolicy = try AlertingPolicy(json: try JSONParser().parse(Array(source.utf8)))
            } catch {
                return (false, "policy record \(event.id) does not read: \(error)")
            }
        case .silenceCreated:
            guard let id = text("silence_id").flatMap(UUID.init(uuidString:)), let starts = text("starts_at").flatMap(Timestamp.init(rfc3339:)),
                let ends = text("ends_at").flatMap(Timestamp.init(rfc3339:)), case .array(let items)? = event.metadata["matchers"]
            else { return (false, "silence record \(event.id) does not read") }
            do {
                var matchers = [Matcher]()
                for case .string(let item) in items { matchers.append(try Matcher(parsing: item)) }
                silences[id] = try Silence(
                    id: id,
                    matchers: matchers,
                    startsAt: starts,
                    endsAt: ends,
                    createdBy: event.actor ?? "",
                    comment: text("comment") ?? ""
                )
            } catch {
                return (false, "silence record \(event.id) does not read: \(error)")
            }
        case .silenceExpired:
            guard let id = text("silence_id").flatMap(UUID.init(uuidString:)), var silence = silences[id] else { return (false, nil) }
            if silence.endsAt > event.timestamp {
                silence.endsAt = max(event.timestamp, silence.startsAt.adding(microseconds: 1))
                silences[id] = silence
            }
        case .receiverPaused:
            return (false, nil)
        }
        return (true, nil)
    }

    /// Forgets silences that ended more than an hour before `now`.
    public mutating func pruneSilences(at now: Timestamp) {
        silences = silences.filter { now.microseconds - $0.value.endsAt.microseconds < 3_600_000_000 }
    }

    /// A tenant's configuration from its log (up to, not including, `position` when given).
    public static func load(of tenant: TenantID, from events: any EventStore, before position: UInt64? = nil) async throws -> TenantAlerting {
        var configuration = TenantAlerting()
        for record in try await ReservedRecords.read(of: tenant, type: .palisadeAlerting, from: events) {
            if let position, record.index >= position { break }
            configuration.apply(record.event)
        }
        return configuration
    }
}

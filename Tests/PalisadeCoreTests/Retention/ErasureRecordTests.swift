import Foundation
import PalisadeCore
import PalisadeTesting
import Testing

/// Redactions remove exactly what they name, retention records replay into the rules in force,
/// and an erasure record notices any change to the list of erasures filed under it.
struct ErasureRecordTests {
    static let factory = EventFactory()

    static func event() -> AuditEvent {
        factory.event(
            actor: "alice",
            resource: "crm/42",
            sourceIP: "203.0.113.9",
            sessionID: "s1",
            metadata: .object(["email": .string("a@example.com"), "plan": .string("pro")])
        )
    }

    @Test func aRedactionRemovesWhatItNamesAndKeepsTheEnvelope() throws {
        let original = Self.event()
        let some = try Redaction(fields: ["metadata.email", "source_ip"]).apply(to: original)
        #expect(some.sourceIP == nil && some.metadata["email"] == nil && some.metadata["plan"] == .string("pro"))
        #expect(some.actor == "alice" && some.resource == "crm/42" && some.sessionID == "s1")
        #expect(some.metadata[Redaction.markerKey] == .array([.string("metadata.email"), .string("source_ip")]))
        let all = try Redaction.payload.apply(to: original)
        #expect(all.actor == nil && all.resource == nil && all.sessionID == nil && all.sourceIP == nil)
        #expect(all.metadata.keys.sorted() == [Redaction.markerKey])
        for redacted in [some, all] {
            #expect(redacted.id == original.id && redacted.timestamp == original.timestamp && redacted.receivedAt == original.receivedAt)
            #expect(redacted.eventType == original.eventType && redacted.action == original.action && redacted.success == original.success)
            // The redacted copy is itself a canonical entry.
            #expect(try AuditEvent(canonicalEntry: redacted.canonicalEntry) == redacted)
        }
        #expect(throws: RetentionError.self) { try Redaction(fields: ["id"]) }
        #expect(throws: RetentionError.self) { try Redaction(fields: []) }
        #expect(throws: RetentionError.self) { try Redaction(fields: ["metadata.missing"]).apply(to: original) }
        let record = RetentionRules.policySetRecord(
            try RetentionPolicy(tenant: .default, keepDays: 5),
            id: UUID(),
            at: original.timestamp,
            actor: "x"
        )
        #expect(throws: RetentionError.self) { try Redaction.payload.apply(to: record) }
        // Clients cannot write into Palisade's namespace.
        var draft = EventDraft()
        draft.eventType = "palisade.retention"
        draft.action = "legal_hold.released"
        #expect(throws: EventValidationError.self) {
            try EventValidator().validate(draft, tenant: .default, receivedAt: original.timestamp, generatedID: UUID())
        }
    }

    @Test func retentionRecordsReplayInLogOrder() throws {
        let t0 = Timestamp(rfc3339: "2026-01-01T00:00:00Z")!
        let later = t0.adding(microseconds: 1_000_000)
        let hold = try LegalHold(tenant: .default, actor: "bob", reason: "case 1", createdAt: t0)
        let records = [
            RetentionRules.policySetRecord(
                try RetentionPolicy(tenant: .default, eventTypes: [.authentication], keepDays: 10),
                id: UUID(),
                at: t0,
                actor: "a"
            ),
            RetentionRules.policySetRecord(
                try RetentionPolicy(tenant: .default, eventTypes: [.authentication], keepDays: 400),
                id: UUID(),
                at: t0,
                actor: "a"
            ),
            RetentionRules.policySetRecord(try RetentionPolicy(tenant: .default, keepDays: 30), id: UUID(), at: t0, actor: "a"),
            RetentionRules.holdPlacedRecord(hold, id: UUID(), actor: "legal"),
            RetentionRules.policyRemovedRecord(tenant: .default, eventTypes: [], id: UUID(), at: later, actor: "a"),
            RetentionRules.holdReleasedRecord(
                holdID: hold.id,
                tenant: .default,
                id: UUID(),
                at: later,
                actor: "legal",
                reason: "done",
                approval: "x"
            ),
        ]
        let rules = try RetentionRules(replaying: records)
        #expect(rules.policies.map(\.keepDays) == [400])
        #expect(rules.policy(for: [.authentication])?.keepDays == 400)
        #expect(rules.holds.count == 1 && rules.holds[0].actor == "bob" && rules.holds[0].releasedAt == later)
        #expect(rules.holds[0].isActive(at: t0) && !rules.holds[0].isActive(at: later))
        // Releasing a hold that was never placed means the records cannot be trusted: no rules.
        let orphan = RetentionRules.holdReleasedRecord(
            holdID: UUID(),
            tenant: .default,
            id: UUID(),
            at: later,
            actor: "x",
            reason: "y",
            approval: "z"
        )
        #expect(throws: RetentionError.self) { try RetentionRules(replaying: [orphan]) }
    }

    @Test func aPruneRecordNoticesAnyChangeToItsFilings() throws {
        let ids = (0..<4).map { _ in UUID() }
        let requests = [(3, 0), (7, 1), (8, 2)].map { ErasureRequest(index: UInt64($0.0), eventID: ids[$0.1], kind: .pruned) }
        let event = ErasureRecord.pruneRecord(
            tenant: .default,
            id: UUID(),
            at: Timestamp(microseconds: 0),
            actor: "sweep",
            erasures: requests,
            archive: ("default/0-9", "ab", 9)
        )
        let record = try ErasureRecord(reading: try AuditEvent(canonicalEntry: event.canonicalEntry))
        let filed = requests.map { $0.erasure(record: 9) }
        #expect(record.check(filed) == nil)
        #expect(record.check(filed.reversed()) == nil, "order of filing does not matter")
        #expect(record.check(Array(filed.dropLast())) != nil)
        var swapped = filed
        swapped[1].eventID = ids[3]
        #expect(record.check(swapped) != nil)
        var moved = filed
        moved[1].index = 6
        #expect(record.check(moved) != nil)
        var redacted = filed
        redacted[0].kind = .redacted
        #expect(record.check(redacted) != nil)
    }
}

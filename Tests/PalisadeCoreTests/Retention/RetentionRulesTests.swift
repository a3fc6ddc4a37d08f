import Foundation
import PalisadeCore
import PalisadeTesting
import Testing

/// Retention decisions: the longest covering policy wins, expiry is exact to the microsecond, and
/// an active legal hold that matches always blocks pruning.
struct RetentionRulesTests {
    static let clock = ManualWallClock(start: Timestamp(rfc3339: "2025-01-05T00:00:00Z")!)
    static let factory = EventFactory(clock: clock)
    static let day: Int64 = 86_400_000_000

    static func event(type: String = "authentication", actor: String = "alice", resource: String? = "db", tenant: TenantID = .default) -> AuditEvent {
        factory.event(tenant: tenant, type: type, actor: actor, resource: resource, timestamp: "2025-01-01T00:00:00Z")
    }

    @Test func theLongestCoveringPolicyDecidesAndUncoveredEventsAreKept() throws {
        let created = Self.event().timestamp
        let rules = RetentionRules(policies: [
            try RetentionPolicy(tenant: .default, eventTypes: [.authentication], keepDays: 400),
            try RetentionPolicy(tenant: .default, keepDays: 30),
        ])
        // Authentication: 400 days (the longer of its own rule and the default).
        #expect(
            rules.disposition(of: Self.event(), at: created.adding(microseconds: 399 * Self.day))
                == .retainedUntil(created.adding(microseconds: 400 * Self.day))
        )
        #expect(
            rules.disposition(of: Self.event(), at: created.adding(microseconds: 400 * Self.day))
                == .prunable(expiredAt: created.adding(microseconds: 400 * Self.day))
        )
        // Another type falls to the 30-day default, exact to the microsecond.
        let access = Self.event(type: "data_access")
        #expect(
            rules.disposition(of: access, at: created.adding(microseconds: 30 * Self.day - 1))
                == .retainedUntil(created.adding(microseconds: 30 * Self.day))
        )
        #expect(
            rules.disposition(of: access, at: created.adding(microseconds: 30 * Self.day))
                == .prunable(expiredAt: created.adding(microseconds: 30 * Self.day))
        )
        // Another tenant has no policy: kept for ever.
        #expect(rules.disposition(of: Self.event(tenant: TenantID("acme")!), at: created.adding(microseconds: 9_000 * Self.day)) == .keptForever)
        // A shorter type rule does not shorten the tenant's longer default.
        let longDefault = RetentionRules(policies: [
            try RetentionPolicy(tenant: .default, eventTypes: [.authentication], keepDays: 7),
            try RetentionPolicy(tenant: .default, keepDays: 90),
        ])
        #expect(
            longDefault.disposition(of: Self.event(), at: created.adding(microseconds: 8 * Self.day))
                == .retainedUntil(created.adding(microseconds: 90 * Self.day))
        )
    }

    @Test func anActiveMatchingHoldBlocksPruningUntilReleased() throws {
        let created = Self.event().timestamp
        let later = created.adding(microseconds: 100 * Self.day)
        var hold = try LegalHold(
            tenant: .default,
            actor: "alice",
            start: created.adding(microseconds: -Self.day),
            end: created.adding(microseconds: Self.day),
            reason: "matter 2025-17",
            createdAt: created.adding(microseconds: 50 * Self.day)
        )
        var rules = RetentionRules(policies: [try RetentionPolicy(tenant: .default, keepDays: 30)], holds: [hold])
        let expiry = created.adding(microseconds: 30 * Self.day)
        #expect(rules.disposition(of: Self.event(), at: later) == .held(by: hold.id, expiredAt: expiry))
        // Not before the hold was placed, not for another actor, not outside its time range.
        #expect(rules.disposition(of: Self.event(), at: created.adding(microseconds: 40 * Self.day)) == .prunable(expiredAt: expiry))
        #expect(rules.disposition(of: Self.event(actor: "bob"), at: later) == .prunable(expiredAt: expiry))
        let outside = Self.factory.event(actor: "alice", timestamp: "2025-01-03T00:00:00Z")
        #expect(rules.disposition(of: outside, at: later) == .prunable(expiredAt: outside.timestamp.adding(microseconds: 30 * Self.day)))
        // Released: pruning may go ahead.
        hold.releasedAt = later
        rules.holds = [hold]
        #expect(rules.disposition(of: Self.event(), at: later) == .prunable(expiredAt: expiry))
    }

    @Test func invalidRulesAreRefusedWithTheirReason() {
        #expect(throws: RetentionError.self) { try RetentionPolicy(tenant: .default, keepDays: 0) }
        #expect(throws: RetentionError.self) { try RetentionPolicy(tenant: .default, keepDays: RetentionPolicy.maxKeepDays + 1) }
        #expect(throws: RetentionError("a legal hold needs a reason (a case or matter reference)")) {
            try LegalHold(tenant: .default, reason: "  ", createdAt: Timestamp(microseconds: 0))
        }
        #expect(throws: RetentionError.self) {
            try LegalHold(
                tenant: .default,
                start: Timestamp(microseconds: 10),
                end: Timestamp(microseconds: 10),
                reason: "x",
                createdAt: Timestamp(microseconds: 0)
            )
        }
    }
}

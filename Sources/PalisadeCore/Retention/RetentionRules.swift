public import Foundation

/// What retention decides for one event at one instant.
public enum RetentionDisposition: Hashable, Sendable {
    /// No policy covers the event: it is kept for ever.
    case keptForever
    /// A policy covers it and it has not expired yet.
    case retainedUntil(Timestamp)
    /// It has expired, but an active legal hold stops it from being pruned.
    case held(by: UUID, expiredAt: Timestamp)
    /// It has expired and nothing holds it: a sweep may archive and then prune it.
    case prunable(expiredAt: Timestamp)
}

/// A tenant's retention policies and legal holds, and the decision they make for an event.
///
/// When several policies cover an event the longest retention wins (the safe reading of
/// overlapping rules); a policy naming the event's type is not preferred over the tenant's
/// default, since either may be the longer one. Any active hold that matches blocks pruning.
public struct RetentionRules: Hashable, Sendable {
    /// The policies.
    public var policies: [RetentionPolicy]
    /// The holds, active or released.
    public var holds: [LegalHold]

    /// Creates a rule set.
    public init(policies: [RetentionPolicy] = [], holds: [LegalHold] = []) {
        self.policies = policies
        self.holds = holds
    }

    /// The decision for `event` at `now`.
    public func disposition(of event: AuditEvent, at now: Timestamp) -> RetentionDisposition {
        // Palisade's own records (retention rules, erasures) prove what happened to the rest.
        guard !event.eventType.isReserved else { return .keptForever }
        let covering = policies.filter { $0.covers(tenant: event.tenant, eventType: event.eventType) }
        guard let longest = covering.max(by: { $0.keepDays < $1.keepDays }) else { return .keptForever }
        let expiry = longest.expiry(of: event.timestamp)
        guard expiry <= now else { return .retainedUntil(expiry) }
        if let hold = holds.first(where: { $0.isActive(at: now) && $0.matches(event) }) {
            return .held(by: hold.id, expiredAt: expiry)
        }
        return .prunable(expiredAt: expiry)
    }
}

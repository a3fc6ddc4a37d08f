public import Foundation
public import PalisadeCore

/// A silence: alerts whose labels pass every matcher are not notified between its start and end
/// (they are still grouped and recorded). Silences are created through the API and CLI and are
/// themselves audited.
public struct Silence: Hashable, Sendable {
    /// Its id.
    public var id: UUID
    /// What it silences.
    public var matchers: [Matcher]
    /// From when.
    public var startsAt: Timestamp
    /// Until when (exclusive).
    public var endsAt: Timestamp
    /// Who created it.
    public var createdBy: String
    /// Why.
    public var comment: String

    /// Creates a silence.
    ///
    /// - Throws: ``AlertingError`` without matchers (that would silence everything), with an end
    ///   not after the start, or without a comment.
    public init(
        id: UUID,
        matchers: [Matcher],
        startsAt: Timestamp,
        endsAt: Timestamp,
        createdBy: String,
        comment: String
    )
        throws(AlertingError)
    {
        guard !matchers.isEmpty else { throw AlertingError("a silence needs at least one matcher; it would silence every alert") }
        guard endsAt > startsAt else { throw AlertingError("a silence must end after it starts") }
        guard !comment.trimmingCharacters(in: .whitespaces).isEmpty else { throw AlertingError("a silence needs a comment saying why") }
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
    }

    /// Whether it is in force at `time`.
    public func isActive(at time: Timestamp) -> Bool { time >= startsAt && time < endsAt }

    /// Whether it silences an alert at `time`.
    public func silences(_ alert: Alert, at time: Timestamp) -> Bool { isActive(at: time) && matchers.matchAll(alert.labels) }
}

/// An inhibition rule: while an alert matching `source` fires, alerts matching `target` that agree
/// with it on the `equal` labels are not notified — the critical incident suppresses its
/// lower-level twins about the same entity.
public struct InhibitRule: Hashable, Sendable {
    /// The inhibiting alerts.
    public var source: [Matcher]
    /// The inhibited alerts.
    public var target: [Matcher]
    /// Labels both must share.
    public var equal: [String]

    /// Creates a rule.
    public init(source: [Matcher], target: [Matcher], equal: [String]) {
        self.source = source
        self.target = target
        self.equal = equal
    }

    /// The default: a critical alert inhibits the low, medium and high ones of the same tenant and
    /// entity.
    public static var criticalSuppressesTwins: InhibitRule {
        do {
            return InhibitRule(
                source: [try Matcher("threat_level", .equal, "critical")],
                target: [try Matcher("threat_level", .matches, "low|medium|high")],
                equal: ["tenant", "entity"]
            )
        } catch {
            preconditionFailure("the default inhibition's matchers do not compile: \(error)")
        }
    }

    /// Whether `alert` is inhibited by one of the `firing` alerts.
    public func inhibits(_ alert: Alert, among firing: [Alert]) -> Bool {
        guard target.matchAll(alert.labels) else { return false }
        return firing.contains { source in
            source.isFiring && source.fingerprint != alert.fingerprint && self.source.matchAll(source.labels)
                && equal.allSatisfy { (source.labels[$0] ?? "") == (alert.labels[$0] ?? "") && !(alert.labels[$0] ?? "").isEmpty }
        }
    }
}

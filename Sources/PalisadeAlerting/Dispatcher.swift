import Crypto
public import PalisadeCore
import PalisadeLedger

/// A notification due to a receiver: one group's alerts, firing and resolved, at one moment.
public struct AlertNotification: Hashable, Sendable {
    /// The receiver (channel) it goes to.
    public var receiver: String
    /// The group's identity: route path and group labels.
    public var groupKey: String
    /// The group labels.
    public var groupLabels: [String: String]
    /// The firing alerts, by fingerprint order.
    public var firing: [Alert]
    /// The alerts resolved since the last notification.
    public var resolved: [Alert]
    /// When it became due.
    public var at: Timestamp
    /// The group's notification count (1 for its first): a reminder (`repeat_interval`) says the
    /// same as the notification before it and is still a new notification.
    public var sequence: Int

    /// Creates a notification (the dispatcher makes them; the outbox reads them back).
    public init(
        receiver: String,
        groupKey: String,
        groupLabels: [String: String],
        firing: [Alert],
        resolved: [Alert],
        at: Timestamp,
        sequence: Int = 1
    ) {
        self.receiver = receiver
        self.groupKey = groupKey
        self.groupLabels = groupLabels
        self.firing = firing
        self.resolved = resolved
        self.at = at
        self.sequence = sequence
    }

    /// What the receiver is told: the group, its notification count and the fingerprints in each
    /// state. Two notifications with the same state key say the same thing, so the outbox sends it
    /// once (unless the receiver failed) — a notification made again after a restart is not sent
    /// again.
    public var stateKey: String {
        var hasher = SHA256()
        hasher.update(data: Array("\(receiver)\n\(groupKey)\n#\(sequence)\nfiring:".utf8))
        for alert in firing { hasher.update(data: Array("\(alert.told),".utf8)) }
        hasher.update(data: Array("\nresolved:".utf8))
        for alert in resolved { hasher.update(data: Array("\(alert.fingerprint),".utf8)) }
        return Hex.encode(hasher.finalize())
    }
}

extension Alert {
    /// What a receiver is told of a firing alert: its identity, level and status
    /// (`fingerprint@high@acknowledged`) — an escalation or an acknowledgement is news.
    var told: String { "\(fingerprint)@\(labels["threat_level"] ?? "")@\(labels["status"] ?? "")" }
}

/// Groups alerts per route and group labels and decides when each group is notified, as
/// Alertmanager does: a new group waits `groupWait` for its siblings; after that, a group whose
/// news (what fires, at which level and status, and what was resolved) differs from what its receiver was last
/// told is notified at most every `groupInterval`; a group with nothing new that still fires is
/// notified again after `repeatInterval`; resolved alerts are sent once and then forgotten.
/// Silenced and inhibited alerts are left out (so a silence that expires is news).
///
/// Pure and driven by the caller's clock: ``receive(_:at:)`` alerts, then ``due(at:)``.
public struct Dispatcher: Sendable {
    struct Group: Sendable {
        var receiver: String
        var labels: [String: String]
        var timing: Route.Timing
        var alerts: [String: Alert] = [:]
        var createdAt: Timestamp
        var lastNotifiedAt: Timestamp?
        /// What the receiver was last told was firing (`fingerprint@level`).
        var lastFiring: Set<String> = []
        /// Notifications made.
        var notified = 0
    }

    /// The routing tree.
    public var route: Route
    /// Inhibition rules.
    public var inhibitRules: [InhibitRule]
    /// Silences (expired ones are simply inactive).
    public var silences: [Silence]
    var groups: [String: Group] = [:]

    /// Creates a dispatcher.
    public init(route: Route, inhibitRules: [InhibitRule] = [.criticalSuppressesTwins], silences: [Silence] = []) {
        self.route = route
        self.inhibitRules = inhibitRules
        self.silences = silences
    }

    /// Groups held.
    public var groupCount: Int { groups.count }

    /// Takes a new state of an alert into every group its route leads to.
    public mutating func receive(_ alert: Alert, at now: Timestamp) {
        for match in route.matches(alert.labels) {
            let labels = match.route.groupLabels(alert.labels)
            let key = match.path + "|" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            var group = groups[key] ?? Group(receiver: match.route.receiver, labels: labels, timing: match.route.timing, createdAt: now)
            group.alerts[alert.fingerprint] = alert
            groups[key] = group
        }
    }

    /// The notifications due at `now`, marking their groups notified.
    public mutating func due(at now: Timestamp) -> [AlertNotification] {
        // Alerts whose time ran out (an approval request that expired) resolve now.
        for key in groups.keys {
            for (fingerprint, alert) in groups[key]?.alerts ?? [:] where alert.isFiring {
                guard let endsAt = alert.endsAt, endsAt <= now else { continue }
                var ended = alert
                ended.isFiring = false
                ended.updatedAt = endsAt
                groups[key]?.alerts[fingerprint] = ended
            }
        }
        let firingEverywhere = groups.values.flatMap { $0.alerts.values.filter(\.isFiring) }
        let silences = self.silences
        let inhibitRules = self.inhibitRules
        var notifications = [AlertNotification]()
        for key in groups.keys.sorted() {
            guard var group = groups[key] else { continue }
            let muted = { (alert: Alert) in
                silences.contains { $0.silences(alert, at: now) } || inhibitRules.contains { $0.inhibits(alert, among: firingEverywhere) }
            }
            let firing = group.alerts.values.filter { $0.isFiring && !muted($0) }.sorted { $0.fingerprint < $1.fingerprint }
            let told = Set(firing.map(\.told))
            // A resolution is news only to a receiver that was told the alert fired.
            let toldFingerprints = Set(group.lastFiring.map { String($0.prefix { $0 != "@" }) })
            let resolved = group.alerts.values.filter { !$0.isFiring && toldFingerprints.contains($0.fingerprint) }
                .sorted { $0.fingerprint < $1.fingerprint }
            let isDue: Bool
            if let last = group.lastNotifiedAt {
                let elapsed = now.microseconds - last.microseconds
                let news = told != group.lastFiring || !resolved.isEmpty
                isDue =
                    (news && elapsed >= group.timing.groupInterval * 1_000_000)
                    || (!firing.isEmpty && elapsed >= group.timing.repeatInterval * 1_000_000)
            } else {
                isDue = now.microseconds - group.createdAt.microseconds >= group.timing.groupWait * 1_000_000
            }
            guard isDue else { continue }
            if !firing.isEmpty || !resolved.isEmpty {
                group.notified += 1
                notifications.append(
                    AlertNotification(
                        receiver: group.receiver,
                        groupKey: key,
                        groupLabels: group.labels,
                        firing: firing,
                        resolved: resolved,
                        at: now,
                        sequence: group.notified
                    )
                )
            }
            group.lastNotifiedAt = now
            group.lastFiring = told
            for alert in group.alerts.values where !alert.isFiring { group.alerts[alert.fingerprint] = nil }
            if group.alerts.isEmpty { groups[key] = nil } else { groups[key] = group }
        }
        return notifications
    }
}

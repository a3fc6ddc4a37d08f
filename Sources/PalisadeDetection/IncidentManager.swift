public import Foundation
public import PalisadeCore

/// Turns detections into incidents through the ``IncidentStore`` port: a rule that keeps firing
/// for the same entity updates its active incident (count, last seen, new evidence) instead of
/// opening another; one that fires again within the reopen window after resolution reopens it;
/// anything else opens a new incident.
///
/// Replaying the same detection (after a restart from the saved cursor) changes nothing: evidence
/// already in the incident is not counted twice. Concurrent writers are resolved by the store's
/// versions: a conflict reloads and retries.
public struct IncidentManager: Sendable {
    /// What a detection did.
    public enum Change: Hashable, Sendable {
        /// A new incident.
        case opened(Incident)
        /// New evidence folded into the active incident.
        case updated(Incident)
        /// A resolved or closed incident came back within the reopen window.
        case reopened(Incident)
        /// The detection's evidence was already in the incident (a replay): nothing changed.
        case unchanged(Incident)
    }

    private let store: any IncidentStore
    /// How long after resolution a new detection reopens the incident instead of opening another.
    public let reopenWindowSeconds: Int64
    /// The actor recorded for automatic transitions.
    public let actor: String

    /// Creates a manager.
    public init(store: any IncidentStore, reopenWindowSeconds: Int64 = 3_600, actor: String = "palisade-detection") {
        self.store = store
        self.reopenWindowSeconds = reopenWindowSeconds
        self.actor = actor
    }

    /// Files a detection of `tenant` at `now`.
    ///
    /// - Throws: the store's error (after 3 conflicts in a row, the conflict).
    public func file(_ detection: Detection, tenant: TenantID, now: Timestamp) async throws -> Change {
        var attempt = 0
        while true {
            do {
                return try await fileOnce(detection, tenant: tenant, now: now)
            } catch let error as StoreError where error.code == .conflict && attempt < 3 {
                attempt += 1
            }
        }
    }

    private func fileOnce(_ detection: Detection, tenant: TenantID, now: Timestamp) async throws -> Change {
        if let stored = try await store.latestIncident(dedupKey: detection.dedupKey, of: tenant) {
            var incident = stored.incident
            let known = Set(incident.evidence)
            let seenUpTo = incident.evidence.max() ?? 0
            let fresh = detection.evidence.filter { !known.contains($0) && ($0 > seenUpTo || incident.evidence.count < Incident.maxEvidence) }
            if incident.status.isActive {
                guard !fresh.isEmpty else { return .unchanged(incident) }
                incident.absorb(evidence: fresh, entities: detection.entities, at: detection.last)
                incident.escalate(to: detection.level)
                _ = try await store.updateIncident(incident, expectedVersion: stored.version)
                return .updated(incident)
            }
            let resolvedAt = incident.resolvedAt ?? incident.lastSeen
            if !fresh.isEmpty, now.microseconds - resolvedAt.microseconds <= reopenWindowSeconds * 1_000_000 {
                do {
                    try incident.apply(.reopen(reason: "\(detection.rule) fired again: \(detection.title)"), by: actor, at: now)
                } catch {
                    // Resolved, closed and false-positive incidents can all be reopened.
                    throw StoreError(.corrupt, "incident \(incident.id.lowercasedString) cannot be reopened: \(error)")
                }
                incident.absorb(evidence: fresh, entities: detection.entities, at: detection.last)
                incident.escalate(to: detection.level)
                _ = try await store.updateIncident(incident, expectedVersion: stored.version)
                return .reopened(incident)
            }
            guard !fresh.isEmpty else { return .unchanged(incident) }
        }
        var generator = SystemRandomNumberGenerator()
        let incident = Incident(
            id: UUID.version7(at: now, using: &generator),
            tenant: tenant,
            type: detection.incident,
            threatLevel: detection.level,
            title: detection.title,
            description:
                "\(detection.rule) detected \(detection.evidence.count) event(s) between \(detection.first.rfc3339) and \(detection.last.rfc3339)",
            source: detection.rule,
            dedupKey: detection.dedupKey,
            entities: detection.entities,
            evidence: detection.evidence,
            seenAt: detection.first,
            openedAt: now
        )
        try await store.insertIncident(incident)
        return .opened(incident)
    }
}

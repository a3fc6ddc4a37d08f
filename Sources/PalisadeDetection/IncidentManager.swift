public import Foundation
public import PalisadeCore

/// Turns detections into incidents through the ``IncidentStore`` port, applies people's work on
/// them, escalates missed SLA deadlines — and records every one of those changes in the tenant's
/// ledger as an ``IncidentRecord`` through the ``RecordSink``.
///
/// Deduplication: a rule that keeps firing for the same entity updates its active incident (count,
/// last seen, new evidence) instead of opening another; one that fires again within the reopen
/// window after resolution reopens it; anything else opens a new incident.
///
/// Exactly once across restarts: a detection's changes are recorded in the ledger *before* the
/// store is written, under ids derived from the incident and the evidence (the incident's own id is
/// derived from its dedup key and first evidence). A detection replayed after a crash between the
/// two writes produces the same record — a duplicate the ledger drops — and then the store write;
/// one replayed after both finds its evidence already in the incident and changes nothing.
/// Concurrent writers are resolved by the store's versions: a conflict reloads and retries.
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
    private let records: (any RecordSink)?
    /// How long after resolution a new detection reopens the incident instead of opening another.
    public let reopenWindowSeconds: Int64
    /// The actor recorded for automatic changes.
    public let actor: String
    /// Records of incidents at or above this level are marked `alert: true` (original design: high
    /// and critical), which is what alert routing picks up.
    public let alertLevel: ThreatLevel

    /// Creates a manager.
    ///
    /// - Parameters:
    ///   - records: where changes are recorded; `nil` only in tests of the store logic alone.
    public init(
        store: any IncidentStore,
        records: (any RecordSink)?,
        reopenWindowSeconds: Int64 = 3_600,
        actor: String = "palisade-detection",
        alertLevel: ThreatLevel = .high
    ) {
        self.store = store
        self.records = records
        self.reopenWindowSeconds = reopenWindowSeconds
        self.actor = actor
        self.alertLevel = alertLevel
    }

    /// Files a detection of `tenant` at `now`.
    ///
    /// - Throws: the store's or the sink's error (after 3 conflicts in a row, the conflict).
    public func file(_ detection: Detection, tenant: TenantID, now: Timestamp) async throws -> Change {
        try await retryingConflicts { try await fileOnce(detection, tenant: tenant, now: now) }
    }

    private func fileOnce(_ detection: Detection, tenant: TenantID, now: Timestamp) async throws -> Change {
        var opening = detection.evidence
        if let stored = try await store.latestIncident(dedupKey: detection.dedupKey, of: tenant) {
            var incident = stored.incident
            let known = Set(incident.evidence)
            let seenUpTo = incident.evidence.max() ?? 0
            let fresh = detection.evidence.filter { !known.contains($0) && ($0 > seenUpTo || incident.evidence.count < Incident.maxEvidence) }
            if incident.status.isActive {
                guard !fresh.isEmpty else { return .unchanged(incident) }
                incident.absorb(evidence: fresh, entities: detection.entities, at: detection.last, firings: detection.firings)
                incident.escalate(to: detection.level)
                try await record(incident, .evidence(fresh), by: actor, at: now)
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
                incident.absorb(evidence: fresh, entities: detection.entities, at: detection.last, firings: detection.firings)
                incident.escalate(to: detection.level)
                try await record(incident, .reopened(fresh), by: actor, at: now)
                _ = try await store.updateIncident(incident, expectedVersion: stored.version)
                return .reopened(incident)
            }
            guard !fresh.isEmpty else { return .unchanged(incident) }
            opening = fresh
        }
        // Named after its first evidence that no earlier incident of the key holds.
        let first = opening.min() ?? 0
        var incident = Incident(
            id: .derived(from: "palisade.incident/\(tenant.rawValue)/\(detection.dedupKey)/\(first)"),
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
        incident.count = detection.firings
        incident.lastSeen = max(detection.first, detection.last)
        try await record(incident, .opened, by: actor, at: now)
        do {
            try await store.insertIncident(incident)
        } catch let error as StoreError where error.code == .conflict {
            // Inserted before a crash, then resolved and closed past the reopen window: the same
            // evidence cannot open it twice.
            guard let existing = try await store.incident(id: incident.id, of: tenant) else { throw error }
            return .unchanged(existing.incident)
        }
        return .opened(incident)
    }

    /// Applies a person's lifecycle action to an incident.
    ///
    /// - Returns: the incident after the action, or `nil` when the tenant has no such incident.
    /// - Throws: ``IncidentTransitionError`` when its status does not allow the action, or the
    ///   store's or the sink's error.
    public func apply(_ action: IncidentAction, to id: UUID, tenant: TenantID, by person: String, at now: Timestamp) async throws -> Incident? {
        try await change(id, tenant: tenant, by: person, at: now) { incident throws(IncidentTransitionError) in
            try incident.apply(action, by: person, at: now)
            return .transition(action)
        }
    }

    /// Assigns an incident to a person (`nil` unassigns).
    public func assign(_ id: UUID, tenant: TenantID, to assignee: String?, by person: String, at now: Timestamp) async throws -> Incident? {
        try await change(id, tenant: tenant, by: person, at: now) { incident in
            incident.assign(to: assignee, at: now)
            return .assigned(assignee)
        }
    }

    /// Adds a note to an incident.
    public func note(_ id: UUID, tenant: TenantID, text: String, by person: String, at now: Timestamp) async throws -> Incident? {
        try await change(id, tenant: tenant, by: person, at: now) { incident in
            incident.addNote(text, by: person, at: now)
            return .noted(text)
        }
    }

    /// A person's change: applied to the current version, stored (a conflict reloads and applies it
    /// again, so a transition another person made meanwhile is checked against), then recorded.
    private func change(
        _ id: UUID,
        tenant: TenantID,
        by person: String,
        at now: Timestamp,
        _ body: (inout Incident) throws(IncidentTransitionError) -> IncidentRecord.Change
    ) async throws -> Incident? {
        try await retryingConflicts {
            guard let stored = try await store.incident(id: id, of: tenant) else { return nil }
            var incident = stored.incident
            let change = try body(&incident)
            _ = try await store.updateIncident(incident, expectedVersion: stored.version)
            try await record(incident, change, by: person, at: now)
            return incident
        }
    }

    /// Escalates the tenant's active incidents whose SLA deadline has passed at `now`.
    ///
    /// - Returns: the escalated incidents.
    public func escalateOverdue(tenant: TenantID, sla: IncidentSLA, at now: Timestamp) async throws -> [Incident] {
        var escalated = [Incident]()
        var query = IncidentQuery(tenant: tenant)
        query.statuses = [.open, .acknowledged, .investigating]
        for stored in try await store.allIncidents(matching: query) where sla.breach(of: stored.incident, at: now) != nil {
            let done = try await retryingConflicts { () async throws -> Incident? in
                guard let current = try await store.incident(id: stored.incident.id, of: tenant),
                    let breach = sla.breach(of: current.incident, at: now)
                else { return nil }
                var incident = current.incident
                incident.escalate(for: breach, at: now)
                try await record(incident, .escalated(breach), by: actor, at: now)
                _ = try await store.updateIncident(incident, expectedVersion: current.version)
                return incident
            }
            if let done { escalated.append(done) }
        }
        return escalated
    }

    private func record(_ incident: Incident, _ change: IncidentRecord.Change, by who: String, at now: Timestamp) async throws {
        guard let records else { return }
        let record = IncidentRecord(incident: incident, change: change, actor: who, alert: incident.threatLevel >= alertLevel)
        var generator = SystemRandomNumberGenerator()
        try await records.appendRecords([record.event(id: record.derivedID ?? .version7(at: now, using: &generator), at: now)])
    }

    private func retryingConflicts<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as StoreError where error.code == .conflict && attempt < 3 {
                attempt += 1
            }
        }
    }
}

public import Foundation

/// A security incident: what a rule or detector found, the evidence in the ledger, and the work
/// people do on it.
///
/// Its changes go through ``apply(_:by:at:)`` (the lifecycle state machine), ``assign(to:at:)``,
/// ``addNote(_:by:at:)`` and ``absorb(evidence:entities:at:)`` (deduplication), each of which the
/// incident manager also appends to the ledger.
public struct Incident: Hashable, Sendable {
    /// The most evidence indices kept; ``evidenceCount`` goes on counting.
    public static let maxEvidence = 1000

    /// The incident's id.
    public let id: UUID
    /// Its tenant.
    public let tenant: TenantID
    /// What kind of incident.
    public var type: IncidentType
    /// How dangerous.
    public var threatLevel: ThreatLevel
    /// One line for lists.
    public var title: String
    /// What was seen.
    public var description: String
    /// The id of the rule or detector that opened it.
    public var source: String
    /// What identifies "the same incident" for deduplication (rule id and group key).
    public var dedupKey: String
    /// The actors, addresses and resources involved.
    public var entities: IncidentEntities
    /// Log indices of the evidence events, oldest first (at most ``maxEvidence``).
    public var evidence: [UInt64]
    /// How many evidence events there were in all.
    public var evidenceCount: Int
    /// The first evidence event's time.
    public var firstSeen: Timestamp
    /// The latest evidence event's time.
    public var lastSeen: Timestamp
    /// How many times the rule fired into this incident.
    public var count: Int
    /// Free labels (for routing and grouping).
    public var labels: [String: String]
    /// Where it is in its lifecycle.
    public private(set) var status: IncidentStatus
    /// Who owns it.
    public private(set) var assignee: String?
    /// Notes, oldest first.
    public private(set) var notes: [IncidentNote]
    /// What was done, once resolved (or why it was a false positive).
    public private(set) var resolution: String?
    /// Why it happened, when known.
    public private(set) var rootCause: String?
    /// When it was opened (or last reopened).
    public private(set) var openedAt: Timestamp
    /// When it was acknowledged, if it was.
    public private(set) var acknowledgedAt: Timestamp?
    /// When it was resolved (or marked a false positive), if it was.
    public private(set) var resolvedAt: Timestamp?
    /// When its SLA clock was last restarted by an escalation (`nil`: it runs from ``openedAt``).
    public private(set) var slaRestartedAt: Timestamp?
    /// How many times a missed SLA deadline escalated it since it was (re)opened.
    public private(set) var escalations: Int = 0

    /// Where its SLA deadlines count from: the last escalation, or the opening.
    public var slaClock: Timestamp { slaRestartedAt ?? openedAt }

    /// Opens an incident.
    public init(
        id: UUID,
        tenant: TenantID,
        type: IncidentType,
        threatLevel: ThreatLevel,
        title: String,
        description: String,
        source: String,
        dedupKey: String,
        entities: IncidentEntities,
        evidence: [UInt64],
        seenAt: Timestamp,
        openedAt: Timestamp,
        labels: [String: String] = [:]
    ) {
        self.id = id
        self.tenant = tenant
        self.type = type
        self.threatLevel = threatLevel
        self.title = title
        self.description = description
        self.source = source
        self.dedupKey = dedupKey
        self.entities = entities
        self.evidence = Array(evidence.prefix(Self.maxEvidence))
        self.evidenceCount = evidence.count
        self.firstSeen = seenAt
        self.lastSeen = seenAt
        self.count = 1
        self.labels = labels
        self.status = .open
        self.notes = []
        self.openedAt = openedAt
    }

    /// Applies a lifecycle action.
    ///
    /// - Throws: ``IncidentTransitionError`` when the status does not allow it (nothing changes),
    ///   or when a resolution or reason is empty.
    public mutating func apply(_ action: IncidentAction, by actor: String, at now: Timestamp) throws(IncidentTransitionError) {
        let next = try status.applying(action)
        switch action {
        case .resolve(let resolution, _) where resolution.trimmingCharacters(in: .whitespaces).isEmpty,
            .reopen(let resolution) where resolution.trimmingCharacters(in: .whitespaces).isEmpty,
            .markFalsePositive(let resolution) where resolution.trimmingCharacters(in: .whitespaces).isEmpty:
            throw IncidentTransitionError(from: status, action: action.name + " without a reason", allowed: status.allowedActions)
        default: break
        }
        switch action {
        case .acknowledge:
            acknowledgedAt = now
            if assignee == nil { assignee = actor }
        case .investigate:
            if acknowledgedAt == nil { acknowledgedAt = now }
            if assignee == nil { assignee = actor }
        case .resolve(let text, let cause):
            resolution = text
            rootCause = cause
            resolvedAt = now
        case .markFalsePositive(let reason):
            resolution = reason
            resolvedAt = now
        case .reopen(let reason):
            notes.append(IncidentNote(author: actor, text: "reopened: \(reason)", at: now))
            openedAt = now
            acknowledgedAt = nil
            resolvedAt = nil
            resolution = nil
            slaRestartedAt = nil
            escalations = 0
        case .close:
            break
        }
        status = next
    }

    /// Assigns the incident (`nil` unassigns).
    public mutating func assign(to person: String?, at now: Timestamp) {
        assignee = person
    }

    /// Adds a note.
    public mutating func addNote(_ text: String, by author: String, at now: Timestamp) {
        notes.append(IncidentNote(author: author, text: text, at: now))
    }

    /// Folds another firing of the same rule for the same entity into this incident.
    public mutating func absorb(evidence more: [UInt64], entities: IncidentEntities, at seen: Timestamp, firings: Int = 1) {
        count += firings
        evidenceCount += more.count
        let room = Self.maxEvidence - evidence.count
        if room > 0 { evidence += more.prefix(room) }
        self.entities.formUnion(entities)
        firstSeen = min(firstSeen, seen)
        lastSeen = max(lastSeen, seen)
    }

    /// Restores the worked state of a stored incident (its document is the source).
    mutating func restore(
        status: IncidentStatus,
        assignee: String?,
        notes: [IncidentNote],
        resolution: String?,
        rootCause: String?,
        acknowledgedAt: Timestamp?,
        resolvedAt: Timestamp?,
        slaRestartedAt: Timestamp?,
        escalations: Int
    ) {
        self.slaRestartedAt = slaRestartedAt
        self.escalations = escalations
        self.status = status
        self.assignee = assignee
        self.notes = notes
        self.resolution = resolution
        self.rootCause = rootCause
        self.acknowledgedAt = acknowledgedAt
        self.resolvedAt = resolvedAt
    }

    /// Raises the threat level (a detection at a higher level); never lowers it.
    public mutating func escalate(to level: ThreatLevel) {
        threatLevel = max(threatLevel, level)
    }

    /// Answers a missed SLA deadline: raises the level when the breach says so, and restarts the
    /// SLA clock so that the (new level's) deadlines count from now rather than firing at once.
    public mutating func escalate(for breach: SLABreach, at now: Timestamp) {
        if case .raiseLevel(let level) = breach.escalation { escalate(to: level) }
        slaRestartedAt = now
        escalations += 1
    }
}

/// The entities an incident involves.
public struct IncidentEntities: Hashable, Sendable {
    /// The most values kept per kind.
    public static let maxPerKind = 100

    /// Actors (users, services, agents).
    public var actors: Set<String>
    /// Source addresses, canonical text.
    public var addresses: Set<String>
    /// Resources.
    public var resources: Set<String>

    /// Creates a set of entities.
    public init(actors: Set<String> = [], addresses: Set<String> = [], resources: Set<String> = []) {
        self.actors = actors
        self.addresses = addresses
        self.resources = resources
    }

    /// Adds the other's entities, keeping at most ``maxPerKind`` of each kind.
    public mutating func formUnion(_ other: IncidentEntities) {
        func merge(_ mine: inout Set<String>, _ theirs: Set<String>) {
            for value in theirs.sorted() where mine.count < Self.maxPerKind { mine.insert(value) }
        }
        merge(&actors, other.actors)
        merge(&addresses, other.addresses)
        merge(&resources, other.resources)
    }
}

/// A note on an incident.
public struct IncidentNote: Hashable, Sendable {
    /// Who wrote it.
    public var author: String
    /// What it says.
    public var text: String
    /// When.
    public var at: Timestamp

    /// Creates a note.
    public init(author: String, text: String, at: Timestamp) {
        self.author = author
        self.text = text
        self.at = at
    }
}

public import PalisadeCore

/// What a rule found: the makings of an incident (the incident manager opens one or folds it into
/// the open incident with the same ``dedupKey``).
public struct Detection: Hashable, Sendable {
    /// The rule's id.
    public var rule: String
    /// The incident type.
    public var incident: IncidentType
    /// The threat level.
    public var level: ThreatLevel
    /// The title, with the rule's `{field}` placeholders filled in.
    public var title: String
    /// The group the rule counted in (`actor=alice`), empty for per-event rules.
    public var group: String
    /// The log indices of the evidence, oldest first.
    public var evidence: [UInt64]
    /// Who and what is involved.
    public var entities: IncidentEntities
    /// The first evidence event's time.
    public var first: Timestamp
    /// The last evidence event's time.
    public var last: Timestamp
    /// How many times the rule fired into this detection (more than one once firings of the same
    /// incident are merged, see ``merge(_:)``).
    public var firings = 1

    /// The same rule firing for the same group is the same incident.
    public var dedupKey: String { group.isEmpty ? rule : "\(rule)|\(group)" }

    /// Creates a detection (rules make them; tests and other detectors may too).
    public init(
        rule: String,
        incident: IncidentType,
        level: ThreatLevel,
        title: String,
        group: String,
        evidence: [UInt64],
        entities: IncidentEntities,
        first: Timestamp,
        last: Timestamp
    ) {
        self.rule = rule
        self.incident = incident
        self.level = level
        self.title = title
        self.group = group
        self.evidence = evidence
        self.entities = entities
        self.first = first
        self.last = last
    }

    /// Folds a later firing of the same incident (the same ``dedupKey``) into this one: the
    /// evidence of both (each index once, oldest first), every entity, the time span of both, the
    /// higher level; the title stays this one's.
    public mutating func merge(_ later: Detection) {
        precondition(later.dedupKey == dedupKey, "only firings of one incident merge")
        if let newest = evidence.last, later.evidence.allSatisfy({ $0 > newest }) {
            evidence += later.evidence
        } else {
            evidence = Array(Set(evidence).union(later.evidence)).sorted()
        }
        entities.formUnion(later.entities)
        first = min(first, later.first)
        last = max(last, later.last)
        level = max(level, later.level)
        firings += later.firings
    }
}

/// Runs a tenant's rules over its events in log order: conditions select events, and per-rule
/// state (sliding windows, sequences) turns them into detections. Pure and synchronous: the
/// consumer that feeds it owns the cursor, so a restart replays from the saved position.
public struct DetectionEngine: Sendable {
    /// The rules, in load order.
    public let rules: [DetectionRule]
    // Per-rule state, mutated in place through the array subscripts (a copy out and back would
    // copy every group's table on every event).
    private var windows: [ThresholdWindow?]
    private var trackers: [SequenceTracker?]
    private var temporals: [TemporalTracker?]
    /// The rules with field names replaced by slots.
    private let compiled: [CompiledRule]
    private let slots: FieldSlots
    /// The index: for a field slot, which rules need which of its (case-folded) values; rules that
    /// no single field value selects are in `unindexed` and looked at for every event.
    private let index: [(slot: Int, rules: [String: [Int]])]
    private let unindexed: [Int]

    /// A rule's conditions and groupings over slots (a class: the engine reads it once per
    /// candidate event without copying its parts).
    private final class CompiledRule: Sendable {
        enum Kind { case each, threshold, sequence, temporal }
        let kind: Kind
        let condition: CompiledCondition
        let steps: [CompiledCondition]
        let groupBy: [(name: String, slot: Int)]
        let distinct: Int?

        init(_ rule: DetectionRule, slots: inout FieldSlots) {
            condition = CompiledCondition(rule.condition, slots: &slots)
            func grouping(_ fields: [String]) -> [(name: String, slot: Int)] { fields.map { ($0, slots.slot($0)) } }
            switch rule.trigger {
            case .each:
                (kind, steps, groupBy, distinct) = (.each, [], [], nil)
            case .threshold(_, let fields, let field):
                (kind, steps, groupBy, distinct) = (.threshold, [], grouping(fields), field.map { slots.slot($0) })
            case .sequence(_, let first, let then, let fields):
                let compiledSteps = [CompiledCondition(first, slots: &slots), CompiledCondition(then, slots: &slots)]
                (kind, steps, groupBy, distinct) = (.sequence, compiledSteps, grouping(fields), nil)
            case .temporal(_, let conditions, let fields):
                let compiledSteps = conditions.map { CompiledCondition($0, slots: &slots) }
                (kind, steps, groupBy, distinct) = (.temporal, compiledSteps, grouping(fields), nil)
            }
        }
    }

    /// Creates an engine.
    ///
    /// - Throws: ``RuleError`` when two rules share an id.
    public init(rules: [DetectionRule]) throws(RuleError) {
        var seen = Set<String>()
        for rule in rules where !seen.insert(rule.id).inserted { throw RuleError("rule \(rule.id): the id is used twice") }
        self.rules = rules
        windows = rules.map { rule in
            if case .threshold(let configuration, _, _) = rule.trigger { ThresholdWindow(configuration) } else { nil }
        }
        trackers = rules.map { rule in
            if case .sequence(let configuration, _, _, _) = rule.trigger { SequenceTracker(configuration) } else { nil }
        }
        temporals = rules.map { rule in
            if case .temporal(let configuration, _, _) = rule.trigger { TemporalTracker(configuration) } else { nil }
        }
        var slots = FieldSlots()
        let compiled = rules.map { CompiledRule($0, slots: &slots) }
        var bySlot = [Int: [String: [Int]]]()
        var unindexed = [Int]()
        for (position, rule) in rules.enumerated() {
            guard let required = rule.condition.requiredValues else {
                unindexed.append(position)
                continue
            }
            let slot = slots.slot(required.field)
            for value in required.values { bySlot[slot, default: [:]][value, default: []].append(position) }
        }
        self.compiled = compiled
        self.slots = slots
        index = bySlot.sorted { $0.key < $1.key }.map { (slot: $0.key, rules: $0.value) }
        self.unindexed = unindexed
    }

    /// The rules that could match an event, in load order.
    private func candidates(_ values: inout SlotValues) -> [Int] {
        guard !index.isEmpty else { return unindexed }
        var positions = unindexed
        for (slot, rulesByValue) in index {
            for value in values.foldedValues(slot) {
                if let selected = rulesByValue[value] { positions += selected }
            }
        }
        guard positions.count > 1 else { return positions }
        positions.sort()
        var unique = [Int]()
        unique.reserveCapacity(positions.count)
        for position in positions where unique.last != position { unique.append(position) }
        return unique
    }

    /// Runs every rule on one event.
    public mutating func process(_ stored: StoredEvent) -> [Detection] {
        let event = stored.event
        var values = SlotValues(event, slots)
        var detections = [Detection]()
        for position in candidates(&values) {
            let entry = compiled[position]
            switch entry.kind {
            case .each:
                guard entry.condition.matches(&values) else { continue }
                detections.append(detection(position, group: "", evidence: [stored.index], event: event, first: event.timestamp))
            case .threshold:
                guard entry.condition.matches(&values), let group = Self.group(entry.groupBy, &values) else { continue }
                let value = entry.distinct.flatMap { values.values($0).first }
                if let firing = windows[position]?.observe(group: group, at: event.timestamp, index: stored.index, value: value) {
                    detections.append(detection(position, group: group, evidence: firing.evidence, event: event, first: firing.first))
                }
            case .sequence:
                // A sequence rule tests its two steps itself.
                let isFirst = entry.steps[0].matches(&values)
                let isThen = entry.steps[1].matches(&values)
                guard isFirst || isThen, let group = Self.group(entry.groupBy, &values) else { continue }
                var firing: SequenceTracker.Firing?
                if isFirst { firing = trackers[position]?.observe(.first, group: group, at: event.timestamp, index: stored.index) }
                if firing == nil, isThen {
                    firing = trackers[position]?.observe(.then, group: group, at: event.timestamp, index: stored.index)
                }
                if let firing {
                    detections.append(
                        detection(position, group: group, evidence: firing.firstEvidence + [firing.thenIndex], event: event, first: firing.first)
                    )
                }
            case .temporal:
                let matched = entry.steps.indices.filter { entry.steps[$0].matches(&values) }
                guard !matched.isEmpty, let group = Self.group(entry.groupBy, &values) else { continue }
                if let firing = temporals[position]?.observe(steps: matched, group: group, at: event.timestamp, index: stored.index) {
                    detections.append(detection(position, group: group, evidence: firing.evidence, event: event, first: firing.first))
                }
            }
        }
        return detections
    }

    /// `field=value` pairs of the group-by fields, or `nil` when the event lacks one.
    private static func group(_ fields: [(name: String, slot: Int)], _ values: inout SlotValues) -> String? {
        var parts = [String]()
        for (name, slot) in fields {
            guard let value = values.values(slot).first else { return nil }
            parts.append("\(name)=\(value)")
        }
        return parts.joined(separator: ",")
    }

    private func detection(_ position: Int, group: String, evidence: [UInt64], event: AuditEvent, first: Timestamp) -> Detection {
        let rule = rules[position]
        // One pass over the template: values are inserted, never expanded again.
        var title = ""
        var rest = Substring(rule.title)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            title += rest[..<open]
            title += event.values(of: String(rest[rest.index(after: open)..<close])).first ?? "?"
            rest = rest[rest.index(after: close)...]
        }
        title += rest
        return Detection(
            rule: rule.id,
            incident: rule.incident,
            level: rule.level,
            title: title,
            group: group,
            evidence: evidence,
            entities: IncidentEntities(
                actors: Set(event.actor.map { [$0] } ?? []),
                addresses: Set(event.sourceIP.map { [$0.text] } ?? []),
                resources: Set(event.resource.map { [$0] } ?? [])
            ),
            first: first,
            last: event.timestamp
        )
    }
}

extension DetectionEngine {
    /// The state of every windowed rule, keyed by rule id and revision, for saving with the
    /// consumer's cursor.
    public func state() -> JSONValue {
        var members = [String: JSONValue]()
        for (position, rule) in rules.enumerated() {
            let saved = windows[position]?.state() ?? trackers[position]?.state() ?? temporals[position]?.state()
            if let saved { members[rule.id] = .object(["revision": .string(rule.revision), "state": saved]) }
        }
        let revisions = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, JSONValue.string($0.revision)) })
        return .object(["rules": .object(members), "revisions": .object(revisions)])
    }

    /// The revision of every rule a saved state was taken with (id → revision), if it says.
    public static func revisions(in state: JSONValue) -> [String: String]? {
        guard case .object(let top) = state, case .object(let saved)? = top["revisions"] else { return nil }
        var revisions = [String: String]()
        for (id, value) in saved {
            guard case .string(let revision) = value else { return nil }
            revisions[id] = revision
        }
        return revisions
    }

    /// Restores saved state into the rules that still exist at the same revision; a changed or new
    /// rule starts empty.
    ///
    /// - Returns: the ids of the rules whose state was restored.
    /// - Throws: ``RuleStateError`` when the saved state is malformed.
    @discardableResult
    public mutating func restore(_ state: JSONValue) throws(RuleStateError) -> [String] {
        guard case .object(let top) = state, case .object(let saved)? = top["rules"] else {
            throw RuleStateError("the saved detection state has no rules")
        }
        var restored = [String]()
        for (position, rule) in rules.enumerated() {
            guard case .object(let entry)? = saved[rule.id], entry["revision"] == .string(rule.revision), let ruleState = entry["state"]
            else { continue }
            if windows[position] != nil {
                try windows[position]!.restore(ruleState)
            } else if trackers[position] != nil {
                try trackers[position]!.restore(ruleState)
            } else if temporals[position] != nil {
                try temporals[position]!.restore(ruleState)
            } else {
                continue
            }
            restored.append(rule.id)
        }
        return restored
    }
}

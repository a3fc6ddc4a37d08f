public import PalisadeCore

/// The state of one temporal rule (Sigma `temporal` and `temporal_ordered` correlations): every
/// one of N conditions seen for the same entity within T — in any order, or in the listed order.
///
/// Per group it keeps, per step, the latest few occurrences within T of the group's newest event
/// (at most ``Configuration/keptPerStep``). An event completes the rule when, with the occurrences
/// of the other steps, every step has one inside `(t − T, t]` (ordered: a chain whose times do not
/// decrease, found by taking for each earlier step its latest occurrence not after the next step's);
/// the group then starts over, so one burst fires once. Groups idle for longer than T are dropped,
/// and past `maxGroups` the longest idle go (counted in ``evictedGroups``).
public struct TemporalTracker: Sendable {
    /// What the rule correlates.
    public struct Configuration: Hashable, Sendable {
        /// T, microseconds.
        public var withinMicroseconds: Int64
        /// How many conditions.
        public var steps: Int
        /// Whether they must occur in order.
        public var ordered: Bool
        /// The most groups kept at once.
        public var maxGroups: Int
        /// Occurrences kept per step and group.
        public static let keptPerStep = 8

        /// Creates a configuration.
        ///
        /// - Precondition: a positive T, at least two steps, `maxGroups` > 0.
        public init(withinSeconds: Int64, steps: Int, ordered: Bool, maxGroups: Int = 100_000) {
            precondition(withinSeconds > 0 && steps >= 2 && maxGroups > 0, "T, steps and group limit must be positive")
            self.withinMicroseconds = withinSeconds * 1_000_000
            self.steps = steps
            self.ordered = ordered
            self.maxGroups = maxGroups
        }
    }

    /// A completed correlation.
    public struct Firing: Hashable, Sendable {
        /// The group key.
        public var group: String
        /// The log indices of one occurrence per step, oldest first.
        public var evidence: [UInt64]
        /// The earliest and latest of them.
        public var first: Timestamp
        /// The latest.
        public var last: Timestamp
    }

    /// The configuration.
    public let configuration: Configuration
    /// Per group, occurrences sorted by time; an entry's value is its step number.
    private var groups: GroupTable<[RuleState.Entry]>

    /// Creates an empty tracker.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        self.groups = GroupTable(maxGroups: configuration.maxGroups)
    }

    /// Groups currently held.
    public var groupCount: Int { groups.count }
    /// Groups dropped to stay under ``Configuration/maxGroups`` while still inside T.
    public var evictedGroups: Int { groups.evicted }

    /// Records an event that matched `steps` (indices into the rule's conditions).
    ///
    /// - Returns: the firing, when this event completes the correlation.
    public mutating func observe(steps: [Int], group key: String, at time: Timestamp, index: UInt64) -> Firing? {
        guard !steps.isEmpty else { return nil }
        var group = groups[key] ?? .init(state: [], newest: .minimum)
        group.newest = max(group.newest, time)
        let horizon = group.newest.adding(microseconds: -configuration.withinMicroseconds)
        group.state.removeAll { $0.time <= horizon }
        guard time > horizon else { return store(group, key) }
        for step in steps {
            let position = group.state.lastIndex { $0.time <= time }.map { $0 + 1 } ?? 0
            group.state.insert(RuleState.Entry(time: time, index: index, value: String(step)), at: position)
            let ofStep = group.state.indices.filter { group.state[$0].value == String(step) }
            if ofStep.count > Configuration.keptPerStep { group.state.remove(at: ofStep[0]) }
        }
        let opens = time.adding(microseconds: -configuration.withinMicroseconds)
        if let chosen = configuration.ordered
            ? orderedChain(group.state, endingAt: time, steps: steps, after: opens)
            : latestOfEveryStep(group.state, upTo: time, after: opens)
        {
            groups.remove(key)
            let sorted = chosen.sorted { ($0.time, $0.index) < ($1.time, $1.index) }
            return Firing(group: key, evidence: sorted.map(\.index), first: sorted.first!.time, last: sorted.last!.time)
        }
        return store(group, key)
    }

    /// For each step, its latest occurrence in `(after, upTo]`, if every step has one.
    private func latestOfEveryStep(_ entries: [RuleState.Entry], upTo time: Timestamp, after opens: Timestamp) -> [RuleState.Entry]? {
        var chosen = [RuleState.Entry]()
        for step in 0..<configuration.steps {
            guard let entry = entries.last(where: { $0.value == String(step) && $0.time <= time && $0.time > opens }) else { return nil }
            chosen.append(entry)
        }
        return chosen
    }

    /// A chain through the steps in order, ending with the last step at `time`.
    private func orderedChain(_ entries: [RuleState.Entry], endingAt time: Timestamp, steps: [Int], after opens: Timestamp) -> [RuleState.Entry]? {
        let last = configuration.steps - 1
        guard steps.contains(last), var bound = entries.last(where: { $0.value == String(last) && $0.time == time }) else { return nil }
        var chain = [bound]
        for step in stride(from: last - 1, through: 0, by: -1) {
            guard let entry = entries.last(where: { $0.value == String(step) && $0.time <= bound.time && $0.time > opens && $0.index != bound.index })
            else { return nil }
            chain.append(entry)
            bound = entry
        }
        return chain
    }

    private mutating func store(_ group: GroupTable<[RuleState.Entry]>.Slot, _ key: String) -> Firing? {
        let within = configuration.withinMicroseconds
        groups.store(key, group) { $0 > group.newest.adding(microseconds: -within) }
        return nil
    }

    /// The occurrences, for saving with a consumer's cursor.
    public func state() -> JSONValue {
        groups.encoded
    }

    /// Replaces the occurrences with saved ones.
    ///
    /// - Throws: ``RuleStateError`` when the state is malformed (the tracker is then left empty).
    public mutating func restore(_ state: JSONValue) throws(RuleStateError) {
        groups = GroupTable(maxGroups: configuration.maxGroups)
        groups = try GroupTable(maxGroups: configuration.maxGroups, restoring: state)
    }
}

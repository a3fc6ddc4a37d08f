public import PalisadeCore

/// The state of one sequence rule: "A (at least `minimumFirst` times) then B, by the same entity,
/// within T" — e.g. many failed logins then a success (a likely compromise), or a policy change
/// then a key export.
///
/// Per group it keeps the A events that could still precede a B (those within T of the newest
/// event, at most 2 × `minimumFirst`); a B at `t` fires when at least `minimumFirst` A events lie in
/// `[t − T, t)`, and the group starts over. A B with too few A events before it fires nothing (an A
/// that arrives after its B, out of order, is not matched with it). Groups idle for longer than T
/// are dropped, and past `maxGroups` the longest idle go (counted in ``evictedGroups``).
public struct SequenceTracker: Sendable {
    /// The rule's timing.
    public struct Configuration: Hashable, Sendable {
        /// T, microseconds.
        public var withinMicroseconds: Int64
        /// How many A events must precede the B.
        public var minimumFirst: Int
        /// The most groups kept at once.
        public var maxGroups: Int

        /// Creates a configuration.
        ///
        /// - Precondition: positive values.
        public init(withinSeconds: Int64, minimumFirst: Int = 1, maxGroups: Int = 100_000) {
            precondition(withinSeconds > 0 && minimumFirst > 0 && maxGroups > 0, "sequence settings must be positive")
            self.withinMicroseconds = withinSeconds * 1_000_000
            self.minimumFirst = minimumFirst
            self.maxGroups = maxGroups
        }
    }

    /// Which step of the sequence an event matched.
    public enum Step: Hashable, Sendable {
        /// A: the events that must come first.
        case first
        /// B: the event that completes the sequence.
        case then
    }

    /// A completed sequence.
    public struct Firing: Hashable, Sendable {
        /// The group key.
        public var group: String
        /// The A events' log indices, oldest first.
        public var firstEvidence: [UInt64]
        /// The B event's log index.
        public var thenIndex: UInt64
        /// The first A event's time.
        public var first: Timestamp
        /// The B event's time.
        public var last: Timestamp
    }

    private struct First: Sendable {
        var time: Timestamp
        var index: UInt64
    }

    /// The configuration.
    public let configuration: Configuration
    /// Per group, the A events that could still precede a B, sorted by time.
    private var groups: GroupTable<[First]>

    /// Creates an empty tracker.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        self.groups = GroupTable(maxGroups: configuration.maxGroups)
    }

    /// Groups currently held.
    public var groupCount: Int { groups.count }
    /// Groups dropped to stay under ``Configuration/maxGroups`` while still inside T.
    public var evictedGroups: Int { groups.evicted }

    /// Records one event that matched a step.
    ///
    /// - Returns: the firing, when a B completes the sequence.
    public mutating func observe(_ step: Step, group key: String, at time: Timestamp, index: UInt64) -> Firing? {
        var group = groups[key] ?? .init(state: [], newest: .minimum)
        group.newest = max(group.newest, time)
        let horizon = group.newest.adding(microseconds: -configuration.withinMicroseconds)
        group.state.removeAll { $0.time < horizon }
        switch step {
        case .first:
            guard time >= horizon else { return nil }
            let position = group.state.lastIndex { $0.time <= time }.map { $0 + 1 } ?? 0
            group.state.insert(First(time: time, index: index), at: position)
            let kept = 2 * configuration.minimumFirst
            if group.state.count > kept { group.state.removeFirst(group.state.count - kept) }
            store(group, key)
            return nil
        case .then:
            let opens = time.adding(microseconds: -configuration.withinMicroseconds)
            let before = group.state.filter { $0.time >= opens && $0.time < time }
            guard before.count >= configuration.minimumFirst else {
                store(group, key)
                return nil
            }
            groups.remove(key)
            return Firing(group: key, firstEvidence: before.map(\.index), thenIndex: index, first: before[0].time, last: time)
        }
    }

    private mutating func store(_ group: GroupTable<[First]>.Slot, _ key: String) {
        let within = configuration.withinMicroseconds
        groups.store(key, group) { $0 >= group.newest.adding(microseconds: -within) }
    }

    /// The pending first steps, for saving with a consumer's cursor.
    public func state() -> JSONValue {
        RuleState.encode(
            groups: groups.all.mapValues { ($0.newest, $0.state.map { RuleState.Entry(time: $0.time, index: $0.index, value: nil) }) },
            evicted: groups.evicted
        )
    }

    /// Replaces the pending first steps with saved ones.
    ///
    /// - Throws: ``RuleStateError`` when the state is malformed (the tracker is then left empty).
    public mutating func restore(_ state: JSONValue) throws(RuleStateError) {
        groups = GroupTable(maxGroups: configuration.maxGroups)
        let (saved, evicted) = try RuleState.decode(state)
        for (key, newest, entries) in saved {
            groups.restore(key, .init(state: entries.map { First(time: $0.time, index: $0.index) }, newest: newest), evicted: evicted)
        }
    }
}

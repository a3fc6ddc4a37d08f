public import PalisadeCore

/// The state of one threshold rule: an exact sliding window per group key ("≥ 10 failed logins for
/// the same actor within 5 minutes", or with a distinct field, "≥ 20 distinct usernames from one
/// address within 10 minutes").
///
/// Windows slide with event time, not with fixed buckets: a window is any `(t − window, t]`, and
/// it fires when it holds `threshold` events, in whatever order they arrive (exactly, for events up
/// to `threshold` places out of time order). Memory is bounded: a group keeps at most
/// 2 × `threshold` entries (for distinct counts, one per value), a group whose newest event left
/// the window is dropped, and past `maxGroups` the groups idle longest are evicted (counted in
/// ``evictedGroups``). When a group reaches the threshold the window fires once and starts over,
/// so a burst opens (or updates) one incident rather than one per event.
public struct ThresholdWindow: Sendable {
    /// What the rule counts.
    public struct Configuration: Hashable, Sendable {
        /// The window length, microseconds.
        public var windowMicroseconds: Int64
        /// How many events (or distinct values) fire it.
        public var threshold: Int
        /// Count distinct values of a field instead of events.
        public var countsDistinctValues: Bool
        /// The most groups kept at once.
        public var maxGroups: Int

        /// Creates a configuration.
        ///
        /// - Precondition: a positive window and threshold, and `maxGroups` > 0.
        public init(windowSeconds: Int64, threshold: Int, countsDistinctValues: Bool = false, maxGroups: Int = 100_000) {
            precondition(windowSeconds > 0 && threshold > 0 && maxGroups > 0, "window, threshold and group limit must be positive")
            self.windowMicroseconds = windowSeconds * 1_000_000
            self.threshold = threshold
            self.countsDistinctValues = countsDistinctValues
            self.maxGroups = maxGroups
        }
    }

    /// A window that reached its threshold.
    public struct Firing: Hashable, Sendable {
        /// The group key.
        public var group: String
        /// The events (or distinct values) counted.
        public var count: Int
        /// The log indices of the counted events, oldest first.
        public var evidence: [UInt64]
        /// The distinct values counted (distinct rules only), sorted.
        public var values: [String]
        /// The first and last counted event's time.
        public var first: Timestamp
        /// The last counted event's time.
        public var last: Timestamp
    }

    private typealias Entry = RuleState.Entry

    /// The configuration.
    public let configuration: Configuration
    /// Per group, its entries sorted by time (for distinct rules, one per value: its latest).
    private var groups: GroupTable<[Entry]>

    /// Creates an empty window set.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        self.groups = GroupTable(maxGroups: configuration.maxGroups)
    }

    /// Groups currently held.
    public var groupCount: Int { groups.count }
    /// Groups dropped to stay under ``Configuration/maxGroups`` while still inside their window.
    public var evictedGroups: Int { groups.evicted }

    /// Counts one event.
    ///
    /// - Parameters:
    ///   - group: the group key (e.g. the actor, or the source address).
    ///   - time: the event's timestamp.
    ///   - index: its log index (evidence).
    ///   - value: for distinct rules, the value counted (events without one are ignored).
    /// - Returns: the firing, when this event brings the group to the threshold.
    public mutating func observe(group key: String, at time: Timestamp, index: UInt64, value: String? = nil) -> Firing? {
        if configuration.countsDistinctValues && value == nil { return nil }
        var group = groups[key] ?? .init(state: [], newest: .minimum)
        let newest = max(group.newest, time)
        let horizon = newest.adding(microseconds: -configuration.windowMicroseconds)
        // Too old to share a window with the group's newest event.
        guard time > horizon else { return nil }
        group.newest = newest
        group.state.removeAll { $0.time <= horizon }
        if configuration.countsDistinctValues, let position = group.state.firstIndex(where: { $0.value == value }) {
            // One entry per value, its latest: a value seen later already counts for longer.
            guard group.state[position].time <= time else { return store(group, key) }
            group.state.remove(at: position)
        }
        let position = group.state.lastIndex { $0.time <= time }.map { $0 + 1 } ?? 0
        group.state.insert(Entry(time: time, index: index, value: value), at: position)
        if group.state.count > Self.retained(configuration.threshold) {
            group.state.removeFirst(group.state.count - Self.retained(configuration.threshold))
        }
        // Every window that holds this event ends at it or at a later entry: slide over those.
        var start = 0
        for end in group.state.indices where group.state[end].time >= time {
            let opens = group.state[end].time.adding(microseconds: -configuration.windowMicroseconds)
            while group.state[start].time <= opens { start += 1 }
            guard end - start + 1 >= configuration.threshold else { continue }
            let counted = Array(group.state[start...end])
            groups.remove(key)
            return Firing(
                group: key,
                count: counted.count,
                evidence: counted.map(\.index),
                values: configuration.countsDistinctValues ? counted.compactMap(\.value).sorted() : [],
                first: counted.first!.time,
                last: counted.last!.time
            )
        }
        return store(group, key)
    }

    /// Entries kept per group: twice the threshold, so that events arriving up to `threshold`
    /// places out of time order are still counted exactly.
    static func retained(_ threshold: Int) -> Int { 2 * threshold }

    private mutating func store(_ group: GroupTable<[Entry]>.Slot, _ key: String) -> Firing? {
        let window = configuration.windowMicroseconds
        groups.store(key, group) { $0 > group.newest.adding(microseconds: -window) }
        return nil
    }

    /// Drops every group whose newest event is at or before `now − window` (a periodic sweep).
    public mutating func expire(at now: Timestamp) {
        let horizon = now.adding(microseconds: -configuration.windowMicroseconds)
        groups.expire { $0 > horizon }
    }

    /// The windows, for saving with a consumer's cursor.
    public func state() -> JSONValue {
        groups.encoded
    }

    /// Replaces the windows with saved ones.
    ///
    /// - Throws: ``RuleStateError`` when the state is malformed (the windows are then left empty).
    public mutating func restore(_ state: JSONValue) throws(RuleStateError) {
        groups = GroupTable(maxGroups: configuration.maxGroups)
        groups = try GroupTable(maxGroups: configuration.maxGroups, restoring: state)
    }
}

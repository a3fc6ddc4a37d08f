/// Per-entity state of an anomaly detector, bounded in size: past `maxEntities` the entities seen
/// longest ago are dropped (down to 90%, so eviction is not paid on every event), and counted.
struct EntityTable<State: Codable & Sendable>: Codable, Sendable {
    struct Entry: Codable, Sendable {
        var state: State
        /// The entity's latest event time, microseconds.
        var lastSeen: Int64
    }

    let maxEntities: Int
    private(set) var entries: [String: Entry] = [:]
    /// Entities dropped to stay under the bound.
    private(set) var evicted = 0

    init(maxEntities: Int) {
        self.maxEntities = maxEntities
    }

    var count: Int { entries.count }

    subscript(key: String) -> State? { entries[key]?.state }

    /// Stores an entity's state as of `time`.
    mutating func store(_ key: String, _ state: State, at time: Int64) {
        entries[key] = Entry(state: state, lastSeen: max(time, entries[key]?.lastSeen ?? time))
        guard entries.count > maxEntities else { return }
        let stale = entries.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(entries.count - maxEntities * 9 / 10)
        for (key, _) in stale { entries[key] = nil }
        evicted += stale.count
    }
}

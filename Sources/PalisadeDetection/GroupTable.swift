public import PalisadeCore

/// Per-group state of a windowed rule, keyed by the group key and bounded in number: when there
/// are more than `maxGroups`, the groups whose newest event can no longer matter go first, then
/// the longest idle (down to 90%, so that eviction is not paid on every event).
struct GroupTable<State: Sendable>: Sendable {
    struct Slot: Sendable {
        var state: State
        var newest: Timestamp
    }

    let maxGroups: Int
    private var slots: [String: Slot] = [:]
    /// Live groups dropped to stay under the bound.
    private(set) var evicted = 0

    init(maxGroups: Int) {
        self.maxGroups = maxGroups
    }

    var count: Int { slots.count }

    subscript(key: String) -> Slot? { slots[key] }

    mutating func remove(_ key: String) { slots[key] = nil }

    /// Stores a group's state; `isLive` says whether a group with that newest time can still matter.
    mutating func store(_ key: String, _ slot: Slot, isLive: (Timestamp) -> Bool) {
        slots[key] = slot
        guard slots.count > maxGroups else { return }
        expire(keeping: isLive)
        guard slots.count > maxGroups else { return }
        let idle = slots.sorted { $0.value.newest < $1.value.newest }.prefix(slots.count - maxGroups * 9 / 10)
        for (key, _) in idle { slots[key] = nil }
        evicted += idle.count
    }

    /// Drops the groups that can no longer matter (not counted as evictions).
    mutating func expire(keeping isLive: (Timestamp) -> Bool) {
        slots = slots.filter { isLive($0.value.newest) }
    }

    /// Every group, for saving the state.
    var all: [String: Slot] { slots }

    /// Puts back a saved group (restoring saved state; the bound is applied on the next store).
    mutating func restore(_ key: String, _ slot: Slot, evicted: Int) {
        slots[key] = slot
        self.evicted = evicted
    }
}

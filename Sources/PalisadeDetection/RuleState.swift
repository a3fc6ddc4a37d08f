public import PalisadeCore

/// Saving and restoring the per-group state of windowed rules, so that a consumer restarting from
/// its saved cursor resumes with the windows it had (a burst split by a restart still fires).
///
/// The encoding is JSON: `{"evicted": n, "groups": [[key, newest µs, [[time µs, index, value|null], …]], …]}`.
enum RuleState {
    /// One counted event of a group.
    struct Entry: Sendable {
        var time: Timestamp
        var index: UInt64
        var value: String?
    }

    static func encode(groups: [String: (newest: Timestamp, entries: [Entry])], evicted: Int) -> JSONValue {
        var items = [JSONValue]()
        items.reserveCapacity(groups.count)
        for (key, group) in groups.sorted(by: { $0.key < $1.key }) {
            let entries = group.entries.map { entry -> JSONValue in
                .array([.number(Double(entry.time.microseconds)), .number(Double(entry.index)), entry.value.map { .string($0) } ?? .null])
            }
            items.append(.array([.string(key), .number(Double(group.newest.microseconds)), .array(entries)]))
        }
        return .object(["evicted": .number(Double(evicted)), "groups": .array(items)])
    }

    static func decode(_ state: JSONValue) throws(RuleStateError) -> (groups: [(String, Timestamp, [Entry])], evicted: Int) {
        guard case .object(let members) = state, case .array(let items)? = members["groups"],
            case .number(let evicted)? = members["evicted"], let evictedCount = Int(exactly: evicted)
        else { throw RuleStateError("the saved state is not an object with groups and evicted") }
        var groups = [(String, Timestamp, [Entry])]()
        groups.reserveCapacity(items.count)
        for item in items {
            guard case .array(let parts) = item, parts.count == 3, case .string(let key) = parts[0],
                let newest = integer(parts[1]), case .array(let rawEntries) = parts[2]
            else { throw RuleStateError("a saved group is malformed") }
            var entries = [Entry]()
            for raw in rawEntries {
                guard case .array(let fields) = raw, fields.count == 3, let time = integer(fields[0]), let index = integer(fields[1]), index >= 0
                else { throw RuleStateError("a saved entry of group \(key) is malformed") }
                let value: String?
                switch fields[2] {
                case .string(let text): value = text
                case .null: value = nil
                default: throw RuleStateError("a saved entry of group \(key) has a value that is not a string")
                }
                entries.append(Entry(time: Timestamp(microseconds: time), index: UInt64(index), value: value))
            }
            groups.append((key, Timestamp(microseconds: newest), entries))
        }
        return (groups, evictedCount)
    }

    private static func integer(_ value: JSONValue) -> Int64? {
        guard case .number(let number) = value else { return nil }
        return Int64(exactly: number)
    }
}

extension GroupTable where State == [RuleState.Entry] {
    /// The groups in ``RuleState``'s encoding.
    var encoded: JSONValue { RuleState.encode(groups: all.mapValues { ($0.newest, $0.state) }, evicted: evicted) }

    /// A table holding saved groups.
    init(maxGroups: Int, restoring state: JSONValue) throws(RuleStateError) {
        self.init(maxGroups: maxGroups)
        let (saved, evicted) = try RuleState.decode(state)
        for (key, newest, entries) in saved { restore(key, Slot(state: entries, newest: newest), evicted: evicted) }
    }
}

/// Saved detection state that cannot be read back (written by another version, or damaged).
public struct RuleStateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}

public import PalisadeCore

/// A tenant's routing tree and inhibition rules, as stored with `PUT /v1/alerting/policy` (or
/// `palisade alerts policy set`): Alertmanager's `route` and `inhibit_rules` blocks in JSON.
///
/// ```json
/// {"route": {"receiver": "ops", "group_by": ["tenant", "incident_type"], "group_wait": "30s",
///            "routes": [{"matchers": ["threat_level=critical"], "receiver": "pager", "continue": true}]},
///  "inhibit_rules": [{"source_matchers": ["threat_level=critical"],
///                     "target_matchers": ["threat_level=~low|medium|high"], "equal": ["tenant", "entity"]}]}
/// ```
public struct AlertingPolicy: Hashable, Sendable {
    /// The routing tree.
    public var route: Route
    /// The inhibition rules (by default, a critical alert inhibits its lower-level twins).
    public var inhibitRules: [InhibitRule]

    /// Creates a policy.
    public init(route: Route, inhibitRules: [InhibitRule] = [.criticalSuppressesTwins]) {
        self.route = route
        self.inhibitRules = inhibitRules
    }

    /// The policy of a tenant that stored none: every alert goes to every receiver, grouped by
    /// tenant and incident type, with Alertmanager's timers.
    public static func implicit(receivers: [String]) -> AlertingPolicy {
        let children = receivers.sorted().map { Route(receiver: $0, continues: true) }
        return AlertingPolicy(route: Route(receiver: children.isEmpty ? "" : children[0].receiver, routes: children))
    }

    /// The receivers the tree names.
    public var receivers: Set<String> {
        func collect(_ route: Route) -> Set<String> { route.routes.reduce(Set([route.receiver])) { $0.union(collect($1)) } }
        return collect(route)
    }

    /// Reads a policy.
    ///
    /// - Throws: ``AlertingError`` naming the field that is wrong.
    public init(json: JSONValue) throws(AlertingError) {
        guard case .object(let members) = json else { throw AlertingError("the policy must be a JSON object with route and inhibit_rules") }
        for name in members.keys where !["route", "inhibit_rules"].contains(name) {
            throw AlertingError("\(name): unknown field; a policy has route and inhibit_rules")
        }
        guard let route = members["route"] else { throw AlertingError("route: required") }
        self.route = try Route(json: route, inheriting: nil, path: "route")
        switch members["inhibit_rules"] {
        case nil: inhibitRules = [.criticalSuppressesTwins]
        case .array(let items)?:
            var rules = [InhibitRule]()
            for (position, item) in items.enumerated() { rules.append(try InhibitRule(json: item, path: "inhibit_rules[\(position)]")) }
            inhibitRules = rules
        default: throw AlertingError("inhibit_rules: must be an array")
        }
    }

    /// Its JSON (what ``init(json:)`` reads).
    public var json: JSONValue {
        .object(["route": route.json, "inhibit_rules": .array(inhibitRules.map(\.json))])
    }
}

extension Route {
    /// The deepest tree accepted.
    static let maxDepth = 8

    /// Reads a routing node; what it leaves out comes from `parent`.
    init(json: JSONValue, inheriting parent: Route?, path: String, depth: Int = 0) throws(AlertingError) {
        guard depth < Self.maxDepth else { throw AlertingError("\(path): routes nest at most \(Self.maxDepth) deep") }
        guard case .object(let members) = json else { throw AlertingError("\(path): must be an object") }
        let known: Set = ["receiver", "matchers", "continue", "group_by", "group_wait", "group_interval", "repeat_interval", "routes"]
        for name in members.keys where !known.contains(name) {
            throw AlertingError("\(path).\(name): unknown field; a route has \(known.sorted().joined(separator: ", "))")
        }
        var receiver = parent?.receiver ?? ""
        if let value = members["receiver"] {
            guard case .string(let name) = value, Receiver.isValidName(name) else {
                throw AlertingError("\(path).receiver: must be a receiver name (a-z, 0-9, '.', '_', '-')")
            }
            receiver = name
        }
        guard !receiver.isEmpty else { throw AlertingError("\(path).receiver: the root route needs a receiver") }
        var matchers = [Matcher]()
        switch members["matchers"] {
        case nil: break
        case .array(let items)?:
            for item in items {
                guard case .string(let text) = item else {
                    throw AlertingError("\(path).matchers: each matcher is a string such as threat_level=critical")
                }
                do {
                    matchers.append(try Matcher(parsing: text))
                } catch {
                    throw AlertingError("\(path).matchers: \(error.description)")
                }
            }
        default: throw AlertingError("\(path).matchers: must be an array of strings")
        }
        if parent == nil, !matchers.isEmpty { throw AlertingError("\(path).matchers: the root route takes every alert and has no matchers") }
        var continues = false
        switch members["continue"] {
        case nil: break
        case .bool(let value)?: continues = value
        default: throw AlertingError("\(path).continue: must be true or false")
        }
        var groupBy = parent?.groupBy ?? ["tenant", "incident_type"]
        switch members["group_by"] {
        case nil: break
        case .array(let items)?:
            groupBy = []
            for item in items {
                guard case .string(let label) = item, !label.isEmpty else { throw AlertingError("\(path).group_by: must be label names") }
                groupBy.append(label)
            }
            if groupBy.contains("..."), groupBy != ["..."] { throw AlertingError("\(path).group_by: \"...\" (every label) stands alone") }
        default: throw AlertingError("\(path).group_by: must be an array of label names")
        }
        var timing = parent?.timing ?? .standard
        timing.groupWait = try Self.seconds(members["group_wait"], default: timing.groupWait, "\(path).group_wait")
        timing.groupInterval = try Self.seconds(members["group_interval"], default: timing.groupInterval, "\(path).group_interval")
        timing.repeatInterval = try Self.seconds(members["repeat_interval"], default: timing.repeatInterval, "\(path).repeat_interval")
        guard timing.groupInterval >= 1, timing.repeatInterval >= 1 else {
            throw AlertingError("\(path): group_interval and repeat_interval must be at least 1s")
        }
        self.init(receiver: receiver, matchers: matchers, continues: continues, groupBy: groupBy, timing: timing)
        switch members["routes"] {
        case nil: break
        case .array(let items)?:
            for (position, item) in items.enumerated() {
                routes.append(try Route(json: item, inheriting: self, path: "\(path).routes[\(position)]", depth: depth + 1))
            }
        default: throw AlertingError("\(path).routes: must be an array of routes")
        }
    }

    /// Its JSON, every setting spelled out (children included).
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "receiver": .string(receiver), "group_by": .array(groupBy.map { .string($0) }),
            "group_wait": .string("\(timing.groupWait)s"), "group_interval": .string("\(timing.groupInterval)s"),
            "repeat_interval": .string("\(timing.repeatInterval)s"),
        ]
        if !matchers.isEmpty { members["matchers"] = .array(matchers.map { .string($0.description) }) }
        if continues { members["continue"] = .bool(true) }
        if !routes.isEmpty { members["routes"] = .array(routes.map(\.json)) }
        return .object(members)
    }

    /// Seconds from a number or a duration such as `30s`, `5m`, `4h`, `1d`.
    static func seconds(_ value: JSONValue?, default fallback: Int64, _ path: String) throws(AlertingError) -> Int64 {
        switch value {
        case nil: return fallback
        case .number(let number)? where number >= 0 && number <= 31_536_000 && number == number.rounded(): return Int64(number)
        case .string(let text)?:
            if let seconds = DurationText.seconds(text) { return seconds }
            throw AlertingError("\(path): \(text) is not a duration; write seconds or 30s, 5m, 4h, 1d")
        default: throw AlertingError("\(path): must be seconds or a duration such as 5m")
        }
    }
}

/// Durations as people write them: `90`, `30s`, `5m`, `4h`, `1d`, `1h30m`.
public enum DurationText {
    /// The seconds `text` stands for (at most a year), or `nil`.
    public static func seconds(_ text: String) -> Int64? {
        if let plain = Int64(text), plain >= 0, plain <= 31_536_000 { return plain }
        var total: Int64 = 0
        var digits = ""
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let amount = Int64(digits), let unit = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800][character] else { return nil }
            total += amount * Int64(unit)
            digits = ""
        }
        guard digits.isEmpty, !text.isEmpty, total <= 31_536_000 else { return nil }
        return total
    }
}

extension InhibitRule {
    init(json: JSONValue, path: String) throws(AlertingError) {
        guard case .object(let members) = json else { throw AlertingError("\(path): must be an object") }
        func matchers(_ name: String) throws(AlertingError) -> [Matcher] {
            guard case .array(let items)? = members[name], !items.isEmpty else {
                throw AlertingError("\(path).\(name): required, an array of matchers such as threat_level=critical")
            }
            var parsed = [Matcher]()
            for item in items {
                guard case .string(let text) = item else { throw AlertingError("\(path).\(name): each matcher is a string") }
                do {
                    parsed.append(try Matcher(parsing: text))
                } catch {
                    throw AlertingError("\(path).\(name): \(error.description)")
                }
            }
            return parsed
        }
        var equal = [String]()
        switch members["equal"] {
        case nil: break
        case .array(let items)?:
            for item in items {
                guard case .string(let label) = item else { throw AlertingError("\(path).equal: must be label names") }
                equal.append(label)
            }
        default: throw AlertingError("\(path).equal: must be an array of label names")
        }
        self.init(source: try matchers("source_matchers"), target: try matchers("target_matchers"), equal: equal)
    }

    /// Its JSON.
    public var json: JSONValue {
        .object([
            "source_matchers": .array(source.map { .string($0.description) }),
            "target_matchers": .array(target.map { .string($0.description) }), "equal": .array(equal.map { .string($0) }),
        ])
    }
}

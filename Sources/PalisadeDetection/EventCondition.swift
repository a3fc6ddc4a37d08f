import Foundation
public import PalisadeCore

/// A compiled condition on one event: field tests combined with and, or and not. Sigma rules and
/// Palisade's own rules compile to it.
public indirect enum EventCondition: Sendable {
    /// A test of one field.
    case field(String, FieldTest)
    /// Every condition holds (true when empty).
    case all([EventCondition])
    /// At least one holds (false when empty).
    case any([EventCondition])
    /// The condition does not hold.
    case not(EventCondition)

    /// Whether the event satisfies the condition.
    public func matches(_ event: AuditEvent) -> Bool {
        switch self {
        case .field(let name, let test): test.matches(event.values(of: name))
        case .all(let conditions): conditions.allSatisfy { $0.matches(event) }
        case .any(let conditions): conditions.contains { $0.matches(event) }
        case .not(let condition): !condition.matches(event)
        }
    }
}

/// A test of one field's values against patterns: equality, substring, prefix, suffix, regular
/// expression, CIDR or numeric comparison, case-insensitive unless cased (Sigma's default). With
/// several patterns any one matching is enough, or every one with `requireAll` (Sigma `|all`).
public struct FieldTest: Sendable {
    /// How a pattern is compared.
    public enum Kind: String, Sendable {
        /// The whole value.
        case equals
        /// A substring.
        case contains
        /// A prefix.
        case startsWith
        /// A suffix.
        case endsWith
        /// A regular expression (search, not anchored).
        case regex
        /// An address within a network.
        case cidr
        /// The field is present (pattern "true") or absent ("false").
        case exists
        /// Numeric comparisons.
        case greaterThan, greaterOrEqual, lessThan, lessOrEqual
    }

    /// The comparison.
    public var kind: Kind
    /// The patterns; empty matches nothing (except ``Kind/exists``).
    public var patterns: [String]
    /// Every pattern must match (Sigma `|all`).
    public var requireAll: Bool
    /// Compare case-sensitively (Sigma `|cased`).
    public var cased: Bool
    private let lowered: [String]
    private let regexes: [NSRegularExpression]
    private let networks: [IPNetwork]

    /// Compiles a test.
    ///
    /// - Throws: ``RuleError`` for a regular expression, network or number that does not parse.
    public init(_ kind: Kind, _ patterns: [String], requireAll: Bool = false, cased: Bool = false) throws(RuleError) {
        self.kind = kind
        self.patterns = patterns
        self.requireAll = requireAll
        self.cased = cased
        lowered = patterns.map { $0.lowercased() }
        var regexes = [NSRegularExpression]()
        var networks = [IPNetwork]()
        for pattern in patterns {
            switch kind {
            case .regex:
                do {
                    regexes.append(try NSRegularExpression(pattern: pattern, options: cased ? [] : [.caseInsensitive]))
                } catch {
                    throw RuleError("the regular expression \(pattern.prefix(80)) does not compile")
                }
            case .cidr:
                guard let network = IPNetwork(pattern) else { throw RuleError("\(pattern.prefix(80)) is not a network in CIDR notation") }
                networks.append(network)
            case .greaterThan, .greaterOrEqual, .lessThan, .lessOrEqual:
                guard Double(pattern) != nil else { throw RuleError("\(pattern.prefix(80)) is not a number") }
            case .exists:
                guard pattern == "true" || pattern == "false" else { throw RuleError("exists takes true or false") }
            case .equals, .contains, .startsWith, .endsWith:
                break
            }
        }
        self.regexes = regexes
        self.networks = networks
    }

    /// Whether the field's values pass.
    public func matches(_ values: [String]) -> Bool {
        if kind == .exists { return (patterns.first == "true") == !values.isEmpty }
        guard !patterns.isEmpty else { return false }
        let checks = patterns.indices.lazy.map { position in values.contains { matches($0, position) } }
        return requireAll ? checks.allSatisfy { $0 } : checks.contains(true)
    }

    private func matches(_ value: String, _ position: Int) -> Bool {
        let subject = cased ? value : value.lowercased()
        let pattern = cased ? patterns[position] : lowered[position]
        switch kind {
        case .equals: return subject == pattern
        case .contains: return subject.contains(pattern)
        case .startsWith: return subject.hasPrefix(pattern)
        case .endsWith: return subject.hasSuffix(pattern)
        case .regex:
            let regex = regexes[position]
            return regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
        case .cidr:
            guard let address = IPAddress(value) else { return false }
            return networks[position].contains(address)
        case .greaterThan, .greaterOrEqual, .lessThan, .lessOrEqual:
            guard let number = Double(value), let limit = Double(patterns[position]) else { return false }
            switch kind {
            case .greaterThan: return number > limit
            case .greaterOrEqual: return number >= limit
            case .lessThan: return number < limit
            default: return number <= limit
            }
        case .exists:
            return true
        }
    }
}

/// A rule that cannot be loaded; the message names what and why.
public struct RuleError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}

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
    /// A keyword anywhere: the test passes on some value of some field (Sigma keyword lists).
    case keyword(FieldTest)
    /// Two fields share a value (Sigma `|fieldref`), case-sensitively.
    case sameValue(String, String)

    /// Whether the event satisfies the condition (compiled for this call; the engine compiles its
    /// rules once).
    public func matches(_ event: AuditEvent) -> Bool {
        var slots = FieldSlots()
        let compiled = CompiledCondition(self, slots: &slots)
        var values = SlotValues(event, slots)
        return compiled.matches(&values)
    }

    /// A field and the exact (case-folded) values one of which every matching event has there, when
    /// the condition implies one: the engine's index, so that a rule about `event_type: key_management`
    /// is not even looked at for other events.
    var requiredValues: (field: String, values: Set<String>)? {
        switch self {
        case .field(let name, let test):
            return test.exactFoldedValues.map { (name, Set($0)) }
        case .all(let conditions):
            // Any conjunct's requirement is the whole condition's; prefer the most selective field.
            let candidates = conditions.compactMap(\.requiredValues)
            return candidates.min { $0.values.count < $1.values.count }
        case .any(let conditions):
            guard let first = conditions.first?.requiredValues else { return nil }
            var values = first.values
            for condition in conditions.dropFirst() {
                guard let next = condition.requiredValues, next.field == first.field else { return nil }
                values.formUnion(next.values)
            }
            return (first.field, values)
        case .not, .keyword, .sameValue:
            return nil
        }
    }
}

/// A test of one field's values against patterns: equality (with Sigma's `*` and `?` wildcards),
/// substring, prefix, suffix, inequality, regular expression, CIDR or numeric comparison. Strings
/// compare case-insensitively unless cased (Sigma's default); regular expressions are
/// case-sensitive unless given the `i` flag (Sigma's `|re|i`). With several patterns any one
/// matching is enough, or every one with `requireAll` (Sigma `|all`).
public struct FieldTest: Sendable {
    /// How a pattern is compared.
    public enum Kind: String, Sendable {
        /// The whole value (a Sigma string: `*` and `?` are wildcards, `\` escapes them).
        case equals
        /// A substring (the pattern wrapped in `*`).
        case contains
        /// A prefix.
        case startsWith
        /// A suffix.
        case endsWith
        /// No value equals the pattern, an absent field included (Sigma `|neq`, as pySigma reads it).
        case notEquals
        /// A regular expression (search, not anchored).
        case regex
        /// An address within a network.
        case cidr
        /// The field is present (pattern "true") or absent ("false").
        case exists
        /// Numeric comparisons.
        case greaterThan, greaterOrEqual, lessThan, lessOrEqual
    }

    /// Flags of a regular expression (Sigma `|re|i`, `|re|m`, `|re|s`).
    public struct RegexFlags: OptionSet, Hashable, Sendable {
        /// The raw bits.
        public let rawValue: Int
        /// Creates flags.
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Case-insensitive.
        public static let ignoreCase = RegexFlags(rawValue: 1)
        /// `^` and `$` match at line breaks.
        public static let multiline = RegexFlags(rawValue: 2)
        /// `.` matches line breaks.
        public static let dotAll = RegexFlags(rawValue: 4)
    }

    /// The comparison.
    public var kind: Kind
    /// The patterns as written; empty matches nothing (except ``Kind/exists``).
    public var patterns: [String]
    /// Every pattern must match (Sigma `|all`).
    public var requireAll: Bool
    /// Compare case-sensitively (Sigma `|cased`).
    public var cased: Bool
    private let wildcards: [WildcardPattern]
    private let regexes: [NSRegularExpression]
    private let networks: [IPNetwork]
    private let numbers: [Double]

    /// Compiles a test.
    ///
    /// - Throws: ``RuleError`` for a regular expression, network or number that does not parse.
    public init(
        _ kind: Kind,
        _ patterns: [String],
        requireAll: Bool = false,
        cased: Bool = false,
        regexFlags: RegexFlags = []
    )
        throws(RuleError)
    {
        self.kind = kind
        self.patterns = patterns
        self.requireAll = requireAll
        self.cased = cased
        var wildcards = [WildcardPattern]()
        var regexes = [NSRegularExpression]()
        var networks = [IPNetwork]()
        var numbers = [Double]()
        for pattern in patterns {
            let folded = cased ? pattern : pattern.sigmaFolded
            switch kind {
            case .equals, .notEquals: wildcards.append(WildcardPattern(folded))
            case .contains: wildcards.append(WildcardPattern("*" + folded + "*"))
            case .startsWith: wildcards.append(WildcardPattern(folded + "*"))
            case .endsWith: wildcards.append(WildcardPattern("*" + folded))
            case .regex:
                var options: NSRegularExpression.Options = []
                if regexFlags.contains(.ignoreCase) { options.insert(.caseInsensitive) }
                if regexFlags.contains(.multiline) { options.insert(.anchorsMatchLines) }
                if regexFlags.contains(.dotAll) { options.insert(.dotMatchesLineSeparators) }
                do {
                    regexes.append(try NSRegularExpression(pattern: pattern, options: options))
                } catch {
                    throw RuleError("the regular expression \(pattern.prefix(80)) does not compile")
                }
            case .cidr:
                guard let network = IPNetwork(pattern) else { throw RuleError("\(pattern.prefix(80)) is not a network in CIDR notation") }
                guard let given = IPAddress(String(pattern.prefix { $0 != "/" })), given == network.address else {
                    throw RuleError("\(pattern.prefix(80)) has host bits set; write the network address (\(network))")
                }
                networks.append(network)
            case .greaterThan, .greaterOrEqual, .lessThan, .lessOrEqual:
                guard let number = Double(pattern) else { throw RuleError("\(pattern.prefix(80)) is not a number") }
                numbers.append(number)
            case .exists:
                guard pattern == "true" || pattern == "false" else { throw RuleError("exists takes true or false") }
            }
        }
        self.wildcards = wildcards
        self.regexes = regexes
        self.networks = networks
        self.numbers = numbers
    }

    /// Whether the test compares case-folded values (string kinds that are not cased).
    var folds: Bool {
        switch kind {
        case .equals, .contains, .startsWith, .endsWith, .notEquals: !cased
        default: false
        }
    }

    /// The case-folded values an equality test accepts, when every pattern is a plain value.
    var exactFoldedValues: [String]? {
        guard kind == .equals, !cased, !requireAll || patterns.count == 1 else { return nil }
        var values = [String]()
        for pattern in wildcards {
            guard let text = pattern.exactText else { return nil }
            values.append(text)
        }
        return values.isEmpty ? nil : values
    }

    /// Whether the field's values pass.
    public func matches(_ values: [String]) -> Bool {
        folds ? matches(folded: values.map(\.sigmaFolded)) : matches(raw: values)
    }

    /// Whether already case-folded values pass (the test ``folds``).
    func matches(folded values: [String]) -> Bool { matches(raw: values) }

    /// Whether values pass as they are.
    func matches(raw values: [String]) -> Bool {
        if kind == .exists { return (patterns.first == "true") == !values.isEmpty }
        guard !patterns.isEmpty else { return false }
        if kind == .notEquals {
            // As pySigma compiles it (NOT (field = value)): an absent field is unequal too.
            let checks = wildcards.lazy.map { pattern in !values.contains { pattern.matches($0) } }
            return requireAll ? checks.allSatisfy { $0 } : checks.contains(true)
        }
        if !requireAll {
            for value in values {
                for position in patterns.indices where matches(value, position) { return true }
            }
            return false
        }
        return patterns.indices.allSatisfy { position in values.contains { matches($0, position) } }
    }

    private func matches(_ value: String, _ position: Int) -> Bool {
        switch kind {
        case .equals, .contains, .startsWith, .endsWith:
            return wildcards[position].matches(value)
        case .regex:
            let regex = regexes[position]
            return regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
        case .cidr:
            guard let address = IPAddress(value) else { return false }
            return networks[position].contains(address)
        case .greaterThan, .greaterOrEqual, .lessThan, .lessOrEqual:
            guard let number = Double(value) else { return false }
            let limit = numbers[position]
            switch kind {
            case .greaterThan: return number > limit
            case .greaterOrEqual: return number >= limit
            case .lessThan: return number < limit
            default: return number <= limit
            }
        case .exists, .notEquals:
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

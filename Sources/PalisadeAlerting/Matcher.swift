import Foundation

/// A label matcher, as Alertmanager writes them: `name=value`, `name!=value`, `name=~regex`,
/// `name!~regex` (regular expressions match the whole value). A missing label is the empty string.
public struct Matcher: Hashable, Sendable, CustomStringConvertible {
    /// The comparison.
    public enum Operation: String, Hashable, Sendable {
        /// Equal.
        case equal = "="
        /// Not equal.
        case notEqual = "!="
        /// Matches the regular expression.
        case matches = "=~"
        /// Does not match it.
        case doesNotMatch = "!~"
    }

    /// The label.
    public let name: String
    /// The comparison.
    public let operation: Operation
    /// The value or expression.
    public let value: String
    private let regex: NSRegularExpression?

    /// Creates a matcher.
    ///
    /// - Throws: ``AlertingError`` for a regular expression that does not compile.
    public init(_ name: String, _ operation: Operation, _ value: String) throws(AlertingError) {
        self.name = name
        self.operation = operation
        self.value = value
        switch operation {
        case .matches, .doesNotMatch:
            do {
                regex = try NSRegularExpression(pattern: "^(?:\(value))$")
            } catch {
                throw AlertingError("matcher \(name)\(operation.rawValue)\(value): the regular expression does not compile")
            }
        case .equal, .notEqual:
            regex = nil
        }
    }

    /// Parses `name=value` and the other forms (quotes around the value are removed).
    ///
    /// - Throws: ``AlertingError`` naming what is wrong.
    public init(parsing text: String) throws(AlertingError) {
        for operation in [Operation.matches, .doesNotMatch, .notEqual, .equal] {
            guard let range = text.range(of: operation.rawValue) else { continue }
            let name = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            var value = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw AlertingError("matcher \(text): the label name must be letters, digits and underscores")
            }
            try self.init(name, operation, value)
            return
        }
        throw AlertingError("matcher \(text): use name=value, name!=value, name=~regex or name!~regex")
    }

    /// Whether labels pass.
    public func matches(_ labels: [String: String]) -> Bool {
        let actual = labels[name] ?? ""
        switch operation {
        case .equal: return actual == value
        case .notEqual: return actual != value
        case .matches, .doesNotMatch:
            let found = regex!.firstMatch(in: actual, range: NSRange(actual.startIndex..., in: actual)) != nil
            return (operation == .matches) == found
        }
    }

    /// `name<op>value`.
    public var description: String { "\(name)\(operation.rawValue)\(value)" }

    /// Matchers compare by their text.
    public static func == (lhs: Matcher, rhs: Matcher) -> Bool { lhs.description == rhs.description }
    /// Hashes the text.
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}

extension Array where Element == Matcher {
    /// Whether every matcher passes.
    public func matchAll(_ labels: [String: String]) -> Bool { allSatisfy { $0.matches(labels) } }
}

/// A routing tree, silence, inhibition or delivery setting that cannot be used; the message says why.
public struct AlertingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}

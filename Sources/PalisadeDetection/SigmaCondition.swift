import Foundation

/// The `condition:` of a Sigma detection: `selection and not filter`, `1 of selection*`,
/// `all of them`, parentheses; `not` binds tightest, then `and`, then `or`. Aggregations after a
/// pipe (`| count() > 5`, deprecated in Sigma) are refused: correlation rules replace them.
enum SigmaCondition {
    /// Compiles a condition over the named, already compiled selections.
    ///
    /// - Throws: ``RuleError`` naming the token, or the selection name, at fault.
    static func compile(_ text: String, selections: [String: EventCondition]) throws(RuleError) -> EventCondition {
        var parser = Parser(tokens: try tokenize(text), selections: selections)
        let condition = try parser.orExpression()
        guard parser.position == parser.tokens.count else {
            throw RuleError("unexpected '\(parser.tokens[parser.position])' in condition '\(text)'")
        }
        return condition
    }

    private static func tokenize(_ text: String) throws(RuleError) -> [String] {
        var tokens = [String]()
        var current = ""
        for character in text {
            if character == "|" { throw RuleError("aggregations in conditions ('|') are not supported; use a Sigma correlation rule") }
            if character == "(" || character == ")" || character.isWhitespace {
                if !current.isEmpty { tokens.append(current) }
                current = ""
                if !character.isWhitespace { tokens.append(String(character)) }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        guard !tokens.isEmpty else { throw RuleError("the condition is empty") }
        return tokens
    }

    private struct Parser {
        let tokens: [String]
        let selections: [String: EventCondition]
        var position = 0

        var next: String? { position < tokens.count ? tokens[position] : nil }

        mutating func orExpression() throws(RuleError) -> EventCondition {
            var terms = [try andExpression()]
            while next?.lowercased() == "or" {
                position += 1
                terms.append(try andExpression())
            }
            return terms.count == 1 ? terms[0] : .any(terms)
        }

        mutating func andExpression() throws(RuleError) -> EventCondition {
            var terms = [try unary()]
            while next?.lowercased() == "and" {
                position += 1
                terms.append(try unary())
            }
            return terms.count == 1 ? terms[0] : .all(terms)
        }

        mutating func unary() throws(RuleError) -> EventCondition {
            guard let token = next else { throw RuleError("the condition ends too early") }
            position += 1
            switch token.lowercased() {
            case "not":
                return .not(try unary())
            case "(":
                let inner = try orExpression()
                guard next == ")" else { throw RuleError("a '(' in the condition is not closed") }
                position += 1
                return inner
            case "1", "all", "any":
                guard next?.lowercased() == "of", let pattern = position + 1 < tokens.count ? tokens[position + 1] : nil else {
                    throw RuleError("'\(token)' must be followed by 'of <selection pattern>' or 'of them'")
                }
                position += 2
                let names =
                    pattern.lowercased() == "them"
                    ? selections.keys.filter { !$0.hasPrefix("_") }.sorted() : selections.keys.filter { Self.matches($0, pattern) }.sorted()
                guard !names.isEmpty else { throw RuleError("'\(token) of \(pattern)' names no selection") }
                let conditions = names.map { selections[$0]! }
                return token == "all" ? .all(conditions) : .any(conditions)
            case "and", "or", ")", "of", "them":
                throw RuleError("unexpected '\(token)' in the condition")
            default:
                guard let selection = selections[token] else { throw RuleError("the condition names '\(token)', which is not a selection") }
                return selection
            }
        }

        /// Sigma's selection name patterns: `*` matches any run of characters.
        static func matches(_ name: String, _ pattern: String) -> Bool {
            let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
            guard parts.count > 1 else { return name == pattern }
            guard name.hasPrefix(parts[0]), name.hasSuffix(parts[parts.count - 1]) else { return false }
            var rest = Substring(name.dropFirst(parts[0].count))
            for part in parts.dropFirst().dropLast() where !part.isEmpty {
                guard let range = rest.range(of: part) else { return false }
                rest = rest[range.upperBound...]
            }
            return rest.count >= parts[parts.count - 1].count
        }
    }
}

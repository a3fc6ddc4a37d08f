/// A Sigma string value: `*` matches any run of characters, `?` exactly one, and a backslash
/// escapes either (or itself); any other backslash is a literal one. Matching is over Unicode
/// scalars, after case folding unless the rule asks for `cased`.
///
/// The common shapes take fast paths — a plain value is an equality test, `*x*` a substring
/// search, `x*` a prefix, `*x` a suffix — and the rest a backtracking match that is linear in
/// practice (one star remembered at a time).
struct WildcardPattern: Sendable {
    enum Token: Hashable, Sendable {
        case literal([Unicode.Scalar])
        case anyRun
        case anyOne
    }

    private enum Shape: Sendable {
        case exact(String)
        case prefix(String)
        case suffix(String)
        case substring(String)
        case general([Token])
    }

    private let shape: Shape

    /// Whether the pattern has a wildcard.
    let hasWildcards: Bool

    /// Parses a Sigma string (already case-folded when the test is not cased).
    init(_ text: String) {
        var tokens = [Token]()
        var literal = [Unicode.Scalar]()
        var scalars = Array(text.unicodeScalars)[...]
        func flush() {
            if !literal.isEmpty { tokens.append(.literal(literal)) }
            literal = []
        }
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\\":
                if let next = scalars.first, next == "*" || next == "?" || next == "\\" {
                    literal.append(next)
                    scalars.removeFirst()
                } else {
                    literal.append(scalar)
                }
            case "*":
                flush()
                if tokens.last != .anyRun { tokens.append(.anyRun) }
            case "?":
                flush()
                tokens.append(.anyOne)
            default:
                literal.append(scalar)
            }
        }
        flush()
        hasWildcards = tokens.contains { $0 == .anyRun || $0 == .anyOne }
        func literalText(of token: Token) -> String? {
            if case .literal(let scalars) = token { String(String.UnicodeScalarView(scalars)) } else { nil }
        }
        let stars = tokens.map { $0 == .anyRun }
        if tokens.isEmpty {
            shape = .exact("")
        } else if tokens.count == 1, let text = literalText(of: tokens[0]) {
            shape = .exact(text)
        } else if tokens == [.anyRun] {
            shape = .prefix("")
        } else if tokens.count == 2, let text = literalText(of: tokens[0]), stars[1] {
            shape = .prefix(text)
        } else if tokens.count == 2, stars[0], let text = literalText(of: tokens[1]) {
            shape = .suffix(text)
        } else if tokens.count == 3, stars[0], let text = literalText(of: tokens[1]), stars[2] {
            shape = .substring(text)
        } else {
            shape = .general(tokens)
        }
    }

    /// Escapes a literal text so that it matches only itself (for values produced by encodings).
    static func escaping(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "*" || character == "?" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// Whether `subject` (case-folded like the pattern) matches.
    func matches(_ subject: String) -> Bool {
        switch shape {
        case .exact(let text): return subject == text
        case .prefix(let text): return subject.hasPrefix(text)
        case .suffix(let text): return subject.hasSuffix(text)
        case .substring(let text): return subject.contains(text)
        case .general(let tokens): return Self.match(tokens, Array(subject.unicodeScalars))
        }
    }

    /// Backtracking match remembering the last `*`: each literal is tried at each position after
    /// it at most once per star, which keeps ordinary patterns linear.
    private static func match(_ tokens: [Token], _ subject: [Unicode.Scalar]) -> Bool {
        var token = 0
        var position = 0
        var star: (token: Int, position: Int)?
        while true {
            if token == tokens.count {
                if position == subject.count { return true }
            } else {
                switch tokens[token] {
                case .anyRun:
                    star = (token + 1, position)
                    token += 1
                    continue
                case .anyOne:
                    if position < subject.count {
                        token += 1
                        position += 1
                        continue
                    }
                case .literal(let text):
                    if position + text.count <= subject.count, subject[position..<position + text.count].elementsEqual(text) {
                        token += 1
                        position += text.count
                        continue
                    }
                }
            }
            // Mismatch: let the last star swallow one more character, or fail.
            guard let saved = star, saved.position < subject.count else { return false }
            star = (saved.token, saved.position + 1)
            token = saved.token
            position = saved.position + 1
        }
    }
}

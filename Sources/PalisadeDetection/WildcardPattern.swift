/// A Sigma string value: `*` matches any run of characters, `?` exactly one (Unicode scalar), and
/// a backslash escapes either (or itself); any other backslash is a literal one. Matching is over
/// UTF-8 bytes (exact, scalar by scalar — no grapheme or normalisation rules), after case folding
/// unless the rule asks for `cased`.
///
/// The common shapes take fast paths — a plain value is an equality test, `*x*` a substring
/// search, `x*` a prefix, `*x` a suffix — and the rest a backtracking match that is linear in
/// practice (one star remembered at a time).
struct WildcardPattern: Sendable {
    enum Token: Hashable, Sendable {
        case literal([UInt8])
        case anyRun
        case anyOne
    }

    private enum Shape: Sendable {
        case exact([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        case substring([UInt8])
        case general([Token])
    }

    private let shape: Shape

    /// Whether the pattern has a wildcard.
    let hasWildcards: Bool

    /// The text a pattern without wildcards stands for (escapes removed).
    var exactText: String? {
        if case .exact(let bytes) = shape { String(decoding: bytes, as: UTF8.self) } else { nil }
    }

    /// Parses a Sigma string (already case-folded when the test is not cased).
    init(_ text: String) {
        var tokens = [Token]()
        var literal = [UInt8]()
        var scalars = Array(text.unicodeScalars)[...]
        func flush() {
            if !literal.isEmpty { tokens.append(.literal(literal)) }
            literal = []
        }
        func append(_ scalar: Unicode.Scalar) { literal += Array(String(scalar).utf8) }
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\\":
                if let next = scalars.first, next == "*" || next == "?" || next == "\\" {
                    append(next)
                    scalars.removeFirst()
                } else {
                    append(scalar)
                }
            case "*":
                flush()
                if tokens.last != .anyRun { tokens.append(.anyRun) }
            case "?":
                flush()
                tokens.append(.anyOne)
            default:
                append(scalar)
            }
        }
        flush()
        hasWildcards = tokens.contains { $0 == .anyRun || $0 == .anyOne }
        func literalBytes(of token: Token) -> [UInt8]? {
            if case .literal(let bytes) = token { bytes } else { nil }
        }
        let stars = tokens.map { $0 == .anyRun }
        if tokens.isEmpty {
            shape = .exact([])
        } else if tokens.count == 1, let bytes = literalBytes(of: tokens[0]) {
            shape = .exact(bytes)
        } else if tokens == [.anyRun] {
            shape = .prefix([])
        } else if tokens.count == 2, let bytes = literalBytes(of: tokens[0]), stars[1] {
            shape = .prefix(bytes)
        } else if tokens.count == 2, stars[0], let bytes = literalBytes(of: tokens[1]) {
            shape = .suffix(bytes)
        } else if tokens.count == 3, stars[0], let bytes = literalBytes(of: tokens[1]), stars[2] {
            shape = .substring(bytes)
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
        var subject = subject
        return subject.withUTF8 { bytes in
            switch shape {
            case .exact(let text): return bytes.elementsEqual(text)
            case .prefix(let text): return bytes.count >= text.count && bytes[..<text.count].elementsEqual(text)
            case .suffix(let text): return bytes.count >= text.count && bytes[(bytes.count - text.count)...].elementsEqual(text)
            case .substring(let text): return Self.find(text, in: bytes, from: 0) != nil
            case .general(let tokens): return Self.match(tokens, bytes)
            }
        }
    }

    /// The first position at or after `start` where `needle` occurs in `haystack`.
    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = needle.first else { return start }
        guard haystack.count - start >= needle.count else { return nil }
        var position = start
        let last = haystack.count - needle.count
        while position <= last {
            if haystack[position] == first {
                var offset = 1
                while offset < needle.count && haystack[position + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return position }
            }
            position += 1
        }
        return nil
    }

    /// The length of the UTF-8 sequence a lead byte starts.
    private static func scalarLength(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    /// Backtracking match remembering the last `*`: each literal is tried at each position after
    /// it at most once per star, which keeps ordinary patterns linear.
    private static func match(_ tokens: [Token], _ subject: UnsafeBufferPointer<UInt8>) -> Bool {
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
                        position += scalarLength(subject[position])
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
            // Mismatch: let the last star swallow one more scalar, or fail.
            guard let saved = star, saved.position < subject.count else { return false }
            let next = saved.position + scalarLength(subject[saved.position])
            star = (saved.token, next)
            token = saved.token
            position = next
        }
    }
}

import Foundation

/// The modifiers of one Sigma field (`CommandLine|windash|contains|all`): how the value is
/// compared, and how each value is transformed before (encodings, base64, dash variants), in the
/// order written, as pySigma applies them. Modifiers Palisade cannot honour are refused with the
/// reason.
struct SigmaModifiers {
    enum Encoding {
        case utf8, utf16LE, utf16BE, utf16WithBOM
    }

    enum Transform {
        case base64, base64Offset, windash
    }

    private(set) var kind = FieldTest.Kind.equals
    private(set) var requireAll = false
    private(set) var cased = false
    private(set) var regexFlags: FieldTest.RegexFlags = []
    private(set) var fieldReference = false
    private var encoding = Encoding.utf8
    private var transforms = [Transform]()

    /// No modifier at all.
    var isPlain: Bool { kind == .equals && !requireAll && !cased && !fieldReference && transforms.isEmpty && encoding == .utf8 }

    init(_ names: [String], spec: String) throws(RuleError) {
        func setKind(_ new: FieldTest.Kind, _ name: String) throws(RuleError) {
            guard kind == .equals else { throw RuleError("'\(spec)': modifier '\(name)' cannot be combined with '\(kind.rawValue)'") }
            kind = new
        }
        for name in names {
            switch name {
            case "contains": try setKind(.contains, name)
            case "startswith": try setKind(.startsWith, name)
            case "endswith": try setKind(.endsWith, name)
            case "re": try setKind(.regex, name)
            case "cidr": try setKind(.cidr, name)
            case "exists": try setKind(.exists, name)
            case "neq": try setKind(.notEquals, name)
            case "gt": try setKind(.greaterThan, name)
            case "gte": try setKind(.greaterOrEqual, name)
            case "lt": try setKind(.lessThan, name)
            case "lte": try setKind(.lessOrEqual, name)
            case "all": requireAll = true
            case "cased": cased = true
            case "i", "ignorecase": regexFlags.insert(.ignoreCase)
            case "m", "multiline": regexFlags.insert(.multiline)
            case "s", "dotall": regexFlags.insert(.dotAll)
            case "wide", "utf16le": encoding = .utf16LE
            case "utf16be": encoding = .utf16BE
            case "utf16": encoding = .utf16WithBOM
            case "base64": transforms.append(.base64)
            case "base64offset": transforms.append(.base64Offset)
            case "windash": transforms.append(.windash)
            case "fieldref": fieldReference = true
            case "expand":
                throw RuleError("'\(spec)': 'expand' needs placeholder values from a processing pipeline, which Palisade does not have")
            case "minute", "hour", "day", "week", "month", "year":
                throw RuleError("'\(spec)': the timestamp-part modifier '\(name)' is not supported")
            default:
                throw RuleError("modifier '\(name)' (in '\(spec)') is not supported")
            }
        }
        if !regexFlags.isEmpty && kind != .regex { throw RuleError("'\(spec)': regular expression flags need 're'") }
        if encoding != .utf8 && !transforms.contains(where: { $0 == .base64 || $0 == .base64Offset }) {
            throw RuleError("'\(spec)': wide/utf16 encodings are supported only before base64 or base64offset")
        }
        if kind == .exists && (requireAll || !transforms.isEmpty) { throw RuleError("'\(spec)': 'exists' takes no other modifier") }
    }

    /// The patterns one value stands for (one, or several alternatives).
    func expand(_ value: String, spec: String) throws(RuleError) -> [String] {
        if kind == .exists {
            let word = value.lowercased()
            guard word == "true" || word == "false" else { throw RuleError("'\(spec)' takes true or false") }
            return [word]
        }
        var patterns = [value]
        for transform in transforms {
            switch transform {
            case .windash:
                var expanded = [String]()
                for pattern in patterns { expanded += try Self.dashVariants(pattern, spec: spec) }
                patterns = expanded
            case .base64, .base64Offset:
                var encoded = [String]()
                for pattern in patterns {
                    guard !WildcardPattern(pattern).hasWildcards else {
                        throw RuleError("'\(spec)': a value with wildcards cannot be base64-encoded")
                    }
                    let bytes = encode(Self.unescaped(pattern))
                    encoded += transform == .base64 ? [Data(bytes).base64EncodedString()] : Self.base64Offsets(bytes)
                }
                patterns = encoded.map(WildcardPattern.escaping)
            }
        }
        return patterns
    }

    private func encode(_ text: String) -> [UInt8] {
        switch encoding {
        case .utf8: return Array(text.utf8)
        case .utf16LE: return text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        case .utf16BE: return text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case .utf16WithBOM: return [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        }
    }

    /// A Sigma string's plain text (escapes removed).
    static func unescaped(_ pattern: String) -> String {
        var text = ""
        var escaping = false
        for character in pattern {
            if escaping {
                if character != "*" && character != "?" && character != "\\" { text.append("\\") }
                text.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                text.append(character)
            }
        }
        if escaping { text.append("\\") }
        return text
    }

    /// The three base64 forms of `bytes` at offsets 0, 1 and 2 within a longer encoded text,
    /// without the characters that depend on the neighbouring bytes (pySigma's base64offset).
    static func base64Offsets(_ bytes: [UInt8]) -> [String] {
        let starts = [0, 2, 3]
        let ends: [Int?] = [nil, -3, -2]
        return (0..<3).map { shift in
            let encoded = Array(Data(Array(repeating: UInt8(ascii: " "), count: shift) + bytes).base64EncodedString())
            let start = starts[shift]
            let end = ends[(bytes.count + shift) % 3].map { encoded.count + $0 } ?? encoded.count
            return start < end ? String(encoded[start..<end]) : ""
        }
    }

    /// Every form of a Windows command-line switch: each `-` or `/` that starts a word (after a
    /// non-word character or at the start) as `-`, `/`, en dash, em dash and horizontal bar.
    static func dashVariants(_ pattern: String, spec: String) throws(RuleError) -> [String] {
        let characters = Array(pattern)
        func isWord(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }
        var positions = [Int]()
        for (index, character) in characters.enumerated() where character == "-" || character == "/" {
            let afterNonWord = index == 0 || !isWord(characters[index - 1])
            let beforeWord = index + 1 < characters.count && isWord(characters[index + 1])
            if afterNonWord && beforeWord { positions.append(index) }
        }
        guard positions.count <= 3 else {
            throw RuleError("'\(spec)': windash expands at most three dashes in one value; split the value")
        }
        var variants = [characters]
        for position in positions {
            variants = variants.flatMap { base in
                (["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"] as [Character]).map { dash -> [Character] in
                    var copy = base
                    copy[position] = dash
                    return copy
                }
            }
        }
        return variants.map { String($0) }
    }
}

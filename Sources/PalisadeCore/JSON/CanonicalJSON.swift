/// The JSON Canonicalization Scheme of RFC 8785: one byte string per JSON value.
///
/// Members are sorted by their names' UTF-16 code units (§3.2.3), strings use the shortest escapes
/// (§3.2.2.2), numbers are serialized as ECMAScript's `Number.prototype.toString` does (§3.2.2.3),
/// and there is no whitespace. The ledger hashes these bytes, so the same event gives the same leaf
/// hash on every machine.
///
/// ```swift
/// let bytes = CanonicalJSON.encode(.object(["b": .number(1), "a": .string("x")]))
/// // {"a":"x","b":1}
/// ```
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        append(value, to: &out)
        return out
    }

    /// Appends the canonical bytes of `value` to `out`.
    public static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): out.append(contentsOf: format(number).utf8)
        case .string(let text): appendString(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                append(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // RFC 8785 §3.2.3: "sorted ... using the UTF-16 code units of the property names".
            let names = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (offset, name) in names.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                appendString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                append(members[name]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends a string with RFC 8785 §3.2.2.2 escaping: `"` and `\` escaped, the control characters
    /// with a short form (`\b \t \n \f \r`) use it, other controls are `\u00xx` in lowercase hex, and
    /// everything else is written as UTF-8.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case 0x08: out.append(contentsOf: "\\b".utf8)
                case 0x09: out.append(contentsOf: "\\t".utf8)
                case 0x0a: out.append(contentsOf: "\\n".utf8)
                case 0x0c: out.append(contentsOf: "\\f".utf8)
                case 0x0d: out.append(contentsOf: "\\r".utf8)
                default:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0f)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Formats a finite double as ECMAScript's `Number.prototype.toString` (ECMA-262 §7.1.12.1,
    /// required by RFC 8785 §3.2.2.3).
    ///
    /// - Precondition: `number` is finite (``JSONParser`` never produces anything else).
    public static func format(_ number: Double) -> String {
        precondition(number.isFinite, "JSON numbers are finite")
        if number == 0 { return "0" }  // also -0
        // Integers below 2^53 print as themselves in ECMAScript: the common case, done without parsing digits.
        if number.rounded(.towardZero) == number, abs(number) < 9_007_199_254_740_992 { return String(Int64(number)) }
        if number < 0 { return "-" + format(-number) }
        // Swift's description is the shortest digit string that round-trips, as ECMAScript requires.
        let (digits, exponent) = shortestDigits(number)
        let k = digits.count
        let n = exponent  // value = 0.d1d2…dk × 10^n
        if k <= n && n <= 21 {
            return digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            return String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + digits
        }
        let e = n - 1
        let sign = e < 0 ? "-" : "+"
        let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
        return mantissa + "e" + sign + String(abs(e))
    }

    /// The significant digits of a positive finite double and `n` such that the value is
    /// `0.d1d2…dk × 10^n`, read from Swift's shortest round-trip description.
    static func shortestDigits(_ number: Double) -> (digits: String, exponent: Int) {
        let text = number.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        let integerPart: Substring
        let fractionPart: Substring
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        } else {
            integerPart = mantissa
            fractionPart = ""
        }
        var all = Array(integerPart + fractionPart)
        var pointPosition = integerPart.count + exponent
        while let first = all.first, first == "0" {
            all.removeFirst()
            pointPosition -= 1
        }
        while let last = all.last, last == "0" { all.removeLast() }
        return (String(all), pointPosition)
    }
}

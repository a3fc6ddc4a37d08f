import Foundation
import PalisadeCore
import PalisadeTesting
import Testing

struct CanonicalJSONTests {
    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
    @Test(arguments: [
        ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"), ("8000000000000001", "-5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"), ("ffefffffffffffff", "-1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"), ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"), ("44b52d02c7e14af5", "9.999999999999997e+22"),
        ("44b52d02c7e14af6", "1e+23"), ("44b52d02c7e14af7", "1.0000000000000001e+23"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"), ("444b1ae4d6e2ef4f", "999999999999999900000"),
        ("444b1ae4d6e2ef50", "1e+21"), ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"), ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ])
    func numbersFollowRFC8785AppendixB(bits: String, expected: String) {
        let value = Double(bitPattern: UInt64(bits, radix: 16)!)
        #expect(CanonicalJSON.format(value) == expected)
    }

    @Test func objectsAreSortedByUTF16CodeUnits() {
        // RFC 8785 §3.2.3's example: "\u20ac" (U+20AC) sorts before "\ud83d\ude00" (U+1F600) in
        // UTF-16 even though it sorts after it in UTF-8/scalar order... and "\r" < "1" < "\u0080".
        let value = JSONValue.object([
            "\u{20ac}": .string("Euro Sign"), "\r": .string("Carriage Return"), "\u{fb33}": .string("Hebrew Letter Dalet With Dagesh"),
            "1": .string("One"), "\u{1f600}": .string("Emoji: Grinning Face"), "\u{80}": .string("Control"),
            "\u{f6}": .string("Latin Small Letter O With Diaeresis"),
        ])
        let text = String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        let order = ["\\r", "1", "\u{80}", "\u{f6}", "\u{20ac}", "\u{1f600}", "\u{fb33}"]
        let positions = order.map { text.range(of: "\"\($0)\"")!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test func stringsUseTheShortestEscapes() {
        let text = String(decoding: CanonicalJSON.encode(.string("\u{0}\u{8}\t\n\u{b}\u{c}\r\u{1f}\"\\/\u{7f}é")), as: UTF8.self)
        #expect(text == "\"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f\\\"\\\\/\u{7f}é\"")
    }

    /// Random values rendered in a deliberately non-canonical way are canonicalized by Palisade and
    /// by an independent implementation (the `rfc8785` Python package); the bytes must be equal.
    @Test func agreesWithAnIndependentImplementation() throws {
        var random = SystemRandomNumberGenerator()
        var lines = [String]()
        var values = [JSONValue]()
        for _ in 0..<400 {
            let value = Self.randomValue(depth: 0, &random)
            values.append(value)
            lines.append(Self.nonCanonical(value))
        }
        let script = """
            import sys, json, rfc8785
            for line in sys.stdin.read().split("\\n"):
                if line:
                    sys.stdout.write(rfc8785.dumps(json.loads(line, parse_int=float)).decode("utf-8") + "\\n")
            """
        let result = try ExternalProcess.python(script: script, input: Data(lines.joined(separator: "\n").utf8))
        #expect(result.status == 0, "python failed: \(result.stderr)")
        let theirs = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        try #require(theirs.count == lines.count)
        var mismatches = [String]()
        for (index, line) in lines.enumerated() {
            let ours = String(decoding: CanonicalJSON.encode(try JSONParser().parse(line)), as: UTF8.self)
            if ours != theirs[index] { mismatches.append("input \(line)\n ours   \(ours)\n theirs \(theirs[index])") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(5).joined(separator: "\n"))")
    }

    static func randomValue(depth: Int, _ random: inout SystemRandomNumberGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2:
            let kinds: [Double] = [
                Double(Int.random(in: -1_000_000...1_000_000, using: &random)),
                Double.random(in: -1...1, using: &random),
                Double(bitPattern: UInt64.random(in: 0..<0x7ff0_0000_0000_0000, using: &random)),
                Double.random(in: -1e25...1e25, using: &random),
                Double.random(in: -1e-5...1e-5, using: &random),
            ]
            return .number(kinds.randomElement(using: &random)!)
        case 3: return .string(randomString(&random))
        case 4: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in randomValue(depth: depth + 1, &random) })
        default:
            var members = [String: JSONValue]()
            for _ in 0..<Int.random(in: 0...5, using: &random) { members[randomString(&random)] = randomValue(depth: depth + 1, &random) }
            return .object(members)
        }
    }

    static func randomString(_ random: inout SystemRandomNumberGenerator) -> String {
        let pool: [Unicode.Scalar] = [
            "a", "Z", "0", "_", " ", "\"", "\\", "\n", "\u{1}", "\u{7f}", "é", "\u{20ac}", "\u{1f600}", "\u{fb33}", "\u{ffff}", "\r", "/",
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...8, using: &random) { scalars.append(pool.randomElement(using: &random)!) }
        return String(scalars)
    }

    /// JSON text that is valid but far from canonical: reversed members, spaces, %.17g numbers and
    /// \u escapes for everything outside ASCII.
    static func nonCanonical(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            // Integer literals beyond 2^53 are refused by the parser (I-JSON), so write those with an exponent.
            return abs(number) > 9_007_199_254_740_991 ? String(format: "%.16e", number) : String(format: "%.17g", number)
        case .string(let text):
            var out = "\""
            for unit in text.utf16 {
                if unit >= 0x20 && unit < 0x7f && unit != 0x22 && unit != 0x5c {
                    out.append(Character(Unicode.Scalar(unit)!))
                } else {
                    out += String(format: "\\u%04X", unit)
                }
            }
            return out + "\""
        case .array(let items): return "[ " + items.map(nonCanonical).joined(separator: " , ") + " ]"
        case .object(let members):
            return "{ "
                + members.keys.sorted().reversed().map { "\(nonCanonical(.string($0))) : \(nonCanonical(members[$0]!))" }.joined(separator: ", ")
                + " }"
        }
    }
}

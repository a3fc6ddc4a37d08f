import PalisadeCore
import Testing

struct JSONParserTests {
    let parser = JSONParser()

    @Test(arguments: [
        #"{"a":[1,2.5,-3e2,true,false,null,"x"],"b":{"c":{}},"d":[]}"#,
        #""\u00e9\ud83d\ude00\n\t\"\\\/""#,
        "  42  ",
        #"{"":0}"#,
    ])
    func validDocumentsRoundTripThroughCanonicalForm(text: String) throws {
        let value = try parser.parse(text)
        let canonical = CanonicalJSON.encode(value)
        #expect(try parser.parse(canonical) == value)
        #expect(CanonicalJSON.encode(try parser.parse(canonical)) == canonical)
    }

    @Test(arguments: [
        ("{\"a\":1,\"a\":2}", "duplicate member name"),
        ("[1,]", "unexpected character"),
        ("01", "leading zeros"),
        ("\"\u{01}\"", "control character"),
        ("\"\\ud800\"", "unpaired surrogate"),
        ("\"\\udc00\"", "unpaired surrogate"),
        ("NaN", "unexpected character"),
        ("1e400", "out of the range"),
        ("{\"a\" 1}", "expected ':'"),
        ("[1] [2]", "after the JSON value"),
        ("\"\\x\"", "unknown escape"),
        ("-", "expected a digit"),
        ("1.", "after '.'"),
        ("9007199254740993", "would lose precision"),
        ("[-12345678901234567890]", "would lose precision"),
    ])
    func invalidDocumentsAreRejectedWithAReason(text: String, reason: String) {
        #expect {
            try parser.parse(text)
        } throws: { error in
            (error as? JSONParseError)?.reason.contains(reason) == true
        }
    }

    @Test func exactIntegersAndFloatsAtTheEdgeAreKept() throws {
        #expect(try parser.parse("9007199254740991") == .number(9_007_199_254_740_991))
        #expect(try parser.parse("-9007199254740991") == .number(-9_007_199_254_740_991))
        #expect(try parser.parse("1e300") == .number(1e300))
        #expect(try parser.parse("12345678901234567890.0") == .number(12_345_678_901_234_567_890.0))
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: JSONParseError.self) { try parser.parse([0x22, 0xff, 0xfe, 0x22]) }
        #expect(throws: JSONParseError.self) { try parser.parse([0x22, 0xed, 0xa0, 0x80, 0x22]) }  // encoded surrogate
    }

    @Test func limitsAreEnforced() throws {
        let limited = JSONParser(limits: .init(maxBytes: 100, maxDepth: 3))
        #expect(throws: JSONParseError.self) { try limited.parse(String(repeating: " ", count: 101)) }
        _ = try limited.parse("[[[1]]]")
        #expect(throws: JSONParseError.self) { try limited.parse("[[[[1]]]]") }
        #expect(throws: JSONParseError.self) { try limited.parse(#"{"a":{"b":{"c":{}}}}"#) }
        // Deep nesting far past the limit fails fast instead of recursing.
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser(limits: .init(maxBytes: 1 << 20, maxDepth: 64)).parse(deep) }
    }

    @Test func everyTruncationOfAValidDocumentIsRejected() throws {
        let text = Array(#"{"event":{"ids":[1,22,333],"name":"caf\u00e9","ok":true,"none":null}}"#.utf8)
        _ = try parser.parse(text)
        for length in 0..<text.count {
            #expect(throws: JSONParseError.self, "prefix of \(length) bytes") { try parser.parse(text.prefix(length)) }
        }
    }

    @Test func randomMutationsNeverCrashAndEitherParseOrThrow() throws {
        var random = SystemRandomNumberGenerator()
        let seed = Array(#"{"a":[1,-2.5e3,"x\u0041",true,null],"b":{"c":"d"}}"#.utf8)
        let alphabet = Array(#"{}[]":,\-+.0123456789eEtrufalsn \u"#.utf8) + [0x00, 0xff, 0xc3, 0xa9]
        for _ in 0..<20_000 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[position] = alphabet.randomElement(using: &random)!
                case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
                default: if bytes.count > 1 { bytes.remove(at: position) }
                }
            }
            // Rejection is fine; anything accepted must canonicalize and re-parse to the same value.
            if case .success(let value) = Result(catching: { try parser.parse(bytes) }) {
                #expect(try parser.parse(CanonicalJSON.encode(value)) == value)
            }
        }
    }
}

import Foundation
import PalisadeSSH
import PalisadeTesting
import Testing

/// Palisade's Poly1305 against RFC 8439's example and, for 300 random keys and messages of every
/// length from 0 to 299 bytes, against an independent implementation (Python's `cryptography`).
struct Poly1305Tests {
    static func bytes(_ hex: String) -> [UInt8] {
        NegotiationTests.bytes(hex.replacingOccurrences(of: ":", with: "").replacingOccurrences(of: " ", with: ""))
    }

    @Test func rfc8439Example() {
        // RFC 8439 §2.5.2.
        let key = Self.bytes("85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b")
        let tag = Poly1305.tag(for: Array("Cryptographic Forum Research Group".utf8), key: key)
        #expect(tag == Self.bytes("a8:06:1d:c1:30:51:36:c6:c2:2b:8b:af:0c:01:27:a9"))
        #expect(Poly1305.verify(tag, for: Array("Cryptographic Forum Research Group".utf8), key: key))
        #expect(!Poly1305.verify(tag, for: Array("Cryptographic Forum Research Grouq".utf8), key: key))
        // All zero: the tag is zero.
        #expect(Poly1305.tag(for: [UInt8](repeating: 0, count: 64), key: [UInt8](repeating: 0, count: 32)) == [UInt8](repeating: 0, count: 16))
    }

    @Test func agreesWithAnIndependentImplementation() throws {
        var generator = SplitMix(state: 0x1305)
        var lines = [String]()
        var cases = [([UInt8], [UInt8])]()
        for length in 0..<300 {
            var key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if length % 7 == 0 { key.replaceSubrange(0..<16, with: [UInt8](repeating: 0xFF, count: 16)) }  // r's clamped maximum
            let message = (0..<length).map { _ in length % 11 == 0 ? 0xFF : UInt8.random(in: 0...255, using: &generator) }
            cases.append((key, message))
            lines.append(key.map { String(format: "%02x", $0) }.joined() + " " + message.map { String(format: "%02x", $0) }.joined())
        }
        let script = """
            import sys
            from cryptography.hazmat.primitives.poly1305 import Poly1305
            for line in sys.stdin.read().splitlines():
                key, _, message = line.partition(" ")
                print(Poly1305.generate_tag(bytes.fromhex(key), bytes.fromhex(message)).hex())
            """
        let result = try ExternalProcess.python(script: script, input: Data((lines.joined(separator: "\n") + "\n").utf8))
        let expected = result.stdout.split(separator: "\n").map { Self.bytes(String($0)) }
        try #require(expected.count == cases.count, "\(result.stderr)")
        var mismatches = 0
        for ((key, message), tag) in zip(cases, expected) where Poly1305.tag(for: message, key: key) != tag { mismatches += 1 }
        #expect(mismatches == 0)
    }
}

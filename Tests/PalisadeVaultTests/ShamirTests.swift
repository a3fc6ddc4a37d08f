import Foundation
import PalisadeTesting
import Testing

@testable import PalisadeVault

/// Shamir's secret sharing: any threshold of shares gives the secret back, fewer do not, and an
/// independent Python implementation of the same field agrees both ways.
struct ShamirTests {
    @Test func theFieldIsAES() {
        // FIPS-197 §4.2: {57}·{83} = {c1}, and §4.2.1's inverse pair {53}·{ca} = {01}.
        #expect(GF256.multiply(0x57, 0x83) == 0xC1)
        #expect(GF256.multiply(0x53, 0xCA) == 0x01)
        for a in 1...255 { #expect(GF256.multiply(UInt8(a), GF256.inverse(UInt8(a))) == 1, "\(a)") }
    }

    @Test(arguments: [(2, 2), (3, 5), (5, 5), (2, 10), (10, 20)])
    func anyThresholdOfSharesRecoversTheSecretAndFewerDoNot(threshold: Int, parts: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let shares = try Shamir.split(secret, parts: parts, threshold: threshold, using: &generator)
        #expect(shares.count == parts && Set(shares.map(\.x)).count == parts && !shares.contains { $0.x == 0 })
        for _ in 0..<20 {
            let chosen = Array(shares.shuffled().prefix(threshold))
            #expect(try Shamir.combine(chosen) == secret)
            #expect(try Shamir.combine(chosen.map { try Shamir.Share(bytes: $0.bytes) }) == secret, "through Vault's byte layout")
            if threshold > 2 { #expect(try Shamir.combine(Array(chosen.dropLast())) != secret, "k-1 shares give another value") }
        }
        #expect(try Shamir.combine(shares) == secret, "more shares than the threshold work too")
    }

    @Test func sharesCrossCheckWithAnIndependentImplementation() throws {
        // The reference evaluates and interpolates with its own carry-less multiplication.
        let reference = """
            import json, secrets, sys
            def mul(a, b):
                p = 0
                while b:
                    if b & 1: p ^= a
                    a = (a << 1) ^ (0x11B if a & 0x80 else 0)
                    b >>= 1
                return p
            def inv(a):
                return next(b for b in range(1, 256) if mul(a, b) == 1)
            def combine(shares):
                secret = []
                for i in range(len(shares[0]) - 1):
                    value = 0
                    for j, s in enumerate(shares):
                        w = 1
                        for m, t in enumerate(shares):
                            if m != j: w = mul(w, mul(t[-1], inv(t[-1] ^ s[-1])))
                        value ^= mul(s[i], w)
                    secret.append(value)
                return secret
            def split(secret, parts, k):
                xs = secrets.SystemRandom().sample(range(1, 256), parts)
                shares = [[] for _ in xs]
                for byte in secret:
                    coeffs = [byte] + [secrets.randbelow(256) for _ in range(k - 1)]
                    for n, x in enumerate(xs):
                        y = 0
                        for c in reversed(coeffs): y = mul(y, x) ^ c
                        shares[n].append(y)
                return [s + [x] for s, x in zip(shares, xs)]
            request = json.loads(sys.stdin.read())
            print(json.dumps({"combined": combine(request["shares"]), "split": split(request["secret"], 5, 3)}))
            """
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let shares = try Shamir.split(secret, parts: 5, threshold: 3, using: &generator)
        let request: [String: Any] = ["shares": shares.prefix(3).map { $0.bytes.map(Int.init) }, "secret": secret.map(Int.init)]
        let result = try ExternalProcess.python(script: reference, input: try JSONSerialization.data(withJSONObject: request))
        #expect(result.status == 0, "\(result.stderr)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((answer["combined"] as? [Int])?.map(UInt8.init) == secret, "Python combines Swift's shares")
        let theirs = try #require(answer["split"] as? [[Int]]).map { try Shamir.Share(bytes: $0.map(UInt8.init)) }
        #expect(try Shamir.combine(Array(theirs.suffix(3))) == secret, "Swift combines Python's shares")
    }

    @Test func badParametersAndSharesAreRefusedWithAReason() throws {
        var generator = SystemRandomNumberGenerator()
        #expect(throws: ShamirError.badParameters(parts: 5, threshold: 1)) { try Shamir.split([1], parts: 5, threshold: 1, using: &generator) }
        #expect(throws: ShamirError.badParameters(parts: 2, threshold: 3)) { try Shamir.split([1], parts: 2, threshold: 3, using: &generator) }
        #expect(throws: ShamirError.badParameters(parts: 256, threshold: 3)) { try Shamir.split([1], parts: 256, threshold: 3, using: &generator) }
        #expect(throws: ShamirError.emptySecret) { try Shamir.split([], parts: 3, threshold: 2, using: &generator) }
        let shares = try Shamir.split([1, 2, 3], parts: 3, threshold: 2, using: &generator)
        #expect(throws: ShamirError.duplicatePoints) { try Shamir.combine([shares[0], shares[0]]) }
        #expect(throws: ShamirError.tooFewShares(1)) { try Shamir.combine([shares[0]]) }
        #expect(throws: ShamirError.mismatchedShares) { try Shamir.combine([shares[0], Shamir.Share(x: shares[1].x, y: [1])]) }
        #expect(throws: ShamirError.malformedShare) { try Shamir.Share(bytes: [1, 2, 0]) }
        #expect(ShamirError.duplicatePoints.description.contains("twice"))
    }
}

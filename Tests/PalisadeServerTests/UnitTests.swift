import Crypto
import Foundation
import PalisadeCore
import PalisadeServer
import Testing

@Suite("Server building blocks")
struct UnitTests {
    @Test func tokensHaveTheDocumentedShapeAndOnlyTheirOwnSecretMatches() {
        let codec = APITokenCodec(key: SymmetricKey(size: .bits256))
        let now = Timestamp(microseconds: 1)
        let (token, record) = codec.mint(tenant: .default, name: "n", scopes: [.read], createdAt: now)
        #expect(token.hasPrefix("pal_" + record.id + "_"))
        #expect(token.count == 4 + 12 + 1 + 43)
        #expect(APITokenCodec.id(of: token) == record.id)
        #expect(codec.matches(token, record))
        #expect(!record.secretHash.isEmpty && !token.contains(Data(record.secretHash).base64EncodedString()))
        var altered = Array(token)
        altered[altered.count - 1] = altered.last == "A" ? "B" : "A"
        #expect(!codec.matches(String(altered), record))
        // The same token under another key does not match: the hash is keyed.
        #expect(!APITokenCodec(key: SymmetricKey(size: .bits256)).matches(token, record))
        for malformed in ["", "pal_", "pal_ABCDEFGHIJKL_" + String(repeating: "a", count: 43), token + "x", "xyz_" + token.dropFirst(4)] {
            #expect(APITokenCodec.id(of: String(malformed)) == nil, "\(malformed)")
        }
    }

    @Test func bucketsRefillAtTheirRateAndAreSeparatePerActorAndClass() {
        var limits = ServerConfiguration.RateLimits()
        limits.read = .init(perSecond: 2, burst: 2)
        let limiter = RateLimiter(limits)
        let start = ContinuousClock.now
        #expect(limiter.take(actor: "a", .read, now: start) == nil)
        #expect(limiter.take(actor: "a", .read, now: start) == nil)
        #expect(limiter.take(actor: "a", .read, now: start) == 1)
        #expect(limiter.take(actor: "b", .read, now: start) == nil)
        #expect(limiter.take(actor: "a", .ingest, now: start) == nil)
        #expect(limiter.take(actor: "a", .read, now: start + .milliseconds(400)) == 1)
        #expect(limiter.take(actor: "a", .read, now: start + .milliseconds(600)) == nil)
        var off = ServerConfiguration.RateLimits()
        off.enabled = false
        let unlimited = RateLimiter(off)
        for _ in 0..<10_000 { #expect(unlimited.take(actor: "a", .admin, now: start) == nil) }
    }
}

import Foundation
import PalisadeAlerting
import PalisadeCore
import PalisadeTesting
import Testing

/// Webhook signatures checked by an independent implementation (Python's hmac), retry timing,
/// status classification, the circuit breaker and the outbound allow-list.
struct DeliveryTests {
    @Test func pythonsHmacVerifiesPalisadesSignatureAndPalisadeRefusesForgeries() throws {
        let body = Array(#"{"incident":"é","level":"critical"}"#.utf8)
        let secret = Array("whsec_test_0123456789".utf8)
        let header = WebhookSignature.sign(body: body, secret: secret, timestamp: 1_790_000_000)
        let script = """
            import hashlib, hmac, sys
            header, body, secret = sys.argv[1], sys.stdin.buffer.read(), sys.argv[2].encode()
            parts = dict(item.split("=", 1) for item in header.split(","))
            expected = hmac.new(secret, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
            print("valid" if hmac.compare_digest(expected, parts["v1"]) else "invalid")
            """
        let checked = try ExternalProcess.python(script: script, arguments: [header, "whsec_test_0123456789"], input: Data(body))
        #expect(checked.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "valid", "\(checked.stdout)\(checked.stderr)")
        #expect(WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_790_000_100))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_790_000_301), "outside the tolerance: a replay")
        #expect(!WebhookSignature.verify(header: header, body: body + [0x20], secret: secret, now: 1_790_000_000), "a changed body")
        #expect(!WebhookSignature.verify(header: header, body: body, secret: Array("other".utf8), now: 1_790_000_000))
        let rotated = header + ",v1=" + String(repeating: "0", count: 64)
        #expect(WebhookSignature.verify(header: rotated, body: body, secret: secret, now: 1_790_000_000), "any one v1 may match")
        #expect(!WebhookSignature.verify(header: "t=1790000000", body: body, secret: secret, now: 1_790_000_000))
    }

    @Test func statusesAndRetries() {
        #expect(DeliveryOutcome.http(status: 204) == .delivered)
        #expect(DeliveryOutcome.http(status: 410) == .permanent("HTTP 410"))
        #expect(DeliveryOutcome.http(status: 429) == .retry("HTTP 429") && DeliveryOutcome.http(status: 408) == .retry("HTTP 408"))
        #expect(DeliveryOutcome.http(status: 503) == .retry("HTTP 503"))
        var random = SplitMix(state: 7)
        let policy = RetryPolicy(initialSeconds: 1, multiplier: 2, maximumSeconds: 60, horizonSeconds: 300, jitter: 0.2)
        let start = Timestamp(microseconds: 0)
        var now = start
        var waits = [Double]()
        var attempts = 0
        while let next = policy.nextAttempt(after: attempts + 1, firstAttempt: start, now: now, random: &random) {
            waits.append(Double(next.microseconds - now.microseconds) / 1e6)
            now = next
            attempts += 1
        }
        #expect(waits.prefix(6).enumerated().allSatisfy { index, wait in abs(wait - pow(2, Double(index))) <= 0.2 * pow(2, Double(index)) + 1e-6 })
        #expect(waits.allSatisfy { $0 <= 72 }, "capped at the maximum (plus jitter)")
        #expect(now.microseconds <= 300_000_000 && attempts >= 8, "stops at the horizon: \(attempts) attempts, \(waits)")
    }

    @Test func theBreakerPausesAReceiverThatKeepsFailingAndSpacesSends() {
        var breaker = CircuitBreaker()
        let t0 = Timestamp(microseconds: 1_000_000_000)
        func at(_ seconds: Int64) -> Timestamp { t0.adding(microseconds: seconds * 1_000_000) }
        #expect(breaker.nextSend(at: t0) == t0)
        #expect(breaker.record(.retry("HTTP 503"), at: at(0)) == nil)
        #expect(breaker.nextSend(at: at(0)) == at(1), "at least a second between sends")
        #expect(breaker.record(.retry("timeout"), at: at(100)) == nil)
        #expect(breaker.record(.retry("timeout"), at: at(200)) == at(1_100), "the third failure in ten minutes pauses it for 15")
        #expect(breaker.nextSend(at: at(201)) == at(1_100))
        var spaced = CircuitBreaker()
        _ = spaced.record(.retry("x"), at: at(0))
        _ = spaced.record(.retry("x"), at: at(400))
        #expect(spaced.record(.retry("x"), at: at(700)) == nil, "the first failure left the window")
        _ = spaced.record(.delivered, at: at(701))
        #expect(spaced.record(.retry("x"), at: at(702)) == nil, "a delivery starts the count over")
    }

    @Test func deliveryReachesOnlyPublicAddressesUnlessAllowed() {
        let policy = OutboundPolicy()
        for address in ["127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.1.1", "::1", "fd00::1", "fe80::1", "100.64.0.1"] {
            #expect(!policy.permits(IPAddress(address)!), "\(address)")
        }
        #expect(policy.permits(IPAddress("93.184.216.34")!) && policy.permits(IPAddress("2606:4700::1111")!))
        let local = OutboundPolicy(allowed: [IPNetwork("127.0.0.1/32")!])
        #expect(local.permits(IPAddress("127.0.0.1")!) && !local.permits(IPAddress("127.0.0.2")!))
    }
}

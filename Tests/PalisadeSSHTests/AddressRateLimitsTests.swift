import PalisadeHoneypot
import Testing

/// The per-address token buckets: the allowance, its refill, independence between addresses and
/// kinds, switching a limit off, and the bound on addresses remembered.
struct AddressRateLimitsTests {
    /// How many of `count` calls of `admit` were admitted.
    func admitted(_ count: Int, _ admit: () -> Bool) -> Int { (0..<count).filter { _ in admit() }.count }

    @Test func connectionsAndAttemptsHaveTheirOwnAllowancePerAddress() {
        var limits = AddressRateLimits(limits: .init(connectionsPerMinute: 10, attemptsPerHour: 100))
        let first = admitted(11) { limits.admitConnection(from: "a", now: 0) }
        #expect(first == 10, "the eleventh in a minute is refused")
        let other = limits.admitConnection(from: "b", now: 0.5)
        #expect(other, "another address is not affected")
        let refilled = admitted(2) { limits.admitConnection(from: "a", now: 6.1) }
        #expect(refilled == 1, "one connection back every 6 seconds")
        let attempts = admitted(101) { limits.admitAttempt(from: "a", now: 7) }
        #expect(attempts == 100, "attempts are counted apart from connections")
        let later = admitted(2) { limits.admitAttempt(from: "a", now: 7 + 36.1) }
        #expect(later == 1, "one attempt back every 36 seconds")
        var off = AddressRateLimits(limits: .off)
        let unlimited = admitted(1_000) { off.admitConnection(from: "a", now: 0) && off.admitAttempt(from: "a", now: 0) }
        #expect(unlimited == 1_000)
    }

    @Test func addressesRememberedAreBounded() {
        var limits = AddressRateLimits(limits: .init(connectionsPerMinute: 2, attemptsPerHour: 5), maxAddresses: 100)
        for index in 0..<1_000 { _ = limits.admitConnection(from: "10.0.\(index / 256).\(index % 256)", now: Double(index) / 1_000) }
        #expect(limits.trackedAddresses <= 100)
        // A busy address is kept while idle ones are forgotten.
        var busy = AddressRateLimits(limits: .init(connectionsPerMinute: 1, attemptsPerHour: 5), maxAddresses: 2)
        _ = busy.admitConnection(from: "busy", now: 0)
        _ = busy.admitConnection(from: "idle", now: 0)
        _ = busy.admitConnection(from: "busy", now: 119)  // spent again just before "new" arrives
        _ = busy.admitConnection(from: "new", now: 120)
        #expect(busy.trackedAddresses == 2)
        let stillLimited = busy.admitConnection(from: "busy", now: 120.5)
        #expect(!stillLimited, "the busy address kept its spent allowance; the idle one was forgotten")
    }
}

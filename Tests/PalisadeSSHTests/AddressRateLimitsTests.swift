import Foundation
import PalisadeCore
import PalisadeHoneypot
import PalisadeTesting
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

/// The sensor's disk spool: events survive a reopen, the cursor moves only past acknowledged
/// batches, delivered segments are deleted, and a full spool drops its oldest segment, counted.
struct EventSpoolTests {
    static func event(_ index: Int) -> JSONValue { .object(["n": .number(Double(index)), "pad": .string(String(repeating: "x", count: 80))]) }

    @Test func eventsArePendingUntilAcknowledgedAndSurviveAReopen() throws {
        let directory = try TemporaryDirectory.make("palisade-spool")
        let spool = try EventSpool(directory: directory, segmentBytes: 1_000, segments: 50)
        for index in 0..<30 { try spool.append([Self.event(index)]) }
        #expect(try spool.statistics().pending == 30 && spool.statistics().segments > 2)
        let first = try spool.read(maxEvents: 12, maxBytes: 1 << 20)
        #expect(first.lines.count == 12)
        try spool.acknowledge(first)
        // Reopened (a restart): the acknowledged ones are gone, the rest come in order.
        let reopened = try EventSpool(directory: directory, segmentBytes: 1_000, segments: 50)
        #expect(try reopened.statistics().pending == 18)
        let rest = try reopened.read(maxEvents: 100, maxBytes: 1 << 20)
        let numbers = try rest.lines.map { line -> Double in
            guard case .object(let members) = try JSONParser().parse(line), case .number(let n)? = members["n"] else { return -1 }
            return n
        }
        #expect(numbers == (12..<30).map(Double.init))
        try reopened.acknowledge(rest)
        #expect(try reopened.statistics().pending == 0 && reopened.statistics().segments <= 1, "delivered segments are deleted")
        #expect(try reopened.read(maxEvents: 10, maxBytes: 1 << 20).lines.isEmpty)
    }

    @Test func aFullSpoolDropsItsOldestSegmentAndCountsIt() throws {
        let directory = try TemporaryDirectory.make("palisade-spool-full")
        let spool = try EventSpool(directory: directory, segmentBytes: 1_000, segments: 3)
        var dropped = 0
        for index in 0..<100 { dropped += try spool.append([Self.event(index)]) }
        let statistics = try spool.statistics()
        #expect(statistics.segments <= 3 && statistics.bytes <= 3_000, "\(statistics)")
        #expect(dropped > 0 && statistics.dropped == dropped && statistics.pending == 100 - dropped)
        let kept = try spool.read(maxEvents: 1_000, maxBytes: 1 << 20)
        #expect(kept.lines.count == statistics.pending, "what is left is readable from the first kept event on")
    }
}

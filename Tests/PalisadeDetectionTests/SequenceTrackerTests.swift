import PalisadeCore
import PalisadeDetection
import Testing

/// "A then B within T": the count of A, the edges of T, order, and restart after firing.
struct SequenceTrackerTests {
    static let t0 = Timestamp(rfc3339: "2026-03-01T10:00:00Z")!
    static func at(_ seconds: Int64) -> Timestamp { t0.adding(microseconds: seconds * 1_000_000) }

    @Test func manyFailuresThenASuccessFires() {
        var tracker = SequenceTracker(.init(withinSeconds: 600, minimumFirst: 5))
        for i in 0..<4 { #expect(tracker.observe(.first, group: "alice", at: Self.at(Int64(i)), index: UInt64(i)) == nil) }
        #expect(tracker.observe(.then, group: "alice", at: Self.at(10), index: 10) == nil, "four failures are not enough")
        #expect(tracker.observe(.first, group: "alice", at: Self.at(20), index: 20) == nil)
        let firing = tracker.observe(.then, group: "alice", at: Self.at(30), index: 30)
        #expect(firing?.firstEvidence == [0, 1, 2, 3, 20] && firing?.thenIndex == 30 && firing?.first == Self.at(0))
        // It starts over: a second success right after fires nothing.
        #expect(tracker.observe(.then, group: "alice", at: Self.at(31), index: 31) == nil)
        #expect(tracker.observe(.then, group: "bob", at: Self.at(32), index: 32) == nil)
    }

    @Test func theFirstEventsMustFallWithinTBeforeTheSecond() {
        var tracker = SequenceTracker(.init(withinSeconds: 300))
        _ = tracker.observe(.first, group: "k", at: Self.at(0), index: 0)
        // Exactly T later still counts ([t − T, t)); a microsecond more does not.
        #expect(tracker.observe(.then, group: "k", at: Self.at(300), index: 1)?.firstEvidence == [0])
        _ = tracker.observe(.first, group: "k", at: Self.at(1_000), index: 2)
        #expect(tracker.observe(.then, group: "k", at: Self.at(1_300).adding(microseconds: 1), index: 3) == nil)
        // An A after its B (out of order) does not complete it.
        var late = SequenceTracker(.init(withinSeconds: 300))
        #expect(late.observe(.then, group: "k", at: Self.at(10), index: 1) == nil)
        #expect(late.observe(.first, group: "k", at: Self.at(20), index: 2) == nil)
        #expect(late.observe(.first, group: "k", at: Self.at(5), index: 0) == nil)
        #expect(late.observe(.then, group: "k", at: Self.at(30), index: 3)?.firstEvidence == [0, 2])
    }

    @Test func memoryStaysBounded() {
        var tracker = SequenceTracker(.init(withinSeconds: 3_600, minimumFirst: 3, maxGroups: 500))
        for i in 0..<3_000 { _ = tracker.observe(.first, group: "g\(i)", at: Self.at(Int64(i)), index: UInt64(i)) }
        #expect(tracker.groupCount <= 500 && tracker.evictedGroups >= 2_500)
        var one = SequenceTracker(.init(withinSeconds: 3_600, minimumFirst: 2))
        for i in 0..<1_000 { _ = one.observe(.first, group: "g", at: Self.at(Int64(i)), index: UInt64(i)) }
        #expect(one.observe(.then, group: "g", at: Self.at(1_000), index: 1_000)?.firstEvidence == [996, 997, 998, 999])
    }
}

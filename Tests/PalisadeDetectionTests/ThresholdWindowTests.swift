import PalisadeCore
import PalisadeDetection
import Testing

/// Exact sliding windows: the edges of `(t − window, t]`, out-of-order arrival, distinct counts,
/// firing once per burst, and memory that stays bounded.
struct ThresholdWindowTests {
    static let t0 = Timestamp(rfc3339: "2026-03-01T10:00:00Z")!
    static func at(_ seconds: Double) -> Timestamp { t0.adding(microseconds: Int64(seconds * 1_000_000)) }

    @Test func theWindowIsHalfOpenToTheMicrosecond() {
        var window = ThresholdWindow(.init(windowSeconds: 300, threshold: 3))
        #expect(window.observe(group: "alice", at: Self.at(0), index: 0) == nil)
        #expect(window.observe(group: "alice", at: Self.at(100), index: 1) == nil)
        // Exactly 300 s after the first: the first is outside (t − 300 s, t].
        #expect(window.observe(group: "alice", at: Self.at(300), index: 2) == nil)
        // 1 µs less would have counted it: a fresh group shows the other edge.
        var edge = ThresholdWindow(.init(windowSeconds: 300, threshold: 3))
        _ = edge.observe(group: "bob", at: Self.at(0), index: 0)
        _ = edge.observe(group: "bob", at: Self.at(100), index: 1)
        let firing = edge.observe(group: "bob", at: Self.at(299.999999), index: 2)
        #expect(firing?.count == 3 && firing?.evidence == [0, 1, 2] && firing?.first == Self.at(0))
        // Groups are independent.
        #expect(window.observe(group: "carol", at: Self.at(301), index: 3) == nil)
        let alice = window.observe(group: "alice", at: Self.at(301), index: 4)
        #expect(alice?.evidence == [1, 2, 4], "\(String(describing: alice))")
    }

    @Test func aBurstFiresOnceThenCountsAfresh() {
        var window = ThresholdWindow(.init(windowSeconds: 60, threshold: 3))
        var firings = [ThresholdWindow.Firing]()
        for i in 0..<10 {
            if let firing = window.observe(group: "203.0.113.7", at: Self.at(Double(i)), index: UInt64(i)) { firings.append(firing) }
        }
        #expect(firings.map(\.evidence) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    }

    @Test func lateEventsCountInTheWindowsTheyBelongTo() {
        var window = ThresholdWindow(.init(windowSeconds: 30, threshold: 3))
        #expect(window.observe(group: "g", at: Self.at(10), index: 1) == nil)
        #expect(window.observe(group: "g", at: Self.at(20), index: 2) == nil)
        // Arrives after the event at 20 s but happened at 15 s: (−10, 20] now holds three.
        let firing = window.observe(group: "g", at: Self.at(15), index: 3)
        #expect(firing?.evidence == [1, 3, 2] && firing?.last == Self.at(20))
        // Too late to share a window with the newest event: ignored.
        var other = ThresholdWindow(.init(windowSeconds: 30, threshold: 2))
        _ = other.observe(group: "g", at: Self.at(100), index: 1)
        #expect(other.observe(group: "g", at: Self.at(70), index: 2) == nil)
    }

    @Test func distinctValuesCountOncePerValue() {
        var window = ThresholdWindow(.init(windowSeconds: 600, threshold: 3, countsDistinctValues: true))
        #expect(window.observe(group: "198.51.100.9", at: Self.at(0), index: 0, value: "alice") == nil)
        #expect(window.observe(group: "198.51.100.9", at: Self.at(1), index: 1, value: "alice") == nil)
        #expect(window.observe(group: "198.51.100.9", at: Self.at(2), index: 2, value: "bob") == nil)
        #expect(window.observe(group: "198.51.100.9", at: Self.at(3), index: 3, value: nil) == nil, "no value, not counted")
        let firing = window.observe(group: "198.51.100.9", at: Self.at(4), index: 4, value: "carol")
        #expect(firing?.values == ["alice", "bob", "carol"] && firing?.count == 3 && firing?.evidence == [1, 2, 4])
    }

    @Test func memoryStaysBounded() {
        var window = ThresholdWindow(.init(windowSeconds: 60, threshold: 1_000, maxGroups: 1_000))
        // 5,000 groups inside one window: the longest idle are evicted and counted.
        for i in 0..<5_000 { _ = window.observe(group: "ip-\(i)", at: Self.at(Double(i) / 1_000), index: UInt64(i)) }
        #expect(window.groupCount <= 1_000 && window.evictedGroups >= 4_000)
        // Groups whose events left the window are dropped without counting as evictions.
        let evicted = window.evictedGroups
        window.expire(at: Self.at(1_000))
        #expect(window.groupCount == 0 && window.evictedGroups == evicted)
    }
}

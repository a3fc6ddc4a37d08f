import PalisadeCore
import PalisadeDetection
import Testing

/// Temporal correlations: every step for one entity within T, in any order or in order; windows
/// at their edges; one firing per burst; state that survives a save and restore.
struct TemporalTrackerTests {
    static let t0 = Timestamp(rfc3339: "2026-03-01T10:00:00Z")!
    static func at(_ seconds: Int64) -> Timestamp { t0.adding(microseconds: seconds * 1_000_000) }

    @Test func unorderedFiresWhenEveryStepIsInsideTheWindow() {
        var tracker = TemporalTracker(.init(withinSeconds: 60, steps: 3, ordered: false))
        #expect(tracker.observe(steps: [2], group: "a", at: Self.at(0), index: 0) == nil)
        #expect(tracker.observe(steps: [0], group: "a", at: Self.at(30), index: 1) == nil)
        #expect(tracker.observe(steps: [1], group: "b", at: Self.at(31), index: 2) == nil, "another entity")
        let firing = tracker.observe(steps: [1], group: "a", at: Self.at(59), index: 3)
        #expect(firing?.evidence == [0, 1, 3] && firing?.first == Self.at(0) && firing?.last == Self.at(59))
        #expect(tracker.groupCount == 1, "the fired group starts over; b remains")
        // Exactly T apart is outside the window (t − T, t].
        var edge = TemporalTracker(.init(withinSeconds: 60, steps: 2, ordered: false))
        _ = edge.observe(steps: [0], group: "a", at: Self.at(0), index: 0)
        #expect(edge.observe(steps: [1], group: "a", at: Self.at(60), index: 1) == nil)
        #expect(edge.observe(steps: [0], group: "a", at: Self.at(61), index: 2)?.evidence == [1, 2])
    }

    @Test func orderedNeedsTheStepsInTheirOrder() {
        var tracker = TemporalTracker(.init(withinSeconds: 3_600, steps: 2, ordered: true))
        #expect(tracker.observe(steps: [1], group: "mallory", at: Self.at(0), index: 0) == nil, "an export before any policy change")
        #expect(tracker.observe(steps: [0], group: "mallory", at: Self.at(10), index: 1) == nil, "the change comes after: not yet")
        #expect(tracker.observe(steps: [1], group: "mallory", at: Self.at(20), index: 2)?.evidence == [1, 2])
        var three = TemporalTracker(.init(withinSeconds: 100, steps: 3, ordered: true))
        _ = three.observe(steps: [0], group: "x", at: Self.at(0), index: 0)
        _ = three.observe(steps: [2], group: "x", at: Self.at(5), index: 1)
        _ = three.observe(steps: [1], group: "x", at: Self.at(10), index: 2)
        #expect(three.observe(steps: [2], group: "x", at: Self.at(20), index: 3)?.evidence == [0, 2, 3])
    }

    @Test func stateSurvivesASaveAndRestore() throws {
        var tracker = TemporalTracker(.init(withinSeconds: 60, steps: 2, ordered: false))
        _ = tracker.observe(steps: [0], group: "a", at: Self.at(0), index: 7)
        var restored = TemporalTracker(.init(withinSeconds: 60, steps: 2, ordered: false))
        try restored.restore(tracker.state())
        #expect(restored.observe(steps: [1], group: "a", at: Self.at(10), index: 8)?.evidence == [7, 8])
        #expect(throws: RuleStateError.self) { try restored.restore(.string("no")) }
    }
}

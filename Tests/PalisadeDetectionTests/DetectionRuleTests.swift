import PalisadeCore
import PalisadeDetection
import PalisadeTesting
import Testing

/// Rule files that cannot work are refused at load time, naming the rule and the problem.
struct DetectionRuleTests {
    static let factory = EventFactory()
    static let detection = "detection:\n  failed: {event_type: authentication, success: 'false'}\n  condition: failed\n"

    @Test func brokenRulesAreRefusedWithTheirIdAndTheReason() throws {
        let cases: [(String, String)] = [
            ("title: x\nincident: brute_force_attack\nlevel: high\n" + Self.detection, "it has no id"),
            ("id: r1\nincident: Brute Force\nlevel: high\n" + Self.detection, "'incident' must name"),
            ("id: r1\nincident: brute_force_attack\nlevel: severe\n" + Self.detection, "'level' must be"),
            ("id: r1\nincident: brute_force_attack\nlevel: high\n" + Self.detection + "threshold: {count: 5, within: 5m}", "group_by must"),
            (
                "id: r1\nincident: brute_force_attack\nlevel: high\n" + Self.detection
                    + "threshold: {count: 5, within: 5 minutes, group_by: [actor]}", "duration"
            ),
            (
                "id: r1\nincident: brute_force_attack\nlevel: high\n" + Self.detection + "threshold: {count: 0, within: 5m, group_by: [actor]}",
                "positive"
            ),
            (
                "id: r1\nincident: brute_force_attack\nlevel: high\n" + Self.detection
                    + "threshold: {count: 5, within: 5m, group_by: [actor]}\nsequence: {first: failed, then: failed, within: 5m, group_by: [actor]}",
                "not both"
            ),
            (
                "id: r1\nincident: brute_force_attack\nlevel: high\n" + Self.detection
                    + "sequence: {first: failed, then: nope, within: 5m, group_by: [actor]}", "'nope'"
            ),
        ]
        for (yaml, reason) in cases {
            #expect {
                try DetectionRule(yaml: yaml)
            } throws: { error in
                "\(error)".contains(reason) && ("\(error)".hasPrefix("rule r1: ") || reason == "it has no id")
            }
        }
        let two = try DetectionRule(yaml: "id: r1\nincident: brute_force_attack\nlevel: high\n" + Self.detection)
        #expect(throws: RuleError.self) { try DetectionEngine(rules: [two, two]) }
    }

    @Test func titlesAreFilledOnceFromTheEvent() throws {
        let rule = try DetectionRule(
            yaml: "id: r2\ntitle: '{actor} from {source_ip} ({missing})'\nincident: unauthorized_access\nlevel: low\n" + Self.detection
        )
        var engine = try DetectionEngine(rules: [rule])
        let event = Self.factory.event(actor: "{actor}", success: false, sourceIP: "192.0.2.1")
        let detections = engine.process(StoredEvent(index: 0, event: event))
        #expect(detections.map(\.title) == ["{actor} from 192.0.2.1 (?)"], "a value is inserted, never expanded again")
    }
}

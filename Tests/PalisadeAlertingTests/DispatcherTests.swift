import Foundation
import PalisadeAlerting
import PalisadeCore
import Testing

/// Grouping and pacing (group_wait, group_interval, repeat_interval), resolution, inhibition and
/// silences, driven by an explicit clock.
struct DispatcherTests {
    static let t0 = Timestamp(rfc3339: "2026-03-01T10:00:00Z")!
    static func at(_ seconds: Int64) -> Timestamp { t0.adding(microseconds: seconds * 1_000_000) }

    static func alert(
        _ id: String,
        _ level: String = "high",
        entity: String = "actor=alice",
        type: String = "brute_force_attack",
        firing: Bool = true
    )
        -> Alert
    {
        Alert(
            labels: ["tenant": "acme", "incident_type": type, "threat_level": level, "entity": entity],
            fingerprint: id,
            isFiring: firing,
            startsAt: t0,
            updatedAt: t0
        )
    }

    static let timing = Route.Timing(groupWait: 30, groupInterval: 300, repeatInterval: 3_600)

    @Test func groupsWaitThenBatchThenRepeatAndResolveOnce() {
        var dispatcher = Dispatcher(route: Route(receiver: "chat", timing: Self.timing), inhibitRules: [])
        dispatcher.receive(Self.alert("a"), at: Self.at(0))
        dispatcher.receive(Self.alert("b", entity: "actor=bob"), at: Self.at(10))
        dispatcher.receive(Self.alert("c", type: "credential_stuffing"), at: Self.at(12))
        #expect(dispatcher.due(at: Self.at(29)).isEmpty, "group_wait batches the first alerts")
        let first = dispatcher.due(at: Self.at(30))
        #expect(first.map { $0.firing.map(\.fingerprint) } == [["a", "b"]], "one group per tenant and type; the other waits its own group_wait")
        #expect(dispatcher.due(at: Self.at(42)).map { $0.firing.map(\.fingerprint) } == [["c"]])
        // A new alert in a notified group waits for group_interval.
        dispatcher.receive(Self.alert("d", entity: "actor=dave"), at: Self.at(60))
        #expect(dispatcher.due(at: Self.at(329)).isEmpty)
        #expect(dispatcher.due(at: Self.at(330)).map { $0.firing.map(\.fingerprint) } == [["a", "b", "d"]])
        // Nothing new: silent until repeat_interval.
        #expect(dispatcher.due(at: Self.at(3_000)).isEmpty)
        let repeated = dispatcher.due(at: Self.at(3_930))
        #expect(repeated.count == 2, "both groups repeat after repeat_interval")
        // A resolution is sent once, with what still fires; then forgotten.
        dispatcher.receive(Self.alert("b", entity: "actor=bob", firing: false), at: Self.at(4_000))
        let resolved = dispatcher.due(at: Self.at(4_230))
        #expect(resolved.count == 1 && resolved[0].resolved.map(\.fingerprint) == ["b"] && resolved[0].firing.map(\.fingerprint) == ["a", "d"])
        #expect(dispatcher.due(at: Self.at(4_600)).isEmpty)
        // An escalation is news.
        dispatcher.receive(Self.alert("a", "critical"), at: Self.at(4_700))
        #expect(dispatcher.due(at: Self.at(4_730)).first?.firing.first?.labels["threat_level"] == "critical")
    }

    @Test func aCriticalAlertInhibitsItsTwinsAndSilencesMute() throws {
        var dispatcher = Dispatcher(route: Route(receiver: "chat", groupBy: ["..."], timing: Self.timing))
        dispatcher.receive(Self.alert("low-twin", "medium"), at: Self.at(0))
        dispatcher.receive(Self.alert("critical", "critical", type: "unauthorized_access"), at: Self.at(0))
        dispatcher.receive(Self.alert("other-entity", "medium", entity: "actor=bob"), at: Self.at(0))
        let sent = dispatcher.due(at: Self.at(30)).flatMap(\.firing).map(\.fingerprint)
        #expect(Set(sent) == ["critical", "other-entity"], "the medium alert about alice is inhibited by the critical one")

        let silence = try Silence(
            id: UUID(),
            matchers: [try Matcher(parsing: "entity=actor=bob")],
            startsAt: Self.at(0),
            endsAt: Self.at(1_000),
            createdBy: "oncall",
            comment: "bob is testing"
        )
        var muted = Dispatcher(route: Route(receiver: "chat", groupBy: ["entity"], timing: Self.timing), silences: [silence])
        muted.receive(Self.alert("b", entity: "actor=bob"), at: Self.at(0))
        #expect(muted.due(at: Self.at(30)).isEmpty, "silenced")
        #expect(muted.due(at: Self.at(999)).isEmpty)
        #expect(muted.due(at: Self.at(1_000)).flatMap(\.firing).map(\.fingerprint) == ["b"], "the silence expired: news")
        #expect(throws: AlertingError.self) {
            try Silence(id: UUID(), matchers: [], startsAt: Self.at(0), endsAt: Self.at(1), createdBy: "x", comment: "everything")
        }
        #expect(throws: AlertingError.self) {
            try Silence(id: UUID(), matchers: [try Matcher(parsing: "a=b")], startsAt: Self.at(1), endsAt: Self.at(1), createdBy: "x", comment: "c")
        }
    }

    @Test func theStateKeySaysWhetherTwoNotificationsSayTheSame() {
        let one = AlertNotification(receiver: "r", groupKey: "g", groupLabels: [:], firing: [Self.alert("a")], resolved: [], at: Self.at(0))
        var same = one
        same.at = Self.at(100)
        var escalated = one
        escalated.firing = [Self.alert("a", "critical")]
        #expect(one.stateKey == same.stateKey && one.stateKey != escalated.stateKey && one.stateKey.count == 64)
    }
}

import Foundation
import PalisadeAlerting
import PalisadeCore
import Testing

/// The bodies each kind of receiver gets, checked against the services' documented formats, and
/// which URLs are recognised as which service.
struct PayloadTests {
    static let t0 = Timestamp(rfc3339: "2026-03-01T10:00:00Z")!

    static func alert(_ id: String, level: String, firing: Bool = true) -> Alert {
        Alert(
            labels: [
                "tenant": "acme", "incident_type": "brute_force_attack", "threat_level": level, "rule": "auth.brute_force.actor",
                "incident_id": id,
            ],
            annotations: ["title": "Brute force against <alice> & co"],
            fingerprint: id,
            isFiring: firing,
            startsAt: t0,
            updatedAt: t0
        )
    }

    static let notification = AlertNotification(
        receiver: "oncall",
        groupKey: "0|tenant=acme",
        groupLabels: ["tenant": "acme"],
        firing: [alert("i-1", level: "critical"), alert("i-2", level: "medium")],
        resolved: [alert("i-0", level: "high", firing: false)],
        at: t0
    )

    static func member(_ value: JSONValue?, _ path: String...) -> JSONValue? {
        var current = value
        for name in path {
            guard case .object(let members)? = current else { return nil }
            current = members[name]
        }
        return current
    }

    @Test func urlsOfKnownServicesGetTheirFormat() {
        #expect(ReceiverKind(url: URL(string: "https://hooks.slack.com/services/T000/B000/XXXX")!) == .slack)
        #expect(ReceiverKind(url: URL(string: "https://discord.com/api/webhooks/1/abc")!) == .discord)
        #expect(ReceiverKind(url: URL(string: "https://events.pagerduty.com/v2/enqueue")!) == .pagerDuty)
        #expect(ReceiverKind(url: URL(string: "https://hooks.slack.com.evil.example/services/x")!) == .webhook)
        #expect(ReceiverKind(url: URL(string: "http://hooks.slack.com/services/x")!) == .webhook, "only over HTTPS")
        #expect(ReceiverKind(url: URL(string: "https://example.com/palisade-hook")!) == .webhook)
    }

    @Test func pagerDutyEventsTriggerAndResolveWithAStableDedupKey() {
        let events = NotificationPayloads.pagerDuty(Self.notification, routingKey: "R0UT1NGKEY", link: "https://palisade.example/incidents/i-1")
        #expect(events.count == 3)
        #expect(Self.member(events[0], "event_action") == .string("trigger") && Self.member(events[0], "routing_key") == .string("R0UT1NGKEY"))
        #expect(Self.member(events[0], "dedup_key") == .string("palisade/acme/i-1"))
        #expect(
            Self.member(events[0], "payload", "severity") == .string("critical")
                && Self.member(events[1], "payload", "severity") == .string("warning")
        )
        #expect(Self.member(events[0], "payload", "summary") == .string("Brute force against <alice> & co"))
        #expect(
            Self.member(events[0], "payload", "source") == .string("palisade/acme")
                && Self.member(events[0], "payload", "timestamp") == .string(Self.t0.rfc3339)
        )
        // The resolution names the same dedup key as its trigger did, and carries no payload.
        #expect(Self.member(events[2], "event_action") == .string("resolve") && Self.member(events[2], "dedup_key") == .string("palisade/acme/i-0"))
        #expect(Self.member(events[2], "payload") == nil)
        let required: Set<String> = ["summary", "source", "severity"]
        for event in events.prefix(2) {
            guard case .object(let payload)? = Self.member(event, "payload") else { continue }
            #expect(required.isSubset(of: Set(payload.keys)))
        }
    }

    @Test func anAcknowledgedIncidentAcknowledgesItsPageAndIsNewsToTheDispatcher() throws {
        var acknowledged = Self.alert("i-1", level: "critical")
        acknowledged.labels["status"] = "acknowledged"
        let notification = AlertNotification(receiver: "pager", groupKey: "0|x", groupLabels: [:], firing: [acknowledged], resolved: [], at: Self.t0)
        let events = NotificationPayloads.pagerDuty(notification, routingKey: "R0UT1NGKEY", link: nil)
        #expect(
            Self.member(events[0], "event_action") == .string("acknowledge") && Self.member(events[0], "dedup_key") == .string("palisade/acme/i-1")
        )
        #expect(Self.member(events[0], "payload") == nil)
        // The dispatcher tells the receiver about the acknowledgement (at the next group interval).
        var dispatcher = Dispatcher(route: Route(receiver: "pager", timing: .init(groupWait: 0, groupInterval: 60, repeatInterval: 86_400)))
        var open = Self.alert("i-1", level: "critical")
        open.labels["status"] = "open"
        dispatcher.receive(open, at: Self.t0)
        #expect(dispatcher.due(at: Self.t0).count == 1)
        dispatcher.receive(acknowledged, at: Self.t0.adding(microseconds: 10_000_000))
        #expect(dispatcher.due(at: Self.t0.adding(microseconds: 30_000_000)).isEmpty)
        let later = dispatcher.due(at: Self.t0.adding(microseconds: 60_000_000))
        #expect(later.count == 1 && later.first?.firing.first?.labels["status"] == "acknowledged")
    }

    @Test func slackAndDiscordMessagesStayWithinTheirLimits() {
        let slack = NotificationPayloads.slack(Self.notification, link: "https://palisade.example/i")
        guard case .array(let blocks)? = Self.member(slack, "blocks") else {
            Issue.record("blocks")
            return
        }
        #expect(Self.member(blocks[0], "type") == .string("header") && blocks.count == 5, "header, three alerts, context")
        guard case .string(let section)? = Self.member(blocks[1], "text", "text") else { return }
        #expect(section.contains("&lt;alice&gt; &amp; co") && section.contains("*critical*"), "mrkdwn is escaped: \(section)")
        var many = Self.notification
        many.firing = (0..<40).map { Self.alert("i-\($0)", level: "low") }
        many.groupLabels = ["tenant": String(repeating: "x", count: 400)]
        let big = NotificationPayloads.slack(many, link: nil)
        guard case .array(let bigBlocks)? = Self.member(big, "blocks"), case .string(let header)? = Self.member(bigBlocks[0], "text", "text") else {
            return
        }
        #expect(bigBlocks.count <= 50 && header.count <= 150)
        let discord = NotificationPayloads.discord(many)
        guard case .array(let embeds)? = Self.member(discord, "embeds"), case .string(let content)? = Self.member(discord, "content") else { return }
        #expect(embeds.count == 10 && content.count <= 2_000)
    }

    @Test func theGenericPayloadCarriesTheGroupAndEveryAlert() {
        let body = NotificationPayloads.webhook(Self.notification, sentAt: Self.t0)
        #expect(Self.member(body, "status") == .string("firing") && Self.member(body, "state_key") == .string(Self.notification.stateKey))
        guard case .array(let alerts)? = Self.member(body, "alerts") else { return }
        #expect(alerts.count == 3 && Self.member(alerts[2], "status") == .string("resolved"))
        #expect(Self.member(alerts[0], "labels", "threat_level") == .string("critical"))
    }
}

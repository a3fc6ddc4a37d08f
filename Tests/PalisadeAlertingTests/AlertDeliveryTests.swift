import Crypto
import Foundation
import PalisadeAlerting
import PalisadeChannels
import PalisadeCore
import PalisadeTesting
import Synchronization
import Testing

/// Incident records to receivers over real HTTP: signed webhooks, retries with the breaker's pause,
/// timeouts, dead letters, SSRF refusals, and each service's wire format checked by the receiver.
@Suite(.serialized) struct AlertDeliveryTests {
    static let fast = #"{"route": {"receiver": "ops", "group_wait": 0, "group_interval": "1m", "repeat_interval": "4h"}}"#

    @Test func anIncidentReachesAWebhookSignedOnceAndItsResolutionFollows() async throws {
        let pipeline = try AlertPipeline()
        let receiver = try await TestReceiver()
        let transport = AlertPipeline.localTransport()
        let secret = ReceiverSecret.newSigningSecret()
        try await pipeline.addReceiver("ops", kind: .webhook, secret: ReceiverSecret(url: receiver.url + "/hook", signingSecret: secret))
        try await pipeline.setPolicy(Self.fast)
        try await pipeline.incident(["inc-1"])
        let consumer = pipeline.consumer()
        let deliverer = pipeline.deliverer(transport: transport)

        #expect(try await consumer.runOnce().enqueued == 1)
        #expect(try await deliverer.runOnce().count(.delivered) == 1)
        let first = try #require(receiver.requests.first)
        #expect(first.path == "/hook")
        let signature = try #require(first.headers["x-palisade-signature"])
        #expect(
            WebhookSignature.verify(
                header: signature,
                body: first.body,
                secret: Array(secret.utf8),
                now: pipeline.clock.now().microseconds / 1_000_000
            )
        )
        #expect(
            !WebhookSignature.verify(
                header: signature,
                body: first.body + [0x20],
                secret: Array(secret.utf8),
                now: pipeline.clock.now().microseconds / 1_000_000
            )
        )
        let delivered = try await pipeline.outbox(.delivered)
        #expect(first.headers["x-palisade-delivery"] == delivered.first?.id.uuidString.lowercased())
        let body = try #require(first.json as? [String: Any])
        let alerts = try #require(body["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1 && alerts.first?["fingerprint"] as? String == "inc-1" && body["status"] as? String == "firing")

        // Nothing new: nothing is enqueued or sent again.
        pipeline.clock.advance(seconds: 120)
        #expect(try await consumer.runOnce().enqueued == 0)
        #expect(try await deliverer.runOnce().attempts.isEmpty)

        // The incident is resolved: one resolution, after group_interval.
        try await pipeline.incident(["inc-1"], status: "resolved")
        #expect(try await consumer.runOnce().enqueued == 1)
        #expect(try await deliverer.runOnce().count(.delivered) == 1)
        let resolution = try #require(receiver.requests.last?.json as? [String: Any])
        #expect(resolution["status"] as? String == "resolved")
        #expect(receiver.requests.count == 2)
        await transport.shutdown()
        try await receiver.stop()
    }

    @Test func aReceiverThatFailsThreeTimesIsPausedThenGetsTheNotification() async throws {
        let pipeline = try AlertPipeline()
        let receiver = try await TestReceiver { number, _ in number < 3 ? .status(503) : .status(200) }
        let transport = AlertPipeline.localTransport()
        try await pipeline.addReceiver("ops", kind: .webhook, secret: ReceiverSecret(url: receiver.url, signingSecret: "whsec_x"))
        try await pipeline.setPolicy(Self.fast)
        try await pipeline.incident(["inc-1"])
        let deliverer = pipeline.deliverer(transport: transport)
        #expect(try await pipeline.consumer().runOnce().enqueued == 1)

        var paused = [String]()
        for _ in 0..<3 {
            let report = try await deliverer.runOnce()
            #expect(report.count(.retry) == 1)
            paused += report.paused
            pipeline.clock.advance(seconds: 10)
        }
        // Three failures within ten minutes: the receiver is paused for fifteen, and that is recorded.
        #expect(paused == ["default/ops"])
        let pauses = try await pipeline.alertingRecords(.receiverPaused)
        #expect(pauses.count == 1 && pauses.first?.metadata["reason"].map { "\($0)" }?.contains("HTTP 503") == true)
        pipeline.clock.advance(seconds: 60)
        let during = try await deliverer.runOnce()
        #expect(during.attempts.isEmpty && during.deferred == 1)
        #expect(receiver.requests.count == 3)
        pipeline.clock.advance(seconds: 15 * 60)
        #expect(try await deliverer.runOnce().count(.delivered) == 1)
        let delivered = try #require(try await pipeline.outbox(.delivered).first)
        #expect(delivered.attempts == 4)
        #expect(receiver.requests.map { $0.headers["x-palisade-attempt"] } == ["1", "2", "3", "4"])
        #expect(Set(receiver.requests.map { $0.headers["x-palisade-delivery"] }).count == 1)
        await transport.shutdown()
        try await receiver.stop()
    }

    @Test func aReceiverThatHangsTimesOutAndIsRetried() async throws {
        let pipeline = try AlertPipeline()
        let receiver = try await TestReceiver { _, _ in .hang }
        let transport = AlertPipeline.localTransport(timeoutSeconds: 1)
        try await pipeline.addReceiver("ops", kind: .webhook, secret: ReceiverSecret(url: receiver.url))
        try await pipeline.setPolicy(Self.fast)
        try await pipeline.incident(["inc-1"])
        #expect(try await pipeline.consumer().runOnce().enqueued == 1)
        let started = ContinuousClock.now
        let report = try await pipeline.deliverer(transport: transport).runOnce()
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(report.count(.retry) == 1)
        let pending = try #require(try await pipeline.outbox(.pending).first)
        #expect(pending.attempts == 1 && pending.lastError?.contains("no response") == true)
        #expect(pending.nextAttemptAt > pipeline.clock.now())
        await transport.shutdown()
        try await receiver.stop()
    }

    @Test func a410DeadLettersAtOnceWithTheReason() async throws {
        let pipeline = try AlertPipeline()
        let receiver = try await TestReceiver { _, _ in .status(410) }
        let transport = AlertPipeline.localTransport()
        try await pipeline.addReceiver("ops", kind: .webhook, secret: ReceiverSecret(url: receiver.url))
        try await pipeline.setPolicy(Self.fast)
        try await pipeline.incident(["inc-1"])
        #expect(try await pipeline.consumer().runOnce().enqueued == 1)
        let deliverer = pipeline.deliverer(transport: transport)
        #expect(try await deliverer.runOnce().count(.dead) == 1)
        let dead = try await pipeline.outbox(.dead)
        #expect(dead.count == 1 && dead[0].attempts == 1 && dead[0].lastError?.hasPrefix("HTTP 410") == true)
        pipeline.clock.advance(seconds: 3_600)
        #expect(try await deliverer.runOnce().attempts.isEmpty)
        #expect(receiver.requests.count == 1)
        await transport.shutdown()
        try await receiver.stop()
    }

    @Test func loopbackIsRefusedUnlessAllowedAndRedirectsAreNotFollowed() async throws {
        let pipeline = try AlertPipeline()
        let receiver = try await TestReceiver()
        let strict = HTTPTransport(configuration: .init(policy: OutboundPolicy()))
        try await pipeline.addReceiver("ops", kind: .webhook, secret: ReceiverSecret(url: "http://localhost:\(receiver.port)/"))
        try await pipeline.setPolicy(Self.fast)
        try await pipeline.incident(["inc-1"])
        #expect(try await pipeline.consumer().runOnce().enqueued == 1)
        #expect(try await pipeline.deliverer(transport: strict).runOnce().count(.dead) == 1)
        let dead = try #require(try await pipeline.outbox(.dead).first)
        #expect(dead.lastError?.contains("allow_networks") == true)
        #expect(receiver.requests.isEmpty)
        // A 3xx is an answer, not a way around the check: it is not followed.
        let redirecting = try await TestReceiver { _, _ in .status(307) }
        let transport = AlertPipeline.localTransport()
        let outcome = await transport.post(redirecting.url, headers: [], body: Array("{}".utf8))
        #expect(outcome == .retry("HTTP 307: ok"))
        #expect(redirecting.requests.count == 1)
        await strict.shutdown()
        await transport.shutdown()
        try await receiver.stop()
        try await redirecting.stop()
    }

    @Test func slackDiscordAndPagerDutyReceiveTheirDocumentedFormats() async throws {
        let pipeline = try AlertPipeline()
        let receiver = try await TestReceiver { _, request in
            // Each mock answers as its service does to a well-formed request, 400 otherwise.
            ServiceFormats.check(request) ? .status(request.path.hasPrefix("/api/webhooks/") ? 204 : 202) : .status(400)
        }
        let transport = AlertPipeline.localTransport()
        try await pipeline.addReceiver("slack", kind: .slack, secret: ReceiverSecret(url: receiver.url + "/services/T000/B000/XXXX"))
        try await pipeline.addReceiver("discord", kind: .discord, secret: ReceiverSecret(url: receiver.url + "/api/webhooks/1/abc"))
        try await pipeline.addReceiver(
            "pager",
            kind: .pagerDuty,
            secret: ReceiverSecret(url: receiver.url + "/v2/enqueue", routingKey: "R0UT1NGKEY0123456789ABCDEFGHIJKL")
        )
        try await pipeline.setPolicy(
            #"{"route": {"receiver": "slack", "group_wait": 0, "group_interval": "1s", "routes": [{"receiver": "slack", "continue": true}, {"receiver": "discord", "continue": true}, {"receiver": "pager", "matchers": ["threat_level=~high|critical"]}]}}"#
        )
        try await pipeline.incident(["inc-1", "inc-2"])
        #expect(try await pipeline.consumer().runOnce().enqueued == 3)
        let deliverer = pipeline.deliverer(transport: transport)
        #expect(try await deliverer.runOnce().count(.delivered) == 3)
        #expect(receiver.requests.filter { $0.path.hasPrefix("/v2/enqueue") }.count == 2)
        #expect(receiver.requests.filter { $0.path.hasPrefix("/services/") }.count == 1)
        #expect(receiver.requests.filter { $0.path.hasPrefix("/api/webhooks/") }.count == 1)
        // Resolving pages resolves them under the same dedup_key.
        pipeline.clock.advance(seconds: 5)
        try await pipeline.incident(["inc-1", "inc-2"], status: "resolved")
        #expect(try await pipeline.consumer().runOnce().enqueued == 3)
        pipeline.clock.advance(seconds: 5)
        #expect(try await deliverer.runOnce().count(.delivered) == 3)
        let pages = receiver.requests.filter { $0.path == "/v2/enqueue" }.compactMap { $0.json as? [String: Any] }
        let triggered = Set(pages.filter { $0["event_action"] as? String == "trigger" }.compactMap { $0["dedup_key"] as? String })
        let resolved = Set(pages.filter { $0["event_action"] as? String == "resolve" }.compactMap { $0["dedup_key"] as? String })
        #expect(triggered == ["palisade/default/inc-1", "palisade/default/inc-2"] && resolved == triggered)
        #expect(try await pipeline.outbox(.dead).isEmpty)
        await transport.shutdown()
        try await receiver.stop()
    }

    @Test func aThousandPendingNotificationsSurviveARestartAndArriveOnce() async throws {
        let pipeline = try AlertPipeline()
        let receiver = try await TestReceiver()
        let transport = AlertPipeline.localTransport()
        try await pipeline.addReceiver("ops", kind: .webhook, secret: ReceiverSecret(url: receiver.url))
        try await pipeline.setPolicy(#"{"route": {"receiver": "ops", "group_by": ["..."], "group_wait": 0}}"#)
        try await pipeline.incident((0..<1_000).map { "inc-\($0)" })
        #expect(try await pipeline.consumer().runOnce().enqueued == 1_000)
        // A consumer that starts again from an unsaved cursor makes the same notifications: none is
        // enqueued twice.
        #expect(try await pipeline.consumer().runOnce().enqueued == 0)
        _ = try await pipeline.deliverer(transport: transport, batchSize: 300).runOnce()
        #expect(try await pipeline.outbox(.pending).count == 700)
        // "Restart": a new deliverer over the same file.
        let reopened = try AlertPipeline(reopening: pipeline)
        let restarted = reopened.deliverer(transport: transport, batchSize: 300)
        while try await !restarted.runOnce().attempts.isEmpty {}
        #expect(try await reopened.outbox(.delivered).count == 1_000)
        let ids = receiver.requests.compactMap { $0.headers["x-palisade-delivery"] }
        #expect(ids.count == 1_000 && Set(ids).count == 1_000)
        await transport.shutdown()
        try await receiver.stop()
    }
}

/// What the format-checking mocks of the SaaS receivers accept: each service's documented request.
enum ServiceFormats {
    static func check(_ request: TestReceiver.Request) -> Bool {
        guard request.method == "POST", request.headers["content-type"] == "application/json",
            let body = request.json as? [String: Any]
        else { return false }
        if request.path.hasPrefix("/services/") {
            // Slack incoming webhook: text (fallback) and at most 50 blocks of known types.
            guard let text = body["text"] as? String, !text.isEmpty, let blocks = body["blocks"] as? [[String: Any]], blocks.count <= 50 else {
                return false
            }
            return blocks.allSatisfy { ["header", "section", "context", "divider"].contains($0["type"] as? String ?? "") }
        }
        if request.path.hasPrefix("/api/webhooks/") {
            // Discord: content of at most 2,000 characters and at most 10 embeds.
            guard let content = body["content"] as? String, content.count <= 2_000, let embeds = body["embeds"] as? [[String: Any]] else {
                return false
            }
            return embeds.count <= 10 && embeds.allSatisfy { ($0["title"] as? String)?.count ?? 0 <= 256 }
        }
        if request.path == "/v2/enqueue" {
            // PagerDuty Events API v2: a 32-character routing key, an action, a dedup key, and a
            // payload with summary, source and one of the four severities on a trigger.
            guard let key = body["routing_key"] as? String, key.count == 32, let action = body["event_action"] as? String,
                ["trigger", "acknowledge", "resolve"].contains(action), body["dedup_key"] is String
            else { return false }
            guard action == "trigger" else { return true }
            guard let payload = body["payload"] as? [String: Any], let summary = payload["summary"] as? String, summary.count <= 1_024,
                payload["source"] is String, ["critical", "error", "warning", "info"].contains(payload["severity"] as? String ?? "")
            else { return false }
            return true
        }
        return false
    }
}

/// Operators' message templates (Mustache) for chat, Slack, Discord and email receivers.
@Suite(.serialized) struct TemplateTests {
    static let template =
        "{{status}}: {{firing_count}}\n{{#firing}}- [{{level}}] {{title}} ({{tenant}}/{{incident_id}}){{/firing}}\n{{#link}}{{link}}{{/link}}"

    @Test func chatAndSlackReceiversSendTheirTemplatesText() async throws {
        let pipeline = try AlertPipeline()
        let receiver = try await TestReceiver()
        let transport = AlertPipeline.localTransport()
        try await pipeline.addReceiver("teams", kind: .chat, secret: ReceiverSecret(url: receiver.url + "/teams", template: Self.template))
        try await pipeline.addReceiver("slack", kind: .slack, secret: ReceiverSecret(url: receiver.url + "/services/T/B/X", template: Self.template))
        try await pipeline.setPolicy(
            #"{"route": {"receiver": "teams", "group_wait": 0, "routes": [{"receiver": "teams", "continue": true}, {"receiver": "slack"}]}}"#
        )
        try await pipeline.incident(["inc-<1>"])
        #expect(try await pipeline.consumer().runOnce().enqueued == 2)
        #expect(try await pipeline.deliverer(transport: transport).runOnce().count(.delivered) == 2)
        let texts = Dictionary(
            uniqueKeysWithValues: receiver.requests.map { ($0.path, ($0.json as? [String: Any])?["text"] as? String ?? "") }
        )
        #expect(texts["/teams"] == "firing: 1\n- [high] Incident inc-<1> (default/inc-<1>)\nhttps://palisade.example/incidents", "\(texts)")
        // Slack's text is mrkdwn: the values are escaped, the template's own text is not.
        #expect(texts["/services/T/B/X"]?.contains("- [high] Incident inc-&lt;1&gt; (default/inc-&lt;1&gt;)") == true, "\(texts)")
        await transport.shutdown()
        try await receiver.stop()
    }

    @Test func aTemplateThatDoesNotParseOrDoesNotApplyIsRefused() throws {
        let changes = AlertingChanges(sealer: SecretSealer(key: .init(size: .bits256)), tenant: .default, actor: "t", now: ManualWallClock().now())
        var spec = ReceiverSpec(url: "https://chat.example.com/hook", kind: .chat)
        spec.template = "{{#firing}}unclosed"
        #expect(throws: AlertingError.self) { try changes.storeReceiver("c", spec, current: TenantAlerting()) }
        do {
            _ = try changes.storeReceiver("c", spec, current: TenantAlerting())
        } catch {
            #expect(error.description.hasPrefix("template: does not parse"))
        }
        var webhook = ReceiverSpec(url: "https://example.com/hook")
        webhook.template = "{{status}}"
        do {
            _ = try changes.storeReceiver("w", webhook, current: TenantAlerting())
            Issue.record("a webhook took a template")
        } catch {
            #expect(error.description.hasPrefix("template: only chat"))
        }
    }
}

import Foundation
import HTTPTypes
import PalisadeCore
import PalisadeServer
import PalisadeTesting
import Testing

/// `/v1/alerting`: receivers with the signing secret shown once and never listed, refusals naming
/// the field, a policy checked against the receivers, silences needing `respond`, test
/// notifications, and dead letters in the API and /metrics; one tenant never sees another's.
struct AlertingAPITests {
    @Test func receiversPolicySilencesAndDeadLetters() async throws {
        try await ServerHarness.run(alerting: true) { server in
            let admin = server.adminToken
            let stored = try await server.send(.put, "/v1/alerting/receivers/ops", token: admin, body: #"{"url": "http://127.0.0.1:9/hook"}"#)
            #expect(try stored.status == 201 && stored.value("kind") == .string("webhook"), "\(stored.text)")
            guard case .string(let secret)? = try stored.value("signing_secret") else {
                Issue.record("no signing secret: \(stored.text)")
                return
            }
            #expect(secret.hasPrefix("whsec_") && secret.count == 70)
            let listed = try await server.send(.get, "/v1/alerting/receivers", token: admin)
            #expect(
                listed.status == 200 && !listed.text.contains(secret) && !listed.text.contains("/hook") && listed.text.contains("http://127.0.0.1:9")
            )
            // Refusals name the field.
            for (body, field) in [
                (#"{"url": "gopher://x"}"#, "url"), (#"{"url": "https://events.pagerduty.com/v2/enqueue"}"#, "routing_key"),
                (#"{"url": "https://example.com", "colour": "red"}"#, "colour"), (#"{"url": "smtp://mail.example.com"}"#, "from"),
            ] {
                let refused = try await server.send(.put, "/v1/alerting/receivers/x", token: admin, body: body)
                #expect(try refused.status == 400 && refused.value("error", "field") == .string(field), "\(body): \(refused.text)")
            }
            let badPolicy = try await server.send(.put, "/v1/alerting/policy", token: admin, body: #"{"route": {"receiver": "nobody"}}"#)
            #expect(try badPolicy.status == 400 && badPolicy.value("error", "field") == .string("route"), "\(badPolicy.text)")
            let policy = try await server.send(
                .put,
                "/v1/alerting/policy",
                token: admin,
                body:
                    #"{"route": {"receiver": "ops", "group_wait": "10s", "routes": [{"matchers": ["threat_level=critical"], "receiver": "ops", "repeat_interval": "1h"}]}}"#
            )
            #expect(policy.status == 200, "\(policy.text)")
            let shown = try await server.send(.get, "/v1/alerting/policy", token: admin)
            #expect(try shown.value("implicit") == .bool(false) && shown.value("route", "group_wait") == .string("10s"))
            // A receiver the policy names cannot be removed.
            #expect(try await server.send(.delete, "/v1/alerting/receivers/ops", token: admin).status == 400)

            // Silences need respond, and are audited.
            let reader = try await server.token(for: .default, scopes: [.read])
            let silence = #"{"matchers": ["incident_type=brute_force_attack"], "duration": "2h", "comment": "pen test"}"#
            #expect(try await server.send(.post, "/v1/alerting/silences", token: reader, body: silence).status == 403)
            let created = try await server.send(.post, "/v1/alerting/silences", token: admin, body: silence)
            #expect(try created.status == 201 && created.value("state") == .string("active"), "\(created.text)")
            guard case .string(let id)? = try created.value("id") else { return }
            #expect(
                try await server.send(.post, "/v1/alerting/silences", token: admin, body: #"{"matchers": [], "duration": "1h", "comment": "x"}"#)
                    .status == 400
            )
            #expect(try await server.send(.delete, "/v1/alerting/silences/\(id)", token: admin).status == 200)
            let again = try await server.send(.delete, "/v1/alerting/silences/\(id)", token: admin)
            #expect(again.status == 400 && again.text.contains("already ended"))

            // A test notification to a loopback URL is refused by the outbound policy: a dead letter.
            let test = try await server.send(.post, "/v1/alerting/receivers/ops/test", token: admin)
            #expect(test.status == 202, "\(test.text)")
            var dead = ServerHarness.Reply(status: 0, headers: [:], body: [])
            for _ in 0..<3_000 {
                dead = try await server.send(.get, "/v1/alerting/notifications?status=dead", token: admin)
                if dead.text.contains("allow_networks") { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(dead.text.contains("allow_networks") && dead.text.contains(#""attempts":1"#), "\(dead.text)")
            let metrics = try await server.send(.get, "/metrics", token: nil)
            #expect(metrics.text.contains(#"palisade_alert_dead_letters_total{reason="failed"} 1"#), "\(metrics.text)")
            #expect(metrics.text.contains(#"palisade_alert_delivery_attempts_total{kind="webhook",outcome="dead"} 1"#))
            #expect(try await server.send(.get, "/v1/alerting/notifications?status=lost", token: admin).status == 400)

            // Every change is in the ledger; no secret is.
            let records = try await server.send(.get, "/v1/events?type=palisade.alerting&limit=100", token: admin)
            #expect(records.text.contains("receiver.stored") && records.text.contains("policy.stored") && records.text.contains("silence.expired"))
            #expect(!records.text.contains(secret))

            // Another tenant sees none of it.
            let other = try await server.tenantWithToken("other", scopes: [.read, .admin])
            let theirs = try await server.send(.get, "/v1/alerting/receivers", token: other)
            #expect(try theirs.status == 200 && theirs.value("receivers") == .array([]))
            #expect(try await server.send(.post, "/v1/alerting/receivers/ops/test", token: other).status == 404)
        }
    }
}

import Foundation
import HTTPTypes
import PalisadeCore
import PalisadeServer
import PalisadeTesting
import Testing

/// `/v1/rules`: the rules in force, tenant rule files stored and deleted through the ledger and
/// taking effect in detection, refusals that name the problem, and dry runs.
struct RulesAPITests {
    static let rootLogin = """
        id: tenant.root_login
        title: root signed in as {actor}
        incident: privilege_escalation
        level: high
        detection:
          root: {event_type: authentication, actor: root, success: 'true'}
          condition: root
        """

    static func member(_ value: JSONValue?, _ name: String) -> JSONValue? {
        guard case .object(let members)? = value else { return nil }
        return members[name]
    }

    @Test func tenantRuleFilesAreStoredInTheLedgerAndDetect() async throws {
        try await ServerHarness.run(detection: true) { server in
            let list = try await server.send(.get, "/v1/rules", token: server.adminToken)
            guard case .array(let rules)? = try list.value("rules") else {
                Issue.record("\(list.text)")
                return
            }
            #expect(rules.count == 15 && rules.allSatisfy { Self.member($0, "origin") == .string("default") }, "\(rules.count)")
            let stored = try await server.send(.put, "/v1/rules/root-login", token: server.adminToken, body: Self.rootLogin)
            #expect(stored.status == 201, "\(stored.text)")
            guard case .number(let version)? = try stored.value("version") else { return }
            // The rule is in force and detects.
            let event = #"{"event_type":"authentication","action":"login","actor":"root","success":true}"#
            #expect(try await server.send(.post, "/v1/events", token: server.adminToken, body: event).status == 201)
            var opened = false
            for _ in 0..<1_500 where !opened {
                let incidents = try await server.send(.get, "/v1/incidents?type=privilege_escalation", token: server.adminToken)
                if case .array(let items)? = try incidents.value("incidents"), let first = items.first {
                    opened = Self.member(first, "source") == .string("tenant.root_login")
                }
                if !opened { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(opened, "the stored rule opened an incident")
            let got = try await server.send(.get, "/v1/rules/root-login", token: server.adminToken)
            #expect(try got.value("version") == .number(version) && (try got.value("source")) == .string(Self.rootLogin))
            let rule = try await server.send(.get, "/v1/rules/tenant.root_login", token: server.adminToken)
            #expect(try rule.value("origin") == .string("tenant") && (try rule.value("file")) == .string("root-login"))
            // Replacing is a new version; the ledger holds both, and the change of rule is recorded.
            let replaced = try await server.send(
                .put,
                "/v1/rules/root-login",
                token: server.adminToken,
                body: Self.rootLogin.replacingOccurrences(of: "level: high", with: "level: critical")
            )
            #expect(replaced.status == 200)
            let records = try await server.send(.get, "/v1/events?type=palisade.rule&order=oldest&limit=100", token: server.adminToken)
            guard case .array(let items)? = try records.value("events") else { return }
            let actions = items.compactMap { item -> String? in
                guard case .string(let action)? = Self.member(item, "action") else { return nil }
                return action
            }
            #expect(actions.filter { $0 == "stored" }.count == 2 && actions.contains("active"), "\(actions)")
            // Deleting stops it; a second delete finds nothing.
            #expect(try await server.send(.delete, "/v1/rules/root-login", token: server.adminToken).status == 200)
            #expect(try await server.send(.delete, "/v1/rules/root-login", token: server.adminToken).status == 404)
            let after = try await server.send(.get, "/v1/rules/tenant.root_login", token: server.adminToken)
            #expect(after.status == 404)
        }
    }

    @Test func badRuleFilesAreRefusedWithTheReason() async throws {
        try await ServerHarness.run { server in
            let broken = try await server.send(
                .put,
                "/v1/rules/broken",
                token: server.adminToken,
                body: "id: b\nincident: privilege_escalation\nlevel: severe\ndetection:\n  a: {actor: x}\n  condition: a\n"
            )
            #expect(broken.status == 400 && broken.text.contains("'level' must be"), "\(broken.text)")
            let badID = try await server.send(.put, "/v1/rules/Bad%20Id", token: server.adminToken, body: Self.rootLogin)
            #expect(try badID.status == 400 && (try badID.value("error", "field")) == .string("id"), "\(badID.text)")
            #expect(try await server.send(.put, "/v1/rules/one", token: server.adminToken, body: Self.rootLogin).status == 201)
            let clash = try await server.send(.put, "/v1/rules/two", token: server.adminToken, body: Self.rootLogin)
            #expect(clash.status == 409 && clash.text.contains("rule file one"), "\(clash.text)")
            let reader = try await server.token(for: .default, scopes: [.read])
            #expect(try await server.send(.put, "/v1/rules/three", token: reader, body: Self.rootLogin).status == 403)
            // Another tenant does not see this tenant's files.
            let other = try await server.tenantWithToken("globex", scopes: [.read, .admin])
            #expect(try await server.send(.get, "/v1/rules/one", token: other).status == 404)
        }
    }

    @Test func aDryRunShowsMatchesAndDetections() async throws {
        try await ServerHarness.run { server in
            let failures = (0..<10).map { _ in #"{"event_type":"authentication","action":"login","actor":"bob","success":false}"# }
            let body = #"{"id":"auth.brute_force.actor","events":["# + failures.joined(separator: ",") + #",{"event_type":""}]}"#
            let reply = try await server.send(.post, "/v1/rules/test", token: server.adminToken, body: body)
            #expect(reply.status == 200, "\(reply.text)")
            guard case .array(let matched)? = try reply.value("matched"), case .array(let detections)? = try reply.value("detections"),
                case .array(let rejected)? = try reply.value("rejected")
            else { return }
            #expect(matched.count == 10 && rejected.count == 1 && detections.count == 1, "\(reply.text)")
            #expect(Self.member(detections.first, "title") == .string("Brute force against bob"))
            let sigma =
                #"{"rule":"title: t\nlogsource: {product: palisade}\ndetection:\n  s: {actor: bob}\n  condition: s\n","events":[{"event_type":"authentication","action":"login","actor":"BOB"}]}"#
            let sigmaReply = try await server.send(.post, "/v1/rules/test", token: server.adminToken, body: sigma)
            #expect(try sigmaReply.value("matched") == .array([.number(0)]), "\(sigmaReply.text)")
            let neither = try await server.send(.post, "/v1/rules/test", token: server.adminToken, body: #"{"events":[]}"#)
            #expect(try neither.status == 400 && (try neither.value("error", "field")) == .string("rule"))
        }
    }
}

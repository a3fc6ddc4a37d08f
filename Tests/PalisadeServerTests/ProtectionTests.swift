import Foundation
import HTTPTypes
import PalisadeCore
import PalisadeServer
import Testing

@Suite("Rate limits, headers, health and metrics")
struct ProtectionTests {
    @Test func eachActorHasItsOwnBudgetAnd429CarriesRetryAfter() async throws {
        let configuration = ServerHarness.configuration { $0.rateLimits.read = .init(perSecond: 0.01, burst: 3) }
        try await ServerHarness.run(configuration: configuration) { server in
            let other = try await server.tenantWithToken("acme", scopes: [.read])
            for _ in 0..<3 { #expect(try await server.send(.get, "/v1/events", token: server.adminToken).status == 200) }
            let limited = try await server.send(.get, "/v1/events", token: server.adminToken)
            #expect(limited.status == 429)
            #expect(try limited.errorCode == "rate_limited")
            // One token refills in 100 s at 0.01/s; the wait says so (less what refilled meanwhile).
            #expect(limited.headers[.retryAfter].flatMap(Int.init).map { $0 > 80 && $0 <= 100 } == true)
            // Ingest has its own budget, and another actor its own bucket.
            #expect(try await server.send(.post, "/v1/events", token: server.adminToken, body: ServerHarness.event()).status == 201)
            #expect(try await server.send(.get, "/v1/events", token: other).status == 200)
            let metrics = try await server.send(.get, "/metrics", token: nil)
            #expect(metrics.text.contains("palisade_rate_limited_total{class=\"read\"} 1"))
        }
    }

    @Test func repeatedAuthFailuresFromOneAddressAreThrottledButStillCounted() async throws {
        let configuration = ServerHarness.configuration { $0.rateLimits.authFailures = .init(perSecond: 0.001, burst: 2) }
        try await ServerHarness.run(configuration: configuration) { server in
            var statuses: [Int] = []
            for _ in 0..<5 { statuses.append(try await server.send(.get, "/v1/events", token: "nonsense").status) }
            #expect(statuses == [401, 401, 429, 429, 429])
            let metrics = try await server.send(.get, "/metrics", token: nil)
            #expect(metrics.text.contains("palisade_auth_failures_total{kind=\"jwt\"} 5"))
        }
    }

    @Test func everyResponseCarriesARequestIDAndSecurityHeaders() async throws {
        try await ServerHarness.run { server in
            let first = try await server.send(.get, "/healthz", token: nil)
            let second = try await server.send(.get, "/v1/events", token: nil)
            for reply in [first, second] {
                #expect(reply.headers[.init("X-Content-Type-Options")!] == "nosniff")
                #expect(reply.headers[.init("Referrer-Policy")!] == "no-referrer")
                #expect(reply.headers[.init("Content-Security-Policy")!]?.contains("default-src 'none'") == true)
                #expect(reply.headers[.init("Strict-Transport-Security")!] == nil)  // no TLS here
            }
            let ids = [first, second].compactMap { $0.headers[.init("X-Request-Id")!] }
            #expect(ids.count == 2 && ids[0] != ids[1])
            // Error bodies carry no internals.
            #expect(!second.text.contains("Swift") && !second.text.contains(".swift"))
        }
    }

    @Test func healthAndMetricsReportTheServer() async throws {
        try await ServerHarness.run { server in
            let health = try await server.send(.get, "/healthz", token: nil)
            #expect(health.status == 200)
            #expect(try health.value("status") == .string("ok"))
            _ = try await server.send(
                .post,
                "/v1/events:batch",
                token: server.adminToken,
                body: [ServerHarness.event(), ServerHarness.event()].joined(separator: "\n")
            )
            _ = try await server.send(.get, "/v1/events", token: "bad")
            let metrics = try await server.send(.get, "/metrics", token: nil).text
            for expected in [
                "palisade_http_requests_total{route=\"/v1/events:batch\",method=\"POST\",status=\"200\"} 1",
                "palisade_http_request_duration_seconds_bucket{route=\"/v1/events:batch\",method=\"POST\"",
                "palisade_events_appended_total{tenant=\"default\"} 2",
                "palisade_log_size{tenant=\"default\"}",
                "palisade_ingest_batch_events_bucket",
                "palisade_auth_failures_total{kind=\"jwt\"} 1",
            ] {
                #expect(metrics.contains(expected), "missing \(expected)")
            }
        }
    }

    @Test func metricsCanBeProtected() async throws {
        let configuration = ServerHarness.configuration { $0.metricsRequireAuth = true }
        try await ServerHarness.run(configuration: configuration) { server in
            #expect(try await server.send(.get, "/metrics", token: nil).status == 401)
            let other = try await server.tenantWithToken("acme", scopes: [.read])
            #expect(try await server.send(.get, "/metrics", token: other).status == 404)
            #expect(try await server.send(.get, "/metrics", token: server.adminToken).status == 200)
        }
    }
}

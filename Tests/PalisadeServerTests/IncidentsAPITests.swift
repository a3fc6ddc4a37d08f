import Foundation
import HTTPTypes
import PalisadeCore
import PalisadeIngest
import PalisadeSQLite
import PalisadeServer
import PalisadeTesting
import Testing

/// `/v1/incidents` and `/v1/security/summary` over a running server with detection on: events
/// posted over HTTP open an incident, people work it through its lifecycle, every change is in the
/// ledger, and the summary counts exactly what is inside its window.
struct IncidentsAPITests {
    static func failedLogins(_ actor: String, count: Int, ip: String = "203.0.113.5") -> String {
        let items = (0..<count).map { _ in
            #"{"event_type":"authentication","action":"login","actor":"\#(actor)","success":false,"source_ip":"\#(ip)"}"#
        }
        return items.joined(separator: "\n") + "\n"
    }

    /// Polls the incident list until one appears (detection wakes on each commit).
    static func firstIncident(_ server: ServerHarness, query: String = "") async throws -> JSONValue {
        for _ in 0..<1_500 {
            let reply = try await server.send(.get, "/v1/incidents\(query)", token: server.adminToken)
            if case .array(let items)? = try reply.value("incidents"), let first = items.first { return first }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServerHarness.Failure("no incident appeared within 1,500 polls (30 s or more)")
    }

    static func member(_ value: JSONValue, _ name: String) -> JSONValue? {
        guard case .object(let members) = value else { return nil }
        return members[name]
    }

    @Test func eventsOpenAnIncidentThatPeopleWorkAndTheLedgerRecords() async throws {
        try await ServerHarness.run(detection: true) { server in
            let posted = try await server.send(
                .post,
                "/v1/events:batch",
                token: server.adminToken,
                body: Self.failedLogins("alice", count: 10),
                headers: [.contentType: "application/x-ndjson"]
            )
            #expect(posted.status == 200, "\(posted.text)")
            let incident = try await Self.firstIncident(server, query: "?type=brute_force_attack")
            #expect(Self.member(incident, "title") == .string("Brute force against alice"))
            #expect(Self.member(incident, "status") == .string("open") && Self.member(incident, "threat_level") == .string("high"))
            #expect(Self.member(incident, "acknowledge_due") != .null && Self.member(incident, "version") == .number(1))
            guard case .string(let id)? = Self.member(incident, "id"), case .array(let evidence)? = Self.member(incident, "evidence"),
                case .number(let firstIndex)? = evidence.first
            else {
                Issue.record("an incident has an id and evidence: \(incident)")
                return
            }
            #expect(evidence.count == 10)
            // Evidence is provable in the log.
            let proof = try await server.send(.get, "/v1/log/proof/inclusion?index=\(Int(firstIndex))", token: server.adminToken)
            #expect(proof.status == 200, "\(proof.text)")

            // The lifecycle, with its refusals.
            let path = "/v1/incidents/\(id)"
            let illegal = try await server.send(.post, "\(path)/transition", token: server.adminToken, body: #"{"action":"close"}"#)
            #expect(try illegal.status == 409 && (try illegal.errorCode) == "illegal_transition", "\(illegal.text)")
            #expect(illegal.text.contains("acknowledge"), "the error lists what is allowed: \(illegal.text)")
            let acknowledged = try await server.send(.post, "\(path)/transition", token: server.adminToken, body: #"{"action":"acknowledge"}"#)
            #expect(try acknowledged.status == 200 && (try acknowledged.value("status")) == .string("acknowledged"), "\(acknowledged.text)")
            let assigned = try await server.send(.post, "\(path)/assign", token: server.adminToken, body: #"{"assignee":"bob"}"#)
            #expect(try assigned.value("assignee") == .string("bob"))
            let noted = try await server.send(.post, "\(path)/notes", token: server.adminToken, body: #"{"text":"blocked 203.0.113.5 at the edge"}"#)
            #expect(noted.status == 200)
            let noReason = try await server.send(.post, "\(path)/transition", token: server.adminToken, body: #"{"action":"resolve"}"#)
            #expect(try noReason.status == 400 && (try noReason.value("error", "field")) == .string("resolution"), "\(noReason.text)")
            let badAction = try await server.send(.post, "\(path)/transition", token: server.adminToken, body: #"{"action":"explode"}"#)
            #expect(try badAction.status == 400 && (try badAction.value("error", "field")) == .string("action"))
            let resolved = try await server.send(
                .post,
                "\(path)/transition",
                token: server.adminToken,
                body: #"{"action":"resolve","resolution":"password reset","root_cause":"reused password"}"#
            )
            #expect(try resolved.value("status") == .string("resolved") && (try resolved.value("root_cause")) == .string("reused password"))
            #expect(try resolved.value("resolve_due") == .null, "a resolved incident has no deadline")

            // Every change is a palisade.incident record in the tenant's ledger, in order.
            let records = try await server.send(.get, "/v1/events?type=palisade.incident&order=oldest&limit=100", token: server.adminToken)
            guard case .array(let items)? = try records.value("events") else {
                Issue.record("records: \(records.text)")
                return
            }
            let actions = items.compactMap { item -> String? in
                guard case .string(let action)? = Self.member(item, "action") else { return nil }
                return action
            }
            #expect(actions == ["opened", "acknowledge", "assign", "note", "resolve"], "\(actions)")
            #expect(items.allSatisfy { Self.member($0, "resource") == .string("incident/\(id)") })
            // Rule changes are recorded; the default pack is the baseline, so there are none here.
            let rules = try await server.send(.get, "/v1/events?type=palisade.rule&limit=100", token: server.adminToken)
            #expect(try rules.value("events") == .array([]))
        }
    }

    @Test func scopesAndTenantsBoundTheIncidents() async throws {
        try await ServerHarness.run(detection: true) { server in
            _ = try await server.send(
                .post,
                "/v1/events:batch",
                token: server.adminToken,
                body: Self.failedLogins("carol", count: 10),
                headers: [.contentType: "application/x-ndjson"]
            )
            let incident = try await Self.firstIncident(server)
            guard case .string(let id)? = Self.member(incident, "id") else { return }
            let reader = try await server.token(for: .default, scopes: [.read])
            #expect(try await server.send(.get, "/v1/incidents/\(id)", token: reader).status == 200)
            let refused = try await server.send(.post, "/v1/incidents/\(id)/transition", token: reader, body: #"{"action":"acknowledge"}"#)
            #expect(refused.status == 403 && refused.text.contains("respond"), "\(refused.text)")
            let other = try await server.tenantWithToken("globex", scopes: [.read, .respond])
            #expect(try await server.send(.get, "/v1/incidents/\(id)", token: other).status == 404)
            #expect(try await server.send(.post, "/v1/incidents/\(id)/notes", token: other, body: #"{"text":"x"}"#).status == 404)
            let theirs = try await server.send(.get, "/v1/incidents", token: other)
            #expect(try theirs.value("incidents") == .array([]))
            for (query, field) in [("?status=bogus", "status"), ("?level=severe", "level"), ("?limit=0", "limit"), ("?cursor=x", "cursor")] {
                let reply = try await server.send(.get, "/v1/incidents\(query)", token: reader)
                #expect(try reply.status == 400 && (try reply.value("error", "field")) == .string(field), "\(query): \(reply.text)")
            }
        }
    }

    @Test func theSummaryCountsOnlyWhatIsInsideItsWindow() async throws {
        try await ServerHarness.run { server in
            let now = SystemWallClock().now()
            func at(_ seconds: Int64) -> Timestamp { now.adding(microseconds: seconds * 1_000_000) }
            // Failed sign-ins a minute inside and a minute outside a one-hour window.
            var lines = [String]()
            for (offset, ip) in [(-3_540, "198.51.100.1"), (-3_540, "198.51.100.1"), (-60, "198.51.100.2"), (-3_660, "198.51.100.9")] {
                lines.append(
                    #"{"event_type":"authentication","action":"login","actor":"u\#(-offset)","success":false,"source_ip":"\#(ip)","timestamp":"\#(at(Int64(offset)).rfc3339)"}"#
                )
            }
            lines.append(#"{"event_type":"authentication","action":"login","actor":"ok","success":true,"timestamp":"\#(at(-30).rfc3339)"}"#)
            let posted = try await server.send(
                .post,
                "/v1/events:batch",
                token: server.adminToken,
                body: lines.joined(separator: "\n") + "\n",
                headers: [.contentType: "application/x-ndjson"]
            )
            #expect(posted.status == 200, "\(posted.text)")
            // Incidents opened 2 h, 50 min and 10 min ago; the first is outside the window.
            func incident(_ seconds: Int64, _ level: ThreatLevel, key: String) -> Incident {
                Incident(
                    id: UUID(),
                    tenant: .default,
                    type: .bruteForceAttack,
                    threatLevel: level,
                    title: key,
                    description: "",
                    source: "test",
                    dedupKey: key,
                    entities: IncidentEntities(),
                    evidence: [],
                    seenAt: at(seconds),
                    openedAt: at(seconds)
                )
            }
            var old = incident(-7_200, .critical, key: "old")
            try old.apply(.acknowledge, by: "x", at: at(-7_000))
            var acknowledged = incident(-3_000, .critical, key: "acknowledged")
            try acknowledged.apply(.acknowledge, by: "x", at: at(-2_940))  // MTTA 60 s
            var resolved = incident(-600, .high, key: "resolved")
            try resolved.apply(.acknowledge, by: "x", at: at(-480))  // MTTA 120 s
            try resolved.apply(.resolve(resolution: "done", rootCause: nil), by: "x", at: at(-300))  // MTTR 300 s
            for item in [old, acknowledged, resolved] { try await server.store.insertIncident(item) }

            let reply = try await server.send(.get, "/v1/security/summary?window=1h", token: server.adminToken)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.value("failed_authentications") == .number(3))
            #expect(try reply.value("incidents", "opened") == .number(2))
            #expect(try reply.value("incidents", "active") == .number(2), "old and acknowledged are still active")
            #expect(try reply.value("incidents", "by_level") == .object(["critical": .number(1), "high": .number(1)]))
            #expect(try reply.value("incidents", "by_status") == .object(["acknowledged": .number(1), "resolved": .number(1)]))
            #expect(try reply.value("mtta_seconds") == .number(90) && (try reply.value("mttr_seconds")) == .number(300))
            let top = try reply.value("top_source_ips")
            #expect(
                top
                    == .array([
                        .object(["source_ip": .string("198.51.100.1"), "count": .number(2)]),
                        .object(["source_ip": .string("198.51.100.2"), "count": .number(1)]),
                    ])
            )
            guard case .array(let critical)? = try reply.value("latest_critical") else { return }
            #expect(critical.count == 1 && Self.member(critical[0], "title") == .string("acknowledged"))
            // The whole day sees everything; a bad window is named.
            let day = try await server.send(.get, "/v1/security/summary?window=24h", token: server.adminToken)
            #expect(try day.value("failed_authentications") == .number(4) && (try day.value("incidents", "opened")) == .number(3))
            let bad = try await server.send(.get, "/v1/security/summary?window=forever", token: server.adminToken)
            #expect(try bad.status == 400 && (try bad.value("error", "field")) == .string("window"), "\(bad.text)")
        }
    }
}

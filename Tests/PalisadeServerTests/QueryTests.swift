import Foundation
import HTTPTypes
import PalisadeCore
import PalisadeSQLite
import PalisadeServer
import Testing

@Suite("Event queries over HTTP")
struct QueryTests {
    @Test func filtersAndNextLinksVisitEveryMatchingEventOnce() async throws {
        try await ServerHarness.run { server in
            var lines: [String] = []
            for number in 0..<45 {
                lines.append(ServerHarness.event(action: "act\(number)", actor: number % 3 == 0 ? "alice" : "bob"))
            }
            let batch = try await server.send(.post, "/v1/events:batch", token: server.adminToken, body: lines.joined(separator: "\n"))
            #expect(batch.status == 200)
            var uri: String? = "/v1/events?actor=alice&limit=4&order=oldest"
            var seen: [String] = []
            var pages = 0
            while let next = uri {
                let page = try await server.send(.get, next, token: server.adminToken)
                #expect(page.status == 200, "\(page.text)")
                guard case .array(let events)? = try page.value("events") else {
                    Issue.record("no events")
                    return
                }
                for event in events {
                    guard case .object(let members) = event, case .string(let action)? = members["action"] else { continue }
                    #expect(members["actor"] == .string("alice"))
                    seen.append(action)
                }
                if case .string(let link)? = try page.value("next") {
                    #expect(page.headers[.init("Link")!]?.contains("rel=\"next\"") == true)
                    uri = link
                } else {
                    uri = nil
                }
                pages += 1
                #expect(pages < 20)
            }
            #expect(seen == stride(from: 0, to: 45, by: 3).map { "act\($0)" })
        }
    }

    @Test func badFiltersNameTheParameter() async throws {
        try await ServerHarness.run { server in
            let reply = try await server.send(.get, "/v1/events?since=yesterday&limit=10", token: server.adminToken)
            #expect(reply.status == 400)
            #expect(try reply.value("error", "field") == .string("since"))
            let unknown = try await server.send(.get, "/v1/events?colour=red", token: server.adminToken)
            #expect(unknown.status == 400)
            #expect(try unknown.value("error", "field") == .string("colour"))
            let twice = try await server.send(.get, "/v1/events?actor=a&actor=b", token: server.adminToken)
            #expect(twice.status == 400)
        }
    }

    @Test func oneEventByID() async throws {
        try await ServerHarness.run { server in
            let id = UUID()
            _ = try await server.send(.post, "/v1/events", token: server.adminToken, body: ServerHarness.event(id: id))
            let found = try await server.send(.get, "/v1/events/\(id.lowercasedString)", token: server.adminToken)
            #expect(found.status == 200)
            #expect(try found.value("id") == .string(id.lowercasedString))
            #expect(try found.value("log_index") == .number(0))
            let missing = try await server.send(.get, "/v1/events/\(UUID().lowercasedString)", token: server.adminToken)
            #expect(missing.status == 404)
            let bad = try await server.send(.get, "/v1/events/not-a-uuid", token: server.adminToken)
            #expect(bad.status == 400)
        }
    }
}

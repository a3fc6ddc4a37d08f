import Foundation
import HTTPTypes
import PalisadeCore
import PalisadeSQLite
import PalisadeServer
import Testing

@Suite("Event ingest over HTTP")
struct IngestTests {
    @Test func oneEventIsAppendedDurablyAndADuplicateIDIsNotAppendedTwice() async throws {
        try await ServerHarness.run { server in
            let id = UUID()
            let first = try await server.send(.post, "/v1/events", token: server.adminToken, body: ServerHarness.event(id: id))
            #expect(first.status == 201)
            #expect(try first.value("status") == .string("appended"))
            #expect(try first.value("id") == .string(id.lowercasedString))
            guard case .number(let index)? = try first.value("log_index") else {
                Issue.record("no log_index")
                return
            }
            // Acknowledged means stored: the store has it at that index.
            #expect(try await server.store.event(id: id, of: .default)?.index == UInt64(index))
            let again = try await server.send(.post, "/v1/events", token: server.adminToken, body: ServerHarness.event(id: id))
            #expect(again.status == 200)
            #expect(try again.value("status") == .string("duplicate"))
            #expect(try again.value("log_index") == .number(index))
            #expect(try await server.store.recordCount(of: .default) == UInt64(index) + 1)
        }
    }

    @Test func anInvalidEventIsRefusedNamingEveryBadField() async throws {
        try await ServerHarness.run { server in
            let reply = try await server.send(
                .post,
                "/v1/events",
                token: server.adminToken,
                body: #"{"event_type":"authentication","action":"","success":"yes","source_ip":"010.0.0.1"}"#
            )
            #expect(reply.status == 400)
            #expect(try reply.errorCode == "invalid_event")
            guard case .array(let issues)? = try reply.value("error", "issues") else {
                Issue.record("no issues: \(reply.text)")
                return
            }
            let fields = Set(
                issues.compactMap { issue -> String? in
                    guard case .object(let members) = issue, case .string(let field)? = members["field"] else { return nil }
                    return field
                }
            )
            #expect(fields.isSuperset(of: ["action", "success", "source_ip"]), "\(fields)")
            #expect(try reply.value("error", "field") != nil)
            let notJSON = try await server.send(.post, "/v1/events", token: server.adminToken, body: "{\"event_type\":")
            #expect(notJSON.status == 400)
            #expect(try await server.store.recordCount(of: .default) == 0)
        }
    }

    @Test(arguments: ["ndjson", "array"])
    func aBatchReportsEachItemInOrder(format: String) async throws {
        try await ServerHarness.run { server in
            let existing = UUID()
            _ = try await server.send(.post, "/v1/events", token: server.adminToken, body: ServerHarness.event(id: existing))
            let items = [
                ServerHarness.event(action: "a"), #"{"event_type":"authentication"}"#, ServerHarness.event(id: existing),
                ServerHarness.event(action: "b"),
            ]
            let body = format == "ndjson" ? items.joined(separator: "\n") + "\n" : "[" + items.joined(separator: ",") + "]"
            let contentType = format == "ndjson" ? "application/x-ndjson" : "application/json"
            let reply = try await server.send(.post, "/v1/events:batch", token: server.adminToken, body: body, headers: [.contentType: contentType])
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.value("appended") == .number(2))
            #expect(try reply.value("duplicates") == .number(1))
            #expect(try reply.value("invalid") == .number(1))
            guard case .array(let results)? = try reply.value("results") else {
                Issue.record("no results")
                return
            }
            let statuses = results.map { result -> String in
                guard case .object(let members) = result, case .string(let status)? = members["status"] else { return "?" }
                return status
            }
            #expect(statuses == ["appended", "invalid", "duplicate", "appended"])
            #expect(try await server.store.recordCount(of: .default) == 3)
        }
    }

    @Test func batchLimitsAndMalformedBodiesAreRefusedWithoutAppendingAnything() async throws {
        let configuration = ServerHarness.configuration {
            $0.limits.maxBatchEvents = 3
            $0.limits.maxEventBytes = 2048
        }
        try await ServerHarness.run(configuration: configuration) { server in
            let four = (0..<4).map { ServerHarness.event(action: "e\($0)") }.joined(separator: "\n")
            let tooMany = try await server.send(.post, "/v1/events:batch", token: server.adminToken, body: four)
            #expect(tooMany.status == 413)
            #expect(try tooMany.errorCode == "too_many_events")
            let big = ServerHarness.event(extra: ",\"metadata\":{\"pad\":\"\(String(repeating: "x", count: 4096))\"}")
            let tooBig = try await server.send(.post, "/v1/events", token: server.adminToken, body: big)
            #expect(tooBig.status == 413)
            #expect(try tooBig.errorCode == "body_too_large")
            let brokenArray = try await server.send(
                .post,
                "/v1/events:batch",
                token: server.adminToken,
                body: "[{\"a\":1},",
                headers: [.contentType: "application/json"]
            )
            #expect(brokenArray.status == 400)
            #expect(try brokenArray.errorCode == "invalid_json")
            let empty = try await server.send(.post, "/v1/events:batch", token: server.adminToken, body: "\n\n")
            #expect(empty.status == 400)
            let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
            let tooDeep = try await server.send(.post, "/v1/events", token: server.adminToken, body: "{\"metadata\":\(deep)}")
            #expect(tooDeep.status == 400)
            #expect(try await server.store.recordCount(of: .default) == 0)
        }
    }
}

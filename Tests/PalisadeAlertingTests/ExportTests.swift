import Foundation
import PalisadeAlerting
import PalisadeChannels
import PalisadeCore
import PalisadeIngest
import PalisadeTesting
import Synchronization
import Testing

/// Every event of a tenant streamed to Splunk HEC and Elasticsearch `_bulk` receivers that check
/// each documented request format (Splunk and Elasticsearch cannot run here): batches, auth headers,
/// HEC's concatenated event objects with string index-time fields, `_bulk` NDJSON with `create`
/// actions and ECS documents; failures retried from the cursor, replays answered 409, a document
/// refused for good skipped and reported.
@Suite(.serialized) struct ExportTests {
    /// Splits HEC's batch (JSON objects one after another) into objects.
    static func concatenatedObjects(_ bytes: [UInt8]) -> [[String: Any]]? {
        var objects = [[String: Any]]()
        var depth = 0
        var inString = false
        var escaped = false
        var start = 0
        for (position, byte) in bytes.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"):
                if depth == 0 { start = position }
                depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[start...position])) as? [String: Any] else { return nil }
                    objects.append(object)
                }
            default: break
            }
        }
        return depth == 0 && !inString ? objects : nil
    }

    /// Splunk's documented HEC event request.
    static func validHEC(_ request: TestReceiver.Request) -> [[String: Any]]? {
        guard request.method == "POST", request.path == "/services/collector/event", request.headers["authorization"] == "Splunk 0d6f6b39-hec-token",
            let objects = concatenatedObjects(request.body), !objects.isEmpty
        else { return nil }
        for object in objects {
            guard object["event"] is [String: Any], object["time"] is NSNumber, object["host"] is String, object["source"] is String,
                object["sourcetype"] as? String == "palisade:audit", object["index"] as? String == "security",
                let fields = object["fields"] as? [String: Any], fields.values.allSatisfy({ $0 is String })
            else { return nil }
        }
        return objects
    }

    @Test func splunkGetsEveryEventOnceItsCollectorRecovers() async throws {
        let pipeline = try AlertPipeline()
        let accepted = Mutex<[String]>([])
        let receiver = try await TestReceiver { number, request in
            guard let objects = Self.validHEC(request) else { return .json(400, #"{"text":"Invalid data format","code":6}"#) }
            if number == 0 { return .json(503, #"{"text":"Server is busy","code":9}"#) }
            accepted.withLock { $0 += objects.compactMap { ($0["event"] as? [String: Any])?["id"] as? String } }
            return .json(200, #"{"text":"Success","code":0}"#)
        }
        let factory = EventFactory(clock: pipeline.clock)
        _ = try await pipeline.sequencer.append((0..<1_200).map { PreparedEvent(factory.event(actor: "user-\($0)", action: "login")) })
        try await pipeline.addReceiver(
            "splunk",
            kind: .splunk,
            secret: ReceiverSecret(url: receiver.url + "/services/collector/event", token: "0d6f6b39-hec-token", index: "security")
        )
        let transport = AlertPipeline.localTransport()
        let exporter = EventExporter(
            store: pipeline.store,
            poster: transport,
            sealer: pipeline.sealer,
            clock: pipeline.clock,
            configuration: .init(batchEvents: 500)
        )
        let first = try await exporter.runOnce()
        #expect(first.failedRequests == 1 && first.exported.isEmpty && first.failures.first?.contains("HTTP 503") == true)
        // Backing off: nothing is sent before the pause ends.
        #expect(try await exporter.runOnce().failedRequests == 0 && receiver.requests.count == 1)
        pipeline.clock.advance(seconds: 2)
        let second = try await exporter.runOnce()
        #expect(second.exported[.splunk] == 1_201)  // 1,200 events and the receiver's own record
        #expect(receiver.requests.count == 4)  // the refused batch, then 500 + 500 + 201
        let ids = accepted.withLock { $0 }
        #expect(ids.count == 1_201 && Set(ids).count == 1_201)
        #expect(try await exporter.runOnce().exported.isEmpty)
        await transport.shutdown()
        try await receiver.stop()
    }

    @Test func elasticIndexesECSDocumentsAndReplaysAreConflictsNotDuplicates() async throws {
        let pipeline = try AlertPipeline()
        let stored = Mutex<[String: Data]>([:])
        let receiver = try await TestReceiver { number, request in
            guard request.method == "POST", request.path == "/_bulk", request.headers["content-type"] == "application/x-ndjson",
                request.headers["authorization"] == "ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==", request.body.last == 0x0A
            else { return .json(400, #"{"error":"bad request"}"#) }
            let lines = request.body.split(separator: 0x0A)
            guard lines.count % 2 == 0 else { return .json(400, #"{"error":"odd line count"}"#) }
            var items = [String]()
            var errors = false
            for pair in stride(from: 0, to: lines.count, by: 2) {
                guard let action = try? JSONSerialization.jsonObject(with: Data(lines[pair])) as? [String: [String: String]],
                    let create = action["create"], let id = create["_id"], create["_index"] == "sec-default",
                    let document = try? JSONSerialization.jsonObject(with: Data(lines[pair + 1])) as? [String: Any], document["@timestamp"] is String,
                    let event = document["event"] as? [String: Any], event["id"] as? String == id, event["category"] is [String]
                else { return .json(400, #"{"error":"malformed pair"}"#) }
                let status: Int
                if (document["user"] as? [String: String])?["name"] == "bad" {
                    status = 400
                    errors = true
                } else {
                    status = stored.withLock { documents in
                        if documents[id] != nil { return 409 }
                        documents[id] = Data(lines[pair + 1])
                        return 201
                    }
                    if status != 201 { errors = true }
                }
                let error = status == 400 ? #","error":{"type":"mapper_parsing_exception","reason":"failed to parse"}"# : ""
                items.append(#"{"create":{"_index":"sec-default","_id":"\#(id)","status":\#(status)\#(error)}}"#)
            }
            // The first request is indexed but its answer is lost: the batch comes again.
            if number == 0 { return .json(502, #"{"error":"bad gateway"}"#) }
            return .json(200, #"{"took":3,"errors":\#(errors),"items":[\#(items.joined(separator: ","))]}"#)
        }
        let factory = EventFactory(clock: pipeline.clock)
        var events = (0..<300).map { factory.event(type: "data_access", actor: "user-\($0)", action: "read", sourceIP: "198.51.100.\($0 % 250)") }
        events.append(factory.event(actor: "bad", action: "login"))
        _ = try await pipeline.sequencer.append(events.map { PreparedEvent($0) })
        try await pipeline.addReceiver(
            "elastic",
            kind: .elastic,
            secret: ReceiverSecret(url: receiver.url, token: "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==", index: "sec")
        )
        let transport = AlertPipeline.localTransport()
        let exporter = EventExporter(
            store: pipeline.store,
            poster: transport,
            sealer: pipeline.sealer,
            clock: pipeline.clock,
            configuration: .init(batchEvents: 1_000)
        )
        #expect(try await exporter.runOnce().failedRequests == 1)
        pipeline.clock.advance(seconds: 2)
        let retried = try await exporter.runOnce()
        // 300 events and the receiver's record were indexed by the lost request: all conflicts now.
        #expect(retried.replayed == 301 && retried.exported[.elastic] == 0 && retried.rejected == 1, "\(retried)")
        #expect(retried.failures.contains { $0.contains("mapper_parsing_exception") })
        let documents = try stored.withLock { $0 }.values.map { try #require(try JSONSerialization.jsonObject(with: $0) as? [String: Any]) }
        #expect(documents.count == 301)  // 300 + the receiver record, none twice; "bad" refused
        let sample = try #require(documents.first { ($0["user"] as? [String: String])?["name"] == "user-7" })
        #expect((sample["source"] as? [String: String])?["ip"] == "198.51.100.7")
        #expect((sample["event"] as? [String: Any])?["outcome"] as? String == "success")
        #expect(((sample["palisade"] as? [String: Any])?["tenant"] as? String) == "default")
        await transport.shutdown()
        try await receiver.stop()
    }
}

import Foundation
public import PalisadeCore

/// Events in the formats SIEMs ingest in bulk: Splunk's HTTP Event Collector (`/services/collector/event`:
/// JSON event objects one after another) and Elasticsearch/OpenSearch `_bulk` (NDJSON action and
/// document lines, documents in Elastic Common Schema field names, each created under its event id
/// so a replay is a conflict, not a duplicate).
public enum SIEMFormats {
    /// A Splunk HEC batch: one `{"time", "host", "source", "sourcetype", "event", "fields"}` object per
    /// event, concatenated (HEC's batch format), with `index` when one is set.
    public static func hecBatch(_ events: [StoredEvent], host: String, index: String?) -> [UInt8] {
        var out = [UInt8]()
        for stored in events {
            var members: [String: JSONValue] = [
                // Epoch seconds with microseconds, as HEC's `time` takes them.
                "time": .number(Double(stored.event.timestamp.microseconds) / 1_000_000),
                "host": .string(host), "source": .string("palisade:\(stored.event.tenant.rawValue)"), "sourcetype": .string("palisade:audit"),
                "event": stored.jsonValue,
                "fields": .object([
                    "tenant": .string(stored.event.tenant.rawValue), "event_type": .string(stored.event.eventType.rawValue),
                    "log_index": .string(String(stored.index)),
                ]),
            ]
            if let index { members["index"] = .string(index) }
            CanonicalJSON.append(.object(members), to: &out)
        }
        return out
    }

    /// An Elasticsearch `_bulk` body: a `create` action with the event id and the document in ECS
    /// field names, for every event, each line ending in a newline.
    public static func bulkBatch(_ events: [StoredEvent], index prefix: String) -> [UInt8] {
        var out = [UInt8]()
        for stored in events {
            let index = "\(prefix)-\(stored.event.tenant.rawValue)"
            CanonicalJSON.append(.object(["create": .object(["_index": .string(index), "_id": .string(stored.event.idString)])]), to: &out)
            out.append(0x0A)
            CanonicalJSON.append(ecs(stored), to: &out)
            out.append(0x0A)
        }
        return out
    }

    /// An event in Elastic Common Schema field names (`@timestamp`, `event.*`, `user.name`,
    /// `source.ip`, `user_agent.original`, `error.message`), Palisade's own under `palisade.*`.
    public static func ecs(_ stored: StoredEvent) -> JSONValue {
        let event = stored.event
        var ecsEvent: [String: JSONValue] = [
            "id": .string(event.idString), "kind": .string(event.eventType.isReserved ? "state" : "event"),
            "category": .array(category(event.eventType).map { .string($0) }), "action": .string(event.action),
            "outcome": .string(event.success ? "success" : "failure"), "severity": .number(Double(event.severity.rawValue)),
            "created": .string(event.receivedAt.rfc3339), "dataset": .string("palisade.audit"),
        ]
        if event.eventType.isReserved { ecsEvent["module"] = .string("palisade") }
        var document: [String: JSONValue] = [
            "@timestamp": .string(event.timestamp.rfc3339), "event": .object(ecsEvent),
            "palisade": .object([
                "tenant": .string(event.tenant.rawValue), "event_type": .string(event.eventType.rawValue), "log_index": .number(Double(stored.index)),
                "resource": event.resource.map { .string($0) } ?? .null, "request_id": event.requestID.map { .string($0) } ?? .null,
                "session_id": event.sessionID.map { .string($0) } ?? .null, "metadata": .object(event.metadata),
            ]),
            "ecs": .object(["version": .string("8.11.0")]),
        ]
        if let actor = event.actor { document["user"] = .object(["name": .string(actor)]) }
        if let ip = event.sourceIP { document["source"] = .object(["ip": .string(ip.text)]) }
        if let agent = event.userAgent { document["user_agent"] = .object(["original": .string(agent)]) }
        if let message = event.errorMessage { document["error"] = .object(["message": .string(message)]) }
        return .object(document)
    }

    /// ECS `event.category` values for an event type.
    static func category(_ type: EventType) -> [String] {
        switch type.rawValue {
        case "authentication": ["authentication"]
        case "authorization": ["iam"]
        case "data_access": ["database"]
        case "configuration": ["configuration"]
        case "network": ["network"]
        case "key_management": ["configuration"]
        case "honeypot": ["intrusion_detection", "network"]
        case "security": ["intrusion_detection"]
        default: ["process"]
        }
    }

    /// What a `_bulk` response says of each document: `created` (201), `present` (409: a replay),
    /// `retry` (429, 5xx), `rejected` (other failures, with reasons).
    public struct BulkOutcome: Hashable, Sendable {
        /// Documents created.
        public var created = 0
        /// Documents already there (replays after a restart).
        public var present = 0
        /// Documents to send again.
        public var retry = 0
        /// Documents refused for good, with the reason of the first.
        public var rejected = 0
        /// The first rejection's reason.
        public var firstRejection: String?
    }

    /// Reads a `_bulk` response.
    ///
    /// - Throws: ``AlertingError`` when it is not one.
    public static func bulkOutcome(_ body: [UInt8]) throws(AlertingError) -> BulkOutcome {
        let parsed: JSONValue
        do {
            parsed = try JSONParser(limits: .init(maxBytes: Int.max, maxDepth: 32)).parse(body)
        } catch {
            throw AlertingError("the _bulk response is not JSON")
        }
        guard case .object(let members) = parsed, case .array(let items)? = members["items"] else {
            throw AlertingError("the _bulk response has no items")
        }
        var outcome = BulkOutcome()
        for item in items {
            guard case .object(let actions) = item, case .object(let result)? = actions.values.first, case .number(let status)? = result["status"]
            else { throw AlertingError("a _bulk item has no status") }
            switch Int(status) {
            case 200..<300: outcome.created += 1
            case 409: outcome.present += 1
            case 429, 500..<600: outcome.retry += 1
            default:
                outcome.rejected += 1
                if outcome.firstRejection == nil, let error = result["error"] {
                    outcome.firstRejection = String(decoding: CanonicalJSON.encode(error), as: UTF8.self)
                }
            }
        }
        return outcome
    }
}

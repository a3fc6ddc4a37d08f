public import PalisadeCore

/// The values of an event's fields as detection rules see them: strings, by the field names of
/// the event schema (`event_type`, `actor`, `source_ip`, `success`, …) or a metadata path
/// (`metadata.user.name`). A metadata array gives one value per element; absent fields give none.
extension AuditEvent {
    /// The field names rules may use (besides `metadata.<path>`).
    public static let detectionFields: Set<String> = [
        "id", "tenant", "timestamp", "event_type", "severity", "actor", "action", "resource", "success", "error_message", "source_ip",
        "user_agent", "session_id", "request_id",
    ]

    /// The values of `field` in this event.
    public func values(of field: String) -> [String] {
        switch field {
        case "id": return [idString]
        case "tenant": return [tenant.rawValue]
        case "timestamp": return [timestamp.rfc3339]
        case "event_type": return [eventType.rawValue]
        case "severity": return [severity.name]
        case "actor": return actor.map { [$0] } ?? []
        case "action": return [action]
        case "resource": return resource.map { [$0] } ?? []
        case "success": return [success ? "true" : "false"]
        case "error_message": return errorMessage.map { [$0] } ?? []
        case "source_ip": return sourceIP.map { [$0.text] } ?? []
        case "user_agent": return userAgent.map { [$0] } ?? []
        case "session_id": return sessionID.map { [$0] } ?? []
        case "request_id": return requestID.map { [$0] } ?? []
        default:
            guard field.hasPrefix("metadata.") else { return [] }
            return metadataValues(field.dropFirst("metadata.".count).split(separator: ".", omittingEmptySubsequences: false).map(String.init))
        }
    }

    /// The values at a metadata path (one per array element; none when absent).
    func metadataValues(_ path: [String]) -> [String] {
        guard let head = path.first, var value = metadata[head] else { return [] }
        for part in path.dropFirst() {
            guard case .object(let members) = value, let member = members[part] else { return [] }
            value = member
        }
        return Self.strings(value)
    }

    /// Every value of the event's text fields and metadata (flattened), for keyword searches (its
    /// id and times are not searched).
    public var allValues: [String] {
        var values = [eventType.rawValue, severity.name, action, success ? "true" : "false"]
        for optional in [actor, resource, errorMessage, sourceIP?.text, userAgent, sessionID, requestID] {
            if let value = optional { values.append(value) }
        }
        for value in metadata.values { values += Self.leaves(value) }
        return values
    }

    private static func leaves(_ value: JSONValue) -> [String] {
        switch value {
        case .object(let members): members.values.flatMap(leaves)
        case .array(let items): items.flatMap(leaves)
        default: strings(value)
        }
    }

    private static func strings(_ value: JSONValue) -> [String] {
        switch value {
        case .null: []
        case .bool(let flag): [flag ? "true" : "false"]
        case .number(let number): [CanonicalJSON.format(number)]
        case .string(let text): [text]
        case .array(let items): items.flatMap(strings)
        case .object: [String(decoding: CanonicalJSON.encode(value), as: UTF8.self)]
        }
    }
}

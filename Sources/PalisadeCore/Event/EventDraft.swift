/// An event as a client sends it, before validation: every field optional and unchecked.
///
/// Build one from decoded JSON with ``init(json:)`` or field by field; then ``EventValidator``
/// turns it into an ``AuditEvent`` or says exactly which fields are wrong.
public struct EventDraft: Hashable, Sendable {
    /// `id`: a UUID, or `nil` to have one generated.
    public var id: String?
    /// `timestamp`: RFC 3339, or `nil` for the time of receipt.
    public var timestamp: String?
    /// `event_type`.
    public var eventType: String?
    /// `severity`: a canonical name or an alias; `nil` means `info`.
    public var severity: String?
    /// `actor`.
    public var actor: String?
    /// `action`.
    public var action: String?
    /// `resource`.
    public var resource: String?
    /// `success`; `nil` means `true`.
    public var success: Bool?
    /// `error_message`.
    public var errorMessage: String?
    /// `source_ip`.
    public var sourceIP: String?
    /// `user_agent`.
    public var userAgent: String?
    /// `session_id`.
    public var sessionID: String?
    /// `request_id`.
    public var requestID: String?
    /// `metadata`: must be a JSON object when present.
    public var metadata: JSONValue?
    /// Problems found while reading JSON (wrong types, unknown fields), reported with the rest.
    public var shapeIssues: [EventValidationError.Issue] = []

    /// An empty draft.
    public init() {}

    /// The JSON field names an input event may have.
    public static let fieldNames: [String] = [
        "id", "timestamp", "event_type", "severity", "actor", "action", "resource", "success", "error_message", "source_ip",
        "user_agent", "session_id", "request_id", "metadata",
    ]

    /// Reads a draft from a JSON value. `null` members count as absent; wrong types and unknown
    /// members are recorded in ``shapeIssues``.
    public init(json: JSONValue) {
        guard case .object(let members) = json else {
            shapeIssues.append(.init(field: "(event)", message: "an event must be a JSON object, not \(json.typeName)"))
            return
        }
        for (name, value) in members where value != .null {
            switch name {
            case "id": id = string(value, name)
            case "timestamp": timestamp = string(value, name)
            case "event_type": eventType = string(value, name)
            case "severity": severity = string(value, name)
            case "actor": actor = string(value, name)
            case "action": action = string(value, name)
            case "resource": resource = string(value, name)
            case "error_message": errorMessage = string(value, name)
            case "source_ip": sourceIP = string(value, name)
            case "user_agent": userAgent = string(value, name)
            case "session_id": sessionID = string(value, name)
            case "request_id": requestID = string(value, name)
            case "metadata": metadata = value
            case "success":
                if case .bool(let flag) = value {
                    success = flag
                } else {
                    shapeIssues.append(.init(field: name, message: "must be true or false, not \(value.typeName)"))
                }
            case "tenant", "received_at":
                shapeIssues.append(.init(field: name, message: "is set by Palisade and must not be sent"))
            default:
                shapeIssues.append(
                    .init(field: Self.sanitized(name), message: "is not a field of an event (fields: \(Self.fieldNames.joined(separator: ", ")))")
                )
            }
        }
    }

    private mutating func sortIssues() {
        shapeIssues.sort { $0.field < $1.field }
    }

    private mutating func string(_ value: JSONValue, _ name: String) -> String? {
        if case .string(let text) = value { return text }
        shapeIssues.append(.init(field: name, message: "must be a string, not \(value.typeName)"))
        return nil
    }

    /// A field name safe to echo: printable ASCII only, at most 40 characters.
    static func sanitized(_ name: String) -> String {
        let printable = name.unicodeScalars.prefix(40).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" }
        return String(printable) + (name.unicodeScalars.count > 40 ? "…" : "")
    }
}

import Foundation

extension AuditEvent {
    /// The version of the entry format; it is part of every entry (`"v":1`).
    public static let entryFormatVersion = 1

    /// The members an entry may have.
    static let entryFields: Set<String> = [
        "v", "id", "tenant", "timestamp", "received_at", "event_type", "severity", "action", "success", "actor", "resource",
        "error_message", "source_ip", "user_agent", "session_id", "request_id", "metadata",
    ]

    /// The event as a JSON object, with absent fields and empty metadata left out.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "v": .number(Double(Self.entryFormatVersion)),
            "id": .string(idString),
            "tenant": .string(tenant.rawValue),
            "timestamp": .string(timestamp.rfc3339),
            "received_at": .string(receivedAt.rfc3339),
            "event_type": .string(eventType.rawValue),
            "severity": .string(severity.name),
            "action": .string(action),
            "success": .bool(success),
        ]
        if let actor { members["actor"] = .string(actor) }
        if let resource { members["resource"] = .string(resource) }
        if let errorMessage { members["error_message"] = .string(errorMessage) }
        if let sourceIP { members["source_ip"] = .string(sourceIP.text) }
        if let userAgent { members["user_agent"] = .string(userAgent) }
        if let sessionID { members["session_id"] = .string(sessionID) }
        if let requestID { members["request_id"] = .string(requestID) }
        if !metadata.isEmpty { members["metadata"] = .object(metadata) }
        return .object(members)
    }

    /// The ledger entry: the RFC 8785 canonical JSON of ``jsonValue``.
    ///
    /// Written field by field in canonical member order (a test keeps it equal to
    /// `CanonicalJSON.encode(jsonValue)`), because it is on the ingest hot path.
    public var canonicalEntry: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(384)
        var first = true
        func key(_ name: StaticString) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        func string(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            CanonicalJSON.appendString(value, to: &out)
        }
        // Members in RFC 8785 order (UTF-16 code units of the names).
        string("action", action)
        string("actor", actor)
        string("error_message", errorMessage)
        string("event_type", eventType.rawValue)
        string("id", idString)
        if !metadata.isEmpty {
            key("metadata")
            CanonicalJSON.append(.object(metadata), to: &out)
        }
        string("received_at", receivedAt.rfc3339)
        string("request_id", requestID)
        string("resource", resource)
        string("session_id", sessionID)
        string("severity", severity.name)
        string("source_ip", sourceIP?.text)
        key("success")
        out.append(contentsOf: (success ? "true" : "false").utf8)
        string("tenant", tenant.rawValue)
        string("timestamp", timestamp.rfc3339)
        string("user_agent", userAgent)
        key("v")
        out.append(contentsOf: String(Self.entryFormatVersion).utf8)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Decodes an entry read back from the ledger.
    ///
    /// Stricter than input validation: every field must already be in canonical form, and
    /// re-encoding the result must give back exactly `bytes` — so a decoded entry is proof that the
    /// stored bytes are a well-formed Palisade event.
    /// - Throws: ``EntryDecodingError`` naming what is wrong.
    public init(canonicalEntry bytes: [UInt8]) throws(EntryDecodingError) {
        let value: JSONValue
        do {
            value = try JSONParser(limits: .init(maxBytes: 1 << 16, maxDepth: 64)).parse(bytes)
        } catch {
            throw EntryDecodingError(reason: "entry is not JSON: \(error.description)")
        }
        guard case .object(let m) = value else { throw EntryDecodingError(reason: "entry is not a JSON object") }
        func text(_ name: String, required: Bool = false) throws(EntryDecodingError) -> String? {
            switch m[name] {
            case .string(let value)?: return value
            case nil where !required: return nil
            default: throw EntryDecodingError(reason: "entry field '\(name)' is missing or not a string")
            }
        }
        guard m["v"] == .number(Double(Self.entryFormatVersion)) else {
            throw EntryDecodingError(reason: "entry format version is not \(Self.entryFormatVersion)")
        }
        if let unknown = m.keys.first(where: { !Self.entryFields.contains($0) }) {
            throw EntryDecodingError(reason: "entry has an unknown field (\(unknown.prefix(40)))")
        }
        guard let idText = try text("id", required: true), let id = UUID(text: idText) else {
            throw EntryDecodingError(reason: "entry id is not a UUID")
        }
        guard let tenant = TenantID(try text("tenant", required: true)!) else { throw EntryDecodingError(reason: "entry tenant is invalid") }
        guard let timestamp = Timestamp(rfc3339: try text("timestamp", required: true)!),
            let receivedAt = Timestamp(rfc3339: try text("received_at", required: true)!)
        else { throw EntryDecodingError(reason: "entry timestamps are not RFC 3339") }
        guard let eventType = EventType(try text("event_type", required: true)!) else {
            throw EntryDecodingError(reason: "entry event_type is invalid")
        }
        guard let severityText = try text("severity", required: true), let severity = Severity(parsing: severityText),
            severity.name == severityText
        else { throw EntryDecodingError(reason: "entry severity is not canonical") }
        guard case .bool(let success)? = m["success"] else { throw EntryDecodingError(reason: "entry success is not a boolean") }
        var sourceIP: IPAddress?
        if let ipText = try text("source_ip") {
            guard let ip = IPAddress(ipText) else { throw EntryDecodingError(reason: "entry source_ip is invalid") }
            sourceIP = ip
        }
        var metadata = [String: JSONValue]()
        if let raw = m["metadata"] {
            guard case .object(let object) = raw else { throw EntryDecodingError(reason: "entry metadata is not an object") }
            metadata = object
        }
        self.init(
            id: id,
            tenant: tenant,
            timestamp: timestamp,
            receivedAt: receivedAt,
            eventType: eventType,
            severity: severity,
            actor: try text("actor"),
            action: try text("action", required: true)!,
            resource: try text("resource"),
            success: success,
            errorMessage: try text("error_message"),
            sourceIP: sourceIP,
            userAgent: try text("user_agent"),
            sessionID: try text("session_id"),
            requestID: try text("request_id"),
            metadata: metadata
        )
        guard canonicalEntry == bytes else { throw EntryDecodingError(reason: "entry is not in canonical form") }
    }
}

/// An entry read from the ledger is not a well-formed canonical Palisade event.
public struct EntryDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String
    /// The reason.
    public var description: String { reason }
}

extension AuditEvent {
    /// The event as a client would send it: ``jsonValue`` without the fields Palisade sets
    /// (`tenant`, `received_at`, `v`). Appending it again yields a duplicate of this event.
    public var draftJSON: JSONValue {
        guard case .object(var members) = jsonValue else { return jsonValue }
        for name in ["tenant", "received_at", "v"] { members[name] = nil }
        return .object(members)
    }
}

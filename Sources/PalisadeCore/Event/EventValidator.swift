public import Foundation

/// Turns an ``EventDraft`` into an ``AuditEvent``, checking every field against documented limits.
///
/// It is pure: the time of receipt and the id to use when the client sent none are passed in, so
/// the same draft and inputs always give the same result. All problems are reported at once, each
/// naming its field.
///
/// ```swift
/// let validator = EventValidator()
/// let event = try validator.validate(draft, tenant: .default, receivedAt: now, generatedID: UUID())
/// ```
public struct EventValidator: Sendable {
    /// Limits on event fields. Lengths are in UTF-8 bytes.
    public struct Configuration: Hashable, Sendable {
        /// `actor`, `session_id`, `request_id`: default 256 bytes.
        public var maxIdentifierBytes: Int
        /// `action`: default 256 bytes.
        public var maxActionBytes: Int
        /// `resource`, `user_agent`: default 1,024 bytes.
        public var maxResourceBytes: Int
        /// `error_message`: default 4,096 bytes.
        public var maxErrorMessageBytes: Int
        /// `metadata` in canonical form: default 32,768 bytes.
        public var maxMetadataBytes: Int
        /// `metadata` nesting: default 8 (a flat object is 1).
        public var maxMetadataDepth: Int
        /// How far ahead of receipt a timestamp may be: default 300 s (clock skew).
        public var maxFutureSkewSeconds: Int64
        /// How far behind receipt a timestamp may be: default 30 days (late delivery, backfill).
        public var maxPastAgeSeconds: Int64

        /// Creates a configuration; every default is documented on its property.
        public init(
            maxIdentifierBytes: Int = 256,
            maxActionBytes: Int = 256,
            maxResourceBytes: Int = 1024,
            maxErrorMessageBytes: Int = 4096,
            maxMetadataBytes: Int = 32_768,
            maxMetadataDepth: Int = 8,
            maxFutureSkewSeconds: Int64 = 300,
            maxPastAgeSeconds: Int64 = 30 * 86_400
        ) {
            precondition(maxMetadataBytes + 8 * 1024 < 65_535, "an entry must fit a C2SP entry bundle (uint16 length)")
            self.maxIdentifierBytes = maxIdentifierBytes
            self.maxActionBytes = maxActionBytes
            self.maxResourceBytes = maxResourceBytes
            self.maxErrorMessageBytes = maxErrorMessageBytes
            self.maxMetadataBytes = maxMetadataBytes
            self.maxMetadataDepth = maxMetadataDepth
            self.maxFutureSkewSeconds = maxFutureSkewSeconds
            self.maxPastAgeSeconds = maxPastAgeSeconds
        }
    }

    /// The limits in force.
    public var configuration: Configuration

    /// Creates a validator.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Validates and normalizes a draft.
    ///
    /// - Parameters:
    ///   - draft: the client's input.
    ///   - tenant: the tenant the caller is authenticated for.
    ///   - receivedAt: the time of receipt; also the timestamp when the draft has none.
    ///   - generatedID: the id to use when the draft has none.
    /// - Returns: the event, ready to be appended.
    /// - Throws: ``EventValidationError`` with one issue per bad field.
    public func validate(
        _ draft: EventDraft,
        tenant: TenantID,
        receivedAt: Timestamp,
        generatedID: UUID
    ) throws(EventValidationError)
        -> AuditEvent
    {
        var issues = draft.shapeIssues
        let limits = configuration

        var id = generatedID
        if let text = draft.id {
            if let parsed = UUID(text: text) {
                id = parsed
            } else {
                issues.append(.init(field: "id", message: "must be a UUID such as 123e4567-e89b-12d3-a456-426614174000"))
            }
        }

        var timestamp = receivedAt
        if let text = draft.timestamp {
            if let parsed = Timestamp(rfc3339: text) {
                if parsed.microseconds - receivedAt.microseconds > limits.maxFutureSkewSeconds * 1_000_000 {
                    issues.append(
                        .init(field: "timestamp", message: "is more than \(limits.maxFutureSkewSeconds) s in the future; check the sender's clock")
                    )
                } else if receivedAt.microseconds - parsed.microseconds > limits.maxPastAgeSeconds * 1_000_000 {
                    issues.append(.init(field: "timestamp", message: "is more than \(limits.maxPastAgeSeconds / 86_400) days in the past"))
                } else {
                    timestamp = parsed
                }
            } else {
                issues.append(.init(field: "timestamp", message: "must be an RFC 3339 date-time such as 2026-11-22T20:42:15.123Z"))
            }
        }

        var eventType: EventType?
        if let text = draft.eventType {
            eventType = EventType(text)
            if eventType == nil { issues.append(.init(field: "event_type", message: "must match [a-z][a-z0-9_.]{0,63}, e.g. authentication")) }
            if let type = eventType, type.isReserved {
                issues.append(.init(field: "event_type", message: "the palisade. namespace is reserved for Palisade's own ledger records"))
                eventType = nil
            }
        } else {
            issues.append(.init(field: "event_type", message: "is required"))
        }

        var severity = Severity.info
        if let text = draft.severity {
            if let parsed = Severity(parsing: text) {
                severity = parsed
            } else {
                issues.append(.init(field: "severity", message: "must be one of info, low, medium, high, critical (or debug, warning, error)"))
            }
        }

        let actor = checkText(draft.actor, "actor", limits.maxIdentifierBytes, &issues)
        let action = checkText(draft.action, "action", limits.maxActionBytes, &issues)
        if draft.action == nil { issues.append(.init(field: "action", message: "is required")) }
        let resource = checkText(draft.resource, "resource", limits.maxResourceBytes, &issues)
        let errorMessage = checkText(draft.errorMessage, "error_message", limits.maxErrorMessageBytes, &issues, allowLineBreaks: true)
        let userAgent = checkText(draft.userAgent, "user_agent", limits.maxResourceBytes, &issues)
        let sessionID = checkText(draft.sessionID, "session_id", limits.maxIdentifierBytes, &issues)
        let requestID = checkText(draft.requestID, "request_id", limits.maxIdentifierBytes, &issues)

        var sourceIP: IPAddress?
        if let text = draft.sourceIP {
            sourceIP = IPAddress(text)
            if sourceIP == nil { issues.append(.init(field: "source_ip", message: "must be an IPv4 or IPv6 address without zone or prefix length")) }
        }

        var metadata = [String: JSONValue]()
        if let value = draft.metadata {
            if case .object(let object) = value {
                if value.depth > limits.maxMetadataDepth {
                    issues.append(.init(field: "metadata", message: "is nested deeper than \(limits.maxMetadataDepth) levels"))
                } else if CanonicalJSON.encode(value).count > limits.maxMetadataBytes {
                    issues.append(.init(field: "metadata", message: "is larger than \(limits.maxMetadataBytes) bytes in canonical form"))
                } else if value.containsNUL {
                    // PostgreSQL's jsonb (and text) cannot hold U+0000; refusing it everywhere keeps
                    // every store able to hold every event.
                    issues.append(.init(field: "metadata", message: "must not contain U+0000 (\\u0000) in a key or string"))
                } else {
                    metadata = object
                }
            } else {
                issues.append(.init(field: "metadata", message: "must be a JSON object, not \(value.typeName)"))
            }
        }

        guard issues.isEmpty, let eventType, let action else { throw EventValidationError(issues: issues) }
        return AuditEvent(
            id: id,
            tenant: tenant,
            timestamp: timestamp,
            receivedAt: receivedAt,
            eventType: eventType,
            severity: severity,
            actor: actor,
            action: action,
            resource: resource,
            success: draft.success ?? true,
            errorMessage: errorMessage,
            sourceIP: sourceIP,
            userAgent: userAgent,
            sessionID: sessionID,
            requestID: requestID,
            metadata: metadata
        )
    }

    private func checkText(
        _ value: String?,
        _ field: String,
        _ maxBytes: Int,
        _ issues: inout [EventValidationError.Issue],
        allowLineBreaks: Bool = false
    ) -> String? {
        guard let value else { return nil }
        if value.isEmpty {
            issues.append(.init(field: field, message: "must not be empty; leave the field out instead"))
            return nil
        }
        if value.utf8.count > maxBytes {
            issues.append(.init(field: field, message: "is longer than \(maxBytes) bytes"))
            return nil
        }
        // C0 controls and DEL are single bytes; C1 controls (U+0080–U+009F) are 0xC2 0x80–0x9F.
        var previous: UInt8 = 0
        let forbidden = value.utf8.contains { byte in
            defer { previous = byte }
            if byte < 0x20 { return !(allowLineBreaks && (byte == 0x0a || byte == 0x09 || byte == 0x0d)) }
            return byte == 0x7f || (previous == 0xc2 && byte >= 0x80 && byte < 0xa0)
        }
        if forbidden {
            issues.append(
                .init(
                    field: field,
                    message: allowLineBreaks
                        ? "must not contain control characters other than tab and line breaks" : "must not contain control characters"
                )
            )
            return nil
        }
        return value
    }
}

/// What an erasure request removes from one event: named fields, or its whole payload.
///
/// The envelope — id, tenant, timestamps, event type, severity, action and success — always stays,
/// so the event can still be counted, found by id and placed in time. Everything else may go:
/// `actor`, `resource`, `error_message`, `source_ip`, `user_agent`, `session_id`, `request_id`,
/// `metadata`, or single metadata members as `metadata.<name>`.
public struct Redaction: Hashable, Sendable {
    /// The fields an erasure may remove (besides `metadata.<name>`).
    public static let redactableFields = ["actor", "resource", "error_message", "source_ip", "user_agent", "session_id", "request_id", "metadata"]

    /// The metadata member that lists what was removed, in the redacted copy.
    public static let markerKey = "palisade.redacted"

    /// The fields removed, sorted (`metadata.<name>` for single members).
    public let fields: [String]

    /// A redaction of the whole payload: every redactable field.
    public static let payload = Redaction(validFields: redactableFields)

    private init(validFields: [String]) {
        self.fields = Array(Set(validFields)).sorted()
    }

    /// A redaction of named fields.
    ///
    /// - Throws: ``RetentionError`` naming a field that is not redactable, or when none is given.
    public init(fields: [String]) throws(RetentionError) {
        guard !fields.isEmpty else { throw RetentionError("name at least one field to redact, or redact the whole payload") }
        for field in fields {
            if Self.redactableFields.contains(field) { continue }
            if field.hasPrefix("metadata."), field.count > "metadata.".count { continue }
            throw RetentionError(
                "'\(field.prefix(80))' cannot be redacted; redactable fields are \(Self.redactableFields.joined(separator: ", ")) and metadata.<name>"
            )
        }
        self.init(validFields: fields)
    }

    /// The event with the fields removed and ``markerKey`` listing them in its metadata.
    ///
    /// - Throws: ``RetentionError`` when the event is one of Palisade's own records (they are never
    ///   redacted) or holds none of the fields (nothing would change).
    public func apply(to event: AuditEvent) throws(RetentionError) -> AuditEvent {
        guard !event.eventType.isReserved else {
            throw RetentionError("event \(event.idString) is a Palisade \(event.eventType) record; those are never redacted")
        }
        let drop = Set(fields)
        var metadata = event.metadata
        var removed = [String]()
        func take<T>(_ name: String, _ value: T?) -> T? {
            guard drop.contains(name), value != nil else { return value }
            removed.append(name)
            return nil
        }
        let actor = take("actor", event.actor)
        let resource = take("resource", event.resource)
        let errorMessage = take("error_message", event.errorMessage)
        let sourceIP = take("source_ip", event.sourceIP)
        let userAgent = take("user_agent", event.userAgent)
        let sessionID = take("session_id", event.sessionID)
        let requestID = take("request_id", event.requestID)
        if drop.contains("metadata") {
            if !metadata.isEmpty { removed.append("metadata") }
            metadata = [:]
        } else {
            for field in fields where field.hasPrefix("metadata.") {
                let name = String(field.dropFirst("metadata.".count))
                if metadata.removeValue(forKey: name) != nil { removed.append(field) }
            }
        }
        guard !removed.isEmpty else {
            throw RetentionError("event \(event.idString) has none of \(fields.joined(separator: ", ")); nothing to redact")
        }
        metadata[Self.markerKey] = .array(removed.sorted().map { .string($0) })
        return AuditEvent(
            id: event.id,
            tenant: event.tenant,
            timestamp: event.timestamp,
            receivedAt: event.receivedAt,
            eventType: event.eventType,
            severity: event.severity,
            actor: actor,
            action: event.action,
            resource: resource,
            success: event.success,
            errorMessage: errorMessage,
            sourceIP: sourceIP,
            userAgent: userAgent,
            sessionID: sessionID,
            requestID: requestID,
            metadata: metadata
        )
    }
}

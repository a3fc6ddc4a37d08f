public import Foundation

/// One audit event as the ledger holds it: validated, normalized and bound to a tenant.
///
/// Only ``EventValidator`` (for new input) and ``AuditEvent/init(canonicalEntry:)`` (for entries
/// read back from the ledger) create values, so every `AuditEvent` satisfies the limits and formats
/// of its fields. Its ledger entry is ``canonicalEntry``: RFC 8785 JSON, the bytes the Merkle leaf
/// hash is taken over.
///
/// The fields are those of the original audit schema (id, timestamp, event type, severity, actor,
/// action, resource, success, error message, source IP, user agent, session id, request id,
/// metadata) plus the tenant and the time the ledger received the event.
public struct AuditEvent: Hashable, Sendable {
    /// The event's id, unique within its tenant; supplied by the client or generated on ingest.
    public let id: UUID
    /// The tenant whose log holds the event.
    public let tenant: TenantID
    /// When the event happened, as the source reports it.
    public let timestamp: Timestamp
    /// When the ledger accepted it.
    public let receivedAt: Timestamp
    /// The kind of event.
    public let eventType: EventType
    /// How serious it is (canonical scale only).
    public let severity: Severity
    /// Who acted: a user, service or agent id.
    public let actor: String?
    /// What was done.
    public let action: String
    /// What it was done to.
    public let resource: String?
    /// Whether it succeeded.
    public let success: Bool
    /// Why it failed, when it did.
    public let errorMessage: String?
    /// Where the request came from.
    public let sourceIP: IPAddress?
    /// The client's user agent.
    public let userAgent: String?
    /// The session it belongs to.
    public let sessionID: String?
    /// The request it belongs to.
    public let requestID: String?
    /// Free-form structured detail (a JSON object, possibly empty).
    public let metadata: [String: JSONValue]

    init(
        id: UUID,
        tenant: TenantID,
        timestamp: Timestamp,
        receivedAt: Timestamp,
        eventType: EventType,
        severity: Severity,
        actor: String?,
        action: String,
        resource: String?,
        success: Bool,
        errorMessage: String?,
        sourceIP: IPAddress?,
        userAgent: String?,
        sessionID: String?,
        requestID: String?,
        metadata: [String: JSONValue]
    ) {
        self.id = id
        self.tenant = tenant
        self.timestamp = timestamp
        self.receivedAt = receivedAt
        self.eventType = eventType
        self.severity = severity
        self.actor = actor
        self.action = action
        self.resource = resource
        self.success = success
        self.errorMessage = errorMessage
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.sessionID = sessionID
        self.requestID = requestID
        self.metadata = metadata
    }

    /// The event id in canonical (lowercase) text.
    public var idString: String { id.lowercasedString }
}

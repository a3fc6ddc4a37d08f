public import Foundation

extension AuditEvent {
    /// A record of Palisade's own (retention, erasure, anchor, incident, rule records): an event of
    /// a reserved `palisade.` type, timed and received at `now`.
    ///
    /// - Precondition: `type` is reserved (clients can never write such an event).
    public static func palisadeRecord(
        tenant: TenantID,
        id: UUID,
        at now: Timestamp,
        actor: String,
        type: EventType,
        action: String,
        severity: Severity = .medium,
        resource: String? = nil,
        success: Bool = true,
        errorMessage: String? = nil,
        metadata: [String: JSONValue]
    ) -> AuditEvent {
        precondition(type.isReserved, "Palisade's own records use a reserved palisade. type, not \(type)")
        return AuditEvent(
            id: id,
            tenant: tenant,
            timestamp: now,
            receivedAt: now,
            eventType: type,
            severity: severity,
            actor: actor,
            action: action,
            resource: resource ?? "ledger/\(tenant.rawValue)",
            success: success,
            errorMessage: errorMessage,
            sourceIP: nil,
            userAgent: nil,
            sessionID: nil,
            requestID: nil,
            metadata: metadata
        )
    }
}

public import Foundation
public import PalisadeCore

/// Builds valid events for tests through the real validator.
public struct EventFactory: Sendable {
    /// The clock receipt times come from.
    public let clock: ManualWallClock
    /// The validator.
    public let validator: EventValidator

    /// Creates a factory.
    ///
    /// - Parameter maxPastAgeSeconds: how old an event's timestamp may be (default: the validator's).
    public init(clock: ManualWallClock = ManualWallClock(), maxPastAgeSeconds: Int64? = nil) {
        self.clock = clock
        var configuration = EventValidator.Configuration()
        if let maxPastAgeSeconds { configuration.maxPastAgeSeconds = maxPastAgeSeconds }
        self.validator = EventValidator(configuration: configuration)
    }

    /// A validated event; fields not given take simple defaults.
    public func event(
        tenant: TenantID = .default,
        id: UUID = UUID(),
        type: String = "authentication",
        severity: String? = nil,
        actor: String? = "alice",
        action: String = "login",
        resource: String? = nil,
        success: Bool? = nil,
        sourceIP: String? = nil,
        sessionID: String? = nil,
        requestID: String? = nil,
        timestamp: String? = nil,
        metadata: JSONValue? = nil
    ) -> AuditEvent {
        var draft = EventDraft()
        draft.id = id.uuidString
        draft.eventType = type
        draft.severity = severity
        draft.actor = actor
        draft.action = action
        draft.resource = resource
        draft.success = success
        draft.sourceIP = sourceIP
        draft.sessionID = sessionID
        draft.requestID = requestID
        draft.timestamp = timestamp
        draft.metadata = metadata
        do {
            return try validator.validate(draft, tenant: tenant, receivedAt: clock.now(), generatedID: id)
        } catch {
            preconditionFailure("EventFactory built an invalid event: \(error)")
        }
    }
}

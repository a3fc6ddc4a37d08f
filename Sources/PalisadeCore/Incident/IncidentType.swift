/// The kind of a security incident: an open set of names with well-known values (the original
/// design's ten, plus Palisade's own sensors and monitors).
///
/// Any name matching `[a-z][a-z0-9_]{0,63}` is accepted, so rule packs can add kinds.
public struct IncidentType: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The name.
    public let rawValue: String

    /// Creates a type from a valid name.
    ///
    /// - Returns: `nil` when the name does not match `[a-z][a-z0-9_]{0,63}`.
    public init?(_ rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard let first = bytes.first, bytes.count <= 64, (97...122).contains(first),
            bytes.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 95 })
        else { return nil }
        self.rawValue = rawValue
    }

    private init(known rawValue: String) { self.rawValue = rawValue }

    /// Repeated failed authentications against one account or from one source.
    public static let bruteForceAttack = IncidentType(known: "brute_force_attack")
    /// Access unlike the entity's baseline (time, place, volume, new values).
    public static let anomalousAccess = IncidentType(known: "anomalous_access")
    /// A principal gaining rights it should not have.
    public static let privilegeEscalation = IncidentType(known: "privilege_escalation")
    /// Unusual volumes of data leaving.
    public static let dataExfiltration = IncidentType(known: "data_exfiltration")
    /// Instructions smuggled into an LLM agent's input.
    public static let promptInjection = IncidentType(known: "prompt_injection")
    /// A client exceeding rate limits persistently.
    public static let rateLimitAbuse = IncidentType(known: "rate_limit_abuse")
    /// Access that was refused, or should have been.
    public static let unauthorizedAccess = IncidentType(known: "unauthorized_access")
    /// Security configuration changed in a suspicious way.
    public static let configurationTampering = IncidentType(known: "configuration_tampering")
    /// Many accounts tried from one source with leaked credentials.
    public static let credentialStuffing = IncidentType(known: "credential_stuffing")
    /// A session used from a place or client it was not issued to.
    public static let sessionHijacking = IncidentType(known: "session_hijacking")
    /// Someone touched the SSH honeypot.
    public static let honeypotInteraction = IncidentType(known: "honeypot_interaction")
    /// A monitored host's agent stopped reporting.
    public static let agentSilent = IncidentType(known: "agent_silent")
    /// A host metric crossed its alert threshold.
    public static let metricThreshold = IncidentType(known: "metric_threshold")

    /// The well-known values.
    public static let wellKnown: [IncidentType] = [
        .bruteForceAttack, .anomalousAccess, .privilegeEscalation, .dataExfiltration, .promptInjection, .rateLimitAbuse,
        .unauthorizedAccess, .configurationTampering, .credentialStuffing, .sessionHijacking, .honeypotInteraction, .agentSilent,
        .metricThreshold,
    ]

    /// The name.
    public var description: String { rawValue }
    /// Orders by name.
    public static func < (lhs: IncidentType, rhs: IncidentType) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The kind of an audit event: an open set of lowercase names with well-known values.
///
/// Any name matching `[a-z][a-z0-9_.]{0,63}` is accepted, so applications can add their own kinds;
/// the well-known ones below are what Palisade's own parts emit and its detectors understand.
public struct EventType: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The name.
    public let rawValue: String

    /// Creates an event type from a valid name.
    ///
    /// - Returns: `nil` when the name does not match `[a-z][a-z0-9_.]{0,63}`.
    public init?(_ rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    private init(known rawValue: String) { self.rawValue = rawValue }

    /// Whether `name` is a valid event type name.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 64, first >= 97, first <= 122 else { return false }
        return bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 46 }
    }

    /// Sign-in, sign-out and credential checks.
    public static let authentication = EventType(known: "authentication")
    /// Permission decisions.
    public static let authorization = EventType(known: "authorization")
    /// Reads and writes of protected data.
    public static let dataAccess = EventType(known: "data_access")
    /// Configuration changes.
    public static let configuration = EventType(known: "configuration")
    /// Security-relevant findings.
    public static let security = EventType(known: "security")
    /// Prompts and completions of an LLM agent.
    public static let llmInteraction = EventType(known: "llm_interaction")
    /// Vault key operations.
    public static let keyManagement = EventType(known: "key_management")
    /// Network activity.
    public static let network = EventType(known: "network")
    /// Honeypot sensor activity.
    public static let honeypot = EventType(known: "honeypot")
    /// Host agent activity.
    public static let agent = EventType(known: "agent")
    /// Palisade's own operation.
    public static let system = EventType(known: "system")

    /// Palisade's own retention records: policies set and removed, legal holds placed and released.
    /// Reserved: clients cannot send events of a `palisade.` type.
    public static let palisadeRetention = EventType(known: "palisade.retention")
    /// Palisade's own erasure records: retention sweeps that pruned events, and redactions.
    public static let palisadeErasure = EventType(known: "palisade.erasure")

    /// Palisade's own anchor receipts: checkpoints anchored outside Palisade, with their proofs.
    public static let palisadeAnchor = EventType(known: "palisade.anchor")

    /// Palisade's own incident records: opened, new evidence, reopened, every lifecycle transition,
    /// assignment and note, SLA escalations (what alerting consumes).
    public static let palisadeIncident = EventType(known: "palisade.incident")

    /// Palisade's own rule records: the detection rules (with their revision and text) that watch
    /// the tenant's log, when they come into force and when they are removed.
    public static let palisadeRule = EventType(known: "palisade.rule")

    /// Palisade's own alerting records: receivers stored and removed (their secrets sealed),
    /// routing trees stored, silences created and expired, receivers paused by their breaker.
    public static let palisadeAlerting = EventType(known: "palisade.alerting")

    /// Palisade's own vault records: initialisation, unsealing and sealing, every key operation
    /// (allowed or refused, with key, version and outcome — never material or plaintext), and
    /// every approval step.
    public static let palisadeVault = EventType(known: "palisade.vault")

    /// Whether the type is in the `palisade.` namespace, which only Palisade itself writes; events of
    /// these types are never pruned or redacted.
    public var isReserved: Bool { rawValue.hasPrefix("palisade.") }

    /// The well-known values.
    public static let wellKnown: [EventType] = [
        .authentication, .authorization, .dataAccess, .configuration, .security, .llmInteraction, .keyManagement, .network,
        .honeypot, .agent, .system,
    ]

    /// The name.
    public var description: String { rawValue }
    /// Orders by name.
    public static func < (lhs: EventType, rhs: EventType) -> Bool { lhs.rawValue < rhs.rawValue }
}

public import PalisadeCore

/// How the engine reads one field of an event, resolved once from the field's name.
enum FieldAccessor: Sendable {
    case id, tenant, timestamp, eventType, severity, actor, action, resource, success, errorMessage, sourceIP, userAgent, sessionID
    case requestID
    case metadata([String])
    /// A name that is neither an event field nor a metadata path: never has values.
    case absent

    init(_ name: String) {
        switch name {
        case "id": self = .id
        case "tenant": self = .tenant
        case "timestamp": self = .timestamp
        case "event_type": self = .eventType
        case "severity": self = .severity
        case "actor": self = .actor
        case "action": self = .action
        case "resource": self = .resource
        case "success": self = .success
        case "error_message": self = .errorMessage
        case "source_ip": self = .sourceIP
        case "user_agent": self = .userAgent
        case "session_id": self = .sessionID
        case "request_id": self = .requestID
        default:
            guard name.hasPrefix("metadata.") else {
                self = .absent
                return
            }
            self = .metadata(name.dropFirst("metadata.".count).split(separator: ".", omittingEmptySubsequences: false).map(String.init))
        }
    }

    func values(_ event: AuditEvent) -> [String] {
        switch self {
        case .id: [event.idString]
        case .tenant: [event.tenant.rawValue]
        case .timestamp: [event.timestamp.rfc3339]
        case .eventType: [event.eventType.rawValue]
        case .severity: [event.severity.name]
        case .actor: event.actor.map { [$0] } ?? []
        case .action: [event.action]
        case .resource: event.resource.map { [$0] } ?? []
        case .success: [event.success ? "true" : "false"]
        case .errorMessage: event.errorMessage.map { [$0] } ?? []
        case .sourceIP: event.sourceIP.map { [$0.text] } ?? []
        case .userAgent: event.userAgent.map { [$0] } ?? []
        case .sessionID: event.sessionID.map { [$0] } ?? []
        case .requestID: event.requestID.map { [$0] } ?? []
        case .metadata(let path): event.metadataValues(path)
        case .absent: []
        }
    }
}

/// The fields a rule set reads, numbered: conditions refer to slots, and an event's values are
/// looked up (and case-folded) at most once per slot, without hashing field names per test.
struct FieldSlots: Sendable {
    private(set) var accessors: [FieldAccessor] = []
    private var numbers: [String: Int] = [:]

    /// The slot of a field, numbering it on first use.
    mutating func slot(_ name: String) -> Int {
        if let number = numbers[name] { return number }
        numbers[name] = accessors.count
        accessors.append(FieldAccessor(name))
        return accessors.count - 1
    }
}

/// One event's values by slot, filled as the rules ask for them.
struct SlotValues {
    let event: AuditEvent
    private let accessors: [FieldAccessor]
    private var raw: [[String]?]
    private var folded: [[String]?]
    private var everything: [String]?
    private var everythingFolded: [String]?

    init(_ event: AuditEvent, _ slots: FieldSlots) {
        self.event = event
        accessors = slots.accessors
        raw = Array(repeating: nil, count: slots.accessors.count)
        folded = raw
    }

    mutating func values(_ slot: Int) -> [String] {
        if let cached = raw[slot] { return cached }
        let values = accessors[slot].values(event)
        raw[slot] = values
        return values
    }

    mutating func foldedValues(_ slot: Int) -> [String] {
        if let cached = folded[slot] { return cached }
        let values = self.values(slot).map(\.sigmaFolded)
        folded[slot] = values
        return values
    }

    mutating func allValues() -> [String] {
        if let everything { return everything }
        everything = event.allValues
        return everything!
    }

    mutating func allFoldedValues() -> [String] {
        if let everythingFolded { return everythingFolded }
        everythingFolded = allValues().map(\.sigmaFolded)
        return everythingFolded!
    }
}

/// An ``EventCondition`` with its field names replaced by slots.
indirect enum CompiledCondition: Sendable {
    case field(Int, FieldTest)
    case keyword(FieldTest)
    case sameValue(Int, Int)
    case all([CompiledCondition])
    case any([CompiledCondition])
    case not(CompiledCondition)

    init(_ condition: EventCondition, slots: inout FieldSlots) {
        switch condition {
        case .field(let name, let test): self = .field(slots.slot(name), test)
        case .keyword(let test): self = .keyword(test)
        case .sameValue(let field, let other): self = .sameValue(slots.slot(field), slots.slot(other))
        case .all(let conditions): self = .all(conditions.map { CompiledCondition($0, slots: &slots) })
        case .any(let conditions): self = .any(conditions.map { CompiledCondition($0, slots: &slots) })
        case .not(let condition): self = .not(CompiledCondition(condition, slots: &slots))
        }
    }

    func matches(_ values: inout SlotValues) -> Bool {
        switch self {
        case .field(let slot, let test):
            return test.folds ? test.matches(folded: values.foldedValues(slot)) : test.matches(raw: values.values(slot))
        case .keyword(let test):
            return test.folds ? test.matches(folded: values.allFoldedValues()) : test.matches(raw: values.allValues())
        case .sameValue(let field, let other):
            return !Set(values.values(field)).isDisjoint(with: values.values(other))
        case .all(let conditions):
            for condition in conditions where !condition.matches(&values) { return false }
            return true
        case .any(let conditions):
            for condition in conditions where condition.matches(&values) { return true }
            return false
        case .not(let condition):
            return !condition.matches(&values)
        }
    }
}

/// Conditions compiled once for matching many events (dry runs over sample files): whether any of
/// them holds.
public struct EventMatcher: Sendable {
    private let conditions: [CompiledCondition]
    private let slots: FieldSlots

    /// Compiles the conditions.
    public init(anyOf conditions: [EventCondition]) {
        var slots = FieldSlots()
        self.conditions = conditions.map { CompiledCondition($0, slots: &slots) }
        self.slots = slots
    }

    /// Whether any condition holds for the event.
    public func matches(_ event: AuditEvent) -> Bool {
        var values = SlotValues(event, slots)
        for condition in conditions where condition.matches(&values) { return true }
        return false
    }
}

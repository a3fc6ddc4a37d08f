import Foundation

/// Where an incident is in its lifecycle.
///
/// ```
/// open ─► acknowledged ─► investigating ─► resolved ─► closed
///   │           │               │             │          │
///   └───────────┴───────────────┴─► false_positive       │
///                 reopen ◄──────────── resolved, closed, false_positive
/// ```
/// The original design's statuses (open, investigating, resolved, false_positive) are a subset.
public enum IncidentStatus: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// New, nobody has looked at it.
    case open
    /// Someone owns it.
    case acknowledged
    /// Being worked on.
    case investigating
    /// Dealt with, awaiting closure.
    case resolved
    /// Done.
    case closed
    /// Not an incident after all.
    case falsePositive = "false_positive"

    /// Whether it still needs work (open, acknowledged or investigating): dedup folds new evidence
    /// into it and its SLA runs.
    public var isActive: Bool { self == .open || self == .acknowledged || self == .investigating }

    /// The status after `action`.
    ///
    /// - Throws: ``IncidentTransitionError`` naming the actions allowed from this status.
    public func applying(_ action: IncidentAction) throws(IncidentTransitionError) -> IncidentStatus {
        let next: IncidentStatus? =
            switch (self, action) {
            case (.open, .acknowledge): .acknowledged
            case (.open, .investigate), (.acknowledged, .investigate): .investigating
            case (.open, .resolve), (.acknowledged, .resolve), (.investigating, .resolve): .resolved
            case (.open, .markFalsePositive), (.acknowledged, .markFalsePositive), (.investigating, .markFalsePositive): .falsePositive
            case (.resolved, .close), (.falsePositive, .close): .closed
            case (.resolved, .reopen), (.closed, .reopen), (.falsePositive, .reopen): .open
            default: nil
            }
        guard let next else { throw IncidentTransitionError(from: self, action: action.name, allowed: allowedActions) }
        return next
    }

    /// The names of the actions allowed from this status.
    public var allowedActions: [String] {
        switch self {
        case .open: ["acknowledge", "investigate", "resolve", "false_positive"]
        case .acknowledged: ["investigate", "resolve", "false_positive"]
        case .investigating: ["resolve", "false_positive"]
        case .resolved: ["close", "reopen"]
        case .closed: ["reopen"]
        case .falsePositive: ["close", "reopen"]
        }
    }

    /// The name.
    public var description: String { rawValue }
}

/// Something a person (or an automation) does to an incident.
public enum IncidentAction: Hashable, Sendable {
    /// Take ownership.
    case acknowledge
    /// Start working on it.
    case investigate
    /// Dealt with: what was done, and the root cause when known.
    case resolve(resolution: String, rootCause: String?)
    /// Close a resolved or false-positive incident.
    case close
    /// Open it again, and why.
    case reopen(reason: String)
    /// Not an incident, and why.
    case markFalsePositive(reason: String)

    /// The names of the actions, as the API and the CLI take them.
    public static let names = ["acknowledge", "investigate", "resolve", "close", "reopen", "false_positive"]

    /// Reads an action from its name and its texts (`resolution` and `rootCause` for resolve,
    /// `reason` for reopen and false_positive).
    ///
    /// - Throws: ``IncidentActionError`` naming the field that is missing or wrong.
    public init(name: String, resolution: String?, rootCause: String?, reason: String?) throws(IncidentActionError) {
        func required(_ value: String?, _ field: String) throws(IncidentActionError) -> String {
            guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw IncidentActionError(field: field, message: "\(name) needs a \(field)")
            }
            return value
        }
        switch name {
        case "acknowledge": self = .acknowledge
        case "investigate": self = .investigate
        case "close": self = .close
        case "resolve": self = .resolve(resolution: try required(resolution, "resolution"), rootCause: rootCause)
        case "reopen": self = .reopen(reason: try required(reason, "reason"))
        case "false_positive": self = .markFalsePositive(reason: try required(reason, "reason"))
        default: throw IncidentActionError(field: "action", message: "\(name) is not an action; use \(Self.names.joined(separator: ", "))")
        }
    }

    /// The action's name, as the API and the ledger spell it.
    public var name: String {
        switch self {
        case .acknowledge: "acknowledge"
        case .investigate: "investigate"
        case .resolve: "resolve"
        case .close: "close"
        case .reopen: "reopen"
        case .markFalsePositive: "false_positive"
        }
    }
}

/// An action that cannot be read: which field is missing or wrong, and why.
public struct IncidentActionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The field at fault (`action`, `resolution`, `reason`).
    public var field: String
    /// What is wrong.
    public var message: String

    /// The message.
    public var description: String { message }
}

/// An action that the incident's status does not allow.
public struct IncidentTransitionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The status the incident is in.
    public var from: IncidentStatus
    /// The action refused.
    public var action: String
    /// The actions that status allows.
    public var allowed: [String]

    /// What happened and what is possible instead.
    public var description: String {
        "an incident that is \(from) cannot \(action); allowed: \(allowed.joined(separator: ", "))"
    }
}

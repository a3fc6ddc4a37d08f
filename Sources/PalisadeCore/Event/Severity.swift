/// How serious an event is: `info < low < medium < high < critical`.
///
/// The original designs used other scales; their names are accepted on input and mapped once,
/// here, so only the canonical value is ever stored:
///
/// | input      | stored   |
/// |------------|----------|
/// | `debug`    | `info`   |
/// | `warning`  | `medium` |
/// | `error`    | `high`   |
///
/// Matching is case-insensitive (`WARNING` is `medium`).
public enum Severity: Int, CaseIterable, Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Informational.
    case info = 0
    /// Low.
    case low = 1
    /// Medium.
    case medium = 2
    /// High.
    case high = 3
    /// Critical.
    case critical = 4

    /// The canonical lowercase name.
    public var name: String {
        switch self {
        case .info: "info"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }

    /// The canonical name.
    public var description: String { name }

    /// The input aliases of the original designs and what they map to.
    public static let aliases: [String: Severity] = ["debug": .info, "warning": .medium, "error": .high]

    /// Parses a canonical name or an alias, case-insensitively.
    ///
    /// - Returns: `nil` for an unknown name.
    public init?(parsing text: String) {
        let lower = text.lowercased()
        if let value = Severity.allCases.first(where: { $0.name == lower }) {
            self = value
        } else if let value = Severity.aliases[lower] {
            self = value
        } else {
            return nil
        }
    }

    /// Orders by seriousness.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
}

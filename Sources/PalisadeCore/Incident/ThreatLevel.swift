/// How dangerous an incident is: `low < medium < high < critical` (the original design's four).
public enum ThreatLevel: Int, Hashable, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// Worth a look.
    case low = 1
    /// Needs attention this working day.
    case medium = 2
    /// Needs attention now.
    case high = 3
    /// Wake someone up.
    case critical = 4

    /// Parses a level name.
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = level
    }

    /// The lowercase name.
    public var name: String {
        switch self {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }

    /// The next level up (critical stays critical).
    public var raised: ThreatLevel { ThreatLevel(rawValue: min(rawValue + 1, ThreatLevel.critical.rawValue))! }

    /// The name.
    public var description: String { name }
    /// Orders by danger.
    public static func < (lhs: ThreatLevel, rhs: ThreatLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

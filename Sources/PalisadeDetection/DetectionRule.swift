public import PalisadeCore
import Yams

/// A Palisade detection rule: a Sigma-style `detection:` block that selects events, and what
/// turns matches into an incident — every match, a threshold in a sliding window, or a sequence.
///
/// ```yaml
/// id: auth.brute_force
/// title: Brute force against {actor}
/// incident: brute_force_attack
/// level: high
/// detection:
///   failed: {event_type: authentication, success: 'false'}
///   condition: failed
/// threshold: {count: 10, within: 5m, group_by: [actor]}          # or distinct: actor
/// # sequence: {first: failed, count: 5, then: succeeded, within: 10m, group_by: [actor]}
/// ```
public struct DetectionRule: Sendable {
    /// How matches become detections.
    public enum Trigger: Sendable {
        /// Every matching event.
        case each
        /// `threshold` matching events (or distinct values of a field) per group within the window.
        case threshold(ThresholdWindow.Configuration, groupBy: [String], distinct: String?)
        /// The `first` condition at least `count` times then the `then` condition, per group, within T.
        case sequence(SequenceTracker.Configuration, first: EventCondition, then: EventCondition, groupBy: [String])
        /// Every one of the conditions (in order, when the configuration says so) per group within T.
        case temporal(TemporalTracker.Configuration, steps: [EventCondition], groupBy: [String])
    }

    /// The rule's id (unique in a rule set).
    public var id: String
    /// The incident title; `{field}` is replaced with the group's or the event's value.
    public var title: String
    /// The incident type it opens.
    public var incident: IncidentType
    /// The threat level of that incident.
    public var level: ThreatLevel
    /// The events the rule looks at (for sequences, either step's).
    public var condition: EventCondition
    /// How matches become detections.
    public var trigger: Trigger
    /// The YAML the rule was read from.
    public let source: String
    /// The rule's revision: a digest of its YAML and field mapping (64-bit FNV-1a, hex). State a
    /// consumer saved for one revision is not restored into another.
    public let revision: String

    /// Whether every matching event is a detection (no window, sequence or correlation).
    public var isEachEvent: Bool {
        if case .each = trigger { true } else { false }
    }

    /// Creates a rule from its parts (Sigma rules and correlations compile to this).
    ///
    /// - Parameter source: the text it was read from; its digest (with `revisionSalt`) is the revision.
    public init(
        id: String,
        title: String,
        incident: IncidentType,
        level: ThreatLevel,
        condition: EventCondition,
        trigger: Trigger,
        source: String,
        revisionSalt: String = ""
    ) {
        self.id = id
        self.title = title
        self.incident = incident
        self.level = level
        self.condition = condition
        self.trigger = trigger
        self.source = source
        self.revision = Self.digest(source + revisionSalt)
    }

    /// Parses a rule file.
    ///
    /// - Throws: ``RuleError`` starting with the rule's id and saying what is wrong.
    public init(yaml: String, fieldMapping: [String: String] = [:]) throws(RuleError) {
        let rule: Node.Mapping
        do {
            guard let node = try Yams.compose(yaml: yaml), let mapping = node.mapping else { throw RuleError("a rule is a YAML mapping") }
            rule = mapping
        } catch let error as RuleError {
            throw error
        } catch {
            throw RuleError("the rule is not YAML: \(error)")
        }
        let name = rule["id"]?.string ?? "(no id)"
        self.source = yaml
        self.revision = Self.digest(yaml + fieldMapping.sorted { $0.key < $1.key }.map { "\n\($0.key)=\($0.value)" }.joined())
        do throws(RuleError) {
            guard let id = rule["id"]?.string, !id.isEmpty else { throw RuleError("it has no id") }
            guard let detection = rule["detection"]?.mapping else { throw RuleError("it has no detection") }
            guard let typeName = rule["incident"]?.string, let incident = IncidentType(typeName) else {
                throw RuleError("'incident' must name an incident type such as brute_force_attack")
            }
            guard let levelName = rule["level"]?.string, let level = ThreatLevel(name: levelName) else {
                throw RuleError("'level' must be low, medium, high or critical")
            }
            self.id = id
            self.title = rule["title"]?.string ?? id
            self.incident = incident
            self.level = level
            let (selections, conditionText) = try SigmaRule.selections(detection, fieldMapping: fieldMapping)
            switch (rule["threshold"]?.mapping, rule["sequence"]?.mapping) {
            case (let threshold?, nil):
                guard let conditionText else { throw RuleError("the detection has no condition") }
                condition = try SigmaCondition.compile(conditionText, selections: selections)
                guard let count = threshold["count"]?.int, count > 0 else { throw RuleError("threshold.count must be a positive number") }
                let window = try Self.seconds(threshold["within"]?.string, "threshold.within")
                let distinct = threshold["distinct"]?.string
                trigger = .threshold(
                    .init(windowSeconds: window, threshold: count, countsDistinctValues: distinct != nil),
                    groupBy: try Self.groupBy(threshold["group_by"]),
                    distinct: distinct
                )
            case (nil, let sequence?):
                guard let firstText = sequence["first"]?.string, let thenText = sequence["then"]?.string else {
                    throw RuleError("sequence.first and sequence.then must be conditions over the detection's selections")
                }
                let first = try SigmaCondition.compile(firstText, selections: selections)
                let then = try SigmaCondition.compile(thenText, selections: selections)
                let count = sequence["count"]?.int ?? 1
                guard count > 0 else { throw RuleError("sequence.count must be positive") }
                condition = .any([first, then])
                trigger = .sequence(
                    .init(withinSeconds: try Self.seconds(sequence["within"]?.string, "sequence.within"), minimumFirst: count),
                    first: first,
                    then: then,
                    groupBy: try Self.groupBy(sequence["group_by"])
                )
            case (nil, nil):
                guard let conditionText else { throw RuleError("the detection has no condition") }
                condition = try SigmaCondition.compile(conditionText, selections: selections)
                trigger = .each
            case (.some, .some):
                throw RuleError("a rule has a threshold or a sequence, not both")
            }
        } catch {
            throw RuleError("rule \(name): \(error.description)")
        }
    }

    /// 64-bit FNV-1a of the text's UTF-8 bytes, 16 hex digits.
    static func digest(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// `30s`, `5m`, `2h`, `1d` in seconds.
    static func seconds(_ text: String?, _ name: String) throws(RuleError) -> Int64 {
        guard let text, let unit = text.last, let number = Int64(text.dropLast()), number > 0 else {
            throw RuleError("\(name) must be a duration such as 30s, 5m, 2h or 1d")
        }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3_600
        case "d": return number * 86_400
        default: throw RuleError("\(name) must be a duration such as 30s, 5m, 2h or 1d")
        }
    }

    static func groupBy(_ node: Node?) throws(RuleError) -> [String] {
        guard let node else { throw RuleError("group_by must list the fields that identify an entity, e.g. [actor]") }
        let fields = node.sequence?.compactMap(\.string) ?? node.string.map { [$0] } ?? []
        guard !fields.isEmpty else { throw RuleError("group_by must list at least one field") }
        return fields
    }
}

public import PalisadeCore
import Yams

/// A Sigma rule file: one or more YAML documents (`---`), each a detection rule or a correlation
/// rule (Sigma's correlation specification: `event_count`, `value_count`, `temporal`,
/// `temporal_ordered`) over rules of the file referred to by name or id — compiled onto Palisade's
/// engines: counts become sliding-window thresholds, value counts distinct thresholds, temporal
/// correlations temporal trackers.
///
/// Refused with the rule and the reason: correlation conditions other than `gte`/`gt` (a count
/// *below* a bound is only known when the window closes), field `aliases`, references to rules
/// not in the file, and Sigma 1 collection actions (`action: global`).
public struct SigmaCollection: Sendable {
    /// The detection rules.
    public var rules: [SigmaRule]
    /// The correlation rules.
    public var correlations: [SigmaCorrelation]
    /// The file's text (every rule compiled from it carries it as its source).
    public let source: String

    /// Parses and compiles a file.
    ///
    /// - Throws: ``RuleError`` naming the rule (id or title) and what is wrong.
    public init(yaml: String, fieldMapping: [String: String] = [:]) throws(RuleError) {
        let documents: [Node]
        do {
            documents = Array(try Yams.compose_all(yaml: yaml))
        } catch {
            throw RuleError("the rule file is not YAML: \(error)")
        }
        guard !documents.isEmpty else { throw RuleError("the rule file is empty") }
        var rules = [SigmaRule]()
        var correlations = [SigmaCorrelation]()
        for document in documents {
            guard let mapping = document.mapping else { throw RuleError("a Sigma document is a YAML mapping") }
            if let action = mapping["action"]?.string {
                throw RuleError("Sigma rule \(SigmaRule.name(of: mapping)): 'action: \(action)' collections (Sigma 1) are not supported")
            }
            if mapping["correlation"] != nil {
                correlations.append(try SigmaCorrelation(mapping: mapping, fieldMapping: fieldMapping))
            } else {
                rules.append(try SigmaRule(mapping: mapping, fieldMapping: fieldMapping))
            }
        }
        self.rules = rules
        self.correlations = correlations
        self.source = yaml
    }

    /// The file as Palisade detection rules: each correlation, and each detection rule that no
    /// correlation consumes (a rule referred to by a correlation fires on its own only when that
    /// correlation says `generate: true`).
    ///
    /// - Throws: ``RuleError`` when a correlation refers to a rule the file does not hold.
    public func detectionRules() throws(RuleError) -> [DetectionRule] {
        var byReference = [String: SigmaRule]()
        for rule in rules {
            byReference[rule.id] = rule
            if let name = rule.name { byReference[name] = rule }
        }
        var consumed = Set<String>()
        var compiled = [DetectionRule]()
        for correlation in correlations {
            var bases = [SigmaRule]()
            for reference in correlation.references {
                guard let rule = byReference[reference] else {
                    throw RuleError("Sigma correlation \(correlation.id): it refers to '\(reference)', which is not a rule in the file")
                }
                bases.append(rule)
                if !correlation.generate { consumed.insert(rule.id) }
            }
            compiled.append(correlation.detectionRule(over: bases, source: source))
        }
        for rule in rules where !consumed.contains(rule.id) {
            compiled.append(
                DetectionRule(
                    id: rule.id,
                    title: rule.title,
                    incident: rule.incident,
                    level: rule.level,
                    condition: rule.condition,
                    trigger: .each,
                    source: source,
                    revisionSalt: "\n#rule \(rule.id)"
                )
            )
        }
        return compiled
    }

    /// Whether a rule file is in Sigma's format (its first document has `logsource` or
    /// `correlation`) rather than Palisade's.
    public static func isSigma(_ yaml: String) -> Bool {
        let first: Node.Mapping?
        do {
            first = try Yams.compose_all(yaml: yaml).first(where: { _ in true })?.mapping
        } catch {
            return false  // not YAML at all: the Palisade parser reports why
        }
        guard let first else { return false }
        return first["logsource"] != nil || first["correlation"] != nil
    }
}

/// A Sigma correlation rule: what it counts or correlates, per which fields, within what time.
public struct SigmaCorrelation: Sendable {
    /// The correlation types.
    public enum Kind: String, Sendable {
        /// At least N matching events per group.
        case eventCount = "event_count"
        /// At least N distinct values of a field per group.
        case valueCount = "value_count"
        /// Every referred rule matched per group, in any order.
        case temporal
        /// Every referred rule matched per group, in the listed order.
        case temporalOrdered = "temporal_ordered"
    }

    /// Its id.
    public var id: String
    /// Its title.
    public var title: String
    /// Its level.
    public var level: ThreatLevel
    /// The incident type it opens.
    public var incident: IncidentType
    /// The type.
    public var kind: Kind
    /// The rules it correlates, by name or id.
    public var references: [String]
    /// The Palisade fields that identify an entity.
    public var groupBy: [String]
    /// The time span, seconds.
    public var timespanSeconds: Int64
    /// The count that fires it (counts), or the number of rules (temporal).
    public var threshold: Int
    /// The field whose distinct values are counted (`value_count`).
    public var field: String?
    /// Whether the referred rules also fire on their own.
    public var generate: Bool

    init(mapping rule: Node.Mapping, fieldMapping: [String: String]) throws(RuleError) {
        do throws(RuleError) {
            guard let title = rule["title"]?.string else { throw RuleError("it has no title") }
            guard let correlation = rule["correlation"]?.mapping else { throw RuleError("'correlation' must be a mapping") }
            id = rule["id"]?.string ?? title
            self.title = title
            level = try SigmaRule.level(rule)
            incident = try SigmaRule.incident(rule, tags: rule["tags"]?.sequence?.compactMap(\.string) ?? [])
            guard let typeName = correlation["type"]?.string, let kind = Kind(rawValue: typeName) else {
                throw RuleError("correlation type must be event_count, value_count, temporal or temporal_ordered")
            }
            self.kind = kind
            if correlation["aliases"] != nil { throw RuleError("correlation field aliases are not supported; map the fields with the field mapping") }
            let references = correlation["rules"]?.sequence?.compactMap(\.string) ?? correlation["rules"]?.string.map { [$0] } ?? []
            guard !references.isEmpty else { throw RuleError("correlation rules must name at least one rule") }
            self.references = references
            let groupBy = correlation["group-by"]?.sequence?.compactMap(\.string) ?? correlation["group-by"]?.string.map { [$0] } ?? []
            guard !groupBy.isEmpty else { throw RuleError("correlation group-by must name the fields that identify an entity") }
            self.groupBy = groupBy.map { SigmaRule.mapped($0, fieldMapping) }
            timespanSeconds = try DetectionRule.seconds(correlation["timespan"]?.string, "correlation timespan")
            generate = correlation["generate"]?.bool ?? false
            let condition = correlation["condition"]?.mapping
            switch kind {
            case .eventCount, .valueCount:
                guard let condition else { throw RuleError("\(kind.rawValue) needs a condition such as {gte: 10}") }
                threshold = try Self.lowerBound(condition)
                if kind == .valueCount {
                    guard let name = condition["field"]?.string else {
                        throw RuleError("value_count needs condition.field, the field whose values are counted")
                    }
                    field = SigmaRule.mapped(name, fieldMapping)
                } else {
                    field = nil
                }
            case .temporal, .temporalOrdered:
                guard references.count >= 2 else { throw RuleError("a temporal correlation needs at least two rules") }
                if let condition, try Self.lowerBound(condition) != references.count {
                    throw RuleError("temporal correlations fire when all \(references.count) rules match; other counts are not supported")
                }
                threshold = references.count
                field = nil
            }
        } catch {
            throw RuleError("Sigma correlation \(SigmaRule.name(of: rule)): \(error.description)")
        }
    }

    /// `gte: N` is N, `gt: N` is N + 1; anything else is refused.
    private static func lowerBound(_ condition: Node.Mapping) throws(RuleError) -> Int {
        var bound: Int?
        for (key, value) in condition {
            switch key.string {
            case "field": continue
            case "gte":
                guard let number = value.int, number > 0 else { throw RuleError("condition gte must be a positive number") }
                bound = number
            case "gt":
                guard let number = value.int, number >= 0 else { throw RuleError("condition gt must be a number") }
                bound = number + 1
            case let other?:
                throw RuleError(
                    "condition '\(other)' is not supported: a count below a bound is only known when the window closes; use gte or gt"
                )
            case nil: throw RuleError("a condition key is not a string")
            }
        }
        guard let bound else { throw RuleError("the condition needs gte or gt") }
        return bound
    }

    func detectionRule(over bases: [SigmaRule], source: String) -> DetectionRule {
        let conditions = bases.map(\.condition)
        let trigger: DetectionRule.Trigger
        switch kind {
        case .eventCount:
            trigger = .threshold(.init(windowSeconds: timespanSeconds, threshold: threshold), groupBy: groupBy, distinct: nil)
        case .valueCount:
            trigger = .threshold(
                .init(windowSeconds: timespanSeconds, threshold: threshold, countsDistinctValues: true),
                groupBy: groupBy,
                distinct: field
            )
        case .temporal, .temporalOrdered:
            trigger = .temporal(
                .init(withinSeconds: timespanSeconds, steps: conditions.count, ordered: kind == .temporalOrdered),
                steps: conditions,
                groupBy: groupBy
            )
        }
        return DetectionRule(
            id: id,
            title: title,
            incident: incident,
            level: level,
            condition: conditions.count == 1 ? conditions[0] : .any(conditions),
            trigger: trigger,
            source: source,
            revisionSalt: "\n#correlation \(id)"
        )
    }
}

/// A rule file in either format: Sigma (detection and correlation rules, see ``SigmaCollection``)
/// or Palisade's own (one ``DetectionRule``).
public enum RuleFile {
    /// The detection rules a file holds.
    ///
    /// - Throws: ``RuleError`` naming the rule and what is wrong.
    public static func rules(from yaml: String, fieldMapping: [String: String] = [:]) throws(RuleError) -> [DetectionRule] {
        if SigmaCollection.isSigma(yaml) { return try SigmaCollection(yaml: yaml, fieldMapping: fieldMapping).detectionRules() }
        return [try DetectionRule(yaml: yaml, fieldMapping: fieldMapping)]
    }
}

import Foundation
public import PalisadeCore
import Yams

/// A Sigma detection rule (SigmaHQ format) compiled to an ``EventCondition`` over Palisade events.
///
/// Supported: selections as maps (AND of fields) or lists of maps (OR), lists of values (OR, or
/// AND with `|all`), `null` for an absent field, the modifiers `contains`, `startswith`,
/// `endswith`, `re`, `cidr`, `all`, `base64`, `cased`, `exists`, `gt`, `gte`, `lt`, `lte`, and
/// conditions with `and`, `or`, `not`, parentheses, `1 of` / `all of` a pattern or `them`.
/// Anything else — keyword lists, other modifiers, aggregations — is refused at load time with
/// the rule id and the reason, never ignored.
public struct SigmaRule: Sendable {
    /// The rule's id (its UUID in SigmaHQ rules).
    public var id: String
    /// Its title.
    public var title: String
    /// Sigma's level mapped to a threat level (`informational` counts as low).
    public var level: ThreatLevel
    /// Its tags (e.g. `attack.t1110`).
    public var tags: [String]
    /// The compiled detection.
    public var condition: EventCondition

    /// Parses and compiles a rule.
    ///
    /// - Parameters:
    ///   - yaml: the rule file's text.
    ///   - fieldMapping: Sigma field names to Palisade field names (e.g. `TargetUserName` →
    ///     `actor`); a field neither mapped nor a Palisade field is looked up as `metadata.<field>`.
    /// - Throws: ``RuleError`` starting with the rule's id (or title) and saying what is unsupported.
    public init(yaml: String, fieldMapping: [String: String] = [:]) throws(RuleError) {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw RuleError("the rule file is empty") }
            root = node
        } catch let error as RuleError {
            throw error
        } catch {
            throw RuleError("the rule is not YAML: \(error)")
        }
        guard let rule = root.mapping else { throw RuleError("a Sigma rule is a YAML mapping") }
        let name = rule["id"]?.string ?? rule["title"]?.string ?? "(untitled)"
        do throws(RuleError) {
            guard let title = rule["title"]?.string else { throw RuleError("it has no title") }
            guard let detection = rule["detection"]?.mapping else { throw RuleError("it has no detection") }
            if rule["correlation"] != nil { throw RuleError("it is a correlation rule; load it as one") }
            id = rule["id"]?.string ?? title
            self.title = title
            switch rule["level"]?.string ?? "medium" {
            case "informational", "low": level = .low
            case "medium": level = .medium
            case "high": level = .high
            case "critical": level = .critical
            case let other: throw RuleError("level '\(other)' is not a Sigma level")
            }
            tags = rule["tags"]?.sequence?.compactMap(\.string) ?? []
            condition = try Self.compile(detection, fieldMapping: fieldMapping)
        } catch {
            throw RuleError("Sigma rule \(name): \(error.description)")
        }
    }

    static func compile(_ detection: Node.Mapping, fieldMapping: [String: String]) throws(RuleError) -> EventCondition {
        let (selections, conditionText) = try selections(detection, fieldMapping: fieldMapping)
        guard let conditionText else { throw RuleError("the detection has no condition") }
        return try SigmaCondition.compile(conditionText, selections: selections)
    }

    /// The named selections of a detection block, and its `condition:` if it has one.
    static func selections(
        _ detection: Node.Mapping,
        fieldMapping: [String: String]
    ) throws(RuleError) -> (
        [String: EventCondition], String?
    ) {
        var selections = [String: EventCondition]()
        var conditionText: String?
        for (key, value) in detection {
            guard let name = key.string else { throw RuleError("a detection key is not a string") }
            switch name {
            case "condition":
                guard let text = value.string else {
                    throw RuleError("a list of conditions is not supported; combine them with 'or'")
                }
                conditionText = text
            case "timeframe":
                throw RuleError("'timeframe' belongs to correlation rules")
            default:
                selections[name] = try selection(value, name: name, fieldMapping: fieldMapping)
            }
        }
        return (selections, conditionText)
    }

    private static func selection(_ node: Node, name: String, fieldMapping: [String: String]) throws(RuleError) -> EventCondition {
        if let map = node.mapping { return try fields(map, fieldMapping: fieldMapping) }
        guard let list = node.sequence, !list.isEmpty else { throw RuleError("selection '\(name)' is neither a map nor a list of maps") }
        var alternatives = [EventCondition]()
        for item in list {
            guard let map = item.mapping else {
                throw RuleError("selection '\(name)' is a keyword list (search in every field), which is not supported; name the fields")
            }
            alternatives.append(try fields(map, fieldMapping: fieldMapping))
        }
        return .any(alternatives)
    }

    private static func fields(_ map: Node.Mapping, fieldMapping: [String: String]) throws(RuleError) -> EventCondition {
        var conditions = [EventCondition]()
        for (key, value) in map {
            guard let spec = key.string else { throw RuleError("a field name is not a string") }
            let parts = spec.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard !parts[0].isEmpty else { throw RuleError("'\(spec)' has no field name (keyword search is not supported)") }
            let field =
                fieldMapping[parts[0]]
                ?? (AuditEvent.detectionFields.contains(parts[0]) || parts[0].hasPrefix("metadata.") ? parts[0] : "metadata.\(parts[0])")
            var kind = FieldTest.Kind.equals
            var requireAll = false
            var cased = false
            var base64 = false
            for modifier in parts.dropFirst() {
                switch modifier {
                case "contains": kind = .contains
                case "startswith": kind = .startsWith
                case "endswith": kind = .endsWith
                case "re": kind = .regex
                case "cidr": kind = .cidr
                case "exists": kind = .exists
                case "gt": kind = .greaterThan
                case "gte": kind = .greaterOrEqual
                case "lt": kind = .lessThan
                case "lte": kind = .lessOrEqual
                case "all": requireAll = true
                case "cased": cased = true
                case "base64": base64 = true
                default: throw RuleError("modifier '\(modifier)' (in '\(spec)') is not supported")
                }
            }
            var patterns = [String]()
            var nullValue = false
            let values = value.sequence.map(Array.init) ?? [value]
            for item in values {
                if item == Node("~") || item.null != nil {
                    nullValue = true
                    continue
                }
                guard let text = item.string else { throw RuleError("the value of '\(spec)' is not a scalar") }
                patterns.append(base64 ? Data(text.utf8).base64EncodedString() : text)
            }
            if nullValue && patterns.isEmpty {
                conditions.append(.field(field, try FieldTest(.exists, ["false"])))
                continue
            }
            guard !nullValue else { throw RuleError("'\(spec)' mixes null with values, which is not supported") }
            conditions.append(.field(field, try FieldTest(kind, patterns, requireAll: requireAll, cased: cased)))
        }
        return .all(conditions)
    }
}

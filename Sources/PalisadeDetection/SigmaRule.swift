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
    /// The name correlation rules refer to it by, if it has one.
    public var name: String?
    /// Its title.
    public var title: String
    /// Sigma's level mapped to a threat level (`informational` counts as low).
    public var level: ThreatLevel
    /// Its tags (e.g. `attack.t1110`).
    public var tags: [String]
    /// The incident type its matches open: `palisade_incident` when the rule says, else from its
    /// ATT&CK (or ATLAS) tags, else `anomalous_access`.
    public var incident: IncidentType
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
        if rule["correlation"] != nil { throw RuleError("Sigma rule \(Self.name(of: rule)): it is a correlation rule; load it as one") }
        try self.init(mapping: rule, fieldMapping: fieldMapping)
    }

    /// Compiles one rule document.
    init(mapping rule: Node.Mapping, fieldMapping: [String: String]) throws(RuleError) {
        do throws(RuleError) {
            guard let title = rule["title"]?.string else { throw RuleError("it has no title") }
            guard let detection = rule["detection"]?.mapping else { throw RuleError("it has no detection") }
            id = rule["id"]?.string ?? title
            name = rule["name"]?.string
            self.title = title
            level = try Self.level(rule)
            tags = rule["tags"]?.sequence?.compactMap(\.string) ?? []
            incident = try Self.incident(rule, tags: tags)
            condition = try Self.compile(detection, fieldMapping: fieldMapping)
        } catch {
            throw RuleError("Sigma rule \(Self.name(of: rule)): \(error.description)")
        }
    }

    /// How errors name a rule: its id, else its title.
    static func name(of rule: Node.Mapping) -> String { rule["id"]?.string ?? rule["title"]?.string ?? "(untitled)" }

    /// Sigma's `level` as a threat level.
    static func level(_ rule: Node.Mapping) throws(RuleError) -> ThreatLevel {
        switch rule["level"]?.string ?? "medium" {
        case "informational", "low": return .low
        case "medium": return .medium
        case "high": return .high
        case "critical": return .critical
        case let other: throw RuleError("level '\(other)' is not a Sigma level")
        }
    }

    /// The incident type a rule's matches open.
    static func incident(_ rule: Node.Mapping, tags: [String]) throws(RuleError) -> IncidentType {
        if let named = rule["palisade_incident"]?.string {
            guard let type = IncidentType(named) else { throw RuleError("palisade_incident '\(named)' is not an incident type") }
            return type
        }
        let lowered = Set(tags.map { $0.lowercased() })
        func has(_ prefix: String) -> Bool { lowered.contains { $0 == prefix || $0.hasPrefix(prefix + ".") } }
        if has("atlas.aml.t0051") || has("atlas.aml.t0054") { return .promptInjection }
        if has("attack.t1110.003") || has("attack.t1110.004") { return .credentialStuffing }
        if has("attack.t1110") { return .bruteForceAttack }
        if has("attack.t1562") || has("attack.defense_evasion") { return .configurationTampering }
        if has("attack.t1550") || has("attack.t1539") || has("attack.t1185") { return .sessionHijacking }
        if has("attack.exfiltration") || has("attack.t1567") || has("attack.t1048") { return .dataExfiltration }
        if has("attack.privilege_escalation") || has("attack.t1068") || has("attack.t1098") { return .privilegeEscalation }
        if has("attack.t1078") || has("attack.initial_access") || has("attack.credential_access") { return .unauthorizedAccess }
        return .anomalousAccess
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
        guard let list = node.sequence, !list.isEmpty else { throw RuleError("selection '\(name)' is neither a map nor a list") }
        if list.allSatisfy({ $0.mapping == nil }) {
            // A keyword list: any keyword anywhere in the event.
            var keywords = [String]()
            for item in list {
                guard let text = item.string else { throw RuleError("keyword list '\(name)' holds something that is not a string") }
                keywords.append(text)
            }
            return .keyword(try FieldTest(.contains, keywords))
        }
        var alternatives = [EventCondition]()
        for item in list {
            guard let map = item.mapping else { throw RuleError("selection '\(name)' mixes maps and keywords; split it into two selections") }
            alternatives.append(try fields(map, fieldMapping: fieldMapping))
        }
        return .any(alternatives)
    }

    private static func fields(_ map: Node.Mapping, fieldMapping: [String: String]) throws(RuleError) -> EventCondition {
        var conditions = [EventCondition]()
        for (key, value) in map {
            guard let spec = key.string else { throw RuleError("a field name is not a string") }
            let parts = spec.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard !parts[0].isEmpty else { throw RuleError("'\(spec)' has no field name (keyword search takes a plain list of keywords)") }
            let field = mapped(parts[0], fieldMapping)
            var values = [String]()
            var nullValue = false
            for item in value.sequence.map(Array.init) ?? [value] {
                if item == Node("~") || item.null != nil {
                    nullValue = true
                    continue
                }
                guard let text = item.string else { throw RuleError("the value of '\(spec)' is not a scalar") }
                values.append(text)
            }
            let modifiers = try SigmaModifiers(Array(parts.dropFirst()), spec: spec)
            if nullValue {
                guard values.isEmpty, modifiers.isPlain else {
                    throw RuleError("'\(spec)' mixes null with values or modifiers, which is not supported")
                }
                conditions.append(.field(field, try FieldTest(.exists, ["false"])))
                continue
            }
            if modifiers.fieldReference {
                let references = values.map { EventCondition.sameValue(field, mapped($0, fieldMapping)) }
                conditions.append(modifiers.requireAll ? .all(references) : .any(references))
                continue
            }
            // Each value expands (windash, base64offset) into alternatives; `|all` needs every value.
            let groups = try values.map { value throws(RuleError) in try modifiers.expand(value, spec: spec) }
            let test = { (patterns: [String]) throws(RuleError) -> EventCondition in
                .field(field, try FieldTest(modifiers.kind, patterns, cased: modifiers.cased, regexFlags: modifiers.regexFlags))
            }
            if modifiers.requireAll && groups.contains(where: { $0.count > 1 }) {
                var all = [EventCondition]()
                for group in groups { all.append(try test(group)) }
                conditions.append(.all(all))
            } else {
                conditions.append(
                    .field(
                        field,
                        try FieldTest(
                            modifiers.kind,
                            groups.flatMap { $0 },
                            requireAll: modifiers.requireAll,
                            cased: modifiers.cased,
                            regexFlags: modifiers.regexFlags
                        )
                    )
                )
            }
        }
        return .all(conditions)
    }

    /// A Sigma field name as a Palisade field: mapped, a Palisade field, or a metadata path.
    static func mapped(_ name: String, _ fieldMapping: [String: String]) -> String {
        fieldMapping[name] ?? (AuditEvent.detectionFields.contains(name) || name.hasPrefix("metadata.") ? name : "metadata.\(name)")
    }
}

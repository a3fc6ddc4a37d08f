import Foundation
import HTTPTypes
public import Hummingbird
public import PalisadeCore
public import PalisadeDetection
public import PalisadeIngest

/// `/v1/rules`: the detection rules in force for the caller's tenant (list, get), the tenant's own
/// rule files (put, delete — kept as `palisade.rule` records in its ledger, so every version is in
/// the audit trail and takes effect exactly at its place in the log), and dry runs over sample
/// events (test). Reads and tests need `read`; changes need `admin`.
public struct RulesController: Sendable {
    let events: any EventStore
    let committer: GroupCommitter
    let globalRules: @Sendable () async -> [DetectionRule]
    let clock: any WallClock
    let maxBodyBytes: Int

    /// Creates the controller.
    ///
    /// - Parameter globalRules: the rules every tenant has (the default pack and the rules directory).
    public init(
        events: any EventStore,
        committer: GroupCommitter,
        globalRules: @escaping @Sendable () async -> [DetectionRule],
        clock: any WallClock,
        maxBodyBytes: Int
    ) {
        self.events = events
        self.committer = committer
        self.globalRules = globalRules
        self.clock = clock
        self.maxBodyBytes = maxBodyBytes
    }

    /// Adds the routes to the `/v1` group.
    public func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("rules", use: list)
        group.post("rules/test", use: test)
        group.get("rules/:id", use: get)
        group.put("rules/:id", use: put)
        group.delete("rules/:id", use: delete)
    }

    /// `GET /v1/rules`: every rule in force for the tenant, with where it comes from.
    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let (rules, files, fileOfRule) = try await inForce(context.tenant)
        let defaults = try Self.defaultRevisions()
        return .json(
            .object([
                "rules": .array(rules.map { Self.json($0, file: fileOfRule[$0.id], defaults: defaults, withSource: false) }),
                "files": .array(files.files.values.sorted { $0.id < $1.id }.map { Self.json($0) }),
            ])
        )
    }

    /// `GET /v1/rules/:id`: a tenant rule file with that id, else the rule in force with that id.
    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let id = context.parameters.get("id") ?? ""
        let (rules, files, fileOfRule) = try await inForce(context.tenant)
        if let file = files.files[id] { return .json(Self.json(file)) }
        guard let rule = rules.first(where: { $0.id == id }) else { throw APIError.notFound("no rule or rule file \(id)") }
        return .json(Self.json(rule, file: fileOfRule[rule.id], defaults: try Self.defaultRevisions(), withSource: true))
    }

    /// `PUT /v1/rules/:id`: stores (or replaces) the tenant rule file `id`, a YAML body in
    /// Palisade's rule format or Sigma's (detection and correlation rules).
    @Sendable func put(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.admin)
        let id = context.parameters.get("id") ?? ""
        guard TenantRuleFiles.isValidID(id) else {
            throw APIError.badField("id", "must be 1 to 128 characters of a-z, 0-9, '.', '_' and '-'")
        }
        let limit = min(maxBodyBytes, TenantRuleFiles.maxSourceBytes)
        let body = try await request.body(upTo: limit)
        guard let source = String(validating: body.readableBytesView, as: UTF8.self), !source.isEmpty else {
            throw APIError(.badRequest, code: "invalid_rule", "the body must be a rule file in UTF-8 YAML", field: "(body)")
        }
        let compiled: [DetectionRule]
        do {
            compiled = try RuleFile.rules(from: source)
        } catch {
            throw APIError(.badRequest, code: "invalid_rule", error.description, field: "(body)")
        }
        let (_, files, taken) = try await inForce(context.tenant)
        for rule in compiled {
            if let other = taken[rule.id], other != id {
                throw APIError(.conflict, code: "conflict", "rule \(rule.id) is already defined in rule file \(other)", field: "(body)")
            }
        }
        var generator = SystemRandomNumberGenerator()
        let now = clock.now()
        let record = TenantRuleFiles.storeRecord(
            id: id,
            source: source,
            tenant: context.tenant,
            actor: context.principal.actor,
            at: now,
            eventID: .version7(at: now, using: &generator)
        )
        let outcome = try await committer.append([PreparedEvent(record, idIsClientSupplied: false)])
        return .json(
            .object([
                "file": .string(id), "version": .number(Double(outcome[0].index)),
                "rules": .array(compiled.map { Self.json($0, file: id, defaults: [:], withSource: false) }),
            ]),
            status: files.files[id] == nil ? .created : .ok
        )
    }

    /// `DELETE /v1/rules/:id`: deletes the tenant rule file `id` (its rules stop at the record).
    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.admin)
        let id = context.parameters.get("id") ?? ""
        let files = try await TenantRuleFiles.load(of: context.tenant, from: events)
        guard files.files[id] != nil else {
            throw APIError.notFound("no rule file \(id) (rules of the default pack and the rules directory cannot be deleted here)")
        }
        var generator = SystemRandomNumberGenerator()
        let now = clock.now()
        let record = TenantRuleFiles.deleteRecord(
            id: id,
            tenant: context.tenant,
            actor: context.principal.actor,
            at: now,
            eventID: .version7(at: now, using: &generator)
        )
        let outcome = try await committer.append([PreparedEvent(record, idIsClientSupplied: false)])
        return .json(.object(["file": .string(id), "deleted_at_version": .number(Double(outcome[0].index))]))
    }

    /// `POST /v1/rules/test` with `{"rule": "<yaml>"}` or `{"id": "<rule in force>"}` and
    /// `"events": [ … ]`: which events the rule's conditions match and what it detects. Nothing is
    /// written.
    @Sendable func test(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let body = try await request.jsonObject(upTo: maxBodyBytes, maxDepth: 16)
        let rules: [DetectionRule]
        switch (body["rule"], body["id"]) {
        case (.string(let source)?, nil):
            do {
                rules = try RuleFile.rules(from: source)
            } catch {
                throw APIError(.badRequest, code: "invalid_rule", error.description, field: "rule")
            }
        case (nil, .string(let id)?):
            guard let rule = try await inForce(context.tenant).rules.first(where: { $0.id == id }) else {
                throw APIError.notFound("no rule \(id) is in force")
            }
            rules = [rule]
        default:
            throw APIError.badField("rule", "give either rule (a rule file's YAML) or id (a rule in force)")
        }
        guard case .array(let items)? = body["events"], items.count <= 10_000 else {
            throw APIError.badField("events", "must be an array of at most 10000 events")
        }
        // Samples may be old: any past time is accepted.
        let pipeline = IngestPipeline.forSamples(clock: clock)
        var engine = try DetectionEngine(rules: rules)
        let matcher = EventMatcher(anyOf: rules.map(\.condition))
        var matched = [JSONValue]()
        var rejected = [JSONValue]()
        var detections = [JSONValue]()
        for (position, item) in items.enumerated() {
            let event: AuditEvent
            do {
                event = try pipeline.prepare(item, tenant: context.tenant).event
            } catch {
                rejected.append(.object(["index": .number(Double(position)), "error": .string(error.description)]))
                continue
            }
            if matcher.matches(event) { matched.append(.number(Double(position))) }
            for detection in engine.process(StoredEvent(index: UInt64(position), event: event)) {
                detections.append(
                    .object([
                        "rule": .string(detection.rule), "title": .string(detection.title), "incident": .string(detection.incident.rawValue),
                        "level": .string(detection.level.name), "group": .string(detection.group),
                        "evidence": .array(detection.evidence.map { .number(Double($0)) }),
                    ])
                )
            }
        }
        return .json(
            .object([
                "events": .number(Double(items.count)), "matched": .array(matched), "rejected": .array(rejected),
                "detections": .array(detections),
            ])
        )
    }

    /// The tenant's rules in force, its files, and which file defines each of its own rules (the
    /// files compiled once).
    private func inForce(_ tenant: TenantID) async throws -> (rules: [DetectionRule], files: TenantRuleFiles, fileOfRule: [String: String]) {
        let files = try await TenantRuleFiles.load(of: tenant, from: events)
        let compiled: [(file: String, rules: [DetectionRule])]
        do {
            compiled = try files.compiled()
        } catch {
            throw APIError(.internalServerError, code: "unreadable_rule_file", "\(error)")
        }
        var fileOfRule = [String: String]()
        for (file, rules) in compiled { for rule in rules { fileOfRule[rule.id] = file } }
        return (TenantRuleFiles.effective(global: await globalRules(), tenant: compiled.flatMap(\.rules)), files, fileOfRule)
    }

    private static func defaultRevisions() throws -> [String: String] {
        do {
            return try DefaultRulePack.revisions()
        } catch {
            throw APIError(.internalServerError, code: "default_rules", "the default rule pack does not load: \(error)")
        }
    }

    private static func json(_ rule: DetectionRule, file: String?, defaults: [String: String], withSource: Bool) -> JSONValue {
        let trigger: String
        switch rule.trigger {
        case .each: trigger = "each"
        case .threshold: trigger = "threshold"
        case .sequence: trigger = "sequence"
        case .temporal(let configuration, _, _): trigger = configuration.ordered ? "temporal_ordered" : "temporal"
        }
        let isDefault = defaults[rule.id] == rule.revision
        var members: [String: JSONValue] = [
            "id": .string(rule.id), "title": .string(rule.title), "incident": .string(rule.incident.rawValue),
            "level": .string(rule.level.name), "trigger": .string(trigger), "revision": .string(rule.revision),
            "origin": .string(file != nil ? "tenant" : isDefault ? "default" : "directory"),
            "file": file.map { .string($0) } ?? .null,
        ]
        if withSource { members["source"] = .string(rule.source) }
        return .object(members)
    }

    private static func json(_ file: TenantRuleFiles.File) -> JSONValue {
        .object([
            "file": .string(file.id), "version": .number(Double(file.version)), "stored_by": .string(file.actor),
            "stored_at": .string(file.storedAt.rfc3339), "source": .string(file.source),
        ])
    }
}

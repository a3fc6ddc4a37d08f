import Foundation
import HTTPTypes
public import Hummingbird
public import PalisadeCore
public import PalisadeDetection

/// `/v1/incidents` (list with filters and pages, get, transition, assign, note) and
/// `/v1/security/summary`. Reads need `read`; changes need `respond` and are recorded in the
/// tenant's ledger by the incident manager. Other tenants' incidents do not exist (404).
public struct IncidentsController: Sendable {
    let incidents: any IncidentStore
    let events: any EventStore
    let manager: IncidentManager
    let sla: IncidentSLA
    let clock: any WallClock
    let maxBodyBytes: Int

    /// Creates the controller.
    public init(
        incidents: any IncidentStore,
        events: any EventStore,
        manager: IncidentManager,
        sla: IncidentSLA,
        clock: any WallClock,
        maxBodyBytes: Int
    ) {
        self.incidents = incidents
        self.events = events
        self.manager = manager
        self.sla = sla
        self.clock = clock
        self.maxBodyBytes = maxBodyBytes
    }

    /// Adds the routes to the `/v1` group.
    public func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("incidents", use: list)
        group.get("incidents/:id", use: get)
        group.post("incidents/:id/transition", use: transition)
        group.post("incidents/:id/assign", use: assign)
        group.post("incidents/:id/notes", use: note)
        group.get("security/summary", use: summary)
    }

    /// `GET /v1/incidents?status=&type=&level=&assignee=&since=&until=&limit=&cursor=`: newest first;
    /// `status` and `type` take comma-separated lists, `level` is the minimum threat level.
    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        var query = IncidentQuery(tenant: context.tenant)
        if let text = try request.queryValue("limit") {
            guard let limit = Int(text), (1...IncidentQuery.maxLimit).contains(limit) else {
                throw APIError.badField("limit", "must be a number from 1 to \(IncidentQuery.maxLimit)")
            }
            query.limit = limit
        }
        if let text = try request.queryValue("status") {
            for name in text.split(separator: ",") {
                guard let status = IncidentStatus(rawValue: String(name)) else {
                    throw APIError.badField("status", "must list statuses among \(IncidentStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                query.statuses.insert(status)
            }
        }
        if let text = try request.queryValue("type") {
            for name in text.split(separator: ",") {
                guard let type = IncidentType(String(name)) else {
                    throw APIError.badField("type", "must list incident types such as brute_force_attack")
                }
                query.types.insert(type)
            }
        }
        if let text = try request.queryValue("level") {
            guard let level = ThreatLevel(name: text) else { throw APIError.badField("level", "must be low, medium, high or critical") }
            query.minimumLevel = level
        }
        query.assignee = try request.queryValue("assignee")
        query.openedSince = try Self.time("since", request)
        query.openedBefore = try Self.time("until", request)
        if let text = try request.queryValue("cursor") {
            guard let position = IncidentPosition(text: text) else { throw APIError.badField("cursor", "is not a cursor this API handed out") }
            query.after = position
        }
        let page = try await incidents.incidents(matching: query)
        var body: [String: JSONValue] = ["incidents": .array(page.map { json($0) })]
        body["next"] = page.count == query.limit ? page.last.map { .string(IncidentPosition($0.incident).description) } ?? .null : .null
        return .json(.object(body))
    }

    /// `GET /v1/incidents/:id`: the incident with its version, SLA deadlines and allowed actions.
    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let id = try Self.id(context)
        guard let stored = try await incidents.incident(id: id, of: context.tenant) else {
            throw APIError.notFound("no incident \(id.lowercasedString)")
        }
        return .json(json(stored))
    }

    /// `POST /v1/incidents/:id/transition` with `{"action": "acknowledge" | "investigate" |
    /// "resolve" | "close" | "reopen" | "false_positive", "resolution", "root_cause", "reason"}`.
    @Sendable func transition(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.respond)
        let id = try Self.id(context)
        let body = try await object(request)
        guard case .string(let name)? = body["action"] else {
            throw APIError.badField("action", "must be one of \(IncidentAction.names.joined(separator: ", "))")
        }
        let resolution = try Self.optionalText("resolution", body)
        let rootCause = try Self.optionalText("root_cause", body)
        let reason = try Self.optionalText("reason", body)
        let action: IncidentAction
        do {
            action = try IncidentAction(name: name, resolution: resolution, rootCause: rootCause, reason: reason)
        } catch {
            throw APIError.badField(error.field, error.message)
        }
        do {
            return try await changed(
                try await manager.apply(action, to: id, tenant: context.tenant, by: context.principal.actor, at: clock.now()),
                id
            )
        } catch let error as IncidentTransitionError {
            throw APIError(.conflict, code: "illegal_transition", error.description, field: "action")
        }
    }

    /// `POST /v1/incidents/:id/assign` with `{"assignee": "name"}` (`null` unassigns).
    @Sendable func assign(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.respond)
        let id = try Self.id(context)
        let body = try await object(request)
        let assignee: String?
        switch body["assignee"] {
        case .string(let name)? where !name.isEmpty && name.count <= 256: assignee = name
        case .null?: assignee = nil
        default: throw APIError.badField("assignee", "must be a name (1 to 256 characters) or null")
        }
        return try await changed(try await manager.assign(id, tenant: context.tenant, to: assignee, by: context.principal.actor, at: clock.now()), id)
    }

    /// `POST /v1/incidents/:id/notes` with `{"text": "…"}`.
    @Sendable func note(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.respond)
        let id = try Self.id(context)
        let text = try Self.text("text", try await object(request))
        guard text.count <= 10_000 else { throw APIError.badField("text", "must be at most 10000 characters") }
        return try await changed(try await manager.note(id, tenant: context.tenant, text: text, by: context.principal.actor, at: clock.now()), id)
    }

    /// `GET /v1/security/summary?window=24h`: the dashboard's figures over `[now − window, now)`.
    @Sendable func summary(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let seconds: Int64
        do {
            seconds = try SecuritySummary.windowSeconds(try request.queryValue("window") ?? "24h")
        } catch let error as RuleError {
            throw APIError.badField("window", "\(error.description.replacingOccurrences(of: "window ", with: "")) (e.g. 30m, 24h, 7d)")
        }
        let summary = try await SecuritySummaryReader.summary(
            of: context.tenant,
            windowSeconds: seconds,
            now: clock.now(),
            incidents: incidents,
            events: events
        )
        return .json(summary.jsonValue)
    }

    private func changed(_ incident: Incident?, _ id: UUID) async throws -> Response {
        guard let incident, let stored = try await incidents.incident(id: incident.id, of: incident.tenant) else {
            throw APIError.notFound("no incident \(id.lowercasedString)")
        }
        return .json(json(stored))
    }

    private func json(_ stored: StoredIncident) -> JSONValue {
        guard case .object(var members) = stored.incident.jsonValue else { return stored.incident.jsonValue }
        members["version"] = .number(Double(stored.version))
        members["allowed_actions"] = .array(stored.incident.status.allowedActions.map { .string($0) })
        members["acknowledge_due"] = sla.acknowledgeDue(stored.incident).map { .string($0.rfc3339) } ?? .null
        members["resolve_due"] = sla.resolveDue(stored.incident).map { .string($0.rfc3339) } ?? .null
        return .object(members)
    }

    private func object(_ request: Request) async throws -> [String: JSONValue] {
        try await request.jsonObject(upTo: maxBodyBytes)
    }

    private static func id(_ context: TenantRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(text: text) else { throw APIError.notFound("no such incident") }
        return id
    }

    static func text(_ name: String, _ body: [String: JSONValue]) throws -> String {
        guard let text = try optionalText(name, body) else { throw APIError.badField(name, "must be a non-empty string") }
        return text
    }

    private static func optionalText(_ name: String, _ body: [String: JSONValue]) throws -> String? {
        switch body[name] {
        case .string(let text)? where !text.trimmingCharacters(in: .whitespaces).isEmpty: return text
        case nil, .null?: return nil
        default: throw APIError.badField(name, "must be a non-empty string")
        }
    }

    private static func time(_ name: String, _ request: Request) throws -> Timestamp? {
        guard let text = try request.queryValue(name) else { return nil }
        guard let time = Timestamp(rfc3339: text) else { throw APIError.badField(name, "must be an RFC 3339 time such as 2026-03-01T10:00:00Z") }
        return time
    }
}

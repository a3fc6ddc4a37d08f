import Foundation
import HTTPTypes
public import Hummingbird
import PalisadeAlerting
public import PalisadeCore
public import PalisadeIngest

/// `/v1/alerting`: the tenant's receivers (webhook, Slack, Discord, PagerDuty; secrets sealed at
/// rest, a webhook's signing secret shown once), its routing policy, its silences, test
/// notifications, and the outbox (pending, delivered and dead-lettered notifications with their
/// attempts). Every change is a `palisade.alerting` record in the tenant's ledger.
///
/// Reads need `read`; silences need `respond` (on-call people mute what they are handling);
/// receivers, the policy and test notifications need `admin`.
public struct AlertingController: Sendable {
    let events: any EventStore
    let committer: GroupCommitter
    let alerting: Alerting
    let clock: any WallClock
    let maxBodyBytes: Int

    /// Creates the controller.
    public init(events: any EventStore, committer: GroupCommitter, alerting: Alerting, clock: any WallClock, maxBodyBytes: Int) {
        self.events = events
        self.committer = committer
        self.alerting = alerting
        self.clock = clock
        self.maxBodyBytes = maxBodyBytes
    }

    /// Adds the routes to the `/v1` group.
    public func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("alerting/receivers", use: listReceivers)
        group.put("alerting/receivers/:name", use: putReceiver)
        group.delete("alerting/receivers/:name", use: deleteReceiver)
        group.post("alerting/receivers/:name/test", use: test)
        group.get("alerting/policy", use: getPolicy)
        group.put("alerting/policy", use: putPolicy)
        group.get("alerting/silences", use: listSilences)
        group.post("alerting/silences", use: createSilence)
        group.delete("alerting/silences/:id", use: expireSilence)
        group.get("alerting/notifications", use: listNotifications)
    }

    /// `GET /v1/alerting/receivers`: every receiver, without secrets.
    @Sendable func listReceivers(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let current = try await TenantAlerting.load(of: context.tenant, from: events)
        return .json(.object(["receivers": .array(current.receivers.values.sorted { $0.name < $1.name }.map(Self.json))]))
    }

    /// `PUT /v1/alerting/receivers/:name` with `{"url": …, "kind"?: …, "routing_key"?: …}`.
    @Sendable func putReceiver(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.admin)
        let name = context.parameters.get("name") ?? ""
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let current = try await TenantAlerting.load(of: context.tenant, from: events)
        let stored = try Self.checked { () throws(AlertingError) in
            try changes(context).storeReceiver(name, try ReceiverSpec(json: body), current: current)
        }
        _ = try await committer.append([PreparedEvent(stored.record, idIsClientSupplied: false)])
        guard case .object(var members) = Self.json(stored.receiver) else { preconditionFailure("a receiver's JSON is an object") }
        if let secret = stored.signingSecret {
            members["signing_secret"] = .string(secret)
            members["signing_secret_note"] = .string("shown once: Palisade keeps it sealed; verify X-Palisade-Signature with it")
        }
        return .json(.object(members), status: current.receivers[name] == nil ? .created : .ok)
    }

    /// `DELETE /v1/alerting/receivers/:name`.
    @Sendable func deleteReceiver(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.admin)
        let name = context.parameters.get("name") ?? ""
        let current = try await TenantAlerting.load(of: context.tenant, from: events)
        guard current.receivers[name] != nil else { throw APIError.notFound("no receiver \(name)") }
        let record = try Self.checked { () throws(AlertingError) in try changes(context).removeReceiver(name, current: current) }
        _ = try await committer.append([PreparedEvent(record, idIsClientSupplied: false)])
        return .json(.object(["removed": .string(name)]))
    }

    /// `POST /v1/alerting/receivers/:name/test`: a test notification into the outbox.
    @Sendable func test(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.admin)
        let name = context.parameters.get("name") ?? ""
        let current = try await TenantAlerting.load(of: context.tenant, from: events)
        guard current.receivers[name] != nil else { throw APIError.notFound("no receiver \(name)") }
        let notification = try Self.checked { () throws(AlertingError) in try changes(context).testNotification(to: name, current: current) }
        _ = try await alerting.outbox.enqueueNotification(notification)
        committer.commits.notify()
        return .json(
            .object([
                "notification": .string(notification.id.uuidString.lowercased()), "receiver": .string(name), "status": .string("pending"),
                "check": .string("GET /v1/alerting/notifications?status=delivered (or dead)"),
            ]),
            status: .accepted
        )
    }

    /// `GET /v1/alerting/policy`: the stored policy, or the implicit one (`"implicit": true`).
    @Sendable func getPolicy(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let current = try await TenantAlerting.load(of: context.tenant, from: events)
        guard case .object(var members) = current.policy.json else { preconditionFailure("a policy's JSON is an object") }
        members["implicit"] = .bool(current.storedPolicy == nil)
        return .json(.object(members))
    }

    /// `PUT /v1/alerting/policy` with `{"route": …, "inhibit_rules": …}`.
    @Sendable func putPolicy(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.admin)
        let body = try await request.jsonObject(upTo: maxBodyBytes, maxDepth: 32)
        let current = try await TenantAlerting.load(of: context.tenant, from: events)
        let (record, policy) = try Self.checked { () throws(AlertingError) in
            let policy = try AlertingPolicy(json: .object(body))
            return (try changes(context).storePolicy(policy, current: current), policy)
        }
        _ = try await committer.append([PreparedEvent(record, idIsClientSupplied: false)])
        return .json(policy.json)
    }

    /// `GET /v1/alerting/silences`: every silence not ended more than an hour ago, with its state.
    @Sendable func listSilences(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        var current = try await TenantAlerting.load(of: context.tenant, from: events)
        let now = clock.now()
        current.pruneSilences(at: now)
        return .json(.object(["silences": .array(current.silences.values.sorted { $0.startsAt < $1.startsAt }.map { Self.json($0, now: now) })]))
    }

    /// `POST /v1/alerting/silences` with `{"matchers": ["incident_type=brute_force_attack"],
    /// "duration": "2h" | "ends_at": "…", "starts_at"?: "…", "comment": "…"}`.
    @Sendable func createSilence(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.respond)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let now = clock.now()
        guard case .array(let items)? = body["matchers"] else {
            throw APIError.badField("matchers", "required, an array such as [\"incident_type=brute_force_attack\"]")
        }
        var matchers = [String]()
        for item in items {
            guard case .string(let text) = item else { throw APIError.badField("matchers", "each matcher is a string") }
            matchers.append(text)
        }
        var startsAt: Timestamp?
        if let value = body["starts_at"] {
            guard case .string(let text) = value, let time = Timestamp(rfc3339: text) else {
                throw APIError.badField("starts_at", "must be an RFC 3339 time")
            }
            startsAt = time
        }
        let endsAt: Timestamp
        switch (body["ends_at"], body["duration"]) {
        case (.string(let text)?, nil):
            guard let time = Timestamp(rfc3339: text) else { throw APIError.badField("ends_at", "must be an RFC 3339 time") }
            endsAt = time
        case (nil, .string(let text)?):
            guard let seconds = DurationText.seconds(text), seconds > 0 else {
                throw APIError.badField("duration", "must be a duration such as 30m, 2h or 1d")
            }
            endsAt = (startsAt ?? now).adding(microseconds: seconds * 1_000_000)
        default:
            throw APIError.badField("duration", "give either duration (such as 2h) or ends_at")
        }
        guard case .string(let comment)? = body["comment"] else { throw APIError.badField("comment", "required: say why alerts are muted") }
        let created = try Self.checked { () throws(AlertingError) in
            try changes(context, at: now).createSilence(matchers: matchers, startsAt: startsAt, endsAt: endsAt, comment: comment)
        }
        _ = try await committer.append([PreparedEvent(created.record, idIsClientSupplied: false)])
        return .json(Self.json(created.silence, now: now), status: .created)
    }

    /// `DELETE /v1/alerting/silences/:id`: ends a silence now.
    @Sendable func expireSilence(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.respond)
        guard let id = UUID(text: context.parameters.get("id") ?? "") else { throw APIError.badField("id", "must be a silence id (a UUID)") }
        let current = try await TenantAlerting.load(of: context.tenant, from: events)
        guard current.silences[id] != nil else { throw APIError.notFound("no silence \(id.lowercasedString)") }
        let record = try Self.checked { () throws(AlertingError) in try changes(context).expireSilence(id, current: current) }
        _ = try await committer.append([PreparedEvent(record, idIsClientSupplied: false)])
        return .json(.object(["expired": .string(id.lowercasedString)]))
    }

    /// `GET /v1/alerting/notifications?status=pending|delivered|dead&limit=N`: the outbox, newest
    /// first, with attempts and the last error (the dead-letter list is `status=dead`).
    @Sendable func listNotifications(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let statusText = request.uri.queryParameters.get("status") ?? "dead"
        guard let status = OutboxStatus(rawValue: statusText) else { throw APIError.badField("status", "must be pending, delivered or dead") }
        let limitText = request.uri.queryParameters.get("limit") ?? "100"
        guard let limit = Int(limitText), (1...1_000).contains(limit) else { throw APIError.badField("limit", "must be from 1 to 1000") }
        let list = try await alerting.outbox.notifications(of: context.tenant, status: status, limit: limit)
        return .json(.object(["status": .string(status.rawValue), "notifications": .array(list.map(Self.json))]))
    }

    private func changes(_ context: TenantRequestContext, at now: Timestamp? = nil) -> AlertingChanges {
        AlertingChanges(sealer: alerting.sealer, tenant: context.tenant, actor: context.principal.actor, now: now ?? clock.now())
    }

    /// Runs a change, turning an ``AlertingError`` (`field: message`) into a 400 naming the field.
    static func checked<T>(_ body: () throws(AlertingError) -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch {
            let text = error.description
            if let colon = text.range(of: ": "), !text[..<colon.lowerBound].contains(" ") {
                throw APIError(.badRequest, code: "invalid_alerting", String(text[colon.upperBound...]), field: String(text[..<colon.lowerBound]))
            }
            throw APIError(.badRequest, code: "invalid_alerting", text)
        }
    }

    static func json(_ receiver: Receiver) -> JSONValue {
        .object([
            "name": .string(receiver.name), "kind": .string(receiver.kind.rawValue), "target": .string(receiver.target),
            "secret_fingerprint": .string(receiver.fingerprint), "stored_by": .string(receiver.storedBy),
            "stored_at": .string(receiver.storedAt.rfc3339),
        ])
    }

    static func json(_ silence: Silence, now: Timestamp) -> JSONValue {
        let state = silence.endsAt <= now ? "expired" : silence.startsAt > now ? "pending" : "active"
        return .object([
            "id": .string(silence.id.lowercasedString), "matchers": .array(silence.matchers.map { .string($0.description) }),
            "starts_at": .string(silence.startsAt.rfc3339), "ends_at": .string(silence.endsAt.rfc3339), "created_by": .string(silence.createdBy),
            "comment": .string(silence.comment), "state": .string(state),
        ])
    }

    static func json(_ notification: OutboxNotification) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(notification.id.lowercasedString), "receiver": .string(notification.receiver),
            "status": .string(notification.status.rawValue),
            "attempts": .number(Double(notification.attempts)), "created_at": .string(notification.createdAt.rfc3339),
            "next_attempt_at": .string(notification.nextAttemptAt.rfc3339), "state_key": .string(notification.stateKey),
        ]
        if let error = notification.lastError { members["last_error"] = .string(error) }
        if let delivered = notification.deliveredAt { members["delivered_at"] = .string(delivered.rfc3339) }
        do {
            let parsed = try AlertNotification(json: try JSONParser(limits: .init(maxBytes: Int.max, maxDepth: 16)).parse(notification.payload))
            members["firing"] = .number(Double(parsed.firing.count))
            members["resolved"] = .number(Double(parsed.resolved.count))
            members["incidents"] = .array((parsed.firing + parsed.resolved).map { .string($0.fingerprint) })
        } catch {
            members["payload_error"] = .string("\(error)")
        }
        return .object(members)
    }
}

import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
public import PalisadeCore
public import PalisadeIngest

/// `/v1/events`: ingest one event or a batch, list events with filters, fetch one by id.
public struct EventsController: Sendable {
    let events: any EventStore
    let committer: GroupCommitter
    let pipeline: IngestPipeline
    let limits: ServerConfiguration.Limits
    let metrics: ServerMetrics

    /// Creates the controller.
    public init(
        events: any EventStore,
        committer: GroupCommitter,
        pipeline: IngestPipeline,
        limits: ServerConfiguration.Limits,
        metrics: ServerMetrics
    ) {
        self.events = events
        self.committer = committer
        self.pipeline = pipeline
        self.limits = limits
        self.metrics = metrics
    }

    /// Adds the routes to a tenant-scoped group.
    public func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.post("events", use: appendOne)
        group.post("events:batch", use: appendBatch)
        group.get("events", use: list)
        group.get("events/:id", use: one)
    }

    /// `POST /v1/events`: 201 with the log index once durable; 200 `duplicate` when the id exists.
    @Sendable func appendOne(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.ingest)
        let body = try await request.body(upTo: limits.maxEventBytes)
        let prepared: PreparedEvent
        do {
            prepared = try pipeline.prepare(line: body.readableBytesView, tenant: context.tenant)
        } catch {
            throw APIError.invalid(error, code: "invalid_event")
        }
        let outcome = try await committer.append([prepared])[0]
        record(outcome: [outcome], batchSize: 1, tenant: context.tenant)
        return .json(.object(Self.result(outcome, id: prepared.event.id)), status: outcome.isNew ? .created : .ok)
    }

    /// `POST /v1/events:batch`: NDJSON or a JSON array. Valid items are appended together; the
    /// response lists each item's log index or its validation errors, in order.
    @Sendable func appendBatch(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.ingest)
        let body = try await request.body(upTo: limits.maxBatchBytes)
        let items = try BatchBody.items(of: body, contentType: request.headers[.contentType], limits: limits, pipeline: pipeline)
        var prepared: [PreparedEvent] = []
        var results: [JSONValue] = Array(repeating: .null, count: items.count)
        var positions: [Int] = []
        for (position, item) in items.enumerated() {
            do {
                let event: PreparedEvent
                switch item {
                case .line(let bytes): event = try pipeline.prepare(line: bytes, tenant: context.tenant)
                case .value(let json): event = try pipeline.prepare(json, tenant: context.tenant)
                }
                prepared.append(event)
                positions.append(position)
            } catch {
                results[position] = .object([
                    "item": .number(Double(position)), "status": .string("invalid"),
                    "errors": .array(error.issues.map { .object(["field": .string($0.field), "message": .string($0.message)]) }),
                ])
            }
        }
        let outcomes = try await committer.append(prepared)
        for (offset, outcome) in outcomes.enumerated() {
            var members = Self.result(outcome, id: prepared[offset].event.id)
            members["item"] = .number(Double(positions[offset]))
            results[positions[offset]] = .object(members)
        }
        record(outcome: outcomes, batchSize: items.count, tenant: context.tenant)
        let appended = outcomes.filter(\.isNew).count
        return .json(
            .object([
                "results": .array(results), "appended": .number(Double(appended)),
                "duplicates": .number(Double(outcomes.count - appended)), "invalid": .number(Double(items.count - outcomes.count)),
            ])
        )
    }

    /// `GET /v1/events`: one page of the tenant's events matching the filters, with a `next` link.
    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let query: ValidatedEventQuery
        do {
            query = try EventQuery(tenant: context.tenant, parameters: request.queryList).validated()
        } catch {
            throw APIError.invalid(error)
        }
        let page = try await events.events(matching: query)
        var headers: HTTPFields = [:]
        var next: JSONValue = .null
        if let cursor = page.next {
            var nextQuery = query.query
            nextQuery.cursor = cursor
            nextQuery.limit = page.limit
            let link = "/v1/events?" + nextQuery.parameters.map { "\($0.name)=\(Self.percentEncoded($0.value))" }.joined(separator: "&")
            next = .string(link)
            headers[.init("Link")!] = "<\(link)>; rel=\"next\""
        }
        return .json(
            .object([
                "events": .array(page.events.map(Self.json)), "next": next, "limit": .number(Double(page.limit)),
                "limit_capped": .bool(page.limitWasCapped),
            ]),
            headers: headers
        )
    }

    /// `GET /v1/events/{id}`: one event of the caller's tenant (404 for any other tenant's, 410 once
    /// pruned; a redacted event is returned as redacted, its metadata naming what was removed).
    @Sendable func one(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        guard let text = context.parameters.get("id"), let id = UUID(text: text) else {
            throw APIError.badField("id", "must be a UUID")
        }
        guard let stored = try await events.event(id: id, of: context.tenant) else {
            if let erasure = try await events.erasure(ofEvent: id, tenant: context.tenant) { throw APIError.pruned(erasure) }
            throw APIError.notFound("no event \(text)")
        }
        return .json(Self.json(stored))
    }

    private func record(outcome: [AppendOutcome], batchSize: Int, tenant: TenantID) {
        metrics.appended(outcome.filter(\.isNew).count, batchSize: batchSize, tenant: tenant.rawValue)
        if let highest = outcome.map(\.index).max() { metrics.logSize(highest + 1, tenant: tenant.rawValue) }
    }

    /// `{"id", "log_index", "status"}` of one appended or duplicate event.
    static func result(_ outcome: AppendOutcome, id: UUID) -> [String: JSONValue] {
        [
            "id": .string(id.lowercasedString), "log_index": .number(Double(outcome.index)),
            "status": .string(outcome.isNew ? "appended" : "duplicate"),
        ]
    }

    static func json(_ stored: StoredEvent) -> JSONValue { stored.jsonValue }

    static func percentEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

extension AppendOutcome {
    /// Whether the event was appended now (not a duplicate).
    var isNew: Bool { if case .appended = self { true } else { false } }
}

/// The items of a batch body: NDJSON lines or the elements of a JSON array.
enum BatchBody {
    enum Item {
        case line(ByteBufferView)
        case value(JSONValue)
    }

    static func items(of body: ByteBuffer, contentType: String?, limits: ServerConfiguration.Limits, pipeline: IngestPipeline) throws -> [Item] {
        let bytes = body.readableBytesView
        let firstByte = bytes.first { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }
        let isArray = contentType?.hasPrefix("application/json") == true || firstByte == UInt8(ascii: "[")
        var items: [Item] = []
        if isArray {
            let parser = JSONParser(limits: .init(maxBytes: limits.maxBatchBytes, maxDepth: pipeline.jsonLimits.maxDepth + 1))
            let value: JSONValue
            do {
                value = try parser.parse(bytes)
            } catch {
                throw APIError(.badRequest, code: "invalid_json", "the batch body is not valid JSON: \(error)", field: "(body)")
            }
            guard case .array(let elements) = value else {
                throw APIError(.badRequest, code: "invalid_json", "a JSON batch body must be an array of events", field: "(body)")
            }
            guard elements.count <= limits.maxBatchEvents else { throw tooMany(elements.count, limits) }
            items = elements.map(Item.value)
        } else {
            var start = bytes.startIndex
            while start < bytes.endIndex {
                let end = bytes[start...].firstIndex(of: 0x0a) ?? bytes.endIndex
                var line = bytes[start..<end]
                if line.last == 0x0d { line = line.dropLast() }
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    items.append(.line(ByteBufferView(line)))
                    guard items.count <= limits.maxBatchEvents else { throw tooMany(items.count, limits) }
                }
                start = end == bytes.endIndex ? end : bytes.index(after: end)
            }
        }
        guard !items.isEmpty else { throw APIError(.badRequest, code: "empty_batch", "the batch has no events", field: "(body)") }
        return items
    }

    private static func tooMany(_ count: Int, _ limits: ServerConfiguration.Limits) -> APIError {
        APIError(.contentTooLarge, code: "too_many_events", "a batch holds at most \(limits.maxBatchEvents) events; split it", field: "(body)")
    }
}

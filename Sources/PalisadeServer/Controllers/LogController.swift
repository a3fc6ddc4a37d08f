import Foundation
import HTTPTypes
public import Hummingbird
public import PalisadeCore
import PalisadeIngest
import PalisadeLedger

/// The tenant's Merkle log: the latest checkpoint and proofs under `/v1/log`, and the C2SP
/// tlog-tiles static layout under `/log/<tenant>/` so standard tlog clients can audit it.
public struct LogController: Sendable {
    let ledger: any LedgerBackend
    let events: any EventStore
    let prover: LogProver

    /// Creates the controller.
    public init(ledger: any LedgerBackend, events: any EventStore) {
        self.ledger = ledger
        self.events = events
        self.prover = LogProver(backend: ledger)
    }

    /// Adds the `/v1/log` routes to the `/v1` group.
    public func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("log/checkpoint", use: checkpoint)
        group.get("log/proof/inclusion", use: inclusion)
        group.get("log/proof/consistency", use: consistency)
    }

    /// Adds the tile layout routes (`/log/:tenant/**`) to a root group.
    public func addTileRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("log/:tenant/**", use: tiles)
    }

    /// `GET /v1/log/checkpoint`: the latest signed checkpoint (text/plain signed note).
    @Sendable func checkpoint(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        return try await checkpointResponse(of: context.tenant)
    }

    /// `GET /v1/log/proof/inclusion?index=&size=` (or `?id=` for an event id).
    @Sendable func inclusion(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let index: UInt64
        if let idText = try request.queryValue("id") {
            guard try request.queryValue("index") == nil else { throw APIError.badField("id", "and index cannot both be given") }
            guard let id = UUID(text: idText) else { throw APIError.badField("id", "must be a UUID") }
            if let stored = try await events.event(id: id, of: context.tenant) {
                index = stored.index
            } else if let erasure = try await events.erasure(ofEvent: id, tenant: context.tenant) {
                index = erasure.index  // a pruned event's leaf is still proven
            } else {
                throw APIError.notFound("no event \(idText)")
            }
        } else {
            index = try Self.number("index", request, required: true)!
        }
        let size = try Self.number("size", request, required: false)
        do {
            let proof = try await prover.inclusionProof(tenant: context.tenant, index: index, size: size)
            return .json(proof.json)
        } catch let error as ProverError {
            throw Self.map(error)
        }
    }

    /// `GET /v1/log/proof/consistency?from=&to=` (`to` defaults to the current size).
    @Sendable func consistency(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        let from = try Self.number("from", request, required: true)!
        let to: UInt64
        if let given = try Self.number("to", request, required: false) {
            to = given
        } else {
            to = try await prover.size(of: context.tenant)
        }
        do {
            return .json(try await prover.consistencyProof(tenant: context.tenant, from: from, to: to).json)
        } catch let error as ProverError {
            throw Self.map(error)
        }
    }

    /// `GET /log/<tenant>/checkpoint`, `…/tile/<L>/<N>[.p/<W>]`, `…/tile/entries/<N>[.p/<W>]`.
    ///
    /// Another tenant's log answers 404, exactly as a tenant that does not exist.
    @Sendable func tiles(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.require(.read)
        guard context.parameters.get("tenant") == context.tenant.rawValue else { throw APIError.notFound() }
        let rest = context.parameters.getCatchAll().joined(separator: "/")
        if rest == "checkpoint" { return try await checkpointResponse(of: context.tenant) }
        let parsed: TilePath.Parsed
        do {
            parsed = try TilePath.parse(rest)
        } catch {
            throw APIError.notFound("not a tile path: \(error)")
        }
        guard let head = try await ledger.logHead(of: context.tenant) else { throw APIError.notFound("the log is empty") }
        let immutable: HTTPFields = [.cacheControl: "private, max-age=31536000, immutable"]
        if let level = parsed.level {
            let id = TileID(level: level, index: parsed.index)
            // The tile must exist at this width in the current tree; a stored wider tile serves a
            // narrower request, since a partial tile is a prefix of every later version.
            guard id.width(inTreeOfSize: head.size) >= parsed.width,
                let tile = try await ledger.tiles([id], of: context.tenant)[id], tile.width >= parsed.width
            else { throw APIError.notFound("no such tile in a tree of \(head.size) entries") }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(parsed.width * 32)
            for hash in tile.hashes.prefix(parsed.width) { bytes.append(contentsOf: hash.bytes) }
            return .bytes(bytes, contentType: "application/octet-stream", headers: immutable)
        }
        let first = parsed.index * UInt64(Tile.fullWidth)
        let end = first + UInt64(parsed.width)
        guard end <= head.size else { throw APIError.notFound("no such entry bundle in a tree of \(head.size) entries") }
        let records = try await events.records(of: context.tenant, in: first..<end)
        guard records.count == parsed.width else {
            throw StoreError(.corrupt, "entries \(first)..<\(end) are missing from the store; run `palisade verify`")
        }
        return .bytes(EntryBundle.encode(records.map(\.entry)), contentType: "application/octet-stream", headers: immutable)
    }

    private func checkpointResponse(of tenant: TenantID) async throws -> Response {
        guard let head = try await ledger.logHead(of: tenant) else { throw APIError.notFound("the log is empty: append an event first") }
        return .bytes(Array(head.checkpoint.utf8), contentType: "text/plain; charset=utf-8", headers: [.cacheControl: "no-store"])
    }

    private static func number(_ name: String, _ request: Request, required: Bool) throws(APIError) -> UInt64? {
        guard let text = try request.queryValue(name) else {
            if required { throw APIError.badField(name, "is required") }
            return nil
        }
        guard let value = UInt64(text), String(value) == text else { throw APIError.badField(name, "must be a whole number") }
        return value
    }

    private static func map(_ error: ProverError) -> APIError {
        switch error {
        case .beyondLog: APIError(.notFound, code: "beyond_log", error.description)
        case .indexBeyondSize: APIError(.badRequest, code: "invalid_request", error.description, field: "index")
        case .sizesReversed: APIError(.badRequest, code: "invalid_request", error.description, field: "from")
        }
    }
}

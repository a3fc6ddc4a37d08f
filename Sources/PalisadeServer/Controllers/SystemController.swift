import Foundation
import HTTPTypes
public import Hummingbird
public import PalisadeCore
public import PalisadeIngest
public import PalisadeLedger

/// The unauthenticated routes: `/healthz`, `/metrics` (unless protected), `/openapi.json` and
/// `/.well-known/jwks.json`.
public struct SystemController: Sendable {
    let ledger: any LedgerBackend
    let committer: GroupCommitter
    let jwt: JWTVerifier?
    let metrics: ServerMetrics
    let checkpointKey: NoteVerifier
    let operatorTenant: TenantID

    /// Creates the controller.
    public init(
        ledger: any LedgerBackend,
        committer: GroupCommitter,
        jwt: JWTVerifier?,
        metrics: ServerMetrics,
        checkpointKey: NoteVerifier,
        operatorTenant: TenantID
    ) {
        self.ledger = ledger
        self.committer = committer
        self.jwt = jwt
        self.metrics = metrics
        self.checkpointKey = checkpointKey
        self.operatorTenant = operatorTenant
    }

    /// Adds the public routes.
    public func addRoutes(to router: Router<PalisadeRequestContext>) {
        router.get("healthz", use: health)
        router.get("openapi.json") { _, _ in Response.bytes(Array(OpenAPIDocument.json.utf8), contentType: "application/json") }
        router.get(".well-known/jwks.json", use: jwks)
    }

    /// `GET /metrics` (added to the public router or to a protected group).
    @Sendable public func prometheus(_ request: Request, context: some RequestContext) async throws -> Response {
        .bytes(metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// `GET /healthz`: 200 `ok` or `degraded` with reasons; 503 `down` when the store cannot be read
    /// or appends are not being taken.
    @Sendable func health(_ request: Request, context: PalisadeRequestContext) async throws -> Response {
        var reasons: [String] = []
        var down = false
        let started = ContinuousClock.now
        do {
            _ = try await ledger.logHead(of: operatorTenant)
        } catch {
            down = true
            reasons.append("the store cannot be read: \(error)")
        }
        let storeLatency = ContinuousClock.now - started
        if storeLatency > .seconds(1) { reasons.append("the store took \(storeLatency) to answer") }
        if !committer.isAcceptingAppends {
            down = true
            reasons.append("the ledger is not taking appends (starting or shutting down)")
        }
        if let jwt, let problem = await jwt.problem() { reasons.append(problem) }
        let status = down ? "down" : reasons.isEmpty ? "ok" : "degraded"
        return .json(
            .object(["status": .string(status), "reasons": .array(reasons.map(JSONValue.string))]),
            status: down ? .serviceUnavailable : .ok
        )
    }

    /// `GET /.well-known/jwks.json`: Palisade's own signing key (the checkpoint key, Ed25519).
    @Sendable func jwks(_ request: Request, context: PalisadeRequestContext) async throws -> Response {
        let key = Data(checkpointKey.publicKeyBytes).base64URLEncodedString()
        return .json(
            .object([
                "keys": .array([
                    .object([
                        "kty": .string("OKP"), "crv": .string("Ed25519"), "x": .string(key), "use": .string("sig"),
                        "alg": .string("EdDSA"), "kid": .string(checkpointKey.vkey),
                    ])
                ])
            ]),
            headers: [.cacheControl: "public, max-age=300"]
        )
    }
}

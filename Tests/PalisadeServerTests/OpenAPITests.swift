import Crypto
import Foundation
import Hummingbird
import Logging
import PalisadeCore
import PalisadeIngest
import PalisadeLedger
import PalisadeServer
import PalisadeTesting
import PalisadeVault
import Testing

@Suite("The OpenAPI document")
struct OpenAPITests {
    @Test func theServedDocumentIsTheOneInTheRepository() async throws {
        let kept = try Data(contentsOf: SharedFiles.projectRoot.appendingPathComponent("docs/openapi.json"))
        try await ServerHarness.run { server in
            let served = try await server.send(.get, "/openapi.json", token: nil)
            #expect(served.status == 200)
            // Compared by digest so a difference does not print both documents.
            let same = SHA256.hash(data: served.body) == SHA256.hash(data: kept)
            #expect(same, "run scripts/embed-openapi after editing docs/openapi.json")
        }
    }

    @Test func everyRouteIsDocumentedWithItsMethod() throws {
        let kept = try Data(contentsOf: SharedFiles.projectRoot.appendingPathComponent("docs/openapi.json"))
        guard case .object(let document) = try JSONParser().parse(Array(kept)), case .string("3.1.0") = document["openapi"],
            case .object(let paths) = document["paths"]
        else {
            Issue.record("docs/openapi.json is not an OpenAPI 3.1 document")
            return
        }
        let router = PalisadeServer.buildRouter(configuration: ServerConfiguration(), dependencies: try Self.dependencies())
        var documented = 0
        for route in router.routes {
            // Hummingbird writes parameters as :name and the catch-all as **.
            let path = route.path.description.split(separator: "/").map { segment -> String in
                if segment == "**" { return "{path}" }
                return segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
            }.joined(separator: "/")
            let openAPIPath = "/" + path
            guard case .object(let operations)? = paths[openAPIPath] else {
                Issue.record("\(route) is not in docs/openapi.json as \(openAPIPath)")
                continue
            }
            #expect(operations[route.method.rawValue.lowercased()] != nil, "\(route) has no \(route.method) operation")
            documented += 1
        }
        #expect(documented >= 40)
    }

    static func dependencies() throws -> ServerDependencies {
        let store = MemoryStore()
        let clock = ManualWallClock()
        let logger = Logger(label: "openapi.test")
        let signer = try NoteSigner(name: "openapi.test", privateKey: Curve25519.Signing.PrivateKey())
        let sequencer = LogSequencer(backend: store, signer: signer, clock: clock, logger: logger)
        var dependencies = ServerDependencies(
            ledger: store,
            events: store,
            access: store,
            incidents: store,
            detection: nil,
            committer: GroupCommitter(sequencer: sequencer, logger: logger),
            pipeline: IngestPipeline(clock: clock),
            tokens: APITokenCodec(key: SymmetricKey(size: .bits256)),
            checkpointKey: signer.verifier,
            jwt: nil,
            clock: clock,
            metrics: ServerMetrics(),
            logger: logger
        )
        // With the vault, so that its routes are checked too.
        dependencies.vault = Vault(store: store, records: nil, clock: clock)
        return dependencies
    }
}

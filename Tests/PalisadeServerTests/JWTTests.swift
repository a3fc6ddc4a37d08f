import Foundation
import HTTPTypes
import PalisadeCore
import PalisadeSQLite
import PalisadeServer
import PalisadeTesting
import Testing

/// JWTs minted by PyJWT (see Scripts/jwt_fixtures.py), verified by Palisade.
@Suite("JWT authentication")
struct JWTTests {
    static let issuer = "https://idp.test"
    static let audience = "palisade"

    struct Fixtures {
        let directory: URL
        let tokens: [String: String]
        var jwks: String { directory.appendingPathComponent("jwks.json").path }
        var rotatedJWKS: String { directory.appendingPathComponent("jwks-rotated.json").path }
        var secret: [UInt8]

        static func make() throws -> Fixtures {
            let directory = try TemporaryDirectory.make("palisade-jwt")
            let script = SharedFiles.projectRoot.appendingPathComponent("Tests/PalisadeServerTests/Scripts/jwt_fixtures.py").path
            let (executable, arguments) = ExternalProcess.pythonArguments([script, directory.path, issuer, audience])
            let result = try ExternalProcess.run(executable, arguments)
            guard result.status == 0 else { throw FixtureError(message: "jwt_fixtures.py failed: \(result.stderr)") }
            let data = try Data(contentsOf: directory.appendingPathComponent("tokens.json"))
            guard case .object(let members) = try JSONParser().parse(Array(data)) else { throw FixtureError(message: "tokens.json") }
            var tokens: [String: String] = [:]
            for (name, value) in members { if case .string(let token) = value { tokens[name] = token } }
            let secret = try Data(contentsOf: directory.appendingPathComponent("hmac.secret"))
            return Fixtures(directory: directory, tokens: tokens, secret: Array(secret))
        }
    }

    struct FixtureError: Error { let message: String }

    static func configuration(_ fixtures: Fixtures, jwksFile: String? = nil) -> JWTConfiguration {
        var jwt = JWTConfiguration(issuer: issuer, audience: audience)
        jwt.jwksFile = jwksFile ?? fixtures.jwks
        jwt.hmacSecrets = [.init(secret: fixtures.secret)]
        jwt.reloadIntervalSeconds = 1
        return jwt
    }

    @Test func tokensOfEveryAlgorithmFamilyAreAccepted() async throws {
        let fixtures = try Fixtures.make()
        defer { TemporaryDirectory.remove(fixtures.directory) }
        try await ServerHarness.run(jwt: Self.configuration(fixtures)) { server in
            _ = try await server.tenantWithToken("acme")
            for algorithm in ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384"] {
                let token = try #require(fixtures.tokens[algorithm])
                let reply = try await server.send(.post, "/v1/events", token: token, body: ServerHarness.event(action: algorithm))
                #expect(reply.status == 201, "\(algorithm): \(reply.text)")
            }
            // The events are acme's, and their actor names are the JWT's subject where not given.
            let listed = try await server.send(.get, "/v1/events?limit=20", token: fixtures.tokens["RS256"])
            #expect(try AuthTests.strings(listed, "action").count == 8)
            // Scopes come from the claim: no admin here.
            #expect(try await server.send(.get, "/v1/admin/tokens", token: fixtures.tokens["ES256"]).status == 403)
        }
    }

    @Test(arguments: [
        ("expired", "expired"), ("wrong_audience", "audience"), ("wrong_issuer", "issuer"), ("not_yet_valid", "not valid yet"),
        ("unknown_kid", "key id"), ("wrong_key_same_kid", "signature"), ("tampered", "signature"), ("alg_none", "algorithm"),
        ("hmac_wrong_secret", "signature"), ("confused_hs256_with_rsa_public_key", "signature"), ("no_tenant", "tenant"),
        ("unregistered_tenant", "not registered"), ("no_palisade_scope", "grants none"),
    ])
    func badTokensAreRefusedWithAClearReason(name: String, reason: String) async throws {
        let fixtures = try Fixtures.make()
        defer { TemporaryDirectory.remove(fixtures.directory) }
        try await ServerHarness.run(jwt: Self.configuration(fixtures)) { server in
            _ = try await server.tenantWithToken("acme")
            let reply = try await server.send(.get, "/v1/events", token: fixtures.tokens[name])
            #expect(reply.status == 401, "\(name): \(reply.text)")
            guard case .string(let message)? = try reply.value("error", "message") else {
                Issue.record("no message")
                return
            }
            #expect(message.contains(reason), "\(name): \(message)")
        }
    }

    @Test func aRotatedKeySetIsPickedUpWithoutARestart() async throws {
        let fixtures = try Fixtures.make()
        defer { TemporaryDirectory.remove(fixtures.directory) }
        let live = fixtures.directory.appendingPathComponent("live-jwks.json")
        try FileManager.default.copyItem(atPath: fixtures.jwks, toPath: live.path)
        try await ServerHarness.run(jwt: Self.configuration(fixtures, jwksFile: live.path)) { server in
            _ = try await server.tenantWithToken("acme")
            #expect(try await server.send(.get, "/v1/events", token: fixtures.tokens["rotated"]).status == 401)
            try Data(contentsOf: URL(fileURLWithPath: fixtures.rotatedJWKS)).write(to: live, options: .atomic)
            var status = 0
            for _ in 0..<150 {
                status = try await server.send(.get, "/v1/events", token: fixtures.tokens["rotated"]).status
                if status == 200 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status == 200)
        }
    }

    @Test func aKeySetIsFetchedFromAURL() async throws {
        let fixtures = try Fixtures.make()
        defer { TemporaryDirectory.remove(fixtures.directory) }
        // A real HTTP server (Python's) serves the JWKS on a free loopback port.
        let server = Process()
        let (executable, arguments) = ExternalProcess.pythonArguments([
            "-c",
            """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            httpd = http.server.HTTPServer(("127.0.0.1", 0), handler)
            print(httpd.server_address[1], flush=True)
            httpd.serve_forever()
            """,
            fixtures.directory.path,
        ])
        server.executableURL = URL(fileURLWithPath: executable)
        server.arguments = arguments
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate() }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(Int(line.trimmingCharacters(in: .whitespacesAndNewlines)))
        var jwt = JWTConfiguration(issuer: Self.issuer, audience: Self.audience)
        jwt.jwksURL = "http://127.0.0.1:\(port)/jwks.json"
        try await ServerHarness.run(jwt: jwt) { harness in
            _ = try await harness.tenantWithToken("acme")
            var status = 0
            for _ in 0..<100 {
                status = try await harness.send(.get, "/v1/events", token: fixtures.tokens["ES384"]).status
                if status != 503 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status == 200)
            let health = try await harness.send(.get, "/healthz", token: nil)
            #expect(try health.value("status") == .string("ok"))
        }
    }

    /// The original design's revocation check failed open; Palisade's key-set check fails closed.
    @Test func anUnreachableKeySetRefusesWith503NeverLetsThrough() async throws {
        let fixtures = try Fixtures.make()
        defer { TemporaryDirectory.remove(fixtures.directory) }
        var jwt = JWTConfiguration(issuer: Self.issuer, audience: Self.audience)
        jwt.jwksURL = "http://127.0.0.1:9/jwks.json"
        try await ServerHarness.run(jwt: jwt) { server in
            _ = try await server.tenantWithToken("acme")
            let reply = try await server.send(.get, "/v1/events", token: fixtures.tokens["RS256"])
            #expect(reply.status == 503)
            #expect(reply.headers[.retryAfter] != nil)
            let health = try await server.send(.get, "/healthz", token: nil)
            #expect(try health.value("status") == .string("degraded"))
        }
    }
}

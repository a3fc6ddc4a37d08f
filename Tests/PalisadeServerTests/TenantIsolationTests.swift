import Foundation
import HTTPTypes
import PalisadeCore
import PalisadeSQLite
import PalisadeServer
import Testing

@Suite("Tenant isolation")
struct TenantIsolationTests {
    /// Tenant A's token cannot read, prove or even learn of tenant B's events: every answer about
    /// B is the 404 a tenant that does not exist would get.
    @Test func aTenantCannotReadProveOrDetectAnotherTenantsEvents() async throws {
        try await ServerHarness.run { server in
            let tokenA = try await server.tenantWithToken("acme")
            let tokenB = try await server.tenantWithToken("globex")
            let secret = UUID()
            let posted = try await server.send(.post, "/v1/events", token: tokenB, body: ServerHarness.event(actor: "b-user", id: secret))
            #expect(posted.status == 201)
            _ = try await server.send(.post, "/v1/events", token: tokenA, body: ServerHarness.event(actor: "a-user"))

            let listed = try await server.send(.get, "/v1/events?limit=100", token: tokenA)
            #expect(!listed.text.contains("b-user"))
            #expect(!listed.text.contains(secret.lowercasedString))
            let byActor = try await server.send(.get, "/v1/events?actor=b-user", token: tokenA)
            #expect(try byActor.value("events") == .array([]))

            let byID = try await server.send(.get, "/v1/events/\(secret.lowercasedString)", token: tokenA)
            let neverExisted = try await server.send(.get, "/v1/events/\(UUID().lowercasedString)", token: tokenA)
            #expect(byID.status == 404)
            #expect(try byID.errorCode == neverExisted.errorCode)

            let proof = try await server.send(.get, "/v1/log/proof/inclusion?id=\(secret.lowercasedString)", token: tokenA)
            #expect(proof.status == 404)

            let otherLog = try await server.send(.get, "/log/globex/checkpoint", token: tokenA)
            let noLog = try await server.send(.get, "/log/nosuchtenant/checkpoint", token: tokenA)
            #expect(otherLog.status == 404)
            #expect(otherLog.text == noLog.text)
            let otherTile = try await server.send(.get, "/log/globex/tile/entries/000.p/1", token: tokenA)
            #expect(otherTile.status == 404)
            #expect(!otherTile.text.contains("b-user"))

            // The owner sees it all.
            let own = try await server.send(.get, "/log/globex/tile/entries/000.p/1", token: tokenB)
            #expect(own.status == 200)
            #expect(own.text.contains("b-user"))
            // A's checkpoint covers only A's one event.
            let checkpointA = try await server.send(.get, "/v1/log/checkpoint", token: tokenA)
            #expect(checkpointA.text.split(separator: "\n").dropFirst().first == "1")
        }
    }
}

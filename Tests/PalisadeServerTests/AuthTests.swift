import Foundation
import HTTPTypes
import PalisadeCore
import PalisadeIngest
import PalisadeSQLite
import PalisadeServer
import Testing

@Suite("API tokens, scopes and admin")
struct AuthTests {
    @Test func missingMalformedAndWrongTokensAreRefusedAndEachFailureIsInTheLedger() async throws {
        try await ServerHarness.run { server in
            let missing = try await server.send(.get, "/v1/events", token: nil)
            #expect(missing.status == 401)
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let malformed = try await server.send(.get, "/v1/events", token: "pal_short")
            #expect(malformed.status == 401)
            // Right id, wrong secret: refused exactly like an unknown token.
            let id = String(server.adminToken.dropFirst(4).prefix(12))
            let forged = "pal_\(id)_" + String(repeating: "A", count: 43)
            let wrong = try await server.send(.get, "/v1/events", token: forged)
            let unknown = try await server.send(.get, "/v1/events", token: "pal_aaaaaaaaaaaa_" + String(repeating: "A", count: 43))
            #expect(wrong.status == 401)
            #expect(try wrong.value("error", "message") == unknown.value("error", "message"))
            let notBearer = try await server.send(.get, "/v1/events", token: nil, headers: [.authorization: "Basic YWxpY2U6cHc="])
            #expect(notBearer.status == 401)

            let failures = try await server.send(.get, "/v1/events?action_contains=auth.failure&limit=100", token: server.adminToken)
            guard case .array(let events)? = try failures.value("events") else {
                Issue.record("no events")
                return
            }
            #expect(events.count == 5)
            let actors = events.compactMap { event -> String? in
                guard case .object(let members) = event, case .string(let actor)? = members["actor"] else { return nil }
                return actor
            }
            #expect(actors.contains("token:\(id)"))
            #expect(actors.contains("ip:127.0.0.1") || actors.contains("ip:::1"))
        }
    }

    @Test func scopesAreEnforced() async throws {
        try await ServerHarness.run { server in
            let reader = try await server.tenantWithToken("acme", scopes: [.read])
            let writer = try await server.tenantWithToken("acme", scopes: [.ingest])
            let denied = try await server.send(.post, "/v1/events", token: reader, body: ServerHarness.event())
            #expect(denied.status == 403)
            #expect(try denied.errorCode == "forbidden")
            let posted = try await server.send(.post, "/v1/events", token: writer, body: ServerHarness.event())
            #expect(posted.status == 201)
            #expect(try await server.send(.get, "/v1/events", token: writer).status == 403)
            #expect(try await server.send(.get, "/v1/events", token: reader).status == 200)
            #expect(try await server.send(.get, "/v1/admin/tokens", token: reader).status == 403)
        }
    }

    @Test func tokensAreCreatedListedAndRevokedThroughTheAdminAPIAndRevocationIsImmediate() async throws {
        try await ServerHarness.run { server in
            let created = try await server.send(.post, "/v1/admin/tenants", token: server.adminToken, body: #"{"name":"acme"}"#)
            #expect(created.status == 201)
            let again = try await server.send(.post, "/v1/admin/tenants", token: server.adminToken, body: #"{"name":"acme"}"#)
            #expect(again.status == 409)
            let minted = try await server.send(
                .post,
                "/v1/admin/tokens",
                token: server.adminToken,
                body: #"{"tenant":"acme","name":"collector","scopes":["ingest","read"]}"#
            )
            #expect(minted.status == 201, "\(minted.text)")
            guard case .string(let token)? = try minted.value("token"), case .string(let id)? = try minted.value("id") else {
                Issue.record("no token: \(minted.text)")
                return
            }
            #expect(try minted.value("prefix") == .string("pal_" + id))
            #expect(try await server.send(.post, "/v1/events", token: token, body: ServerHarness.event()).status == 201)
            // The secret is not stored and not listed.
            let listed = try await server.send(.get, "/v1/admin/tokens?tenant=acme", token: server.adminToken)
            #expect(listed.text.contains(id))
            #expect(!listed.text.contains(String(token.suffix(43))))
            let revoked = try await server.send(.delete, "/v1/admin/tokens/\(id)?tenant=acme", token: server.adminToken)
            #expect(revoked.status == 200)
            #expect(try revoked.value("active") == .bool(false))
            let after = try await server.send(.get, "/v1/events", token: token)
            #expect(after.status == 401)
            #expect(try after.value("error", "message") == .string("the token was revoked"))
            // Each admin action is in the operator's ledger.
            let audit = try await server.send(.get, "/v1/events?type=configuration&order=oldest", token: server.adminToken)
            let actions = try Self.strings(audit, "action")
            #expect(actions == ["tenant.create", "token.create", "token.revoke"])
        }
    }

    @Test func expiredAndOutOfNetworkTokensAndDisabledTenantsAreRefused() async throws {
        try await ServerHarness.run { server in
            _ = try await server.tenantWithToken("acme")
            let past = Timestamp(microseconds: SystemWallClock().now().microseconds - 1_000_000)
            let expired = try await server.token(for: TenantID("acme")!, scopes: [.read], expiresAt: past)
            let reply = try await server.send(.get, "/v1/events", token: expired)
            #expect(reply.status == 401)
            #expect(try reply.value("error", "message").map { "\($0)" }?.contains("expired") == true)
            let elsewhere = try await server.token(for: TenantID("acme")!, scopes: [.read], networks: [IPNetwork("10.0.0.0/8")!])
            #expect(try await server.send(.get, "/v1/events", token: elsewhere).status == 401)
            let here = try await server.token(for: TenantID("acme")!, scopes: [.read], networks: [IPNetwork("127.0.0.0/8")!, IPNetwork("::1")!])
            #expect(try await server.send(.get, "/v1/events", token: here).status == 200)

            let disabled = try await server.send(.post, "/v1/admin/tenants/acme/disable", token: server.adminToken)
            #expect(disabled.status == 200)
            #expect(try await server.send(.get, "/v1/events", token: here).status == 401)
            #expect(try await server.send(.post, "/v1/admin/tenants/acme/enable", token: server.adminToken).status == 200)
            #expect(try await server.send(.get, "/v1/events", token: here).status == 200)
            let operatorDisable = try await server.send(.post, "/v1/admin/tenants/default/disable", token: server.adminToken)
            #expect(operatorDisable.status == 409)
        }
    }

    @Test func aTenantAdminManagesOnlyItsOwnTokens() async throws {
        try await ServerHarness.run { server in
            let acmeAdmin = try await server.tenantWithToken("acme", scopes: [.admin])
            _ = try await server.tenantWithToken("globex")
            #expect(try await server.send(.get, "/v1/admin/tenants", token: acmeAdmin).status == 404)
            #expect(try await server.send(.get, "/v1/admin/tokens?tenant=globex", token: acmeAdmin).status == 404)
            let foreign = try await server.send(
                .post,
                "/v1/admin/tokens",
                token: acmeAdmin,
                body: #"{"tenant":"globex","name":"x","scopes":["read"]}"#
            )
            #expect(foreign.status == 404)
            let own = try await server.send(
                .post,
                "/v1/admin/tokens",
                token: acmeAdmin,
                body: #"{"name":"x","scopes":["read"],"allowed_cidrs":["10.0.0.0/8"]}"#
            )
            #expect(own.status == 201)
            #expect(try own.value("tenant") == .string("acme"))
            let badScope = try await server.send(.post, "/v1/admin/tokens", token: acmeAdmin, body: #"{"name":"x","scopes":["root"]}"#)
            #expect(badScope.status == 400)
            #expect(try badScope.value("error", "field") == .string("scopes"))
            let badCIDR = try await server.send(
                .post,
                "/v1/admin/tokens",
                token: acmeAdmin,
                body: #"{"name":"x","scopes":["read"],"allowed_cidrs":["10.0.0.0/33"]}"#
            )
            #expect(try badCIDR.value("error", "field") == .string("allowed_cidrs"))
        }
    }

    static func strings(_ reply: ServerHarness.Reply, _ field: String) throws -> [String] {
        guard case .array(let events)? = try reply.value("events") else { return [] }
        return events.compactMap { event in
            guard case .object(let members) = event, case .string(let value)? = members[field] else { return nil }
            return value
        }
    }
}

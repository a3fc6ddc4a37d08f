import Foundation
import PalisadeTesting
import Testing

/// `palisade vault` and `palisade keys` against a running server, as an operator uses them.
@Suite(.serialized)
struct VaultCLITests {
    /// These commands talk to the server and have no data directory.
    struct Client {
        var environment: [String: String] = [:]

        func run(_ arguments: [String], input: String = "") throws -> ExternalProcess.Result {
            try ExternalProcess.run(PalisadeCLI.binary, arguments, input: Data(input.utf8), environment: environment)
        }

        /// ``run(_:input:)`` on a thread of its own (for async tests).
        func runDetached(_ arguments: [String], input: String = "") async throws -> ExternalProcess.Result {
            try await ExternalProcess.runDetached(PalisadeCLI.binary, arguments, input: Data(input.utf8), environment: environment)
        }
    }

    @Test func anOperatorInitialisesUnsealsAndUsesKeysFromTheCommandLine() throws {
        let data = try PalisadeCLI()
        defer { data.removeAll() }
        let server = try ServeProcess(dataDir: data.dataDir)
        defer { server.kill9() }
        var cli = Client()
        let missing = try cli.run(["vault", "status", "--server", server.baseURL])
        #expect(missing.status == 64 && missing.stderr.contains("PALISADE_TOKEN"), "\(missing.stderr)")
        cli.environment = ["PALISADE_SERVER": server.baseURL, "PALISADE_TOKEN": try #require(server.adminToken)]

        #expect(try cli.run(["vault", "status"]).stdout.contains("uninitialized"))
        let initialised = try cli.run(["vault", "init", "--shares", "3", "--threshold", "2"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let shares = initialised.stdout.split(separator: "\n").filter { $0.hasPrefix("share: ") }.map { String($0.dropFirst(7)) }
        #expect(shares.count == 3 && initialised.stdout.contains("master key: "))

        #expect(try cli.run(["keys", "create", "documents", "--type", "chacha20-poly1305", "--tag", "pii"]).status == 0)
        #expect(try cli.run(["keys", "create", "builds", "--type", "ed25519"]).status == 0)
        let encrypted = try cli.run(["keys", "encrypt", "documents"], input: "passport 1234\n")
        #expect(encrypted.status == 0 && encrypted.stdout.hasPrefix("palisade:v1:"), "\(encrypted.stderr)")
        let decrypted = try cli.run(["keys", "decrypt", "documents"], input: encrypted.stdout)
        #expect(decrypted.stdout == "passport 1234\n", "\(decrypted.stderr)")
        let signature = try cli.run(["keys", "sign", "builds"], input: "artifact").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try cli.run(["keys", "verify", "builds", "--signature", signature], input: "artifact").stdout == "valid\n")
        let forged = try cli.run(["keys", "verify", "builds", "--signature", signature], input: "artifacT")
        #expect(forged.status == 1 && forged.stdout == "invalid\n")
        #expect(try cli.run(["keys", "rotate", "documents"]).stdout.contains("\"current_version\":2"))
        #expect(try cli.run(["keys", "list", "--tag", "pii"]).stdout == "documents  chacha20-poly1305  active  v2\n")
        let unknown = try cli.run(["keys", "create", "x", "--type", "des"])
        #expect(unknown.status == 1 && unknown.stderr.contains("type must be one of"), "\(unknown.stderr)")

        #expect(try cli.run(["vault", "seal"]).stdout.contains("sealed"))
        let refused = try cli.run(["keys", "decrypt", "documents"], input: encrypted.stdout)
        #expect(refused.status == 1 && refused.stderr.contains("503") && refused.stderr.contains("sealed"), "\(refused.stderr)")
        #expect(try cli.run(["vault", "unseal", "--share", shares[2]]).stdout.contains("\"progress\":1"))
        #expect(try cli.run(["vault", "unseal", "--share", shares[0]]).stdout.contains("unsealed"))
        #expect(try cli.run(["keys", "decrypt", "documents"], input: encrypted.stdout).stdout == "passport 1234\n")
        let both = try cli.run(["vault", "unseal", "--share", shares[0], "--passphrase-stdin"])
        #expect(both.status == 64)
    }

    @Test func aKeyIsDestroyedThroughApprovalsFromTheCommandLine() throws {
        let data = try PalisadeCLI()
        defer { data.removeAll() }
        let server = try ServeProcess(dataDir: data.dataDir, environment: ["PALISADE_VAULT_APPROVAL_GRACE_SECONDS": "1"])
        defer { server.kill9() }
        func token(_ name: String) throws -> String {
            try data.run(["token", "create", "--tenant", "default", "--name", name, "--scopes", "vault:administrator"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let alice = Client(environment: ["PALISADE_SERVER": server.baseURL, "PALISADE_TOKEN": try #require(server.adminToken)])
        let bob = Client(environment: ["PALISADE_SERVER": server.baseURL, "PALISADE_TOKEN": try token("bob")])
        let carol = Client(environment: ["PALISADE_SERVER": server.baseURL, "PALISADE_TOKEN": try token("carol")])
        #expect(try alice.run(["vault", "init", "--shares", "2", "--threshold", "2"]).status == 0)
        #expect(try alice.run(["keys", "create", "retired", "--type", "ed25519"]).status == 0)
        #expect(try alice.run(["keys", "revoke", "retired"]).status == 0)
        let requested = try alice.run(["approvals", "request", "key.destroy", "retired"])
        #expect(requested.status == 0 && requested.stdout.contains("pending  0/2  key.destroy  retired"), "\(requested.stdout)\(requested.stderr)")
        let id = String(requested.stdout.prefix(36))
        let own = try alice.run(["approvals", "approve", id])
        #expect(own.status == 1 && own.stderr.contains("cannot decide"), "\(own.stderr)")
        #expect(try bob.run(["approvals", "approve", id, "--comment", "SEC-1"]).stdout.contains("pending  1/2"))
        #expect(try carol.run(["approvals", "approve", id]).stdout.contains("approved  2/2"))
        #expect(try alice.run(["keys", "show", "retired"]).stdout.contains("\"state\":\"purge-scheduled\""))
        Thread.sleep(forTimeInterval: 1.2)
        #expect(try bob.run(["approvals", "execute", id]).stdout.contains("executed  2/2"))
        #expect(try alice.run(["keys", "show", "retired"]).stdout.contains("\"state\":\"destroyed\""))
        #expect(try alice.run(["approvals", "list", "--status", "executed"]).stdout.hasPrefix(id))
        #expect(try alice.run(["approvals", "show", "not-an-id"]).status == 64)
    }
}

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
}

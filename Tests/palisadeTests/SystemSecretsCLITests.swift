import Foundation
import PalisadeTesting
import Testing

/// Palisade's own secrets (checkpoint key, token key, alerting key) move from the data directory
/// into the vault once it is initialised and a command is given its key file — and afterwards come
/// only from there.
@Suite(.serialized)
struct SystemSecretsCLITests {
    @Test func theServersSecretsMoveIntoTheVaultAndComeOnlyFromIt() async throws {
        var data = try PalisadeCLI()
        defer { data.removeAll() }
        // Files first: an offline append makes the checkpoint key.
        #expect(try await data.runDetached(["events", "append"], input: eventLines(3)).status == 0)
        let vkey = try await data.vkeyDetached()
        let keyFile = data.dataDir.appendingPathComponent("checkpoint.key").path
        // PRIVATE+KEY+<name>+<id>+<base64 key>, whose base64 may hold '+' itself.
        let seedText = try String(contentsOfFile: keyFile, encoding: .utf8).split(separator: "+", maxSplits: 4).last.map(String.init) ?? ""
        let seed = try #require(Data(base64Encoded: seedText.trimmingCharacters(in: .whitespacesAndNewlines))).dropFirst()
        #expect(seed.count == 32)

        var server = try await ServeProcess.launch(dataDir: data.dataDir)
        let admin = try #require(server.adminToken)
        let cli = VaultCLITests.Client(environment: ["PALISADE_SERVER": server.baseURL, "PALISADE_TOKEN": admin])
        let initialised = try await cli.runDetached(["vault", "init", "--shares", "2", "--threshold", "2"])
        let masterKey = try #require(
            initialised.stdout.split(separator: "\n").first { $0.hasPrefix("master key: ") }.map { String($0.dropFirst(12)) }
        )
        let masterKeyFile = try data.file("master.key", masterKey + "\n")
        server.signal(SIGTERM)
        #expect(await server.exited() == 0)

        // Given the key file, the server moves the files into the vault and starts unsealed.
        server = try await ServeProcess.launch(dataDir: data.dataDir, environment: ["PALISADE_VAULT_KEY_FILE": masterKeyFile])
        let restartedServer = server
        defer { restartedServer.kill9() }
        for name in ["checkpoint.key", "token.key", "alerting.key"] {
            #expect(!FileManager.default.fileExists(atPath: data.dataDir.appendingPathComponent(name).path), "\(name) is still a file")
        }
        #expect(server.stderrText.contains("moved") && server.stderrText.contains("checkpoint.key"), "\(server.stderrText)")
        let restarted = VaultCLITests.Client(environment: ["PALISADE_SERVER": server.baseURL, "PALISADE_TOKEN": admin])
        let status = try await restarted.runDetached(["vault", "status"])
        #expect(
            status.status == 0 && status.stdout.contains("unsealed"),
            "the admin token (hashed under the moved key) still works: \(status.stderr)"
        )
        #expect(try await restarted.runDetached(["keys", "create", "documents", "--type", "aes256-gcm"]).status == 0)
        #expect(try await data.vkeyDetached() == vkey, "the checkpoint key is the same key, so every old checkpoint still verifies")
        let verified = try await data.runDetached(["verify"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let moves = try data.sqlite("SELECT resource FROM events WHERE action = 'vault.system_key.import' ORDER BY resource;")
        #expect(moves.stdout == "vault/system/alerting\nvault/system/api-tokens\nvault/system/checkpoint\n", "\(moves.stdout)\(moves.stderr)")
        // The seed is stored sealed: its bytes appear nowhere in the database.
        for suffix in ["", "-wal"] {
            let bytes = FileManager.default.contents(atPath: data.database + suffix) ?? Data()
            #expect(bytes.range(of: seed) == nil, "the checkpoint seed is in palisade.db\(suffix) in the clear")
        }
        server.signal(SIGTERM)
        #expect(await server.exited() == 0)

        // Without the key file nothing starts or signs: the secrets exist only in the vault.
        let refused = try await data.runDetached(["serve", "--listen", "127.0.0.1:0"])
        #expect(refused.status != 0 && refused.stderr.contains("kept in the vault, which is sealed"), "\(refused.stderr)")
        let offline = try await data.runDetached(["events", "append"], input: eventLines(1, start: 10))
        #expect(offline.status != 0 && offline.stderr.contains("--vault-key-file"), "\(offline.stderr)")
        let wrongKey = try data.file("wrong.key", Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString())
        let wrong = try await data.runDetached(["events", "append", "--vault-key-file", wrongKey], input: eventLines(1, start: 10))
        #expect(wrong.status != 0 && wrong.stderr.contains("does not unseal this vault"), "\(wrong.stderr)")

        // With it, offline commands sign with the vault's key and mint tokens under its token key.
        data.environment["PALISADE_VAULT_KEY_FILE"] = masterKeyFile
        #expect(try await data.runDetached(["events", "append"], input: eventLines(1, start: 10)).status == 0)
        let minted = try await data.runDetached(["token", "create", "--tenant", "default", "--name", "ops", "--scopes", "vault:auditor"])
        #expect(minted.status == 0, "\(minted.stderr)")
        #expect(try await data.runDetached(["verify"]).status == 0)
        server = try await ServeProcess.launch(dataDir: data.dataDir, environment: ["PALISADE_VAULT_KEY_FILE": masterKeyFile])
        defer { server.kill9() }
        let auditor = VaultCLITests.Client(
            environment: ["PALISADE_SERVER": server.baseURL, "PALISADE_TOKEN": minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)]
        )
        #expect(try await auditor.runDetached(["keys", "list"]).stdout.contains("documents"))
    }

    @Test func aTokenKeepsTheMasterKeyAndUnsealsTheServerAtStart() async throws {
        let token = try SoftHSMToken()
        defer { token.remove() }
        var data = try PalisadeCLI()
        defer { data.removeAll() }
        let pinFile = try data.file("pin", token.pin + "\n")
        data.environment = [
            "SOFTHSM2_CONF": token.configuration,
            "PALISADE_VAULT_PKCS11_MODULE": SoftHSMToken.module,
            "PALISADE_VAULT_PKCS11_TOKEN": token.label,
            "PALISADE_VAULT_PKCS11_PIN_FILE": pinFile,
        ]
        // The first command initialises the vault in the token; the checkpoint key is born in the vault.
        let first = try await data.runDetached(["events", "append"], input: eventLines(2))
        #expect(
            first.status == 0 && first.stderr.contains("initialised the vault with its master key in pkcs11:token=\(token.label)"),
            "\(first.stderr)"
        )
        #expect(!FileManager.default.fileExists(atPath: data.dataDir.appendingPathComponent("checkpoint.key").path))
        #expect(try await data.runDetached(["verify"]).status == 0)
        let created = try data.sqlite("SELECT action || ' ' || resource FROM events WHERE event_type = 'palisade.vault' ORDER BY log_index;")
        #expect(
            created.stdout.hasPrefix("vault.init vault\nvault.system_key.create vault/system/checkpoint\n"),
            "\(created.stdout)\(created.stderr)"
        )

        let server = try await ServeProcess.launch(dataDir: data.dataDir, environment: data.environment)
        defer { server.kill9() }
        let cli = VaultCLITests.Client(environment: ["PALISADE_SERVER": server.baseURL, "PALISADE_TOKEN": try #require(server.adminToken)])
        #expect(try await cli.runDetached(["vault", "status"]).stdout.contains("unsealed"))
        #expect(try await cli.runDetached(["keys", "create", "builds", "--type", "ed25519"]).status == 0)
        // Sealed by hand, it unseals through the token the server holds.
        #expect(try await cli.runDetached(["vault", "seal"]).stdout.contains("sealed"))
        #expect(try await cli.runDetached(["keys", "sign", "builds"], input: "x").status == 1)
        let unsealed = try await cli.runDetached(["vault", "unseal", "--pkcs11"])
        #expect(unsealed.status == 0 && unsealed.stdout.contains("unsealed"), "\(unsealed.stdout)\(unsealed.stderr)")
        #expect(try await cli.runDetached(["keys", "sign", "builds"], input: "x").status == 0)
        server.signal(SIGTERM)
        #expect(await server.exited() == 0)

        // A wrong PIN, or no token at all, and nothing signs.
        data.environment["PALISADE_VAULT_PKCS11_PIN_FILE"] = try data.file("wrong-pin", "0000\n")
        let refused = try await data.runDetached(["events", "append"], input: eventLines(1, start: 5))
        #expect(refused.status != 0 && refused.stderr.contains("refused the PIN"), "\(refused.stderr)")
        data.environment = [:]
        let sealed = try await data.runDetached(["events", "append"], input: eventLines(1, start: 5))
        #expect(sealed.status != 0 && sealed.stderr.contains("kept in the vault, which is sealed"), "\(sealed.stderr)")
    }
}

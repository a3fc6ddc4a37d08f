import ArgumentParser
import Foundation
import NIOHTTP1
import PalisadeCore

/// `palisade keys`: a running server's vault keys, and operations on them through standard input
/// and output.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list, show, rotate, roll back, disable and use vault keys on a running server.",
        discussion: """
            encrypt, decrypt, sign and verify read their input from standard input (raw bytes, or \
            base64 with --base64) and write to standard output: encrypt and sign print palisade:vN:…, \
            decrypt writes the plaintext. Every operation is recorded in the tenant's ledger. Key \
            destruction goes through approvals (dual control) and is not offered here yet.
            """,
        subcommands: [
            CreateKey.self, ListKeys.self, ShowKey.self, RotateKey.self, RollbackKey.self, DisableKey.self, EnableKey.self, RevokeKey.self,
            SetKeyPolicy.self,
            EncryptWithKey.self, DecryptWithKey.self, SignWithKey.self, VerifyWithKey.self,
        ]
    )

    static func path(_ name: String, _ rest: String = "") throws -> String {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 != 47 && $0 != 63 && $0 != 35 && $0 < 127 }) else {
            throw CLIError("\(name) is not a key name", exitCode: Exit.usage)
        }
        return "/v1/vault/keys/\(name)\(rest)"
    }

    static func input(base64: Bool) throws -> String {
        let bytes = try readStandardInput()
        if base64 {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard Data(base64Encoded: text) != nil else { throw CLIError("standard input is not base64") }
            return text
        }
        return Data(bytes).base64EncodedString()
    }
}

struct CreateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a key.")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The key's name (a-z, 0-9, '.', '_', '-').") var name: String
    @Option(help: "aes256-gcm, chacha20-poly1305, hmac-sha256, hmac-sha512, ed25519, ecdsa-p256, ecdsa-p384, rsa-3072 or rsa-4096.") var type: String
    @Option(help: "A tag (repeatable).") var tag: [String] = []

    func run() async throws {
        try await reportingErrors {
            let body: JSONValue = .object([
                "name": .string(name), "type": .string(type), "policy": .object(["tags": .array(tag.map { .string($0) })]),
            ])
            IncidentsCommand.printJSON(try await server.call(.POST, "/v1/vault/keys", body))
        }
    }
}

struct SetKeyPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Replace a key's policy.",
        discussion: """
            A tightening applies at once. A relaxation (more operations or actors, longer retention, \
            --exportable) is refused with the approval request to make: `palisade approvals request \
            policy.relax KEY --param policy=JSON`.
            """
    )
    @OptionGroup var server: ServerOptions
    @Argument var name: String
    @Option(name: .customLong("operation"), help: "An allowed operation (repeatable; none: every operation of the type).")
    var operations: [String] = []
    @Option(name: .customLong("actor"), help: "An allowed actor (repeatable; none: anyone whose role allows).") var actors: [String] = []
    @Option(help: "A tag (repeatable).") var tag: [String] = []
    @Option(help: "Versions older than this many days are to be destroyed (through an approval).") var retentionDays: Int?
    @Flag(help: "Allow the private key to be exported (wrapped, through an approval).") var exportable = false

    func run() async throws {
        try await reportingErrors {
            var body: [String: JSONValue] = [
                "actors": .array(actors.map { .string($0) }), "tags": .array(tag.map { .string($0) }), "exportable": .bool(exportable),
            ]
            if !operations.isEmpty { body["operations"] = .array(operations.map { .string($0) }) }
            if let retentionDays { body["retention_days"] = .number(Double(retentionDays)) }
            IncidentsCommand.printJSON(try await server.call(.POST, try KeysCommand.path(name, "/policy"), .object(body)))
        }
    }
}

struct ListKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List keys: name, type, state, current version.")
    @OptionGroup var server: ServerOptions
    @Option(help: "Only keys with this tag.") var tag: String?

    func run() async throws {
        try await reportingErrors {
            var query = "?limit=1000"
            if let tag { query += "&tag=\(tag.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? tag)" }
            try await server.eachPage("/v1/vault/keys\(query)", items: "keys", cursor: "after") { key in
                guard case .object(let fields) = key, case .number(let version)? = fields["current_version"] else { return }
                print("\(key.text("name") ?? "?")  \(key.text("type") ?? "?")  \(key.text("state") ?? "?")  v\(Int(version))")
            }
        }
    }
}

struct ShowKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a key's description (never its material).")
    @OptionGroup var server: ServerOptions
    @Argument var name: String

    func run() async throws {
        try await reportingErrors { IncidentsCommand.printJSON(try await server.call(.GET, try KeysCommand.path(name))) }
    }
}

struct RotateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rotate", abstract: "Add a version and make it current.")
    @OptionGroup var server: ServerOptions
    @Argument var name: String

    func run() async throws {
        try await reportingErrors { IncidentsCommand.printJSON(try await server.call(.POST, try KeysCommand.path(name, "/rotate"))) }
    }
}

struct RollbackKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Make an earlier version current again.")
    @OptionGroup var server: ServerOptions
    @Argument var name: String
    @Option(help: "The version to make current.") var version: Int

    func run() async throws {
        try await reportingErrors {
            IncidentsCommand.printJSON(
                try await server.call(.POST, try KeysCommand.path(name, "/rollback"), .object(["version": .number(Double(version))]))
            )
        }
    }
}

/// The lifecycle commands share one request.
func transitionKey(_ server: ServerOptions, _ name: String, _ transition: String) async throws {
    try await reportingErrors {
        IncidentsCommand.printJSON(
            try await server.call(.POST, try KeysCommand.path(name, "/lifecycle"), .object(["transition": .string(transition)]))
        )
    }
}

struct DisableKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Pause a key: no operation until enabled.")
    @OptionGroup var server: ServerOptions
    @Argument var name: String
    func run() async throws { try await transitionKey(server, name, "disable") }
}

struct EnableKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled key.")
    @OptionGroup var server: ServerOptions
    @Argument var name: String
    func run() async throws { try await transitionKey(server, name, "enable") }
}

struct RevokeKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a key: old output still decrypts and verifies, nothing new is made."
    )
    @OptionGroup var server: ServerOptions
    @Argument var name: String
    func run() async throws { try await transitionKey(server, name, "revoke") }
}

struct EncryptWithKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "encrypt", abstract: "Encrypt standard input; print palisade:vN:….")
    @OptionGroup var server: ServerOptions
    @Argument var name: String
    @Flag(help: "Standard input is base64.") var base64 = false

    func run() async throws {
        try await reportingErrors {
            let answer = try await server.call(
                .POST,
                try KeysCommand.path(name, "/encrypt"),
                .object(["plaintext": .string(try KeysCommand.input(base64: base64))])
            )
            print(answer.text("ciphertext") ?? "")
        }
    }
}

struct DecryptWithKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt palisade:vN:… from standard input; write the plaintext."
    )
    @OptionGroup var server: ServerOptions
    @Argument var name: String
    @Flag(help: "Write the plaintext as base64.") var base64 = false

    func run() async throws {
        try await reportingErrors {
            let ciphertext = String(decoding: try readStandardInput(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let answer = try await server.call(.POST, try KeysCommand.path(name, "/decrypt"), .object(["ciphertext": .string(ciphertext)]))
            guard let text = answer.text("plaintext"), let plaintext = Data(base64Encoded: text) else {
                throw CLIError("the server's answer has no plaintext")
            }
            if base64 { print(text) } else { FileHandle.standardOutput.write(plaintext) }
        }
    }
}

struct SignWithKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: "Sign standard input; print palisade:vN:….")
    @OptionGroup var server: ServerOptions
    @Argument var name: String
    @Flag(help: "Standard input is base64.") var base64 = false
    @Option(help: "standard, raw (ECDSA r‖s) or pkcs1v15 (RSA).") var format = "standard"

    func run() async throws {
        try await reportingErrors {
            let body: JSONValue = .object(["input": .string(try KeysCommand.input(base64: base64)), "format": .string(format)])
            print(try await server.call(.POST, try KeysCommand.path(name, "/sign"), body).text("signature") ?? "")
        }
    }
}

struct VerifyWithKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a signature over standard input: prints valid (exit 0) or invalid (exit 1)."
    )
    @OptionGroup var server: ServerOptions
    @Argument var name: String
    @Option(help: "The signature (palisade:vN:…).") var signature: String
    @Flag(help: "Standard input is base64.") var base64 = false
    @Option(help: "The format it was signed in.") var format = "standard"

    func run() async throws {
        try await reportingErrors {
            let body: JSONValue = .object([
                "input": .string(try KeysCommand.input(base64: base64)), "signature": .string(signature), "format": .string(format),
            ])
            let answer = try await server.call(.POST, try KeysCommand.path(name, "/verify"), body)
            guard case .object(let members) = answer, case .bool(let valid)? = members["valid"] else {
                throw CLIError("the server's answer has no verdict")
            }
            print(valid ? "valid" : "invalid")
            if !valid { throw ExitCode(1) }
        }
    }
}

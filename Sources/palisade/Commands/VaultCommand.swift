import ArgumentParser
import Foundation
import NIOHTTP1
import PalisadeCore

/// `palisade vault`: the seal of a running server's vault.
struct VaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Initialise, unseal, seal and check a running server's vault.",
        discussion: """
            These act on the server (--server, PALISADE_SERVER) with an operator-tenant administrator \
            token (--token, PALISADE_TOKEN). A server starts with its vault sealed; key operations \
            answer 503 until it is unsealed.
            """,
        subcommands: [VaultStatus.self, VaultInit.self, VaultUnseal.self, VaultSeal.self]
    )
}

struct VaultStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Print whether the vault is sealed.")
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await reportingErrors { IncidentsCommand.printJSON(try await server.call(.GET, "/v1/vault/status")) }
    }
}

struct VaultInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Initialise the vault and print its recovery shares (and, without a passphrase, the master key).",
        discussion: """
            Prints one share per line, then the master key (base64) for a key file when no passphrase \
            is given. They are shown once: hand each share to a different person. With \
            --passphrase-stdin the master key is derived from the passphrase (scrypt) and the shares \
            are its recovery.
            """
    )
    @OptionGroup var server: ServerOptions
    @Option(help: "Shares to print (2-255).") var shares = 5
    @Option(help: "Shares that unseal (2-shares).") var threshold = 3
    @Flag(help: "Read a passphrase (12 characters or more) from standard input.") var passphraseStdin = false

    func run() async throws {
        try await reportingErrors {
            var body: [String: JSONValue] = ["shares": .number(Double(shares)), "threshold": .number(Double(threshold))]
            if passphraseStdin {
                body["passphrase"] = .string(String(decoding: try readStandardInput(), as: UTF8.self).trimmingCharacters(in: .newlines))
            }
            let answer = try await server.call(.POST, "/v1/vault/init", .object(body))
            guard case .object(let members) = answer, case .array(let list)? = members["shares"] else {
                throw CLIError("the server's answer has no shares")
            }
            for case .string(let share) in list { print("share: \(share)") }
            if let key = answer.text("master_key") { print("master key: \(key)") }
            printError("palisade: the vault is initialised and unsealed; keep \(threshold) of these \(shares) shares apart")
        }
    }
}

struct VaultUnseal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unseal",
        abstract: "Give the vault one share, its passphrase or its master key file."
    )
    @OptionGroup var server: ServerOptions
    @Option(help: "One recovery share (base64); repeat the command with other shares up to the threshold.") var share: String?
    @Option(help: "A file holding the master key (base64).") var keyFile: String?
    @Flag(help: "Read the passphrase from standard input.") var passphraseStdin = false
    @Flag(name: .customLong("pkcs11"), help: "Unseal through the PKCS#11 token the server was started with.") var pkcs11 = false

    func run() async throws {
        try await reportingErrors {
            if pkcs11, share != nil || keyFile != nil || passphraseStdin {
                throw CLIError("give exactly one of --share, --key-file, --passphrase-stdin and --pkcs11", exitCode: Exit.usage)
            }
            let body: [String: JSONValue]
            switch (share, keyFile, passphraseStdin) {
            case (let share?, nil, false): body = ["share": .string(share)]
            case (nil, let file?, false):
                let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                body = ["master_key": .string(text)]
            case (nil, nil, true):
                body = ["passphrase": .string(String(decoding: try readStandardInput(), as: UTF8.self).trimmingCharacters(in: .newlines))]
            case (nil, nil, false) where pkcs11: body = [:]
            default: throw CLIError("give exactly one of --share, --key-file, --passphrase-stdin and --pkcs11", exitCode: Exit.usage)
            }
            IncidentsCommand.printJSON(try await server.call(.POST, "/v1/vault/unseal", .object(body)))
        }
    }
}

struct VaultSeal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seal", abstract: "Seal the vault (keys leave the server's memory).")
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await reportingErrors { IncidentsCommand.printJSON(try await server.call(.POST, "/v1/vault/seal")) }
    }
}

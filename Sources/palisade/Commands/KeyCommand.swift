import ArgumentParser
import PalisadeLedger

/// `palisade key …`
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "The checkpoint signing key.",
        subcommands: [ShowKey.self]
    )

    struct ShowKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the verifier key (note vkey form: name+keyid+base64 key) that checks checkpoints."
        )

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Generate the key if the data directory has none yet.") var create = false

        func run() async throws {
            try await reportingErrors {
                let directory = DataDirectory(path: global.resolvedDataDir)
                if !create, let verifier = try directory.existingVerifier() {
                    print(verifier.vkey)
                    return
                }
                try await global.withSecrets { _, _, secrets in
                    print(try await (create ? secrets.signer().verifier : secrets.verifier()).vkey)
                }
            }
        }
    }
}

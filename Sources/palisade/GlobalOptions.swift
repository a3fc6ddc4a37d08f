import ArgumentParser
import Foundation
import PalisadeCore
import PalisadeLedger

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The data directory (env PALISADE_DATA_DIR).", valueName: "path"))
    var dataDir: String?

    @Option(name: .long, help: ArgumentHelp("The tenant whose log to use (default: default).", valueName: "id"))
    var tenant: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "sqlite (the data directory's database, the default) or a postgres:// URL (env PALISADE_DATABASE; a URL without a password uses PGPASSWORD).",
            valueName: "url"
        )
    )
    var database: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The vault's master key file, to read Palisade's own secrets from the vault (env PALISADE_VAULT_KEY_FILE).",
            valueName: "path"
        )
    )
    var vaultKeyFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp("A file holding the vault's passphrase, instead of its key file (env PALISADE_VAULT_PASSPHRASE_FILE).", valueName: "path")
    )
    var vaultPassphraseFile: String?

    /// The data directory: the flag, else `PALISADE_DATA_DIR`, else `./palisade-data`.
    var resolvedDataDir: String {
        dataDir ?? ProcessInfo.processInfo.environment["PALISADE_DATA_DIR"] ?? "palisade-data"
    }

    /// Where the ledger is stored: the flag, else `PALISADE_DATABASE`, else SQLite.
    func databaseLocation() throws -> DatabaseLocation {
        if let database { return try DatabaseLocation(database, source: "--database") }
        if let text = ProcessInfo.processInfo.environment[DatabaseLocation.environmentVariable] {
            return try DatabaseLocation(text, source: DatabaseLocation.environmentVariable)
        }
        return .sqlite
    }

    /// Runs `body` with the data directory and its store open (see ``DataDirectory/withStore(_:postgres:_:)``).
    func withStore<T>(_ body: (DataDirectory, any LedgerStore) async throws -> T) async throws -> T {
        let directory = DataDirectory(path: resolvedDataDir)
        return try await directory.withStore(try databaseLocation()) { store in try await body(directory, store) }
    }

    /// Runs `body` with the store open and Palisade's own secrets at hand (from the vault when it
    /// holds them; see ``PalisadeSecrets``); vault records still held afterwards are appended.
    func withSecrets<T>(_ body: (DataDirectory, any LedgerStore, PalisadeSecrets) async throws -> T) async throws -> T {
        try await withStore { directory, store in
            let secrets = try await openSecrets(directory, store)
            let result = try await body(directory, store, secrets)
            try await secrets.finish(logger: directory.logger)
            return result
        }
    }

    /// The checkpoint verifier: `checkpoint.pub` when the data directory has it — no unsealing,
    /// no scrypt — else from the secrets (the key file's, or the vault's).
    func verifier(_ directory: DataDirectory, _ store: any LedgerStore) async throws -> NoteVerifier {
        if let verifier = try directory.existingVerifier() { return verifier }
        let secrets = try await openSecrets(directory, store)
        let verifier = try await secrets.verifier()
        try await secrets.finish(logger: directory.logger)
        return verifier
    }

    /// Palisade's secrets for a command, unsealing the vault with the flags' or environment's unlock.
    private func openSecrets(_ directory: DataDirectory, _ store: any LedgerStore) async throws -> PalisadeSecrets {
        let unlock = try VaultUnlock.resolve(keyFile: vaultKeyFile, passphraseFile: vaultPassphraseFile)
        return try await PalisadeSecrets.open(directory: directory, store: store, unlock: unlock, actor: "palisade-cli")
    }

    func tenantID() throws -> TenantID {
        guard let tenant else { return .default }
        guard let id = TenantID(tenant) else {
            throw ValidationError("--tenant must match [a-z0-9][a-z0-9-]{0,62}")
        }
        return id
    }
}

/// Exit codes scripts can rely on (sysexits.h where one fits).
enum Exit {
    /// Some input was rejected or a check failed.
    static let failed = ExitCode(1)
    /// The data directory or database could not be used.
    static let storage = ExitCode(74)
    /// The command was used wrongly (sysexits EX_USAGE).
    static let usage = ExitCode(64)
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes a line to standard output at once (unbuffered, so a pipe sees it immediately).
func printNow(_ message: String) {
    FileHandle.standardOutput.write(Data((message + "\n").utf8))
}

/// The file to read input from, or standard input when no path is given.
func inputHandle(_ path: String?) throws -> FileHandle {
    guard let path else { return FileHandle.standardInput }
    guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path); check the path") }
    return handle
}

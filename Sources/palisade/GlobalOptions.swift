import ArgumentParser
import Foundation
import PalisadeCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The data directory (env PALISADE_DATA_DIR).", valueName: "path"))
    var dataDir: String?

    @Option(name: .long, help: ArgumentHelp("The tenant whose log to use (default: default).", valueName: "id"))
    var tenant: String?

    /// The data directory: the flag, else `PALISADE_DATA_DIR`, else `./palisade-data`.
    var resolvedDataDir: String {
        dataDir ?? ProcessInfo.processInfo.environment["PALISADE_DATA_DIR"] ?? "palisade-data"
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
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes a line to standard output at once (unbuffered, so a pipe sees it immediately).
func printNow(_ message: String) {
    FileHandle.standardOutput.write(Data((message + "\n").utf8))
}

import Foundation
import PalisadePostgres

/// Where the ledger is stored: the SQLite database in the data directory (the default), or a
/// PostgreSQL database named by a `postgres://` URL.
///
/// The data directory holds the checkpoint and token keys in both cases: the database never
/// sees a private key.
enum DatabaseLocation: CustomStringConvertible {
    /// `palisade.db` in the data directory.
    case sqlite
    /// A PostgreSQL database.
    case postgres(PostgresURL)

    /// The environment variable the CLI reads when `--database` is not given (the same one
    /// `palisade serve` reads for its `database` setting).
    static let environmentVariable = "PALISADE_DATABASE"

    /// Parses `sqlite` or a `postgres://` / `postgresql://` URL.
    ///
    /// A URL without a password takes it from `PGPASSWORD` (libpq's convention), so that the
    /// password need not appear on a command line other users can read.
    ///
    /// - Parameter source: how the value was given, for the error message (e.g. `--database`).
    init(_ text: String, source: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if text == "sqlite" {
            self = .sqlite
            return
        }
        guard PostgresURL.looksLikeURL(text) else {
            throw CLIError("\(source) must be sqlite or a postgres:// URL, not \(text.prefix(40))")
        }
        do {
            var url = try PostgresURL(text)
            if url.password == nil, let password = environment["PGPASSWORD"] { url.password = password }
            self = .postgres(url)
        } catch {
            throw CLIError("\(source): \(error)")
        }
    }

    /// `sqlite` or the URL without its password.
    var description: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres(let url): url.description
        }
    }
}

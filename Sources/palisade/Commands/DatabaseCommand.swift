import ArgumentParser
import PalisadePostgres

/// `palisade database …`: operations on the PostgreSQL database behind the ledger.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "database",
        abstract: "Prepare the PostgreSQL database (schema, grants).",
        subcommands: [Migrate.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Create or upgrade Palisade's schema, and grant an application role its privileges.",
            discussion: """
                Run it once as the role that owns the database (every Palisade command also migrates \
                at start when it may). With --grant-to, that role gets SELECT and INSERT on the ledger \
                tables and never UPDATE, DELETE or TRUNCATE: run `palisade serve` as it. Migrations are \
                versioned and applied in one transaction; a database newer than this binary is refused.
                """
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The application role to grant SELECT and INSERT to.", valueName: "role")) var grantTo: String?

        func validate() throws {
            if let grantTo, !PostgresStore.Configuration.isValidRoleName(grantTo) {
                throw ValidationError("--grant-to must be a plain lowercase role name ([a-z_][a-z0-9_]*)")
            }
        }

        func run() async throws {
            try await reportingErrors {
                guard case .postgres(let url) = try global.databaseLocation() else {
                    throw CLIError("palisade database migrate works on PostgreSQL: pass --database postgres://… (or set PALISADE_DATABASE)")
                }
                let directory = DataDirectory(path: global.resolvedDataDir)
                var configuration = PostgresStore.Configuration(maximumConnections: 2)
                configuration.applicationRole = grantTo
                try await directory.withPostgres(url, configuration: configuration) { store in
                    let version = try await store.schemaVersion()
                    print("schema palisade at version \(version.database) (this binary knows \(version.binary)) in \(url)")
                    if let grantTo { print("granted SELECT and INSERT on the ledger tables to \(grantTo)") }
                }
            }
        }
    }
}

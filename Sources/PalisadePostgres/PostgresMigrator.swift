import Logging
import PalisadeCore
import PostgresNIO

/// Brings the `palisade` schema up to date at start-up.
///
/// - A database at the newest version is left alone (no DDL, so the application role, which may
///   not create anything, starts normally).
/// - Missing migrations are applied in one transaction under an advisory lock, each recorded in
///   `schema_migrations`; a second server starting at the same moment waits, then finds nothing to do.
/// - A version newer than this binary knows is refused: an older binary must not write to a
///   schema whose rules it does not know.
struct PostgresMigrator {
    /// The advisory lock key of migrations ("palisade" in ASCII; partition creation uses the next one).
    static let lockKey: Int64 = 8_097_872_805_151_990_885

    let store: PostgresStore

    func migrate() async throws {
        let logger = store.logger
        let current = try await store.run("reading the schema version") { try await currentVersion(store.client) }
        if let current, current > PostgresSchema.latestVersion {
            throw StoreError(
                .schemaTooNew,
                "the database schema is at version \(current), newer than this Palisade knows (\(PostgresSchema.latestVersion)); upgrade the palisade binary"
            )
        }
        if current == PostgresSchema.latestVersion {
            if let role = store.configuration.applicationRole { try await grant(to: role) }
            return
        }
        do {
            try await store.client.transaction(logger) { connection in
                try await connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger)
                try await connection.execute("CREATE SCHEMA IF NOT EXISTS palisade", logger)
                try await connection.execute(
                    """
                    CREATE TABLE IF NOT EXISTS palisade.schema_migrations (
                        version    integer PRIMARY KEY,
                        name       text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """,
                    logger
                )
                // Read again under the lock: another server may have migrated meanwhile.
                let applied = try await currentVersion(connection) ?? 0
                guard applied <= PostgresSchema.latestVersion else {
                    throw StoreError(.schemaTooNew, "the database schema was upgraded by a newer Palisade meanwhile; upgrade the palisade binary")
                }
                for migration in PostgresSchema.migrations where migration.version > applied {
                    for statement in migration.statements {
                        try await connection.execute(PostgresQuery(unsafeSQL: statement), logger)
                    }
                    try await connection.execute(
                        "INSERT INTO palisade.schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger
                    )
                    logger.info("palisade.postgres.migrated", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                }
                if let role = store.configuration.applicationRole {
                    for statement in PostgresSchema.applicationGrants(to: role) {
                        try await connection.execute(PostgresQuery(unsafeSQL: statement), logger)
                    }
                }
            }
        } catch {
            let cause = error
            if let error = cause as? StoreError { throw error }
            throw StoreError(
                .unavailable,
                "cannot create or upgrade Palisade's schema as \(store.url.user): \(PostgresStore.serverMessage(cause)); connect once as a role that may create schemas in database \(store.url.database) (its owner), then the application role can run",
                underlying: cause
            )
        }
    }

    /// Re-applies the application grants (idempotent), for a database already at the newest version.
    private func grant(to role: String) async throws {
        try await store.run("granting the application role \(role)") {
            try await store.client.transaction(store.logger) { connection in
                for statement in PostgresSchema.applicationGrants(to: role) {
                    try await connection.execute(PostgresQuery(unsafeSQL: statement), store.logger)
                }
            }
        }
    }

    /// The newest applied version, or `nil` when the schema has never been created.
    func currentVersion(_ database: some PostgresQueryRunner) async throws -> Int? {
        let exists = try await database.rows("SELECT to_regclass('palisade.schema_migrations') IS NOT NULL", store.logger)
        guard try exists.first?.decode(Bool.self) == true else { return nil }
        let rows = try await database.rows("SELECT coalesce(max(version), 0) FROM palisade.schema_migrations", store.logger)
        return try rows.first.map { Int(try $0.decode(Int32.self)) } ?? 0
    }
}

/// Something queries can run on: the pool or one connection (inside a transaction).
///
/// Results are always read to the end: PostgresNIO reports a statement's failure (including a
/// connection the server closed) only while its rows are read, so a discarded result would hide it.
protocol PostgresQueryRunner: Sendable {
    /// Runs a query and collects its rows.
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow]
}

extension PostgresQueryRunner {
    /// Runs a statement and waits for its outcome, discarding any rows.
    func execute(_ query: PostgresQuery, _ logger: Logger) async throws {
        _ = try await rows(query, logger)
    }
}

extension PostgresClient: PostgresQueryRunner {
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}

extension PostgresConnection: PostgresQueryRunner {
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}

extension PostgresStore {
    /// The schema version of the database (the newest applied migration), and the newest this
    /// binary knows.
    public func schemaVersion() async throws -> (database: Int, binary: Int) {
        let migrator = PostgresMigrator(store: self)
        let current = try await run("reading the schema version") { try await migrator.currentVersion(client) }
        return (current ?? 0, PostgresSchema.latestVersion)
    }
}

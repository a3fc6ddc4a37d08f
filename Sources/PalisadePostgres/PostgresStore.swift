import Foundation
public import Logging
import NIOCore
import NIOSSL
import PalisadeCore
public import PostgresNIO
import Synchronization

/// The PostgreSQL store: every tenant's events, tiles and checkpoints in the schema `palisade` of
/// one database. Implements ``LedgerBackend``, ``EventStore`` and ``AccessStore`` with the same
/// behaviour as the SQLite store (one conformance suite checks both).
///
/// - Every value is a bound parameter; SQL text is built only from fixed fragments.
/// - A commit is one transaction: the events go in with COPY, the tiles, head and checkpoint with
///   single statements, under a per-tenant advisory lock that serializes writers of one log (two
///   servers sharing a database cannot interleave indices). A connection lost mid-commit is
///   retried; a retry first checks whether the lost transaction committed, so a batch is written
///   exactly once (events are identified by id).
/// - The ledger tables are append-only for every role (triggers), and the application role has no
///   UPDATE, DELETE or TRUNCATE grant on them (see ``Configuration/applicationRole``).
///
/// Lifecycle: ``connect(to:configuration:logger:)`` starts the connection pool, checks the server is
/// reachable and brings the schema up to date; ``close()`` ends the pool. The store is `Sendable`
/// and used from any task.
///
/// ```swift
/// let store = try await PostgresStore.connect(to: PostgresURL("postgres://palisade@db/palisade"), logger: logger)
/// defer { Task { await store.close() } }
/// let head = try await store.logHead(of: .default)
/// ```
public final class PostgresStore: Sendable {
    /// How the store connects and what it sets up.
    public struct Configuration: Sendable {
        /// Connections in the pool. Default 10.
        public var maximumConnections: Int
        /// How long to wait for the server when connecting. Default 10 s.
        public var connectTimeout: Duration
        /// A role to grant Palisade's application privileges to when this (owner) connection migrates
        /// the schema: SELECT and INSERT on the ledger tables, never UPDATE, DELETE or TRUNCATE.
        /// `nil` grants nothing.
        public var applicationRole: String?
        /// How many months of partitions to create ahead of the current one. Default 3.
        public var partitionsAhead: Int
        /// How often a lost connection is retried within one call. Default 3.
        public var retries: Int

        /// Creates a configuration.
        ///
        /// - Precondition: `applicationRole`, when given, is a plain lowercase identifier.
        public init(
            maximumConnections: Int = 10,
            connectTimeout: Duration = .seconds(10),
            applicationRole: String? = nil,
            partitionsAhead: Int = 3,
            retries: Int = 3
        ) {
            self.maximumConnections = maximumConnections
            self.connectTimeout = connectTimeout
            self.applicationRole = applicationRole
            self.partitionsAhead = partitionsAhead
            self.retries = retries
        }

        /// Whether a role name is a plain identifier that needs no quoting beyond double quotes.
        public static func isValidRoleName(_ name: String) -> Bool {
            guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first >= 97 && first <= 122), name.utf8.count <= 63 else {
                return false
            }
            return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
        }
    }

    let client: PostgresClient
    let logger: Logger
    let configuration: Configuration
    let url: PostgresURL
    private let runTask: Task<Void, Never>
    /// Tenant name → row id, filled as tenants are seen (ids never change).
    let tenantIDs = Mutex<[TenantID: Int32]>([:])
    /// Months (year × 12 + month − 1) whose audit_events partition is known to exist.
    let knownPartitions = Mutex<Set<Int>>([])

    private init(client: PostgresClient, url: PostgresURL, configuration: Configuration, logger: Logger) {
        self.client = client
        self.url = url
        self.configuration = configuration
        self.logger = logger
        // The pool's background work lives until close(); it is the one unstructured task here,
        // so that a store can be opened by any command without restructuring it around a service.
        self.runTask = Task { await client.run() }
    }

    /// Connects, waits for the server, migrates the schema and creates the partitions ahead.
    ///
    /// - Throws: ``StoreError`` `unavailable` when the server cannot be reached or the schema
    ///   cannot be created (with what to do), `schemaTooNew` when a newer Palisade migrated it.
    public static func connect(to url: PostgresURL, configuration: Configuration = Configuration(), logger: Logger) async throws -> PostgresStore {
        if let role = configuration.applicationRole, !Configuration.isValidRoleName(role) {
            throw StoreError(.unavailable, "the application role \(role) is not a plain lowercase identifier ([a-z_][a-z0-9_]*)")
        }
        let client = PostgresClient(configuration: try clientConfiguration(url, configuration), backgroundLogger: logger)
        let store = PostgresStore(client: client, url: url, configuration: configuration, logger: logger)
        do {
            try await store.probe()
            try await PostgresMigrator(store: store).migrate()
            try await store.ensurePartitionsAhead(from: Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)))
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Ends the connection pool; queries fail afterwards.
    public func close() async {
        runTask.cancel()
        await runTask.value
    }

    /// Runs SQL statements (one per element) in order on one connection of their own, outside any
    /// store, with Palisade's session settings (schema `palisade` first on the search path), and
    /// returns the rows of the last. For operators' tools, benchmarks and tests.
    @discardableResult
    public static func execute(_ statements: [String], at url: PostgresURL, logger: Logger) async throws -> [PostgresRow] {
        let configuration = try connectionConfiguration(url, Configuration())
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            var rows = [PostgresRow]()
            for statement in statements {
                rows = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
            }
            try await connection.close()
            return rows
        } catch {
            try await connection.close()
            throw error
        }
    }

    /// Runs `body` with this store, then closes it, whether `body` threw or not.
    public func closing<T>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        do {
            let value = try await body(self)
            await close()
            return value
        } catch {
            await close()
            throw error
        }
    }

    /// How the URL asks for TLS: no TLS, TLS if offered, or TLS required, with the context to use.
    private enum TLSChoice {
        case disable
        case prefer(TLSConfiguration)
        case require(TLSConfiguration)
    }

    private static func tlsChoice(_ url: PostgresURL) throws -> TLSChoice {
        switch url.tlsMode {
        case .disable:
            return .disable
        case .prefer, .require:
            var context = TLSConfiguration.makeClientConfiguration()
            context.certificateVerification = .none
            return url.tlsMode == .prefer ? .prefer(context) : .require(context)
        case .verifyFull:
            var context = TLSConfiguration.makeClientConfiguration()
            context.certificateVerification = .fullVerification
            if let path = url.rootCertificatePath {
                do {
                    context.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
                } catch {
                    throw StoreError(.unavailable, "cannot read the sslrootcert file \(path)", underlying: error)
                }
            }
            return .require(context)
        }
    }

    /// The settings of one connection to the URL (the probe's), with Palisade's session settings.
    static func connectionConfiguration(_ url: PostgresURL, _ configuration: Configuration) throws -> PostgresConnection.Configuration {
        var connection: PostgresConnection.Configuration
        if let directory = url.socketDirectory {
            connection = .init(
                unixSocketPath: "\(directory)/.s.PGSQL.\(url.port)",
                username: url.user,
                password: url.password,
                database: url.database
            )
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch try tlsChoice(url) {
            case .disable: tls = .disable
            case .prefer(let context): tls = .prefer(try NIOSSLContext(configuration: context))
            case .require(let context): tls = .require(try NIOSSLContext(configuration: context))
            }
            connection = .init(host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
        }
        connection.options.connectTimeout = TimeAmount.milliseconds(Int64(configuration.connectTimeout / .milliseconds(1)))
        connection.options.additionalStartupParameters = sessionParameters
        return connection
    }

    /// Startup parameters of every connection: Palisade's schema first on the search path, and
    /// a name operators see in `pg_stat_activity`.
    static let sessionParameters = [("search_path", PostgresSchema.schemaName), ("application_name", "palisade")]

    private static func clientConfiguration(_ url: PostgresURL, _ configuration: Configuration) throws -> PostgresClient.Configuration {
        var client: PostgresClient.Configuration
        if let directory = url.socketDirectory {
            client = .init(unixSocketPath: "\(directory)/.s.PGSQL.\(url.port)", username: url.user, password: url.password, database: url.database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch try tlsChoice(url) {
            case .disable: tls = .disable
            case .prefer(let context): tls = .prefer(context)
            case .require(let context): tls = .require(context)
            }
            client = .init(host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
        }
        client.options.maximumConnections = max(1, configuration.maximumConnections)
        client.options.connectTimeout = configuration.connectTimeout
        client.options.additionalStartupParameters = Self.sessionParameters
        return client
    }

    /// Opens one connection of its own, bounded by the connect timeout, so that a wrong URL,
    /// password or database fails at once with the server's reason (the pool would instead keep
    /// retrying while the server is unreachable).
    private func probe() async throws {
        let timeout = configuration.connectTimeout
        let connectionConfiguration = try Self.connectionConfiguration(url, configuration)
        let logger = self.logger
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
                    try await connection.close()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return false
                }
                let reached = try await group.next() ?? false
                group.cancelAll()
                guard reached else {
                    throw StoreError(.unavailable, "PostgreSQL at \(url) did not answer within \(timeout); check the URL and that the server runs")
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "cannot connect to PostgreSQL at \(url): \(Self.serverMessage(error))", underlying: error)
        }
    }

    // MARK: Running statements

    /// Runs `body` with retries when the connection is lost, mapping failures to ``StoreError``.
    ///
    /// Only reads and idempotent writes go through here; a commit uses ``retrying(_:_:)`` to
    /// learn it is a retry (and check whether the lost transaction committed).
    func run<T: Sendable>(_ what: String, _ body: @Sendable () async throws -> T) async throws -> T {
        try await retrying(what) { _ in try await body() }
    }

    /// Runs `body`, running it again (up to ``Configuration/retries`` times, with a growing pause)
    /// when the connection is lost; `body` gets the number of earlier attempts. Other failures
    /// become a ``StoreError`` saying what failed.
    func retrying<T: Sendable>(_ what: String, _ body: @Sendable (_ earlierAttempts: Int) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body(attempt)
            } catch let error as StoreError {
                throw error
            } catch let error as CancellationError {
                throw error
            } catch {
                attempt += 1
                if Self.isConnectionLoss(error), attempt <= configuration.retries {
                    logger.warning(
                        "palisade.postgres.retry",
                        metadata: ["operation": "\(what)", "attempt": "\(attempt)", "error": "\(String(reflecting: error))"]
                    )
                    try await Task.sleep(for: .milliseconds(50 * attempt))
                    continue
                }
                throw Self.storeError(error, what)
            }
        }
    }

    /// Whether an error means the connection broke (the statement's effect is unknown) rather than
    /// that the server refused the statement.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection:
            return true
        case .server:
            // 57P01 admin_shutdown (pg_terminate_backend), 57P02 crash_shutdown, 08xxx connection exceptions.
            let state = error.serverInfo?[.sqlState] ?? ""
            return state == "57P01" || state == "57P02" || state == "57P03" || state.hasPrefix("08")
        default:
            return false
        }
    }

    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// The server's message of an error (no SQL, no values), for ``StoreError`` messages.
    static func serverMessage(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(error.code) (\(underlying))" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    /// Maps a driver error to a ``StoreError``.
    static func storeError(_ error: any Error, _ what: String) -> StoreError {
        switch sqlState(error) {
        case "23505"?:
            return StoreError(.conflict, "\(what): an event id or log position already exists; reload and retry", underlying: error)
        case "P0002"?:
            return StoreError(.rejected, "\(what): \(serverMessage(error))", underlying: error)
        case "42501"?:
            return StoreError(
                .unavailable,
                "\(what) was refused by PostgreSQL: \(serverMessage(error)); check the database role's grants",
                underlying: error
            )
        default:
            return StoreError(.unavailable, "\(what) failed on PostgreSQL: \(serverMessage(error))", underlying: error)
        }
    }

    // MARK: Tenants

    /// The row id of a tenant that has a row, else `nil`.
    func existingTenantID(_ tenant: TenantID) async throws -> Int32? {
        if let cached = tenantIDs.withLock({ $0[tenant] }) { return cached }
        let rows = try await client.rows("SELECT id FROM tenants WHERE name = \(tenant.rawValue)", logger)
        for row in rows {
            let id = try row.decodeOrCorrupt(Int32.self, "tenant id")
            tenantIDs.withLock { $0[tenant] = id }
            return id
        }
        return nil
    }

    /// The row id of a tenant, creating its row when needed (idempotent, outside any transaction).
    func tenantID(_ tenant: TenantID) async throws -> Int32 {
        if let id = try await existingTenantID(tenant) { return id }
        try await client.execute("INSERT INTO tenants (name) VALUES (\(tenant.rawValue)) ON CONFLICT (name) DO NOTHING", logger)
        guard let id = try await existingTenantID(tenant) else {
            throw StoreError(.corrupt, "tenant \(tenant) was created but cannot be read back")
        }
        return id
    }
}

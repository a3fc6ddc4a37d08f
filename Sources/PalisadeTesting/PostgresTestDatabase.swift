import Foundation
import Logging
public import PalisadePostgres
public import PostgresNIO

/// A throwaway PostgreSQL database on the cluster `scripts/test` starts, dropped by ``drop()``.
///
/// The cluster's URLs come from the environment `scripts/test` sets:
/// `PALISADE_TEST_POSTGRES_URL` (the owner role, which may create databases),
/// `PALISADE_TEST_POSTGRES_APP_URL` (the application role) and
/// `PALISADE_TEST_POSTGRES_SUPERUSER_URL`. When they are missing the tests fail with a message
/// saying so: nothing is skipped for want of a database.
///
/// ```swift
/// let database = try await PostgresTestDatabase.create()
/// let store = try await database.applicationStore()
/// ...
/// await store.close()
/// await database.drop()
/// ```
public struct PostgresTestDatabase: Sendable {
    /// The roles of the test cluster.
    public enum Role: Sendable {
        /// `palisade_owner`: owns the database and Palisade's schema.
        case owner
        /// `palisade_app`: the application role, granted only what Palisade needs.
        case application
        /// `postgres`: the cluster's superuser (a hostile database administrator).
        case superuser
    }

    /// The database name.
    public let name: String
    private let clusterURLs: [Role: PostgresURL]

    /// The URL of this database for a role.
    public func url(as role: Role) -> PostgresURL {
        var url = clusterURLs[role]!
        url.database = name
        return url
    }

    /// The URL text of this database for a role (for `--database` arguments), with or without
    /// the password.
    public func urlText(as role: Role, withPassword: Bool = true) -> String {
        let url = url(as: role)
        let password = (withPassword ? url.password : nil).map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        return "postgres://\(url.user)\(password)@\(url.host):\(url.port)/\(url.database)?sslmode=disable"
    }

    /// The name of the application role.
    public static let applicationRole = "palisade_app"

    /// Creates an empty database owned by the owner role.
    ///
    /// - Throws: when the environment does not name a cluster or the cluster cannot be reached.
    public static func create() async throws -> PostgresTestDatabase {
        var urls = [Role: PostgresURL]()
        for (role, variable) in [
            (Role.owner, "PALISADE_TEST_POSTGRES_URL"), (.application, "PALISADE_TEST_POSTGRES_APP_URL"),
            (.superuser, "PALISADE_TEST_POSTGRES_SUPERUSER_URL"),
        ] {
            guard let text = ProcessInfo.processInfo.environment[variable] else {
                throw TestSetupError(
                    "\(variable) is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL cluster (README.md)"
                )
            }
            urls[role] = try PostgresURL(text)
        }
        let name = "palisade_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let database = PostgresTestDatabase(name: String(name), clusterURLs: urls)
        try await database.execute("CREATE DATABASE \(name)", as: .owner, onClusterDatabase: true)
        return database
    }

    /// Runs `body` with a fresh database and drops it afterwards, whether `body` threw or not.
    public static func with<T>(_ body: (PostgresTestDatabase) async throws -> T) async throws -> T {
        let database = try await create()
        do {
            let value = try await body(database)
            await database.drop()
            return value
        } catch {
            await database.drop()
            throw error
        }
    }

    /// Runs `body` with a fresh database and a store on it as the application role (see
    /// ``applicationStore(configuration:)``); closes the store and drops the database afterwards.
    public static func withApplicationStore<T>(_ body: (PostgresTestDatabase, PostgresStore) async throws -> T) async throws -> T {
        try await with { database in
            try await database.applicationStore().closing { store in try await body(database, store) }
        }
    }

    /// Drops the database, disconnecting whoever is still connected.
    public func drop() async {
        do {
            try await execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", as: .owner, onClusterDatabase: true)
        } catch {
            // A leftover database goes away with the throwaway cluster; say so rather than fail the test.
            print("PostgresTestDatabase: could not drop \(name): \(String(reflecting: error))")
        }
    }

    /// Opens the store as the owner (which migrates the schema and grants the application role),
    /// closes it, then opens it as the application role: the way a careful operator deploys.
    public func applicationStore(configuration given: PostgresStore.Configuration = .init(maximumConnections: 4)) async throws -> PostgresStore {
        var configuration = given
        // A loaded two-core machine running the whole suite in parallel can take longer than the
        // production default to answer; a test should fail on a real error, not on a busy machine.
        configuration.connectTimeout = max(configuration.connectTimeout, .seconds(60))
        var ownerConfiguration = configuration
        ownerConfiguration.applicationRole = Self.applicationRole
        let owner = try await PostgresStore.connect(to: url(as: .owner), configuration: ownerConfiguration, logger: Self.logger)
        await owner.close()
        return try await PostgresStore.connect(to: url(as: .application), configuration: configuration, logger: Self.logger)
    }

    /// Runs SQL statements (one per element) on one connection as a role, in the `palisade`
    /// schema, and returns the rows of the last.
    @discardableResult
    public func execute(_ statements: String..., as role: Role, onClusterDatabase: Bool = false) async throws -> [PostgresRow] {
        try await execute(statements, as: role, onClusterDatabase: onClusterDatabase)
    }

    /// Runs SQL statements on one connection as a role, and returns the rows of the last.
    @discardableResult
    public func execute(_ statements: [String], as role: Role, onClusterDatabase: Bool = false) async throws -> [PostgresRow] {
        try await PostgresStore.execute(statements, at: onClusterDatabase ? clusterURLs[role]! : url(as: role), logger: Self.logger)
    }

    static let logger = Logger(label: "palisade.tests.postgres")
}

/// A test could not set up what it needs; the message says how to provide it.
public struct TestSetupError: Error, CustomStringConvertible {
    /// What is missing and how to provide it.
    public let description: String

    /// Creates the error.
    public init(_ description: String) { self.description = description }
}

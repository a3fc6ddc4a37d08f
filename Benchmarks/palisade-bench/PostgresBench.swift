import Foundation
import Logging
import PalisadePostgres
import PostgresNIO

/// The PostgreSQL side of the benchmark: a database given by `--postgres URL` (or
/// `PALISADE_BENCH_POSTGRES_URL`), whose `palisade` schema is dropped and recreated before each
/// measurement. `scripts/bench-postgres` starts a throwaway cluster and passes its URL.
enum PostgresBench {
    static let logger = Logger(label: "bench.postgres")

    /// The database URL, as a role that owns the database.
    static func url() throws -> PostgresURL {
        let arguments = CommandLine.arguments
        let text: String?
        if let position = arguments.firstIndex(of: "--postgres"), position + 1 < arguments.count {
            text = arguments[position + 1]
        } else {
            text = ProcessInfo.processInfo.environment["PALISADE_BENCH_POSTGRES_URL"]
        }
        guard let text else {
            throw BenchError("the PostgreSQL sections need --postgres postgres://owner@127.0.0.1/db (scripts/bench-postgres starts a cluster)")
        }
        return try PostgresURL(text)
    }

    /// Runs `body` with a store on an empty `palisade` schema, and closes it afterwards.
    static func withFreshSchema<T>(maximumConnections: Int = 8, _ body: (PostgresStore) async throws -> T) async throws -> T {
        try await execute("DROP SCHEMA IF EXISTS palisade CASCADE")
        return try await PostgresStore.connect(to: try url(), configuration: .init(maximumConnections: maximumConnections), logger: logger)
            .closing(body)
    }

    /// The size of the database on disk (tables, indexes, TOAST).
    static func databaseSize() async throws -> Int {
        let rows = try await execute("SELECT pg_database_size(current_database())")
        guard let size = try rows.first?.decode(Int64.self) else { throw BenchError("pg_database_size returned nothing") }
        return Int(size)
    }

    /// Runs one statement on a connection of its own and returns its rows.
    @discardableResult
    static func execute(_ sql: String) async throws -> [PostgresRow] {
        try await PostgresStore.execute([sql], at: try url(), logger: logger)
    }
}

/// A benchmark that cannot run, and why.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

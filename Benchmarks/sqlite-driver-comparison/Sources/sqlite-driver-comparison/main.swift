// Inserts the same 200,000 rows (a 400-byte entry, two indexes) in transactions of 1,000 rows with
// synchronous=FULL, through GRDB's synchronous prepared statements and through sqlite-nio's
// future-per-statement API, and prints rows/s for each, twice.
import Foundation
import GRDB
import SQLiteNIO

let rowCount = 200_000
let batch = 1000
let payload = String(repeating: "x", count: 400)
let schema = [
    "CREATE TABLE t(id INTEGER PRIMARY KEY, tenant INTEGER, ts INTEGER, actor TEXT, entry BLOB)",
    "CREATE INDEX t_a ON t(tenant, actor, ts)",
    "CREATE INDEX t_ts ON t(tenant, ts)",
]

func freshPath(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + name
    for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
        try FileManager.default.removeItem(atPath: path + suffix)
    }
    return path
}

func grdb() throws -> Double {
    var config = Configuration()
    config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous=FULL") }
    let pool = try DatabasePool(path: try freshPath("compare-grdb.db"), configuration: config)
    try pool.write { db in for sql in schema { try db.execute(sql: sql) } }
    let start = Date()
    for first in stride(from: 0, to: rowCount, by: batch) {
        try pool.write { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO t(tenant, ts, actor, entry) VALUES (?,?,?,?)")
            for row in first..<(first + batch) { try statement.execute(arguments: [1, row, "actor\(row % 100)", payload]) }
        }
    }
    return Double(rowCount) / Date().timeIntervalSince(start)
}

func sqliteNIO() async throws -> Double {
    let connection = try await SQLiteConnection.open(storage: .file(path: try freshPath("compare-nio.db")))
    _ = try await connection.query("PRAGMA journal_mode=WAL")
    _ = try await connection.query("PRAGMA synchronous=FULL")
    for sql in schema { _ = try await connection.query(sql) }
    let start = Date()
    for first in stride(from: 0, to: rowCount, by: batch) {
        _ = try await connection.query("BEGIN")
        for row in first..<(first + batch) {
            _ = try await connection.query(
                "INSERT INTO t(tenant, ts, actor, entry) VALUES (?,?,?,?)",
                [.integer(1), .integer(row), .text("actor\(row % 100)"), .text(payload)]
            )
        }
        _ = try await connection.query("COMMIT")
    }
    try await connection.close()
    return Double(rowCount) / Date().timeIntervalSince(start)
}

for _ in 0..<2 {
    print("GRDB        \(Int(try grdb())) rows/s")
    print("sqlite-nio  \(Int(try await sqliteNIO())) rows/s")
}

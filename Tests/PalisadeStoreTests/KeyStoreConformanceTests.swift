import Foundation
import PalisadeCore
import PalisadePostgres
import PalisadeSQLite
import PalisadeTesting
import Testing

/// The vault's store conformance suite, against every store: memory, SQLite and a real PostgreSQL
/// (through the application role, so the grants are checked too).
struct KeyStoreConformanceTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case memory
        case sqlite
        case postgres
        var testDescription: String { rawValue }
    }

    @Test(arguments: Backend.allCases, KeyStoreConformance.checks.keys.sorted())
    func conformance(backend: Backend, check: String) async throws {
        switch backend {
        case .memory:
            try await KeyStoreConformance.checks[check]!(MemoryKeyStore())
        case .sqlite:
            let directory = try TemporaryDirectory.make()
            defer { TemporaryDirectory.remove(directory) }
            try await KeyStoreConformance.checks[check]!(try SQLiteStore(path: directory.appendingPathComponent("palisade.db").path))
        case .postgres:
            let database = try await PostgresTestDatabase.create()
            do {
                let store = try await database.applicationStore()
                do {
                    try await KeyStoreConformance.checks[check]!(store)
                } catch {
                    await store.close()
                    throw error
                }
                await store.close()
            } catch {
                await database.drop()
                throw error
            }
            await database.drop()
        }
    }
}

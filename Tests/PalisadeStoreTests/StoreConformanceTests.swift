import Foundation
import PalisadeCore
import PalisadePostgres
import PalisadeSQLite
import PalisadeTesting
import Testing

/// The one conformance suite, against every store: memory, SQLite and a real PostgreSQL.
struct StoreConformanceTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case memory
        case sqlite
        /// SQLite with tiny facet batches, so queries read the facet index and the tail together.
        case sqliteSmallFacetBatches
        /// PostgreSQL through the application role (no UPDATE or DELETE on the ledger tables).
        case postgres
        var testDescription: String { rawValue }
    }

    /// A fresh store, and what to run afterwards to remove it.
    static func makeStore(_ backend: Backend) async throws -> (any LedgerStore, @Sendable () async -> Void) {
        switch backend {
        case .memory:
            return (MemoryStore(), {})
        case .sqlite, .sqliteSmallFacetBatches:
            let directory = try TemporaryDirectory.make()
            let configuration = SQLiteStore.Configuration(facetIndexBatch: backend == .sqlite ? 4096 : 40)
            let store = try SQLiteStore(path: directory.appendingPathComponent("palisade.db").path, configuration: configuration)
            return (store, { TemporaryDirectory.remove(directory) })
        case .postgres:
            let database = try await PostgresTestDatabase.create()
            do {
                let store = try await database.applicationStore()
                return (
                    store,
                    {
                        await store.close()
                        await database.drop()
                    }
                )
            } catch {
                await database.drop()
                throw error
            }
        }
    }

    @Test(arguments: Backend.allCases, StoreConformance.checks.keys.sorted())
    func conformance(backend: Backend, check: String) async throws {
        let (store, cleanup) = try await Self.makeStore(backend)
        do {
            try await StoreConformance.checks[check]!(store)
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }
}

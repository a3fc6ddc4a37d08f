import Foundation
import PalisadeSQLite
import PalisadeTesting
import Testing

/// The one conformance suite, against every store this target can reach.
struct StoreConformanceTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case memory
        case sqlite
        /// SQLite with tiny facet batches, so queries read the facet index and the tail together.
        case sqliteSmallFacetBatches
        var testDescription: String { rawValue }
    }

    static func makeStore(_ backend: Backend) throws -> any LedgerStore {
        switch backend {
        case .memory: return MemoryStore()
        case .sqlite: return try SQLiteStore(path: TemporaryDirectory.make().appendingPathComponent("palisade.db").path)
        case .sqliteSmallFacetBatches:
            return try SQLiteStore(
                path: TemporaryDirectory.make().appendingPathComponent("palisade.db").path,
                configuration: .init(facetIndexBatch: 40)
            )
        }
    }

    @Test(arguments: Backend.allCases, StoreConformance.checks.keys.sorted())
    func conformance(backend: Backend, check: String) async throws {
        let store = try Self.makeStore(backend)
        try await StoreConformance.checks[check]!(store)
    }
}

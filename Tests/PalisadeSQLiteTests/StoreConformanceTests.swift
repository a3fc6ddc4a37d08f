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

    /// A fresh store, and the directory to remove afterwards (if it has one).
    static func makeStore(_ backend: Backend) throws -> (any LedgerStore, URL?) {
        switch backend {
        case .memory: return (MemoryStore(), nil)
        case .sqlite:
            let directory = try TemporaryDirectory.make()
            return (try SQLiteStore(path: directory.appendingPathComponent("palisade.db").path), directory)
        case .sqliteSmallFacetBatches:
            let directory = try TemporaryDirectory.make()
            let store = try SQLiteStore(path: directory.appendingPathComponent("palisade.db").path, configuration: .init(facetIndexBatch: 40))
            return (store, directory)
        }
    }

    @Test(arguments: Backend.allCases, StoreConformance.checks.keys.sorted())
    func conformance(backend: Backend, check: String) async throws {
        let (store, directory) = try Self.makeStore(backend)
        defer { if let directory { TemporaryDirectory.remove(directory) } }
        try await StoreConformance.checks[check]!(store)
    }
}

import Foundation
import PalisadeSQLite
import PalisadeTesting
import Testing

/// The one conformance suite, against every store this target can reach.
struct StoreConformanceTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case memory
        case sqlite
        var testDescription: String { rawValue }
    }

    static func makeStore(_ backend: Backend) throws -> any LedgerStore {
        switch backend {
        case .memory: return MemoryStore()
        case .sqlite: return try SQLiteStore(path: TemporaryDirectory.make().appendingPathComponent("palisade.db").path)
        }
    }

    @Test(arguments: Backend.allCases, StoreConformance.checks.keys.sorted())
    func conformance(backend: Backend, check: String) async throws {
        let store = try Self.makeStore(backend)
        try await StoreConformance.checks[check]!(store)
    }
}

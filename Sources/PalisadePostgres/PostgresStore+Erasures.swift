public import Foundation
import NIOCore
public import PalisadeCore
import PostgresNIO

/// Erasures: pruned and redacted events (see the `erasures` table).
extension PostgresStore {
    /// The tenant's erasures with an index in `range`, in index order.
    public func erasures(of tenant: TenantID, in range: Range<UInt64>) async throws -> [Erasure] {
        try await run("reading erasures") {
            guard let tenantID = try await existingTenantID(tenant) else { return [] }
            let rows = try await client.rows(
                """
                SELECT log_index, event_id, kind, record, redacted_entry FROM erasures
                WHERE tenant_id = \(tenantID) AND log_index >= \(Int64(clamping: range.lowerBound)) AND log_index < \(Int64(clamping: range.upperBound))
                ORDER BY log_index
                """,
                logger
            )
            return try rows.map(Self.erasure)
        }
    }

    /// The erasure of the event with this id, if any.
    public func erasure(ofEvent id: UUID, tenant: TenantID) async throws -> Erasure? {
        try await run("reading an erasure") {
            guard let tenantID = try await existingTenantID(tenant) else { return nil }
            let rows = try await client.rows(
                "SELECT log_index, event_id, kind, record, redacted_entry FROM erasures WHERE tenant_id = \(tenantID) AND event_id = \(id)",
                logger
            )
            return try rows.first.map(Self.erasure)
        }
    }

    private static func erasure(_ row: PostgresRow) throws -> Erasure {
        let (index, id, kind, record, entry) = try row.decodeOrCorrupt((Int64, UUID, String, Int64, ByteBuffer?).self, "erasure")
        guard let kind = Erasure.Kind(rawValue: kind) else {
            throw StoreError(.corrupt, "the erasure of index \(index) has unknown kind \(kind.prefix(20)); run `palisade verify`")
        }
        return Erasure(
            index: UInt64(index),
            eventID: id,
            kind: kind,
            record: UInt64(record),
            redactedEntry: entry.map { Array($0.readableBytesView) }
        )
    }
}

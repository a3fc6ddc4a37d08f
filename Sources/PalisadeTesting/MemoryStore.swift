public import Foundation
public import PalisadeCore
public import PalisadeLedger

/// An in-memory ``LedgerBackend`` and ``EventStore`` with the same behaviour as the database
/// stores (checked by the same conformance suite), for tests of everything above storage.
public actor MemoryStore: LedgerBackend, EventStore {
    private struct Log {
        var head: LogHead?
        /// By index; `nil` once pruned.
        var records: [LogRecord?] = []
        /// By index; `nil` once pruned.
        var events: [StoredEvent?] = []
        var erasures: [UInt64: Erasure] = [:]
        var ids: [UUID: UInt64] = [:]
        var tiles: [TileID: Tile] = [:]
        var history: [StoredCheckpoint] = []
    }

    private var logs: [TenantID: Log] = [:]
    /// Registered tenants (``AccessStore``).
    var registeredTenants: [TenantID: TenantRecord] = [:]
    /// API tokens by id (``AccessStore``).
    var apiTokens: [String: APITokenRecord] = [:]
    /// Incidents by id (``IncidentStore``).
    var storedIncidents: [UUID: StoredIncident] = [:]
    var cursors: [String: ConsumerCursor] = [:]
    var outbox: [UUID: OutboxNotification] = [:]
    /// The vault's documents (kept the way ``MemoryKeyStore`` keeps them).
    let vaultDocuments = MemoryKeyStore()

    /// An empty store.
    public init() {}

    /// The tenants that have a log.
    public func tenants() -> [TenantID] { logs.filter { $0.value.head != nil }.keys.sorted() }

    /// The tenant's head.
    public func logHead(of tenant: TenantID) -> LogHead? { logs[tenant]?.head }

    /// Stored tiles.
    public func tiles(_ ids: [TileID], of tenant: TenantID) -> [TileID: Tile] {
        guard let log = logs[tenant] else { return [:] }
        return Dictionary(uniqueKeysWithValues: ids.compactMap { id in log.tiles[id].map { (id, $0) } })
    }

    /// Existing ids.
    public func existingEvents(_ ids: [UUID], of tenant: TenantID) -> [UUID: UInt64] {
        guard let log = logs[tenant] else { return [:] }
        return Dictionary(uniqueKeysWithValues: ids.compactMap { id in log.ids[id].map { (id, $0) } })
    }

    /// Applies all appends or none.
    public func commit(_ appends: [LogAppend]) throws {
        var updated = logs
        for append in appends {
            var log = updated[append.tenant] ?? Log()
            guard (log.head?.size ?? 0) == append.firstIndex else {
                throw StoreError(.conflict, "the log of tenant \(append.tenant) moved on")
            }
            for (offset, prepared) in append.events.enumerated() {
                let index = append.firstIndex + UInt64(offset)
                guard log.ids[prepared.event.id] == nil else { throw StoreError(.conflict, "event id exists") }
                log.ids[prepared.event.id] = index
                log.records.append(LogRecord(index: index, entry: prepared.entry, columns: IndexedColumns(prepared.event)))
                log.events.append(StoredEvent(index: index, event: prepared.event))
            }
            for erasure in append.erasures {
                try Self.apply(erasure, to: &log, tenant: append.tenant)
            }
            for tile in append.tiles where (log.tiles[tile.id]?.width ?? 0) < tile.width { log.tiles[tile.id] = tile }
            log.head = append.head
            if append.recordInHistory && !log.history.contains(where: { $0.size == append.head.size }) {
                log.history.append(StoredCheckpoint(size: append.head.size, note: append.head.checkpoint))
            }
            updated[append.tenant] = log
        }
        logs = updated
    }

    private static func apply(_ erasure: Erasure, to log: inout Log, tenant: TenantID) throws {
        let position = Int(erasure.index)
        guard position < log.records.count, let record = log.records[position], record.columns.id == erasure.eventID,
            log.erasures[erasure.index] == nil
        else {
            throw StoreError(.rejected, "event \(erasure.eventID) is not stored at index \(erasure.index) of tenant \(tenant), or is already erased")
        }
        switch erasure.kind {
        case .pruned:
            log.records[position] = nil
            log.events[position] = nil
        case .redacted:
            let event: AuditEvent
            do {
                event = try AuditEvent(canonicalEntry: erasure.redactedEntry ?? [])
            } catch {
                throw StoreError(.rejected, "the redacted entry of index \(erasure.index) is not a canonical event: \(error)")
            }
            log.records[position] = LogRecord(index: erasure.index, entry: erasure.redactedEntry ?? [], columns: IndexedColumns(event))
            log.events[position] = StoredEvent(index: erasure.index, event: event)
        }
        log.erasures[erasure.index] = erasure
    }

    /// The checkpoint history.
    public func checkpoints(of tenant: TenantID) -> [StoredCheckpoint] { logs[tenant]?.history ?? [] }

    /// A page of matching events, by the same ordering rules as the database stores.
    public func events(matching validated: ValidatedEventQuery) -> EventPage {
        let query = validated.query
        let newest = query.order == .newestFirst
        var matching = (logs[query.tenant]?.events ?? []).compactMap { $0 }.filter { query.matches($0.event) }
        if let cursor = query.cursor {
            matching = matching.filter { stored in
                let key = (stored.event.timestamp, stored.index)
                let mark = (cursor.timestamp, cursor.index)
                return newest ? key < mark : key > mark
            }
        }
        matching.sort { lhs, rhs in
            let l = (lhs.event.timestamp, lhs.index)
            let r = (rhs.event.timestamp, rhs.index)
            return newest ? l > r : l < r
        }
        let page = Array(matching.prefix(query.limit))
        let next = matching.count > query.limit ? page.last.map { EventCursor(timestamp: $0.event.timestamp, index: $0.index) } : nil
        return EventPage(events: page, next: next, limit: query.limit, limitWasCapped: validated.limitWasCapped)
    }

    /// The event with this id.
    public func event(id: UUID, of tenant: TenantID) -> StoredEvent? {
        guard let log = logs[tenant], let index = log.ids[id] else { return nil }
        return log.events[Int(index)]
    }

    /// Records by index.
    public func records(of tenant: TenantID, in range: Range<UInt64>) -> [LogRecord] {
        guard let log = logs[tenant] else { return [] }
        let upper = min(range.upperBound, UInt64(log.records.count))
        guard range.lowerBound < upper else { return [] }
        return log.records[Int(range.lowerBound)..<Int(upper)].compactMap { $0 }
    }

    /// Erasures by index.
    public func erasures(of tenant: TenantID, in range: Range<UInt64>) -> [Erasure] {
        (logs[tenant]?.erasures.values.filter { range.contains($0.index) } ?? []).sorted { $0.index < $1.index }
    }

    /// The erasure of an event.
    public func erasure(ofEvent id: UUID, tenant: TenantID) -> Erasure? {
        guard let log = logs[tenant], let index = log.ids[id] else { return nil }
        return log.erasures[index]
    }

    /// The memory store keeps no derived indexes.
    public func auditDerivedIndexes(of tenant: TenantID) -> IntegrityFinding? { nil }

    /// The number of records.
    public func recordCount(of tenant: TenantID) -> UInt64 { UInt64(logs[tenant]?.records.count { $0 != nil } ?? 0) }
}

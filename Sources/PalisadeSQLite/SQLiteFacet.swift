import GRDB
import PalisadeCore

/// The high-cardinality filters kept in the `event_facets` table instead of as indexes on
/// `events` (see the schema for why). The raw values are stored in `event_facets.facet`.
enum SQLiteFacet: Int, CaseIterable {
    case actor = 1
    case resource = 2
    case sourceIP = 3
    case session = 4
    case request = 5

    /// The column of `events` holding the same value.
    var column: String {
        switch self {
        case .actor: "actor"
        case .resource: "resource"
        case .sourceIP: "source_ip"
        case .session: "session_id"
        case .request: "request_id"
        }
    }

    /// The most selective first: the facet a query is driven by when it filters on several.
    static let bySelectivity: [SQLiteFacet] = [.request, .session, .sourceIP, .resource, .actor]

    /// The value a query filters this facet on, if any.
    func value(in query: EventQuery) -> String? {
        switch self {
        case .actor: query.actor
        case .resource: query.resource
        case .sourceIP: query.sourceIP?.text
        case .session: query.sessionID
        case .request: query.requestID
        }
    }

    /// Builds the facet rows of the unindexed tail of a log of `size` events once it holds at
    /// least `batch` events. Runs inside the commit's transaction.
    static func catchUp(tenantID: Int64, size: Int64, batch: Int64, _ db: Database) throws {
        let indexedTo = try Int64.fetchOne(db, sql: "SELECT indexed_to FROM facet_progress WHERE tenant_id = ?", arguments: [tenantID]) ?? 0
        guard size - indexedTo >= batch else { return }
        try build(tenantID: tenantID, from: indexedTo, to: size, db)
    }

    /// Writes the facet rows of events `[from, to)`, sorted by key so that each index page is
    /// touched once per batch, and moves `indexed_to` to `to`.
    static func build(tenantID: Int64, from: Int64, to: Int64, _ db: Database) throws {
        var rows = [(facet: Int, value: String, ts: Int64, index: Int64)]()
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT log_index, ts, actor, resource, source_ip, session_id, request_id FROM events
                WHERE tenant_id = ? AND log_index >= ? AND log_index < ?
                """,
            arguments: [tenantID, from, to]
        )
        while let row = try cursor.next() {
            let index: Int64 = row[0]
            let ts: Int64 = row[1]
            for facet in SQLiteFacet.allCases {
                if let value: String = row[facet.rawValue + 1] { rows.append((facet.rawValue, value, ts, index)) }
            }
        }
        rows.sort { ($0.facet, $0.value, $0.ts, $0.index) < ($1.facet, $1.value, $1.ts, $1.index) }
        let insert = try db.cachedStatement(sql: "INSERT INTO event_facets (tenant_id, facet, value, ts, log_index) VALUES (?, ?, ?, ?, ?)")
        for row in rows { try insert.execute(arguments: [tenantID, row.facet, row.value, row.ts, row.index]) }
        try db.execute(
            sql: """
                INSERT INTO facet_progress (tenant_id, indexed_to) VALUES (?, ?)
                ON CONFLICT (tenant_id) DO UPDATE SET indexed_to = excluded.indexed_to
                """,
            arguments: [tenantID, to]
        )
    }
}

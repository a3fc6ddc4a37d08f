import Foundation
import PalisadeCore
import PostgresNIO

/// Builds the SQL of an event query. Every value is a bound parameter; only fixed fragments are
/// concatenated.
///
/// Each filter on an indexed field (event type, actor, resource, source IP, session, request) has
/// an index `(tenant_id, field, timestamp, log_index)`, and pages are ordered by
/// `(timestamp, log_index)`, so PostgreSQL walks one index range per partition and merges the
/// partitions in order (partitions are ranges of timestamp).
enum PostgresQueryBuilder {
    static func select(_ query: EventQuery, tenantID: Int32) throws -> PostgresQuery {
        var sql = "SELECT log_index, entry FROM audit_events WHERE tenant_id = $1"
        var binds = PostgresBindings(capacity: 16)
        binds.append(tenantID)
        func add(_ condition: String, _ bind: (inout PostgresBindings) -> Void) {
            bind(&binds)
            sql += " AND " + condition.replacingOccurrences(of: "?", with: "$\(binds.count)")
        }
        if let start = query.start { add("timestamp >= ?") { $0.append(PostgresTimestamp(start)) } }
        if let end = query.end { add("timestamp < ?") { $0.append(PostgresTimestamp(end)) } }
        if let cursor = query.cursor {
            let comparison = query.order == .newestFirst ? "<" : ">"
            binds.append(PostgresTimestamp(cursor.timestamp))
            binds.append(Int64(cursor.index))
            sql += " AND (timestamp, log_index) \(comparison) ($\(binds.count - 1), $\(binds.count))"
        }
        if !query.eventTypes.isEmpty {
            let types = query.eventTypes.sorted().map(\.rawValue)
            add("event_type = ANY(?)") { $0.append(types) }
        }
        if let minimum = query.minSeverity { add("severity >= ?") { $0.append(Int16(minimum.rawValue)) } }
        if let maximum = query.maxSeverity { add("severity <= ?") { $0.append(Int16(maximum.rawValue)) } }
        if let actor = query.actor { add("actor = ?") { $0.append(actor) } }
        if let resource = query.resource { add("resource = ?") { $0.append(resource) } }
        if let address = query.sourceIP { add("source_ip = ?::inet") { $0.append(address.text) } }
        if let session = query.sessionID { add("session_id = ?") { $0.append(session) } }
        if let request = query.requestID { add("request_id = ?") { $0.append(request) } }
        if let success = query.success { add("success = ?") { $0.append(success) } }
        // strpos() is a plain substring test: no LIKE wildcards to escape.
        if let text = query.actionContains { add("strpos(action, ?) > 0") { $0.append(text) } }
        let direction = query.order == .newestFirst ? "DESC" : "ASC"
        // One row more than the page, to know whether there is a next page.
        binds.append(Int64(query.limit + 1))
        sql += " ORDER BY timestamp \(direction), log_index \(direction) LIMIT $\(binds.count)"
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}

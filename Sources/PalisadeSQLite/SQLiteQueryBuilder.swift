import GRDB
import PalisadeCore

/// Builds the SQL of an event query. Every value is a bound argument; only fixed fragments are
/// concatenated.
enum SQLiteQueryBuilder {
    static func select(_ query: EventQuery, tenantID: Int64) -> (String, StatementArguments) {
        var clauses = ["tenant_id = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [tenantID]
        if let start = query.start {
            clauses.append("ts >= ?")
            arguments.append(start.microseconds)
        }
        if let end = query.end {
            clauses.append("ts < ?")
            arguments.append(end.microseconds)
        }
        if !query.eventTypes.isEmpty {
            let types = query.eventTypes.sorted()
            clauses.append("event_type IN (\(Array(repeating: "?", count: types.count).joined(separator: ", ")))")
            arguments.append(contentsOf: types.map(\.rawValue))
        }
        if let minSeverity = query.minSeverity {
            clauses.append("severity >= ?")
            arguments.append(minSeverity.rawValue)
        }
        if let maxSeverity = query.maxSeverity {
            clauses.append("severity <= ?")
            arguments.append(maxSeverity.rawValue)
        }
        let equalities: [(String, String?)] = [
            ("actor", query.actor), ("resource", query.resource), ("source_ip", query.sourceIP?.text), ("session_id", query.sessionID),
            ("request_id", query.requestID),
        ]
        for (column, value) in equalities {
            guard let value else { continue }
            clauses.append("\(column) = ?")
            arguments.append(value)
        }
        if let success = query.success {
            clauses.append("success = ?")
            arguments.append(success)
        }
        if let text = query.actionContains {
            // instr() is a plain substring test: no LIKE wildcards to escape.
            clauses.append("instr(action, ?) > 0")
            arguments.append(text)
        }
        let newest = query.order == .newestFirst
        if let cursor = query.cursor {
            let comparison = newest ? "<" : ">"
            clauses.append("(ts \(comparison) ? OR (ts = ? AND log_index \(comparison) ?))")
            arguments.append(contentsOf: [cursor.timestamp.microseconds, cursor.timestamp.microseconds, Int64(cursor.index)])
        }
        let direction = newest ? "DESC" : "ASC"
        // One row more than the page, to know whether there is a next page.
        let sql = """
            SELECT log_index, entry FROM events WHERE \(clauses.joined(separator: " AND "))
            ORDER BY ts \(direction), seq \(direction) LIMIT ?
            """
        arguments.append(query.limit + 1)
        return (sql, StatementArguments(arguments))
    }
}

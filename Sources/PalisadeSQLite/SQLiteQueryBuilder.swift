import GRDB
import PalisadeCore

/// Builds the SQL of an event query. Every value is a bound argument; only fixed fragments are
/// concatenated.
///
/// A query that filters on a facet (actor, resource, source IP, session, request) reads two parts
/// and merges them: the facet index for events below `facet_progress.indexed_to`, and a scan of the
/// unindexed tail above it. Other queries walk the time or event-type index.
enum SQLiteQueryBuilder {
    static func select(_ query: EventQuery, tenantID: Int64) -> (String, StatementArguments) {
        let newest = query.order == .newestFirst
        let direction = newest ? "DESC" : "ASC"
        var arguments: [(any DatabaseValueConvertible)?] = []
        guard let facet = SQLiteFacet.bySelectivity.first(where: { $0.value(in: query) != nil }), let value = facet.value(in: query) else {
            var clauses = ["e.tenant_id = ?"]
            arguments.append(tenantID)
            appendFilters(query, prefix: "e", to: &clauses, &arguments)
            // One row more than the page, to know whether there is a next page.
            arguments.append(query.limit + 1)
            let sql = """
                SELECT e.log_index, e.entry FROM events e WHERE \(clauses.joined(separator: " AND "))
                ORDER BY e.ts \(direction), e.seq \(direction) LIMIT ?
                """
            return (sql, StatementArguments(arguments))
        }
        // Part 1: the facet index, in (ts, log_index) order, joined to the events it points at.
        var indexed = ["f.tenant_id = ?", "f.facet = ?", "f.value = ?"]
        arguments += [tenantID, facet.rawValue, value]
        appendTimeAndCursor(query, prefix: "f", to: &indexed, &arguments)
        appendFilters(query, prefix: "e", to: &indexed, &arguments, timeAndCursor: false)
        arguments.append(query.limit + 1)
        // Part 2: the tail not indexed yet, found by its log positions.
        var tail = ["e.tenant_id = ?", "e.log_index >= (SELECT coalesce(max(indexed_to), 0) FROM facet_progress WHERE tenant_id = ?)"]
        arguments += [tenantID, tenantID]
        appendFilters(query, prefix: "e", to: &tail, &arguments)
        arguments.append(query.limit + 1)
        arguments.append(query.limit + 1)
        let sql = """
            SELECT log_index, entry FROM (
                SELECT * FROM (
                    SELECT e.ts AS ts, e.log_index AS log_index, e.entry AS entry
                    FROM event_facets f JOIN events e ON e.tenant_id = f.tenant_id AND e.log_index = f.log_index
                    WHERE \(indexed.joined(separator: " AND "))
                    ORDER BY f.ts \(direction), f.log_index \(direction) LIMIT ?)
                UNION ALL
                SELECT * FROM (
                    SELECT e.ts AS ts, e.log_index AS log_index, e.entry AS entry FROM events e
                    WHERE \(tail.joined(separator: " AND "))
                    ORDER BY e.ts \(direction), e.log_index \(direction) LIMIT ?)
            ) ORDER BY ts \(direction), log_index \(direction) LIMIT ?
            """
        return (sql, StatementArguments(arguments))
    }

    /// Appends every filter of the query as conditions on the columns of table alias `prefix`.
    private static func appendFilters(
        _ query: EventQuery,
        prefix p: String,
        to clauses: inout [String],
        _ arguments: inout [(any DatabaseValueConvertible)?],
        timeAndCursor: Bool = true
    ) {
        if timeAndCursor { appendTimeAndCursor(query, prefix: p, to: &clauses, &arguments) }
        if !query.eventTypes.isEmpty {
            let types = query.eventTypes.sorted()
            clauses.append("\(p).event_type IN (\(Array(repeating: "?", count: types.count).joined(separator: ", ")))")
            arguments.append(contentsOf: types.map(\.rawValue))
        }
        if let minSeverity = query.minSeverity {
            clauses.append("\(p).severity >= ?")
            arguments.append(minSeverity.rawValue)
        }
        if let maxSeverity = query.maxSeverity {
            clauses.append("\(p).severity <= ?")
            arguments.append(maxSeverity.rawValue)
        }
        for facet in SQLiteFacet.allCases {
            guard let value = facet.value(in: query) else { continue }
            clauses.append("\(p).\(facet.column) = ?")
            arguments.append(value)
        }
        if let success = query.success {
            clauses.append("\(p).success = ?")
            arguments.append(success)
        }
        if let text = query.actionContains {
            // instr() is a plain substring test: no LIKE wildcards to escape.
            clauses.append("instr(\(p).action, ?) > 0")
            arguments.append(text)
        }
    }

    /// The time range and the keyset cursor, on `prefix.ts` and `prefix.log_index`.
    private static func appendTimeAndCursor(
        _ query: EventQuery,
        prefix p: String,
        to clauses: inout [String],
        _ arguments: inout [(any DatabaseValueConvertible)?]
    ) {
        if let start = query.start {
            clauses.append("\(p).ts >= ?")
            arguments.append(start.microseconds)
        }
        if let end = query.end {
            clauses.append("\(p).ts < ?")
            arguments.append(end.microseconds)
        }
        if let cursor = query.cursor {
            let comparison = query.order == .newestFirst ? "<" : ">"
            clauses.append("(\(p).ts \(comparison) ? OR (\(p).ts = ? AND \(p).log_index \(comparison) ?))")
            arguments.append(contentsOf: [cursor.timestamp.microseconds, cursor.timestamp.microseconds, Int64(cursor.index)])
        }
    }
}

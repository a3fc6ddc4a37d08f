import ArgumentParser
import Foundation
import PalisadeCore
import PalisadeSQLite

/// `palisade events query`: filtered pages of a tenant's events.
struct QueryEvents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "List events matching filters, newest first, one page at a time.",
        discussion: """
            Filters combine with AND. --since is inclusive and --until exclusive (RFC 3339 times). \
            Pages hold at most \(EventQuery.maxLimit) events; when more match, the cursor of the next \
            page is printed on standard error: pass it back with --cursor.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table
        case ndjson
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Events at or after this time (RFC 3339).", valueName: "time")) var since: String?
    @Option(help: ArgumentHelp("Events before this time (RFC 3339).", valueName: "time")) var until: String?
    @Option(name: .customLong("type"), help: ArgumentHelp("Event type; repeat for several.", valueName: "type")) var types: [String] = []
    @Option(help: ArgumentHelp("Minimum severity.", valueName: "severity")) var minSeverity: String?
    @Option(help: ArgumentHelp("Maximum severity.", valueName: "severity")) var maxSeverity: String?
    @Option(help: "Exact actor.") var actor: String?
    @Option(help: "Exact resource.") var resource: String?
    @Option(help: ArgumentHelp("true or false.", valueName: "bool")) var success: Bool?
    @Option(help: ArgumentHelp("Source IP address.", valueName: "ip")) var sourceIp: String?
    @Option(help: "Session id.") var sessionId: String?
    @Option(help: "Request id.") var requestId: String?
    @Option(help: ArgumentHelp("Text the action contains.", valueName: "text")) var actionContains: String?
    @Option(help: ArgumentHelp("newest or oldest first.", valueName: "order")) var order: String = "newest"
    @Option(help: "Page size (capped at \(EventQuery.maxLimit)).") var limit: Int = EventQuery.defaultLimit
    @Option(help: "Continue after this cursor.") var cursor: String?
    @Option(help: "table or ndjson.") var format: Format = .table

    func run() async throws {
        try await reportingErrors {
            let query = try buildQuery()
            let validated: ValidatedEventQuery
            do {
                validated = try query.validated()
            } catch let error as EventValidationError {
                throw ValidationError(
                    error.issues.map { "--\($0.field.replacingOccurrences(of: "_", with: "-")) \($0.message)" }.joined(separator: "; ")
                )
            }
            let store = try DataDirectory(path: global.resolvedDataDir).openStore()
            let page = try await store.events(matching: validated)
            if validated.limitWasCapped {
                printError("note: --limit \(validated.requestedLimit) was capped to \(EventQuery.maxLimit)")
            }
            switch format {
            case .ndjson:
                for stored in page.events {
                    guard case .object(var members) = stored.event.jsonValue else { continue }
                    members["log_index"] = .number(Double(stored.index))
                    print(String(decoding: CanonicalJSON.encode(.object(members)), as: UTF8.self))
                }
            case .table:
                printTable(page.events)
            }
            if let next = page.next {
                printError("more events match: continue with --cursor \(next.token)")
            }
        }
    }

    func buildQuery() throws -> EventQuery {
        var query = EventQuery(tenant: try global.tenantID())
        if let since {
            guard let time = Timestamp(rfc3339: since) else { throw ValidationError("--since must be an RFC 3339 time such as 2026-11-22T00:00:00Z") }
            query.start = time
        }
        if let until {
            guard let time = Timestamp(rfc3339: until) else { throw ValidationError("--until must be an RFC 3339 time such as 2026-11-23T00:00:00Z") }
            query.end = time
        }
        for name in types {
            guard let type = EventType(name) else { throw ValidationError("--type must match [a-z][a-z0-9_.]{0,63}") }
            query.eventTypes.insert(type)
        }
        if let minSeverity {
            guard let value = Severity(parsing: minSeverity) else {
                throw ValidationError("--min-severity must be info, low, medium, high or critical")
            }
            query.minSeverity = value
        }
        if let maxSeverity {
            guard let value = Severity(parsing: maxSeverity) else {
                throw ValidationError("--max-severity must be info, low, medium, high or critical")
            }
            query.maxSeverity = value
        }
        query.actor = actor
        query.resource = resource
        query.success = success
        if let sourceIp {
            guard let ip = IPAddress(sourceIp) else { throw ValidationError("--source-ip must be an IPv4 or IPv6 address") }
            query.sourceIP = ip
        }
        query.sessionID = sessionId
        query.requestID = requestId
        query.actionContains = actionContains
        guard let parsedOrder = EventQuery.Order(rawValue: order) else { throw ValidationError("--order must be newest or oldest") }
        query.order = parsedOrder
        query.limit = limit
        if let cursor {
            guard let parsed = EventCursor(token: cursor) else { throw ValidationError("--cursor is not a cursor printed by a previous query") }
            query.cursor = parsed
        }
        return query
    }

    private func printTable(_ events: [StoredEvent]) {
        let header = ["INDEX", "TIMESTAMP", "SEVERITY", "TYPE", "ACTOR", "ACTION", "RESOURCE", "OK", "SOURCE IP"]
        var rows = [header]
        for stored in events {
            let event = stored.event
            rows.append(
                [
                    String(stored.index), event.timestamp.rfc3339, event.severity.name, event.eventType.rawValue, event.actor ?? "-", event.action,
                    event.resource ?? "-", event.success ? "yes" : "no", event.sourceIP?.text ?? "-",
                ].map(Self.printable)
            )
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let line = row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            print(String(line.reversed().drop(while: { $0 == " " }).reversed()))
        }
        if events.isEmpty { print("(no events match)") }
    }

    /// Field text made safe for a terminal: no control characters, at most 60 characters.
    static func printable(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return cleaned.count > 60 ? String(cleaned.prefix(59)) + "…" : cleaned
    }
}

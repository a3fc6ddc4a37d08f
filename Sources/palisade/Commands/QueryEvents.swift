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
            try await global.withStore { _, store in
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
    }

    func buildQuery() throws -> EventQuery {
        var parameters: [(name: String, value: String)] = []
        let single: [(String, String?)] = [
            ("since", since), ("until", until), ("min_severity", minSeverity), ("max_severity", maxSeverity), ("actor", actor),
            ("resource", resource), ("success", success.map(String.init)), ("source_ip", sourceIp), ("session_id", sessionId),
            ("request_id", requestId), ("action_contains", actionContains), ("order", order), ("limit", String(limit)), ("cursor", cursor),
        ]
        for (name, value) in single { if let value { parameters.append((name, value)) } }
        for type in types { parameters.append(("type", type)) }
        do {
            return try EventQuery(tenant: try global.tenantID(), parameters: parameters)
        } catch let error as EventValidationError {
            throw ValidationError(error.issues.map { "--\($0.field.replacingOccurrences(of: "_", with: "-")) \($0.message)" }.joined(separator: "; "))
        }
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

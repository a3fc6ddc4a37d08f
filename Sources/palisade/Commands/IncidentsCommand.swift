import ArgumentParser
import Foundation
import PalisadeCore
import PalisadeDetection
import PalisadeIngest

/// `palisade incidents`: list, show and work incidents, run detection once, and the summary.
struct IncidentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "List, show and work security incidents; the dashboard summary; one detection pass.",
        discussion: """
            Changes (transition, assign, note) are recorded in the tenant's ledger as palisade.incident \
            events with --operator as the actor, exactly as the API records them.
            """,
        subcommands: [
            ListIncidents.self, ShowIncident.self, TransitionIncident.self, AssignIncident.self, NoteIncident.self, IncidentSummary.self,
            DetectOnce.self,
        ]
    )

    /// The manager the commands work through, recording via a sequencer of the store.
    static func manager(_ directory: DataDirectory, _ store: any LedgerStore, _ secrets: PalisadeSecrets) async throws -> IncidentManager {
        IncidentManager(store: store, records: try await secrets.sequencer(logger: directory.logger))
    }

    static func id(_ text: String) throws -> UUID {
        guard let id = UUID(text: text) else { throw CLIError("\(text) is not an incident id (a UUID; see palisade incidents list)") }
        return id
    }

    static func describe(_ incident: Incident) -> String {
        "\(incident.id.lowercasedString)  \(incident.threatLevel.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(incident.status.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(incident.openedAt.rfc3339)  \(incident.type)  \(incident.title)"
    }

    static func printJSON(_ value: JSONValue) {
        print(String(decoding: CanonicalJSON.encode(value), as: UTF8.self))
    }

    /// Opens the store, applies a change to incident `id` through the manager (which records it
    /// in the ledger) and prints the incident after it.
    static func change(
        _ id: String,
        _ global: GlobalOptions,
        _ body: (IncidentManager, UUID, TenantID, Timestamp) async throws -> Incident?
    ) async throws {
        let tenant = try global.tenantID()
        let incidentID = try Self.id(id)
        try await global.withSecrets { directory, store, secrets in
            guard let incident = try await body(try await manager(directory, store, secrets), incidentID, tenant, SystemWallClock().now()) else {
                throw CLIError("no incident \(id) in \(tenant)")
            }
            print(describe(incident))
        }
    }
}

/// `palisade incidents list`.
struct ListIncidents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Incidents, most recently opened first.")

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Comma-separated statuses (open, acknowledged, investigating, resolved, closed, false_positive).", valueName: "list"))
    var status: String?
    @Option(help: ArgumentHelp("Comma-separated incident types.", valueName: "list")) var type: String?
    @Option(help: ArgumentHelp("Minimum threat level.", valueName: "level")) var level: String?
    @Option(help: ArgumentHelp("Only those assigned to this person.", valueName: "name")) var assignee: String?
    @Option(help: "How many (1-500).") var limit = 50
    @Flag(help: "Print JSON lines.") var json = false

    func run() async throws {
        try await reportingErrors {
            var query = IncidentQuery(tenant: try global.tenantID(), limit: limit)
            guard (1...IncidentQuery.maxLimit).contains(limit) else { throw CLIError("--limit must be from 1 to \(IncidentQuery.maxLimit)") }
            for name in (status ?? "").split(separator: ",") {
                guard let parsed = IncidentStatus(rawValue: String(name)) else { throw CLIError("--status: \(name) is not a status") }
                query.statuses.insert(parsed)
            }
            for name in (type ?? "").split(separator: ",") {
                guard let parsed = IncidentType(String(name)) else { throw CLIError("--type: \(name) is not an incident type") }
                query.types.insert(parsed)
            }
            if let level {
                guard let parsed = ThreatLevel(name: level) else { throw CLIError("--level must be low, medium, high or critical") }
                query.minimumLevel = parsed
            }
            query.assignee = assignee
            try await global.withStore { _, store in
                for stored in try await store.incidents(matching: query) {
                    if json { IncidentsCommand.printJSON(stored.incident.jsonValue) } else { print(IncidentsCommand.describe(stored.incident)) }
                }
            }
        }
    }
}

/// `palisade incidents show`.
struct ShowIncident: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One incident as JSON.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.") var id: String

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            let incidentID = try IncidentsCommand.id(id)
            try await global.withStore { _, store in
                guard let stored = try await store.incident(id: incidentID, of: tenant) else { throw CLIError("no incident \(id) in \(tenant)") }
                IncidentsCommand.printJSON(stored.incident.jsonValue)
            }
        }
    }
}

/// `palisade incidents transition`.
struct TransitionIncident: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transition",
        abstract: "Acknowledge, investigate, resolve, close, reopen or mark a false positive."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Argument(help: "The incident id.") var id: String
    @Argument(help: "acknowledge, investigate, resolve, close, reopen or false_positive.") var action: String
    @Option(help: "What was done (needed to resolve).") var resolution: String?
    @Option(help: "Why it happened (with resolve).") var rootCause: String?
    @Option(help: "Why (needed to reopen or mark a false positive).") var reason: String?

    func run() async throws {
        try await reportingErrors {
            let parsed: IncidentAction
            do throws(IncidentActionError) {
                parsed = try IncidentAction(name: action, resolution: resolution, rootCause: rootCause, reason: reason)
            } catch {
                throw CLIError(
                    error.field == "action" ? error.message : "\(error.message): pass --\(error.field.replacingOccurrences(of: "_", with: "-"))"
                )
            }
            do {
                try await IncidentsCommand.change(id, global) { manager, incident, tenant, now in
                    try await manager.apply(parsed, to: incident, tenant: tenant, by: by.name, at: now)
                }
            } catch let error as IncidentTransitionError {
                throw CLIError(error.description)
            }
        }
    }
}

/// `palisade incidents assign`.
struct AssignIncident: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "assign", abstract: "Assign an incident (or --unassign it).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Argument(help: "The incident id.") var id: String
    @Argument(help: "Who owns it.") var assignee: String?
    @Flag(help: "Remove the assignee.") var unassign = false

    func run() async throws {
        try await reportingErrors {
            guard (assignee == nil) == unassign else { throw CLIError("give an assignee or --unassign, not both or neither") }
            try await IncidentsCommand.change(id, global) { manager, incident, tenant, now in
                try await manager.assign(incident, tenant: tenant, to: assignee, by: by.name, at: now)
            }
        }
    }
}

/// `palisade incidents note`.
struct NoteIncident: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note", abstract: "Add a note to an incident.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Argument(help: "The incident id.") var id: String
    @Argument(help: "The note.") var text: String

    func run() async throws {
        try await reportingErrors {
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw CLIError("the note is empty") }
            try await IncidentsCommand.change(id, global) { manager, incident, tenant, now in
                try await manager.note(incident, tenant: tenant, text: text, by: by.name, at: now)
            }
        }
    }
}

/// `palisade incidents summary`.
struct IncidentSummary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "summary", abstract: "The dashboard figures over a time window.")

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The window: 30m, 24h, 7d …", valueName: "length")) var window = "24h"
    @Flag(help: "Print the API's JSON.") var json = false

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            let seconds: Int64
            do {
                seconds = try SecuritySummary.windowSeconds(window)
            } catch let error as RuleError {
                throw CLIError("--window: \(error.description) (e.g. 30m, 24h, 7d)")
            }
            try await global.withStore { _, store in
                let summary = try await SecuritySummaryReader.summary(
                    of: tenant,
                    windowSeconds: seconds,
                    now: SystemWallClock().now(),
                    incidents: store,
                    events: store
                )
                if json {
                    IncidentsCommand.printJSON(summary.jsonValue)
                    return
                }
                func counts(_ values: [String: Int]) -> String {
                    values.isEmpty ? "-" : values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                }
                func minutes(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f min", $0 / 60) } ?? "-" }
                print("window          \(summary.start.rfc3339) .. \(summary.end.rfc3339)")
                print("opened          \(summary.opened)  (active now: \(summary.active))")
                print("by level        \(counts(summary.byLevel))")
                print("by type         \(counts(summary.byType))")
                print("by status       \(counts(summary.byStatus))")
                print("failed logins   \(summary.failedAuthentications)\(summary.failedAuthenticationsTruncated ? "+" : "")")
                print("top sources     \(summary.topSourceIPs.map { "\($0.0)(\($0.1))" }.joined(separator: " "))")
                print("top actors      \(summary.topActors.map { "\($0.0)(\($0.1))" }.joined(separator: " "))")
                print("MTTA / MTTR     \(minutes(summary.meanTimeToAcknowledge)) / \(minutes(summary.meanTimeToResolve))")
                for incident in summary.latestCritical { print("critical        \(IncidentsCommand.describe(incident))") }
            }
        }
    }
}

/// `palisade incidents detect`.
struct DetectOnce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Run detection once over every tenant's new events (what serve does continuously).",
        discussion: "Resumes from the saved cursor, like the server; safe to run while no server runs detection."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("A directory of YAML rules added to the default pack.", valueName: "path")) var rulesDir: String?

    func run() async throws {
        try await reportingErrors {
            let rules = try RuleFiles.load(rulesDir.map { URL(fileURLWithPath: $0) })
            try await global.withSecrets { directory, store, secrets in
                let sequencer = try await secrets.sequencer(logger: directory.logger)
                let consumer = try DetectionConsumer(
                    store: store,
                    rules: rules,
                    manager: IncidentManager(store: store, records: sequencer),
                    records: sequencer,
                    clock: SystemWallClock(),
                    configuration: .init(checkpointSeconds: 0)
                )
                let report = try await consumer.runOnce()
                try await consumer.checkpointAll()
                for warning in report.warnings { printError("palisade: warning: \(warning)") }
                print(
                    "\(report.events) events, \(report.detections) detections: \(report.opened) opened, \(report.updated) updated, \(report.reopened) reopened, \(report.escalated) escalated"
                )
            }
        }
    }
}

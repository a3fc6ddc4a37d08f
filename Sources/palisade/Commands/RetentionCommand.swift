import ArgumentParser
import Foundation
import Logging
import PalisadeCore
import PalisadeExport
import PalisadeIngest
import PalisadeLedger
import PalisadeVault

/// `palisade retention`: policies, legal holds and the sweep that archives and prunes.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Retention policies, legal holds, and the sweep that archives then prunes expired events.",
        discussion: """
            Policies and holds are records in the tenant's own ledger (event type palisade.retention), \
            so they are as tamper-evident as the events they govern. A sweep archives the log to \
            verified JSONL first, then prunes expired, unheld events; their leaf hashes stay, so every \
            proof and checkpoint still verifies and `palisade verify` reports them as pruned.
            """,
        subcommands: [ShowRetention.self, PolicyCommand.self, HoldCommand.self, SweepCommand.self, PurgeCommand.self]
    )
}

/// Options every retention change takes: who makes it.
struct OperatorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who makes the change, as recorded in the ledger (default cli:$USER).", valueName: "name"))
    var `operator`: String?
    @Option(help: ArgumentHelp("The approved request this change carries out (see palisade approvals).", valueName: "id"))
    var approval: String?

    /// The recorded actor.
    var name: String { `operator` ?? "cli:\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")" }

}

/// Appends one of Palisade's own records through a sequencer of the store and prints its index.
func appendRecord(_ record: AuditEvent, directory: DataDirectory, secrets: PalisadeSecrets) async throws -> UInt64 {
    let sequencer = try await secrets.sequencer(logger: directory.logger)
    let outcomes = try await sequencer.append([PreparedEvent(record, idIsClientSupplied: false)])
    guard case .appended(let index) = outcomes.first else { throw CLIError("the record was not appended (its id already exists)") }
    return index
}

/// A retention sweeper over the store, writing through its own sequencer and archiving into `archiveDir`.
func retentionSweeper(
    _ directory: DataDirectory,
    _ store: any LedgerStore,
    _ secrets: PalisadeSecrets,
    archiveDir: String
) async throws
    -> RetentionSweeper
{
    let signer = try await secrets.signer()
    return RetentionSweeper(
        sequencer: try await secrets.sequencer(logger: directory.logger),
        backend: store,
        events: store,
        signer: signer,
        archiveRoot: URL(fileURLWithPath: archiveDir),
        logger: directory.logger
    )
}

/// A new record id for now.
func recordID(_ now: Timestamp) -> UUID {
    var generator = SystemRandomNumberGenerator()
    return UUID.version7(at: now, using: &generator)
}

/// `palisade retention show`.
struct ShowRetention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "List the tenant's policies and legal holds.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            try await global.withStore { _, store in
                let rules = try await RetentionLedger.rules(of: tenant, from: store)
                let archivedTo = try await RetentionLedger.archivedTo(of: tenant, from: store)
                let now = SystemWallClock().now()
                if json {
                    let policies: [JSONValue] = rules.policies.map { policy in
                        .object([
                            "event_types": .array(policy.eventTypes.map(\.rawValue).sorted().map { .string($0) }),
                            "keep_days": .number(Double(policy.keepDays)),
                        ])
                    }
                    let holds: [JSONValue] = rules.holds.map { hold in
                        var members: [String: JSONValue] = [
                            "id": .string(hold.id.lowercasedString), "reason": .string(hold.reason), "active": .bool(hold.isActive(at: now)),
                            "placed_at": .string(hold.createdAt.rfc3339),
                        ]
                        if let value = hold.actor { members["actor"] = .string(value) }
                        if let value = hold.resource { members["resource"] = .string(value) }
                        if let value = hold.start { members["from"] = .string(value.rfc3339) }
                        if let value = hold.end { members["to"] = .string(value.rfc3339) }
                        if let value = hold.releasedAt { members["released_at"] = .string(value.rfc3339) }
                        return .object(members)
                    }
                    let document = JSONValue.object([
                        "tenant": .string(tenant.rawValue), "policies": .array(policies), "holds": .array(holds),
                        "archived_to": .number(Double(archivedTo)),
                    ])
                    print(String(decoding: CanonicalJSON.encode(document), as: UTF8.self))
                    return
                }
                print("tenant \(tenant): events below index \(archivedTo) are archived")
                if rules.policies.isEmpty { print("no retention policy: events are kept for ever") }
                for policy in rules.policies {
                    let types =
                        policy.eventTypes.isEmpty ? "all other event types" : policy.eventTypes.map(\.rawValue).sorted().joined(separator: ", ")
                    print("policy: keep \(types) for \(policy.keepDays) days")
                }
                for hold in rules.holds {
                    var scope = [String]()
                    if let value = hold.actor { scope.append("actor \(value)") }
                    if let value = hold.resource { scope.append("resource \(value)") }
                    if let value = hold.start { scope.append("from \(value.rfc3339)") }
                    if let value = hold.end { scope.append("to \(value.rfc3339)") }
                    let state = hold.releasedAt.map { "released \($0.rfc3339)" } ?? "ACTIVE"
                    print(
                        "hold \(hold.id.lowercasedString) [\(state)] \(scope.isEmpty ? "all events" : scope.joined(separator: ", ")): \(hold.reason)"
                    )
                }
            }
        }
    }
}

/// `palisade retention policy set|remove`.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Set or remove a retention policy.",
        subcommands: [SetPolicy.self, RemovePolicy.self]
    )

    /// The approval target naming a policy's event types (`*` for the default policy).
    static func target(_ types: Set<EventType>) -> String {
        types.isEmpty ? "*" : types.map(\.rawValue).sorted().joined(separator: ",")
    }

    /// Parses repeated --event-type values.
    static func types(_ names: [String]) throws -> Set<EventType> {
        var types = Set<EventType>()
        for name in names {
            guard let type = EventType(name) else { throw ValidationError("--event-type \(name) must match [a-z][a-z0-9_.]{0,63}") }
            guard !type.isReserved else { throw ValidationError("--event-type \(name): Palisade's own records are kept for ever") }
            types.insert(type)
        }
        return types
    }
}

/// `palisade retention policy set`.
struct SetPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Keep events of some types (or, without --event-type, all others) for N days.",
        discussion: "Where several policies cover an event, the longest wins. The change is a ledger record."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Option(name: .customLong("event-type"), help: "An event type the policy covers (repeatable; none = the default policy).")
    var eventTypes: [String] = []
    @Option(help: "Days to keep an event after its timestamp.") var keepDays: Int

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            let policy: RetentionPolicy
            do {
                policy = try RetentionPolicy(tenant: tenant, eventTypes: try PolicyCommand.types(eventTypes), keepDays: keepDays)
            } catch let error as RetentionError {
                throw CLIError(error.description)
            }
            let gate = ApprovalGate(
                operation: .retentionChange,
                target: PolicyCommand.target(policy.eventTypes),
                parameters: ["keep_days": String(keepDays)]
            )
            let actor = by.name
            let described = eventTypes.isEmpty ? "all other events" : eventTypes.sorted().joined(separator: ", ")
            try await global.withSecrets { directory, store, secrets in
                try await gate.run(approval: by.approval, tenant: tenant, store: store, secrets: secrets, actor: actor) { approval in
                    let now = SystemWallClock().now()
                    let record = RetentionRules.policySetRecord(policy, id: recordID(now), at: now, actor: actor, approval: approval)
                    let index = try await appendRecord(record, directory: directory, secrets: secrets)
                    print("policy set: keep \(described) for \(keepDays) days (record \(index))")
                }
            }
        }
    }
}

/// `palisade retention policy remove`.
struct RemovePolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove the policy for exactly these event types.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Option(name: .customLong("event-type"), help: "An event type of the policy (repeatable; none = the default policy).")
    var eventTypes: [String] = []

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            let types = try PolicyCommand.types(eventTypes)
            let gate = ApprovalGate(operation: .retentionChange, target: PolicyCommand.target(types), parameters: ["remove": "true"])
            let actor = by.name
            try await global.withSecrets { directory, store, secrets in
                guard try await RetentionLedger.rules(of: tenant, from: store).policy(for: types) != nil else {
                    throw CLIError("tenant \(tenant) has no policy for exactly these event types; see `palisade retention show`")
                }
                try await gate.run(approval: by.approval, tenant: tenant, store: store, secrets: secrets, actor: actor) { approval in
                    let now = SystemWallClock().now()
                    let record = RetentionRules.policyRemovedRecord(
                        tenant: tenant,
                        eventTypes: types,
                        id: recordID(now),
                        at: now,
                        actor: actor,
                        approval: approval
                    )
                    print("policy removed (record \(try await appendRecord(record, directory: directory, secrets: secrets)))")
                }
            }
        }
    }
}

/// `palisade retention hold place|release`.
struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Place or release a legal hold.",
        subcommands: [PlaceHold.self, ReleaseHold.self]
    )
}

/// `palisade retention hold place`.
struct PlaceHold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "place",
        abstract: "Stop matching events from being pruned or redacted until the hold is released.",
        discussion: "Every criterion given must match; with none, the hold covers all of the tenant's events."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Option(name: .customLong("actor"), help: "Only events by this actor.") var matchActor: String?
    @Option(name: .customLong("resource"), help: "Only events on this resource.") var matchResource: String?
    @Option(help: ArgumentHelp("Only events at or after this RFC 3339 instant.", valueName: "time")) var from: String?
    @Option(help: ArgumentHelp("Only events before this RFC 3339 instant.", valueName: "time")) var to: String?
    @Option(help: "The case or matter reference.") var reason: String

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            func instant(_ text: String?, _ name: String) throws -> Timestamp? {
                guard let text else { return nil }
                guard let value = Timestamp(rfc3339: text) else { throw CLIError("--\(name) \(text) is not an RFC 3339 instant") }
                return value
            }
            let now = SystemWallClock().now()
            let hold: LegalHold
            do {
                hold = try LegalHold(
                    tenant: tenant,
                    actor: matchActor,
                    resource: matchResource,
                    start: try instant(from, "from"),
                    end: try instant(to, "to"),
                    reason: reason,
                    createdAt: now
                )
            } catch let error as RetentionError {
                throw CLIError(error.description)
            }
            try await global.withSecrets { directory, store, secrets in
                let record = RetentionRules.holdPlacedRecord(hold, id: recordID(now), actor: by.name)
                let index = try await appendRecord(record, directory: directory, secrets: secrets)
                print("hold \(hold.id.lowercasedString) placed (record \(index))")
            }
        }
    }
}

/// `palisade retention hold release`.
struct ReleaseHold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release a legal hold (destructive: held events become prunable).",
        discussion: "Needs an approved request (legal_hold.release); the release is a ledger record naming who, why and the approval."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Argument(help: "The hold id.") var id: String
    @Option(help: "Why the hold ends.") var reason: String

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            guard let holdID = UUID(text: id) else { throw CLIError("\(id) is not a hold id; see `palisade retention show`") }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw CLIError("--reason must not be empty") }
            try await global.withSecrets { directory, store, secrets in
                let rules = try await RetentionLedger.rules(of: tenant, from: store)
                guard let hold = rules.holds.first(where: { $0.id == holdID }) else {
                    throw CLIError("tenant \(tenant) has no hold \(id); see `palisade retention show`")
                }
                guard hold.releasedAt == nil else { throw CLIError("hold \(id) was already released at \(hold.releasedAt!.rfc3339)") }
                let gate = ApprovalGate(operation: .legalHoldRelease, target: holdID.lowercasedString, parameters: ["reason": reason])
                let (actor, reason) = (by.name, reason)
                try await gate.run(approval: by.approval, tenant: tenant, store: store, secrets: secrets, actor: actor) { approval in
                    let now = SystemWallClock().now()
                    let record = RetentionRules.holdReleasedRecord(
                        holdID: holdID,
                        tenant: tenant,
                        id: recordID(now),
                        at: now,
                        actor: actor,
                        reason: reason,
                        approval: approval
                    )
                    directory.logger.warning("legal hold released", metadata: ["hold": "\(holdID)", "operator": "\(actor)", "reason": "\(reason)"])
                    print(
                        "hold \(holdID.lowercasedString) released (record \(try await appendRecord(record, directory: directory, secrets: secrets)))"
                    )
                }
            }
        }
    }
}

/// `palisade retention sweep`.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Archive the log, then prune expired events that no legal hold covers.",
        discussion: """
            The archive (under --archive-dir/<tenant>/<from>-<to>) is read back and verified before \
            anything is pruned; pruning goes in batches, each one transaction with its signed record.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Option(help: ArgumentHelp("Where archives are written.", valueName: "dir")) var archiveDir: String
    @Flag(help: "Count what would be pruned; change nothing.") var dryRun = false

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            try await global.withSecrets { directory, store, secrets in
                let sweeper = try await retentionSweeper(directory, store, secrets, archiveDir: archiveDir)
                let report: RetentionSweeper.Report
                do {
                    report = try await sweeper.sweep(tenant: tenant, actor: by.name, now: SystemWallClock().now(), dryRun: dryRun)
                } catch let error as ArchiveError {
                    throw CLIError("nothing was pruned: \(error.description)")
                }
                let verb = dryRun ? "would prune" : "pruned"
                var line = "tenant \(tenant): examined \(report.examined) events, \(verb) \(report.pruned), \(report.held) expired but held"
                if let archive = report.archive { line += "; archived to \(archive.path)" }
                if !report.records.isEmpty { line += "; records \(report.records.map(String.init).joined(separator: ", "))" }
                print(line)
            }
        }
    }
}

/// `palisade retention purge`: prunes everything before an instant, outside the policies.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Archive, then prune every event before an instant whatever the policies say (destructive).",
        discussion: """
            Legal holds still apply. Needs an approved request (retention.purge) unless --dry-run; the \
            prune records carry the reason and the approval.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Option(help: ArgumentHelp("Prune events with a timestamp before this RFC 3339 instant.", valueName: "time")) var before: String
    @Option(help: ArgumentHelp("Where archives are written.", valueName: "dir")) var archiveDir: String
    @Option(help: "Why (recorded in the ledger).") var reason: String
    @Flag(help: "Count what would be pruned; change nothing.") var dryRun = false

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            guard let cutoff = Timestamp(rfc3339: before) else { throw CLIError("--before \(before) is not an RFC 3339 instant") }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw CLIError("--reason must not be empty") }
            let gate = ApprovalGate(operation: .purgeOutsideRetention, target: cutoff.rfc3339, parameters: ["reason": reason])
            let (actor, reason, dryRun, archiveDir) = (by.name, reason, dryRun, archiveDir)
            try await global.withSecrets { directory, store, secrets in
                @Sendable func purge(_ approval: String) async throws {
                    let sweeper = try await retentionSweeper(directory, store, secrets, archiveDir: archiveDir)
                    let report: RetentionSweeper.Report
                    do {
                        report = try await sweeper.sweep(
                            tenant: tenant,
                            actor: actor,
                            now: SystemWallClock().now(),
                            dryRun: dryRun,
                            purge: (cutoff, reason, approval)
                        )
                    } catch let error as ArchiveError {
                        throw CLIError("nothing was purged: \(error.description)")
                    }
                    if !dryRun {
                        directory.logger.warning(
                            "retention purge",
                            metadata: ["before": "\(cutoff.rfc3339)", "operator": "\(actor)", "pruned": "\(report.pruned)"]
                        )
                    }
                    print(
                        "tenant \(tenant): \(dryRun ? "would purge" : "purged") \(report.pruned) events before \(cutoff.rfc3339), \(report.held) held back by legal holds"
                    )
                }
                if dryRun {
                    try await purge("none (dry run)")
                } else {
                    try await gate.run(approval: by.approval, tenant: tenant, store: store, secrets: secrets, actor: actor, purge)
                }
            }
        }
    }
}

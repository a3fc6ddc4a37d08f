import ArgumentParser
import Foundation
import Logging
import PalisadeCore
import PalisadeIngest
import PalisadeVault

/// `palisade redact`: removes one event's payload or named fields for an erasure request.
struct RedactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Remove one event's payload (or named fields) while its leaf hash stays in the tree.",
        discussion: """
            Redactable: actor, resource, error_message, source_ip, user_agent, session_id, request_id, \
            metadata and metadata.<name>; without --field, all of them. The id, times, type, severity, \
            action and outcome stay. The redaction is a ledger record naming who, why and the approval; \
            `palisade verify` reports the event as redacted under that record. Events under an active \
            legal hold are refused. Needs an approved request (redaction) for exactly this event, these \
            fields and this reason.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Argument(help: "The event id.") var id: String
    @Option(name: .customLong("field"), help: "A field to remove (repeatable; default: the whole payload).") var fields: [String] = []
    @Option(help: "Why (the erasure request this answers).") var reason: String

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            guard let eventID = UUID(text: id) else { throw CLIError("\(id) is not an event id (a UUID)") }
            let redaction: Redaction
            do {
                redaction = fields.isEmpty ? .payload : try Redaction(fields: fields)
            } catch let error as RetentionError {
                throw CLIError(error.description)
            }
            var parameters = ["reason": reason]
            if !fields.isEmpty { parameters["fields"] = Set(fields).sorted().joined(separator: ",") }
            let gate = ApprovalGate(operation: .redaction, target: eventID.lowercasedString, parameters: parameters)
            let (actor, reason) = (by.name, reason)
            try await global.withSecrets { directory, store, secrets in
                try await gate.run(approval: by.approval, tenant: tenant, store: store, secrets: secrets, actor: actor) { approval in
                    let clock = SystemWallClock()
                    let sequencer = try await secrets.sequencer(clock: clock, logger: directory.logger)
                    let outcome: Redactor.Outcome
                    do {
                        outcome = try await Redactor(sequencer: sequencer, events: store).redact(
                            eventID: eventID,
                            tenant: tenant,
                            redaction: redaction,
                            actor: actor,
                            reason: reason,
                            approval: approval,
                            now: clock.now()
                        )
                    } catch let error as RetentionError {
                        throw CLIError(error.description)
                    }
                    directory.logger.warning("event redacted", metadata: ["event": "\(eventID)", "operator": "\(actor)", "reason": "\(reason)"])
                    print(
                        "redacted \(outcome.fields.joined(separator: ", ")) of event \(eventID.lowercasedString) at index \(outcome.index) (record \(outcome.record))"
                    )
                }
            }
        }
    }
}

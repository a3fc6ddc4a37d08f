import ArgumentParser
import Foundation
import PalisadeAlerting
import PalisadeCore
import PalisadeIngest
import Yams

/// `palisade alerts`: a tenant's receivers, routing policy and silences, test notifications and
/// the outbox — the same changes as `/v1/alerting`, recorded the same way (`palisade.alerting`
/// records with --operator as the actor). A running `palisade serve` picks them up on its next
/// alerting pass.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Alert receivers, routing policy, silences, test notifications and the outbox.",
        subcommands: [AlertReceiversCommand.self, AlertPolicyCommand.self, AlertSilencesCommand.self, TestAlert.self, AlertOutboxCommand.self]
    )

    /// Opens the store, loads the tenant's alerting configuration and runs `body` with a change set
    /// and a writer for its records.
    static func changing<T>(
        _ global: GlobalOptions,
        by actor: String,
        _ body: (AlertingChanges, TenantAlerting, any LedgerStore, LogSequencer) async throws -> T
    ) async throws -> T {
        let tenant = try global.tenantID()
        return try await global.withSecrets { directory, store, secrets in
            let clock = SystemWallClock()
            let changes = AlertingChanges(sealer: SecretSealer(key: try await secrets.alertingKey()), tenant: tenant, actor: actor, now: clock.now())
            let current = try await TenantAlerting.load(of: tenant, from: store)
            let writer = try await secrets.sequencer(clock: clock, logger: directory.logger)
            return try await body(changes, current, store, writer)
        }
    }

    /// Opens the store and runs `body` with the tenant's alerting configuration.
    static func reading(_ global: GlobalOptions, _ body: (TenantID, TenantAlerting) throws -> Void) async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            try await global.withStore { _, store in try body(tenant, try await TenantAlerting.load(of: tenant, from: store)) }
        }
    }

    /// Runs a change, turning its ``AlertingError`` into a CLI error.
    static func checked<T>(_ body: () throws(AlertingError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw CLIError(error.description)
        }
    }
}

/// `palisade alerts receivers`.
struct AlertReceiversCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receivers",
        abstract: "List, add (or replace) and remove receivers.",
        subcommands: [ListReceivers.self, AddReceiver.self, RemoveReceiver.self]
    )
}

/// `palisade alerts receivers list`.
struct ListReceivers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Receivers, without their secrets.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await AlertsCommand.reading(global) { tenant, current in
            for receiver in current.receivers.values.sorted(by: { $0.name < $1.name }) {
                print(
                    "\(receiver.name)  \(receiver.kind.rawValue)  \(receiver.target)  secret \(receiver.fingerprint)  \(receiver.storedAt.rfc3339) by \(receiver.storedBy)"
                )
            }
            if current.receivers.isEmpty { printError("no receivers in \(tenant); add one with palisade alerts receivers add") }
        }
    }
}

/// `palisade alerts receivers add`.
struct AddReceiver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add or replace a receiver.",
        discussion: """
            The kind follows from the URL (hooks.slack.com, discord.com/api/webhooks, events.pagerduty.com; \
            anything else is a signed webhook) unless --kind says otherwise. A webhook gets a new signing \
            secret, printed once (Palisade keeps it sealed); --keep-signing-secret keeps the old one.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Argument(help: "The receiver's name (a-z, 0-9, '.', '_', '-').") var name: String
    @Option(help: "The receiver's URL.") var url: String
    @Option(help: "webhook, chat, slack, discord, pagerduty, email, syslog, splunk or elastic.") var kind: String?
    @Option(help: ArgumentHelp("A file holding the PagerDuty integration key.", valueName: "path")) var routingKeyFile: String?
    @Flag(help: "Keep the webhook signing secret of the receiver being replaced.") var keepSigningSecret = false
    @Option(help: "Email: the sender address.") var from: String?
    @Option(help: "Email: a recipient (repeat for more).") var to: [String] = []
    @Option(help: "Email: the SMTP user name.") var username: String?
    @Option(help: ArgumentHelp("Email: a file holding the SMTP password.", valueName: "path")) var passwordFile: String?
    @Option(help: "Syslog: cef (default) or json.") var format: String?
    @Option(help: ArgumentHelp("Splunk/Elastic: a file holding the HEC token or API key.", valueName: "path")) var tokenFile: String?
    @Option(help: "Splunk: the index; Elastic: the index prefix (default palisade-events).") var index: String?
    @Option(help: ArgumentHelp("Chat, Slack, Discord, email: a Mustache message template file.", valueName: "path")) var templateFile: String?

    func run() async throws {
        try await reportingErrors {
            var spec = ReceiverSpec(url: url, keepSigningSecret: keepSigningSecret)
            if let kind {
                guard let parsed = ReceiverKind(rawValue: kind) else {
                    throw CLIError("--kind must be webhook, chat, slack, discord, pagerduty, email, syslog, splunk or elastic")
                }
                spec.kind = parsed
            }
            if let routingKeyFile {
                spec.routingKey = try String(contentsOfFile: routingKeyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            spec.from = from
            spec.to = to
            spec.username = username
            spec.format = format
            spec.index = index
            if let templateFile { spec.template = try String(contentsOfFile: templateFile, encoding: .utf8) }
            if let tokenFile { spec.token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
            if let passwordFile {
                spec.password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .newlines)
            }
            try await AlertsCommand.changing(global, by: by.name) { changes, current, _, writer in
                let stored = try AlertsCommand.checked { () throws(AlertingError) in try changes.storeReceiver(name, spec, current: current) }
                try await writer.appendRecords([stored.record])
                print(
                    "\(current.receivers[name] == nil ? "added" : "replaced") receiver \(name) (\(stored.receiver.kind.rawValue), \(stored.receiver.target))"
                )
                if let secret = stored.signingSecret {
                    print("signing secret (shown once; verify X-Palisade-Signature with it): \(secret)")
                }
            }
        }
    }
}

/// `palisade alerts receivers remove`.
struct RemoveReceiver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a receiver.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Argument(help: "The receiver's name.") var name: String

    func run() async throws {
        try await reportingErrors {
            try await AlertsCommand.changing(global, by: by.name) { changes, current, _, writer in
                let record = try AlertsCommand.checked { () throws(AlertingError) in try changes.removeReceiver(name, current: current) }
                try await writer.appendRecords([record])
                print("removed receiver \(name)")
            }
        }
    }
}

/// `palisade alerts policy`.
struct AlertPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show or set the routing policy (route tree and inhibition rules).",
        subcommands: [ShowAlertPolicy.self, SetAlertPolicy.self]
    )
}

/// `palisade alerts policy show`.
struct ShowAlertPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "The policy in force, as JSON.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await AlertsCommand.reading(global) { _, current in
            if current.storedPolicy == nil { printError("no policy stored: every alert goes to every receiver") }
            print(String(decoding: CanonicalJSON.encode(current.policy.json), as: UTF8.self))
        }
    }
}

/// `palisade alerts policy set`.
struct SetAlertPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Store a policy from a YAML or JSON file.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Argument(help: "The policy file (route and inhibit_rules, as in Alertmanager).") var file: String

    func run() async throws {
        try await reportingErrors {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let json: JSONValue
            do {
                json = try Self.json(try Yams.load(yaml: text))
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError("\(file) is not YAML or JSON: \(error)")
            }
            let policy = try AlertsCommand.checked { () throws(AlertingError) in try AlertingPolicy(json: json) }
            try await AlertsCommand.changing(global, by: by.name) { changes, current, _, writer in
                let record = try AlertsCommand.checked { () throws(AlertingError) in try changes.storePolicy(policy, current: current) }
                try await writer.appendRecords([record])
                print("stored the policy (receivers: \(policy.receivers.sorted().joined(separator: ", ")))")
            }
        }
    }

    /// YAML's values as JSON values.
    static func json(_ value: Any?) throws -> JSONValue {
        switch value {
        case nil: return .null
        case let text as String: return .string(text)
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .number(Double(number))
        case let number as Double: return .number(number)
        case let items as [Any]: return .array(try items.map { try json($0) })
        case let members as [String: Any]: return .object(try members.mapValues { try json($0) })
        default: throw CLIError("the policy holds a value that is not text, a number, a list or a mapping")
        }
    }
}

/// `palisade alerts silences`.
struct AlertSilencesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silences",
        abstract: "List, add and expire silences.",
        subcommands: [ListAlertSilences.self, AddAlertSilence.self, ExpireAlertSilence.self]
    )
}

/// `palisade alerts silences list`.
struct ListAlertSilences: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Silences not ended more than an hour ago.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await AlertsCommand.reading(global) { _, loaded in
            var current = loaded
            let now = SystemWallClock().now()
            current.pruneSilences(at: now)
            for silence in current.silences.values.sorted(by: { $0.startsAt < $1.startsAt }) {
                let state = silence.endsAt <= now ? "expired" : silence.startsAt > now ? "pending" : "active"
                print(
                    "\(silence.id.lowercasedString)  \(state)  \(silence.matchers.map(\.description).joined(separator: ","))  until \(silence.endsAt.rfc3339)  by \(silence.createdBy): \(silence.comment)"
                )
            }
        }
    }
}

/// `palisade alerts silences add`.
struct AddAlertSilence: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Mute the alerts that pass every matcher for a while.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Option(name: .customLong("matcher"), help: "name=value, name!=value, name=~regex or name!~regex (repeat for more).") var matchers: [String] = []
    @Option(help: "How long (30m, 2h, 1d).") var duration: String
    @Option(help: "Why.") var comment: String

    func run() async throws {
        try await reportingErrors {
            guard let seconds = DurationText.seconds(duration), seconds > 0 else { throw CLIError("--duration must be such as 30m, 2h or 1d") }
            try await AlertsCommand.changing(global, by: by.name) { changes, _, _, writer in
                let created = try AlertsCommand.checked { () throws(AlertingError) in
                    try changes.createSilence(
                        matchers: matchers,
                        startsAt: nil,
                        endsAt: changes.now.adding(microseconds: seconds * 1_000_000),
                        comment: comment
                    )
                }
                try await writer.appendRecords([created.record])
                print("silence \(created.silence.id.lowercasedString) until \(created.silence.endsAt.rfc3339)")
            }
        }
    }
}

/// `palisade alerts silences expire`.
struct ExpireAlertSilence: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "expire", abstract: "End a silence now.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Argument(help: "The silence id.") var id: String

    func run() async throws {
        try await reportingErrors {
            guard let silenceID = UUID(text: id) else { throw CLIError("\(id) is not a silence id (a UUID; see palisade alerts silences list)") }
            try await AlertsCommand.changing(global, by: by.name) { changes, current, _, writer in
                let record = try AlertsCommand.checked { () throws(AlertingError) in try changes.expireSilence(silenceID, current: current) }
                try await writer.appendRecords([record])
                print("expired silence \(id)")
            }
        }
    }
}

/// `palisade alerts test`.
struct TestAlert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a receiver a test notification and wait for the outcome.",
        discussion:
            "The notification goes into the outbox; the running palisade serve delivers it (exit 1 if it is dead-lettered or still pending after --wait)."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var by: OperatorOptions
    @Argument(help: "The receiver's name.") var name: String
    @Option(help: "Seconds to wait for the outcome (0: do not wait).") var wait = 30

    func run() async throws {
        try await reportingErrors {
            try await AlertsCommand.changing(global, by: by.name) { changes, current, store, _ in
                let notification = try AlertsCommand.checked { () throws(AlertingError) in try changes.testNotification(to: name, current: current) }
                _ = try await store.enqueueNotification(notification)
                print("test notification \(notification.id.lowercasedString) queued for \(name)")
                guard wait > 0 else { return }
                let deadline = ContinuousClock.now + .seconds(wait)
                while ContinuousClock.now < deadline {
                    for status in [OutboxStatus.delivered, .dead] {
                        guard
                            let found = try await store.notifications(of: changes.tenant, status: status, limit: 200).first(where: {
                                $0.id == notification.id
                            })
                        else { continue }
                        if status == .delivered {
                            print("delivered after \(found.attempts) attempt(s)")
                            return
                        }
                        throw CLIError("dead-lettered after \(found.attempts) attempt(s): \(found.lastError ?? "no reason recorded")")
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
                let pending = try await store.notifications(of: changes.tenant, status: .pending, limit: 1_000).first { $0.id == notification.id }
                throw CLIError(
                    "still pending after \(wait)s (\(pending?.attempts ?? 0) attempt(s)\(pending?.lastError.map { ", last: \($0)" } ?? "")); is palisade serve running with alerting enabled?"
                )
            }
        }
    }
}

/// `palisade alerts outbox`.
struct AlertOutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outbox", abstract: "Notifications by status (the dead-letter list by default).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "pending, delivered or dead.") var status = "dead"
    @Option(help: "How many (1-1000).") var limit = 50

    func run() async throws {
        try await reportingErrors {
            guard let parsed = OutboxStatus(rawValue: status) else { throw CLIError("--status must be pending, delivered or dead") }
            guard (1...1_000).contains(limit) else { throw CLIError("--limit must be from 1 to 1000") }
            let tenant = try global.tenantID()
            try await global.withStore { _, store in
                for entry in try await store.notifications(of: tenant, status: parsed, limit: limit) {
                    print(
                        "\(entry.id.lowercasedString)  \(entry.receiver)  \(entry.status.rawValue)  attempts \(entry.attempts)  created \(entry.createdAt.rfc3339)\(entry.lastError.map { "  last error: \($0)" } ?? "")"
                    )
                }
            }
        }
    }
}

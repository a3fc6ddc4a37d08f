import ArgumentParser
import Foundation
import NIOHTTP1
import PalisadeCore

/// `palisade approvals`: dual-control requests on a running server.
struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals",
        abstract: "Ask for, list, approve, reject, cancel and execute dual-control requests.",
        discussion: """
            A request needs vault.approval_quorum approvers holding vault:administrator, none of them \
            the requester; once approved it waits vault.approval_grace_seconds (cancellable), then \
            `execute` carries out a key destruction or version purge; a ledger change (legal_hold.release, \
            redaction, retention.purge, retention.change) is carried out by its own command given \
            --approval ID. Every step is a palisade.vault record in the tenant's ledger.
            """,
        subcommands: [
            RequestApproval.self, ListApprovals.self, ShowApproval.self, ApproveRequest.self, RejectRequest.self, CancelRequest.self,
            ExecuteRequest.self,
        ]
    )

    static func path(_ id: String, _ rest: String = "") throws -> String {
        guard UUID(text: id) != nil else { throw CLIError("\(id) is not a request id (see palisade approvals list)", exitCode: Exit.usage) }
        return "/v1/vault/approvals/\(id)\(rest)"
    }

    static func line(_ request: JSONValue) -> String {
        guard case .object(let fields) = request else { return "" }
        var approvals = 0
        if case .array(let list)? = fields["approvals"] { approvals = list.count }
        var quorum = 0
        if case .number(let number)? = fields["quorum"] { quorum = Int(number) }
        let columns = [
            request.text("id") ?? "?", request.text("status") ?? "?", "\(approvals)/\(quorum)", request.text("operation") ?? "?",
            request.text("target") ?? "?", "by \(request.text("requester") ?? "?")",
        ]
        return columns.joined(separator: "  ") + (request.text("execute_after").map { "  runs after \($0)" } ?? "")
    }
}

struct RequestApproval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Ask for an operation that needs approval.",
        discussion: """
            key.destroy KEY, key.purge_versions KEY --below N; legal_hold.release HOLD, redaction EVENT, \
            retention.purge INSTANT, retention.change TYPES, with --param name=value as the command that \
            carries them out prints when it is run without an approval.
            """
    )
    @OptionGroup var server: ServerOptions
    @Argument(help: "The operation (key.destroy, key.purge_versions, legal_hold.release, redaction, retention.purge, retention.change).")
    var operation: String
    @Argument(help: "What it acts on (a key, a hold, an event, an instant, event types).") var target: String
    @Option(help: "With key.purge_versions: the first version kept (versions below it are wiped).") var below: Int?
    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter of the request (repeatable).", valueName: "name=value"))
    var parameters: [String] = []
    @Option(help: ArgumentHelp("With key.export: the recipient's RSA public key (PEM file).", valueName: "path")) var recipient: String?

    func run() async throws {
        try await reportingErrors {
            var body: [String: JSONValue] = ["operation": .string(operation), "target": .string(target)]
            var members = [String: JSONValue]()
            if let below { members["below"] = .string(String(below)) }
            for parameter in parameters {
                guard let equals = parameter.firstIndex(of: "="), equals != parameter.startIndex else {
                    throw CLIError("--param \(parameter) is not name=value", exitCode: Exit.usage)
                }
                members[String(parameter[..<equals])] = .string(String(parameter[parameter.index(after: equals)...]))
            }
            if let recipient {
                do {
                    members["recipient"] = .string(try String(contentsOfFile: recipient, encoding: .utf8))
                } catch {
                    throw CLIError("cannot read --recipient \(recipient): \(error.localizedDescription)")
                }
            }
            if !members.isEmpty { body["parameters"] = .object(members) }
            print(ApprovalsCommand.line(try await server.call(.POST, "/v1/vault/approvals", .object(body))))
        }
    }
}

struct ListApprovals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Requests, newest first.")
    @OptionGroup var server: ServerOptions
    @Option(help: "pending, approved, executed, rejected, cancelled or expired.") var status: String?

    func run() async throws {
        try await reportingErrors {
            var query = "?limit=500"
            if let status { query += "&status=\(status)" }
            try await server.eachPage("/v1/vault/approvals\(query)", items: "approvals", cursor: "before") { print(ApprovalsCommand.line($0)) }
        }
    }
}

struct ShowApproval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One request, with every decision.")
    @OptionGroup var server: ServerOptions
    @Argument var id: String

    func run() async throws {
        try await reportingErrors { IncidentsCommand.printJSON(try await server.call(.GET, try ApprovalsCommand.path(id))) }
    }
}

struct ApproveRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a request (not your own).")
    @OptionGroup var server: ServerOptions
    @Argument var id: String
    @Option(help: "A comment (a ticket, a reason).") var comment: String?

    func run() async throws {
        try await reportingErrors {
            let body: JSONValue = .object(comment.map { ["comment": .string($0)] } ?? [:])
            print(ApprovalsCommand.line(try await server.call(.POST, try ApprovalsCommand.path(id, "/approve"), body)))
        }
    }
}

struct RejectRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a request (one refusal ends it).")
    @OptionGroup var server: ServerOptions
    @Argument var id: String
    @Option(help: "Why.") var reason: String

    func run() async throws {
        try await reportingErrors {
            print(ApprovalsCommand.line(try await server.call(.POST, try ApprovalsCommand.path(id, "/reject"), .object(["reason": .string(reason)]))))
        }
    }
}

struct CancelRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a request before it is carried out.")
    @OptionGroup var server: ServerOptions
    @Argument var id: String
    @Option(help: "Why.") var reason: String

    func run() async throws {
        try await reportingErrors {
            print(ApprovalsCommand.line(try await server.call(.POST, try ApprovalsCommand.path(id, "/cancel"), .object(["reason": .string(reason)]))))
        }
    }
}

struct ExecuteRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "execute", abstract: "Carry out an approved request after its grace period.")
    @OptionGroup var server: ServerOptions
    @Argument var id: String

    func run() async throws {
        try await reportingErrors {
            let done = try await server.call(.POST, try ApprovalsCommand.path(id, "/execute"), .object([:]))
            print(ApprovalsCommand.line(done))
            // An export's key, wrapped to the recipient (a JWE), on a line of its own.
            if case .object(let fields) = done, case .object(let result)? = fields["result"], case .string(let jwe)? = result["jwe"] { print(jwe) }
        }
    }
}

import ArgumentParser
import Foundation
import NIOHTTP1
import PalisadeCore

/// `palisade approvals`: dual-control requests on a running server.
struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals",
        abstract: "Ask for, list, approve, reject, cancel and execute dual-control requests (key destruction, version purges).",
        discussion: """
            A request needs vault.approval_quorum approvers holding vault:administrator, none of them \
            the requester; once approved it waits vault.approval_grace_seconds (cancellable), then \
            `execute` carries it out. Every step is a palisade.vault record in the tenant's ledger.
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
    static let configuration = CommandConfiguration(commandName: "request", abstract: "Ask to destroy a key or purge its old versions.")
    @OptionGroup var server: ServerOptions
    @Argument(help: "key.destroy or key.purge_versions.") var operation: String
    @Argument(help: "The key.") var key: String
    @Option(help: "With key.purge_versions: the first version kept (versions below it are wiped).") var below: Int?

    func run() async throws {
        try await reportingErrors {
            var body: [String: JSONValue] = ["operation": .string(operation), "target": .string(key)]
            if let below { body["parameters"] = .object(["below": .string(String(below))]) }
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
            print(ApprovalsCommand.line(try await server.call(.POST, try ApprovalsCommand.path(id, "/execute"), .object([:]))))
        }
    }
}

import Foundation
import PalisadeTesting
import Testing

/// A running server and two approvers besides the requester (the admin), so that tests of the
/// destructive ledger commands get their requests approved the way operators do: asked for and
/// decided over the API, then carried out by the command with `--approval ID`. Each request adds
/// a record to the default tenant's log, and each approval one; carrying a request out adds its
/// `approval.execute` record after the change. Every wait happens on a thread of its own.
final class ApprovalDesk: Sendable {
    let server: ServeProcess
    /// The admin token the server printed on its first start.
    let adminToken: String
    let requester: VaultCLITests.Client
    let approvers: [VaultCLITests.Client]

    private init(server: ServeProcess, adminToken: String, requester: VaultCLITests.Client, approvers: [VaultCLITests.Client]) {
        self.server = server
        self.adminToken = adminToken
        self.requester = requester
        self.approvers = approvers
    }

    /// Starts `palisade serve` on the CLI's data directory (and database) with no grace period,
    /// and mints the approvers' tokens.
    static func open(_ cli: PalisadeCLI) async throws -> ApprovalDesk {
        let server = try await ServeProcess.launch(
            dataDir: cli.dataDir,
            // Detection off: nothing but the requests and decisions lands in the ledger meanwhile.
            environment: cli.environment.merging([
                "PALISADE_VAULT_APPROVAL_GRACE_SECONDS": "0", "PALISADE_DETECTION_ENABLED": "false", "PALISADE_ALERTING_ENABLED": "false",
            ]) { $1 }
        )
        let admin = try #require(server.adminToken)
        var approvers = [VaultCLITests.Client]()
        for name in ["dpo", "ciso"] {
            let minted = try await cli.runDetached(["token", "create", "--tenant", "default", "--name", name, "--scopes", "vault:administrator"])
            guard minted.status == 0 else { throw ServeProcessError(message: "token create failed: \(minted.stderr)") }
            let token = minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            approvers.append(VaultCLITests.Client(environment: ["PALISADE_SERVER": server.baseURL, "PALISADE_TOKEN": token]))
        }
        return ApprovalDesk(
            server: server,
            adminToken: admin,
            requester: VaultCLITests.Client(environment: ["PALISADE_SERVER": server.baseURL, "PALISADE_TOKEN": admin]),
            approvers: approvers
        )
    }

    /// Asks for `operation` on `target` and has both approvers approve it; returns the request id.
    func approved(_ operation: String, _ target: String, _ parameters: [String: String]) async throws -> String {
        let asked = try await requester.runDetached(
            ["approvals", "request", operation, target] + parameters.sorted { $0.key < $1.key }.flatMap { ["--param", "\($0.key)=\($0.value)"] }
        )
        guard asked.status == 0 else { throw ServeProcessError(message: "approvals request failed: \(asked.stdout)\(asked.stderr)") }
        let id = String(asked.stdout.prefix(36))
        for approver in approvers {
            let decided = try await approver.runDetached(["approvals", "approve", id])
            guard decided.status == 0 else { throw ServeProcessError(message: "approve failed: \(decided.stderr)") }
        }
        return id
    }

    /// Stops the server.
    func stop() { server.kill9() }
}

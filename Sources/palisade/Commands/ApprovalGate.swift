import Foundation
import PalisadeCore
import PalisadeIngest
import PalisadeVault

/// Dual control for the commands that change the ledger destructively (a legal hold's release, a
/// redaction, a purge outside the policies, a retention policy change): each runs only under a
/// request approved on the server (`palisade approvals request …`), for exactly the same target
/// and parameters, after its grace period; the request is then marked executed, and both the
/// change and the execution are ledger records.
struct ApprovalGate {
    let operation: ApprovalOperation
    let target: String
    let parameters: [String: String]

    /// The `palisade approvals request` line that asks for this.
    var requestCommand: String {
        let quoted = { (text: String) in
            text.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" }) ? "'\(text.replacingOccurrences(of: "'", with: "'\\''"))'" : text
        }
        let parts =
            ["palisade approvals request", operation.rawValue, quoted(target)]
            + parameters.sorted { $0.key < $1.key }.map { "--param \(quoted("\($0.key)=\($0.value)"))" }
        return parts.joined(separator: " ")
    }

    /// Runs `body` under the approved request `approval`, then marks it executed.
    ///
    /// - Parameters:
    ///   - body: the change, given how to cite the approval in its records.
    /// - Throws: ``CLIError`` without an approval (naming the request to make), or when the
    ///   request is not approved, still in its grace period or for something else.
    func run(
        approval: String?,
        tenant: TenantID,
        store: any LedgerStore,
        secrets: PalisadeSecrets,
        actor: String,
        _ body: @Sendable (String) async throws -> Void
    ) async throws {
        guard let approval else {
            throw CLIError(
                "this needs a request approved by \(ApprovalPolicy.defaultGroupDescription): ask on the server with `\(requestCommand)`, then run this again with --approval ID"
            )
        }
        guard let id = UUID(text: approval) else { throw CLIError("--approval \(approval) is not a request id (see palisade approvals list)") }
        let vault = Vault(store: store, records: secrets.records, clock: SystemWallClock())
        do {
            // Whoever holds the database carries the decision out; the decision was the quorum's.
            let request = try await vault.approval(id, tenant: tenant)
            let executor = Approver(id: actor, groups: Set([request.policy.group].compactMap { $0 }))
            _ = try await vault.executeExternally(
                id,
                tenant: tenant,
                operation: operation,
                target: target,
                parameters: parameters,
                by: executor
            ) { request in
                let approvers = request.approvals.map(\.approver).joined(separator: ", ")
                try await body("request \(id.lowercasedString) requested by \(request.requester), approved by \(approvers)")
            }
        } catch let error as ApprovalError {
            throw CLIError(error.description)
        } catch let error as VaultError {
            throw CLIError(error.description)
        }
    }
}

extension ApprovalPolicy {
    /// How messages name who approves (the server's vault.approval_quorum administrators).
    static let defaultGroupDescription = "vault administrators (vault.approval_quorum of them, not the requester)"
}

import Foundation
import PalisadeCore

/// An ``ApprovalRequest`` as stored (canonical JSON of every field), and back.
struct ApprovalDocument: Codable, Sendable {
    struct Decision: Codable, Sendable {
        var approver: String
        var at: Int64
        var comment: String?
    }

    var id: UUID
    var operation: ApprovalOperation
    var target: String
    var parameters: [String: String]
    var requester: String
    var createdAt: Int64
    var policy: ApprovalPolicy
    var status: ApprovalRequest.Status
    var approvals: [Decision]
    var ending: Decision?
    var executeAfter: Int64?
    /// Absent in documents written before exports existed.
    var result: [String: String]?

    init(_ request: ApprovalRequest) {
        id = request.id
        operation = request.operation
        target = request.target
        parameters = request.parameters
        requester = request.requester
        createdAt = request.createdAt.microseconds
        policy = request.policy
        status = request.status
        approvals = request.approvals.map { Decision(approver: $0.approver, at: $0.at.microseconds, comment: $0.comment) }
        ending = request.ending.map { Decision(approver: $0.approver, at: $0.at.microseconds, comment: $0.comment) }
        executeAfter = request.executeAfter?.microseconds
        result = request.result.isEmpty ? nil : request.result
    }

    func request(tenant: TenantID) -> ApprovalRequest {
        let decision = { (stored: Decision) in
            ApprovalRequest.Decision(approver: stored.approver, at: Timestamp(microseconds: stored.at), comment: stored.comment)
        }
        var request = ApprovalRequest(
            restoring: id,
            tenant: tenant,
            operation: operation,
            target: target,
            parameters: parameters,
            requester: requester,
            createdAt: Timestamp(microseconds: createdAt),
            policy: policy,
            status: status,
            approvals: approvals.map(decision),
            ending: ending.map(decision),
            executeAfter: executeAfter.map(Timestamp.init(microseconds:))
        )
        request.result = result ?? [:]
        return request
    }

    func stored(tenant: TenantID, revision: Int = 1) -> StoredDocument {
        StoredDocument(tenant: tenant, id: id.lowercasedString, status: status.rawValue, document: DocumentCoding.encode(self), revision: revision)
    }

    init(decoding stored: StoredDocument) throws(VaultError) {
        self = try DocumentCoding.decode(ApprovalDocument.self, from: stored.document, what: "approval \(stored.id)")
    }
}

import Foundation
import PalisadeCore
import Testing

@testable import PalisadeVault

/// Dual control: a quorum of distinct approvers other than the requester, before expiry, then a
/// grace period in which anyone who could approve can still cancel.
struct ApprovalRequestTests {
    static let t0 = Timestamp(rfc3339: "2026-11-01T00:00:00Z")!
    static func at(_ seconds: Int64) -> Timestamp { t0.adding(microseconds: seconds * 1_000_000) }
    static let alice = Approver(id: "alice", groups: ["security-admin"])
    static let bob = Approver(id: "bob", groups: ["security-admin"])
    static let carol = Approver(id: "carol", groups: ["security-admin", "ops"])
    static let mallory = Approver(id: "mallory", groups: ["ops"])

    static func request(_ policy: ApprovalPolicy = ApprovalPolicy(quorum: 2, graceSeconds: 3_600)) -> ApprovalRequest {
        ApprovalRequest(tenant: .default, operation: .keyDestroy, target: "payments", requester: "alice", policy: policy, at: t0)
    }

    @Test func aQuorumOfOthersApprovesAndTheGracePeriodHoldsExecution() throws {
        var request = Self.request()
        #expect(throws: ApprovalError.selfApproval("alice")) { try request.approve(by: Self.alice, at: Self.at(1)) }
        #expect(throws: ApprovalError.notInGroup("mallory", "security-admin")) { try request.approve(by: Self.mallory, at: Self.at(1)) }
        try request.approve(by: Self.bob, at: Self.at(2))
        #expect(throws: ApprovalError.alreadyApproved("bob")) { try request.approve(by: Self.bob, at: Self.at(3)) }
        #expect(request.approvals.count == 1 && request.status == .pending, "asking again is not a second approval")
        try request.approve(by: Self.carol, comment: "ticket SEC-12", at: Self.at(4))
        #expect(request.status == .approved && request.executeAfter == Self.at(3_604))
        #expect(throws: ApprovalError.self) { try request.approve(by: Approver(id: "dave", groups: ["security-admin"]), at: Self.at(5)) }
        #expect(throws: ApprovalError.inGracePeriod(until: Self.at(3_604))) { try request.markExecuted(by: "palisade", at: Self.at(3_603)) }
        try request.markExecuted(by: "palisade", at: Self.at(3_604))
        #expect(request.status == .executed && request.ending?.approver == "palisade")
        #expect(throws: ApprovalError.self) { try request.cancel(by: Self.bob, reason: "too late", at: Self.at(3_605)) }
    }

    @Test func anApproverCancelsDuringTheGracePeriod() throws {
        var request = Self.request()
        try request.approve(by: Self.bob, at: Self.at(1))
        try request.approve(by: Self.carol, at: Self.at(2))
        #expect(throws: ApprovalError.notInGroup("mallory", "security-admin")) { try request.cancel(by: Self.mallory, reason: "no", at: Self.at(3)) }
        try request.cancel(by: Self.bob, reason: "wrong key", at: Self.at(10))
        #expect(request.status == .cancelled && request.ending?.comment == "wrong key")
        #expect(throws: ApprovalError.self) { try request.markExecuted(by: "palisade", at: Self.at(4_000)) }
    }

    @Test func requestsExpireAndRejectionsEndThem() throws {
        var late = Self.request(ApprovalPolicy(quorum: 2, expiresAfterSeconds: 60))
        try late.approve(by: Self.bob, at: Self.at(59))
        #expect(late.status(at: Self.at(60)) == .expired)
        #expect(throws: ApprovalError.notOpen(late.id, .expired)) { try late.approve(by: Self.carol, at: Self.at(60)) }

        var rejected = Self.request()
        #expect(throws: ApprovalError.selfApproval("alice")) { try rejected.reject(by: Self.alice, reason: "mine", at: Self.at(1)) }
        try rejected.reject(by: Self.carol, reason: "still in use", at: Self.at(1))
        #expect(rejected.status == .rejected)
        #expect(throws: ApprovalError.self) { try rejected.approve(by: Self.bob, at: Self.at(2)) }

        // The requester may withdraw their own request.
        var withdrawn = Self.request()
        try withdrawn.cancel(by: Self.alice, reason: "changed my mind", at: Self.at(1))
        #expect(withdrawn.status == .cancelled)
        #expect(ApprovalError.selfApproval("alice").description.contains("another approver"))
    }
}

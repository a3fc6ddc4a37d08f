import Foundation
import PalisadeAlerting
import PalisadeCore
import PalisadeTesting
import PalisadeVault
import Testing

/// Approval requests reach the approvers through the tenant's receivers: a real vault records
/// its requests and decisions in the ledger, and the alerting consumer turns them into
/// notifications — firing while a decision or the execution is awaited, resolved when the request
/// is carried out or when it expires unanswered.
struct ApprovalAlertTests {
    static let bob = Approver(id: "bob", groups: ["vault:administrator"])
    static let carol = Approver(id: "carol", groups: ["vault:administrator"])

    static func pipeline() async throws -> (AlertPipeline, Vault) {
        let pipeline = try AlertPipeline()
        try await pipeline.addReceiver("security", kind: .webhook, secret: ReceiverSecret(url: "https://hooks.example.com/approvals"))
        try await pipeline.setPolicy(#"{"route": {"receiver": "security", "group_by": ["approval_id"], "group_wait": 0, "group_interval": "1s"}}"#)
        let vault = Vault(
            store: pipeline.store,
            records: pipeline.sequencer,
            clock: pipeline.clock,
            approvals: [.keyDestroy: ApprovalPolicy(quorum: 2, group: "vault:administrator", expiresAfterSeconds: 3_600, graceSeconds: 60)]
        )
        _ = try await vault.initialize(shares: 2, threshold: 2, passphrase: nil, by: "ops")
        _ = try await vault.createKey("old-payments", type: .aes256GCM, tenant: .default, by: "alice")
        _ = try await vault.transition("old-payments", .revoke, tenant: .default, by: "alice")
        return (pipeline, vault)
    }

    @Test func aRequestIsAnnouncedFollowedAndResolvedWhenCarriedOut() async throws {
        let (pipeline, vault) = try await Self.pipeline()
        let consumer = pipeline.consumer()
        let request = try await vault.requestApproval(.keyDestroy, target: "old-payments", tenant: .default, by: "alice")
        #expect(try await consumer.runOnce().enqueued == 1)
        let asked = try #require(try await AlertConsumerTests.notifications(pipeline).last?.firing.first)
        #expect(asked.fingerprint == "approval-\(request.id.lowercasedString)")
        #expect(asked.labels["kind"] == "approval" && asked.labels["operation"] == "key.destroy" && asked.labels["requester"] == "alice")
        #expect(asked.annotations["title"] == "Approval needed: key.destroy of old-payments (0/2 approvals)")
        #expect(asked.endsAt == request.expiresAt, "a pending request resolves by itself at its expiry")

        _ = try await vault.approve(request.id, tenant: .default, by: Self.bob)
        pipeline.clock.advance(seconds: 1)
        #expect(try await consumer.runOnce().enqueued == 0, "one approval of two is progress, not news")
        _ = try await vault.approve(request.id, tenant: .default, by: Self.carol)
        pipeline.clock.advance(seconds: 1)
        #expect(try await consumer.runOnce().enqueued == 1)
        let approved = try #require(try await AlertConsumerTests.notifications(pipeline).last?.firing.first)
        #expect(approved.labels["status"] == "approved" && approved.endsAt == nil, "an approved request waits for its execution, not its expiry")

        pipeline.clock.advance(seconds: 60)
        _ = try await vault.execute(request.id, tenant: .default, by: Self.bob)
        #expect(try await consumer.runOnce().enqueued == 1)
        let done = try #require(try await AlertConsumerTests.notifications(pipeline).last)
        #expect(done.firing.isEmpty && done.resolved.map(\.labels["status"]) == ["executed"])
    }

    @Test func anUnansweredRequestResolvesAtItsExpiry() async throws {
        let (pipeline, vault) = try await Self.pipeline()
        let consumer = pipeline.consumer()
        _ = try await vault.requestApproval(.keyDestroy, target: "old-payments", tenant: .default, by: "alice")
        #expect(try await consumer.runOnce().enqueued == 1)
        pipeline.clock.advance(seconds: 3_599)
        #expect(try await consumer.runOnce().enqueued == 0, "nothing new before the expiry")
        pipeline.clock.advance(seconds: 1)
        #expect(try await consumer.runOnce().enqueued == 1)
        let expired = try #require(try await AlertConsumerTests.notifications(pipeline).last)
        #expect(expired.firing.isEmpty && expired.resolved.count == 1)
    }
}

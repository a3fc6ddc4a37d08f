import Foundation
import PalisadeCore
import PalisadeTesting
import Synchronization
import Testing

@testable import PalisadeVault

/// Destroying a key through dual control, as the vault carries it out: a revoked key, a quorum of
/// other administrators, the key purge-scheduled through the grace period, cancellable until then,
/// and crypto-shredded (and recorded) when executed.
struct VaultApprovalTests {
    static let alice = Approver(id: "alice", groups: ["vault:administrator"])
    static let bob = Approver(id: "bob", groups: ["vault:administrator"])
    static let carol = Approver(id: "carol", groups: ["vault:administrator"])
    static let mallory = Approver(id: "mallory", groups: ["vault:service"])

    static func vault(_ clock: ManualWallClock, records: VaultTests.Records? = nil) async throws -> Vault {
        let vault = Vault(
            store: MemoryKeyStore(),
            records: records,
            clock: clock,
            approvals: [.keyDestroy: ApprovalPolicy(quorum: 2, group: "vault:administrator", graceSeconds: 3_600)]
        )
        _ = try await vault.initialize(shares: 2, threshold: 2, passphrase: nil, by: "ops")
        _ = try await vault.createKey("old-payments", type: .aes256GCM, tenant: .default, by: "alice")
        return vault
    }

    @Test func aDestructionNeedsTwoOthersAndWaitsOutItsGracePeriod() async throws {
        let clock = ManualWallClock()
        let records = VaultTests.Records()
        let vault = try await Self.vault(clock, records: records)
        let ciphertext = try await vault.encrypt([1, 2, 3], key: "old-payments", tenant: .default, by: "app")
        await #expect(throws: VaultError.self) { try await vault.requestApproval(.keyDestroy, target: "old-payments", tenant: .default, by: "alice") }
        _ = try await vault.transition("old-payments", .revoke, tenant: .default, by: "alice")
        let request = try await vault.requestApproval(.keyDestroy, target: "old-payments", tenant: .default, by: "alice")
        await #expect(throws: ApprovalError.selfApproval("alice")) { try await vault.approve(request.id, tenant: .default, by: Self.alice) }
        await #expect(throws: ApprovalError.notInGroup("mallory", "vault:administrator")) {
            try await vault.approve(request.id, tenant: .default, by: Self.mallory)
        }
        _ = try await vault.approve(request.id, tenant: .default, by: Self.bob)
        await #expect(throws: ApprovalError.alreadyApproved("bob")) { try await vault.approve(request.id, tenant: .default, by: Self.bob) }
        #expect(try await vault.describeKey("old-payments", tenant: .default).state == .revoked, "one approval changes nothing")
        let approved = try await vault.approve(request.id, tenant: .default, by: Self.carol, comment: "SEC-9")
        #expect(approved.status == .approved)
        let waiting = try await vault.describeKey("old-payments", tenant: .default)
        #expect(waiting.state == .purgeScheduled && waiting.purgeAfter == approved.executeAfter)
        #expect(
            try await vault.decrypt(ciphertext, key: "old-payments", tenant: .default, by: "app") == [1, 2, 3],
            "still readable in the grace period"
        )
        await #expect(throws: ApprovalError.self) { try await vault.execute(request.id, tenant: .default, by: Self.bob) }

        clock.advance(seconds: 3_600)
        let executed = try await vault.execute(request.id, tenant: .default, by: Self.bob)
        #expect(executed.status == .executed)
        let destroyed = try await vault.describeKey("old-payments", tenant: .default)
        #expect(destroyed.state == .destroyed && destroyed.versions.allSatisfy(\.destroyed))
        await #expect(throws: VaultError.self) { try await vault.decrypt(ciphertext, key: "old-payments", tenant: .default, by: "app") }
        #expect(try await vault.approval(request.id, tenant: .default).status == .executed)
        let actions = records.actions.filter { $0.hasPrefix("approval.") || $0 == "key.schedule-purge" || $0 == "key.destroy" }
        #expect(
            actions == ["approval.request", "approval.approve", "key.schedule-purge", "approval.approve", "key.destroy", "approval.execute"],
            "\(records.actions)"
        )
        #expect(
            records.actions.suffix(1) == ["crypto.decrypt"] && records.events.withLock { $0.last?.success } == false,
            "the refused decrypt is recorded"
        )
    }

    @Test func cancellingInTheGracePeriodKeepsTheKey() async throws {
        let clock = ManualWallClock()
        let vault = try await Self.vault(clock)
        _ = try await vault.transition("old-payments", .revoke, tenant: .default, by: "alice")
        let request = try await vault.requestApproval(.keyDestroy, target: "old-payments", tenant: .default, by: "alice")
        _ = try await vault.approve(request.id, tenant: .default, by: Self.bob)
        _ = try await vault.approve(request.id, tenant: .default, by: Self.carol)
        clock.advance(seconds: 1_800)
        let cancelled = try await vault.cancel(request.id, tenant: .default, by: Self.bob, reason: "still needed for refunds")
        #expect(cancelled.status == .cancelled)
        #expect(try await vault.describeKey("old-payments", tenant: .default).state == .revoked)
        clock.advance(seconds: 3_600)
        await #expect(throws: ApprovalError.self) { try await vault.execute(request.id, tenant: .default, by: Self.carol) }
        #expect(try await vault.describeKey("old-payments", tenant: .default).versions.allSatisfy { !$0.destroyed })
        let listed = try await vault.approvals(tenant: .default, status: .cancelled)
        #expect(listed.map(\.id) == [request.id])
        #expect(try await vault.approvals(tenant: .default, status: .pending).isEmpty)
    }

    @Test func oldVersionsArePurgedBelowTheDecryptionMinimum() async throws {
        let clock = ManualWallClock()
        let vault = try await Self.vault(clock)
        _ = try await vault.rotateKey("old-payments", tenant: .default, by: "alice")
        _ = try await vault.rotateKey("old-payments", tenant: .default, by: "alice")
        await #expect(throws: VaultError.self) {
            try await vault.requestApproval(.keyPurgeVersions, target: "old-payments", parameters: ["below": "3"], tenant: .default, by: "alice")
        }
        _ = try await vault.setMinimumVersions("old-payments", decryption: 3, encryption: 3, tenant: .default, by: "alice")
        let request = try await vault.requestApproval(
            .keyPurgeVersions,
            target: "old-payments",
            parameters: ["below": "3"],
            tenant: .default,
            by: "alice"
        )
        _ = try await vault.approve(request.id, tenant: .default, by: Self.bob)
        _ = try await vault.approve(request.id, tenant: .default, by: Self.carol)
        #expect(try await vault.describeKey("old-payments", tenant: .default).state == .active, "purging versions does not touch the key's state")
        clock.advance(seconds: 86_400)
        _ = try await vault.execute(request.id, tenant: .default, by: Self.alice)
        #expect(try await vault.describeKey("old-payments", tenant: .default).versions.map(\.destroyed) == [true, true, false])
    }

    /// A ledger operation (here a redaction) is approved by the vault but carried out by the
    /// command that writes the ledger: only for exactly what was approved, after the grace period,
    /// once — and a failed attempt leaves the request approved.
    @Test func aLedgerOperationIsCarriedOutOnceAndOnlyAsApproved() async throws {
        let clock = ManualWallClock()
        let records = VaultTests.Records()
        let vault = Vault(
            store: MemoryKeyStore(),
            records: records,
            clock: clock,
            approvals: [.redaction: ApprovalPolicy(quorum: 2, group: "vault:administrator", graceSeconds: 60)]
        )
        let event = "00000000-0000-4000-8000-000000000002"
        await #expect(throws: ApprovalError.badRequest("parameters.reason is required for redaction")) {
            try await vault.requestApproval(.redaction, target: event, tenant: .default, by: "alice")
        }
        let parameters = ["fields": "metadata.email", "reason": "GDPR-7"]
        let request = try await vault.requestApproval(.redaction, target: event, parameters: parameters, tenant: .default, by: "alice")
        let ran = Mutex(0)
        /// Carries the redaction out with `parameters`, counting runs of the change; `fail` makes the change throw.
        @Sendable func carryOut(_ parameters: [String: String], fail: Bool = false) async throws -> ApprovalRequest {
            try await vault.executeExternally(
                request.id,
                tenant: .default,
                operation: .redaction,
                target: event,
                parameters: parameters,
                by: Self.alice
            ) {
                approved in
                if fail { throw CancellationError() }
                #expect(approved.approvals.map(\.approver) == ["bob", "carol"])
                ran.withLock { $0 += 1 }
            }
        }
        _ = try await vault.approve(request.id, tenant: .default, by: Self.bob)
        await #expect(throws: ApprovalError.self, "one approval of two") { try await carryOut(parameters) }
        _ = try await vault.approve(request.id, tenant: .default, by: Self.carol)
        await #expect(throws: ApprovalError.self, "the grace period") { try await carryOut(parameters) }
        clock.advance(seconds: 60)
        await #expect(throws: ApprovalError.self, "the vault does not carry it out itself") {
            try await vault.execute(request.id, tenant: .default, by: Self.bob)
        }
        await #expect(throws: ApprovalError.self, "other fields than approved") { try await carryOut(["fields": "metadata", "reason": "GDPR-7"]) }
        await #expect(throws: CancellationError.self) { try await carryOut(parameters, fail: true) }
        #expect(try await vault.approval(request.id, tenant: .default).status == .approved, "a failed attempt consumes nothing")
        #expect(ran.withLock { $0 } == 0)
        #expect(try await carryOut(parameters).status == .executed && ran.withLock { $0 } == 1)
        await #expect(throws: ApprovalError.self, "only once") { try await carryOut(parameters) }
        #expect(ran.withLock { $0 } == 1)
        #expect(
            records.actions.filter { $0.hasPrefix("approval.") } == ["approval.request", "approval.approve", "approval.approve", "approval.execute"]
        )
    }

    /// A key's retention asks for the destruction of its versions older than the retention —
    /// never the current one — once; approved and carried out, the decryption minimum moves past
    /// them and their material is wiped.
    @Test func retentionAsksToDestroyOldVersionsAndTheQuorumDecides() async throws {
        let clock = ManualWallClock()
        let vault = Vault(
            store: MemoryKeyStore(),
            records: nil,
            clock: clock,
            approvals: [.keyPurgeVersions: ApprovalPolicy(quorum: 2, group: "vault:administrator", graceSeconds: 0)]
        )
        _ = try await vault.initialize(shares: 2, threshold: 2, passphrase: nil, by: "ops")
        _ = try await vault.createKey("records", type: .aes256GCM, policy: KeyPolicy(retentionDays: 30), tenant: .default, by: "alice")
        _ = try await vault.createKey("forever", type: .aes256GCM, tenant: .default, by: "alice")
        let first = try await vault.encrypt([1], key: "records", tenant: .default, by: "app")
        clock.advance(seconds: 10 * 86_400)
        _ = try await vault.rotateKey("records", tenant: .default, by: "alice")
        _ = try await vault.rotateKey("forever", tenant: .default, by: "alice")
        clock.advance(seconds: 10 * 86_400)
        _ = try await vault.rotateKey("records", tenant: .default, by: "alice")
        let third = try await vault.encrypt([3], key: "records", tenant: .default, by: "app")
        clock.advance(seconds: 10 * 86_400)
        #expect(try await vault.requestRetentionPurges(tenant: .default).isEmpty, "version 1 is 30 days old, not older")

        clock.advance(seconds: 86_400)
        let made = try await vault.requestRetentionPurges(tenant: .default)
        #expect(made.map(\.target) == ["records"] && made.first?.parameters == ["below": "2", "retention": "30 days"])
        #expect(try await vault.requestRetentionPurges(tenant: .default).isEmpty, "one request at a time")
        let id = try #require(made.first?.id)
        _ = try await vault.approve(id, tenant: .default, by: Self.bob)
        _ = try await vault.approve(id, tenant: .default, by: Self.carol)
        #expect(try await vault.decrypt(first, key: "records", tenant: .default, by: "app") == [1], "nothing goes before it is carried out")
        _ = try await vault.execute(id, tenant: .default, by: Self.bob)
        let key = try await vault.describeKey("records", tenant: .default)
        #expect(key.minDecryptionVersion == 2 && key.versions.map(\.destroyed) == [true, false, false])
        await #expect(throws: VaultError.self) { try await vault.decrypt(first, key: "records", tenant: .default, by: "app") }
        #expect(try await vault.decrypt(third, key: "records", tenant: .default, by: "app") == [3])
        #expect(try await vault.requestRetentionPurges(tenant: .default).isEmpty, "nothing left to ask for until version 2 is 30 days old")
        clock.advance(seconds: 10 * 86_400)
        #expect(try await vault.requestRetentionPurges(tenant: .default).first?.parameters["below"] == "3", "then version 2's turn")
    }
}

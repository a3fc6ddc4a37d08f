import Foundation
import PalisadeCore
import PalisadeTesting
import Testing

@testable import PalisadeVault

/// Per-caller and per-key budgets with method weights: a call takes its weight from both or from
/// neither, refused calls learn when to retry, and buckets refill with time.
struct VaultRateLimitTests {
    @Test func aCallTakesItsWeightFromTheCallerAndTheKeyOrFromNeither() {
        let limits = VaultRateLimits(.init(perActor: 10, actorBurst: 10, perKey: 4, keyBurst: 6))
        let start = ContinuousClock.now
        // The key's bucket (6) runs out before the caller's (10).
        for _ in 0..<3 { #expect(limits.take(2, actor: "alice", key: "k", now: start) == nil) }
        #expect(limits.take(2, actor: "alice", key: "k", now: start) == 1, "2 tokens at 4/s: half a second, rounded up")
        #expect(limits.take(1, actor: "alice", key: "other", now: start) == nil, "another key has its own bucket")
        // The refused call took nothing from alice: she has 10 - 6 - 1 = 3 left.
        #expect(limits.take(3, actor: "alice", key: "third", now: start) == nil)
        #expect(limits.take(1, actor: "alice", key: "fourth", now: start) != nil)
        #expect(limits.take(1, actor: "bob", key: "fourth", now: start) == nil, "another caller has their own bucket")
        #expect(limits.take(2, actor: "bob", key: "k", now: start.advanced(by: .milliseconds(500))) == nil, "the key refilled 2 tokens in 0.5 s")
    }

    @Test func weightsFollowTheCostOfTheOperation() {
        #expect(VaultRateLimits.weight(of: "crypto.encrypt", type: .aes256GCM) == 1)
        #expect(VaultRateLimits.weight(of: "crypto.sign", type: .ed25519) == 2)
        #expect(VaultRateLimits.weight(of: "crypto.sign", type: .rsa4096) == 10)
        #expect(VaultRateLimits.weight(of: "key.rotate", type: .aes256GCM) == 10)
    }

    @Test func theVaultRefusesOverTheBudgetWithoutRecordingTheRefusal() async throws {
        let records = VaultTests.Records()
        let vault = Vault(
            store: MemoryKeyStore(),
            records: records,
            clock: ManualWallClock(),
            rateLimits: VaultRateLimits(.init(perActor: 0.001, actorBurst: 13, perKey: 0))
        )
        _ = try await vault.initialize(shares: 2, threshold: 2, passphrase: nil, by: "ops")
        _ = try await vault.createKey("k", type: .aes256GCM, tenant: .default, by: "app")  // weight 10
        for _ in 0..<3 { _ = try await vault.encrypt([1], key: "k", tenant: .default, by: "app") }
        let before = records.actions.count
        await #expect(throws: VaultError.self) { try await vault.encrypt([1], key: "k", tenant: .default, by: "app") }
        do {
            _ = try await vault.encrypt([1], key: "k", tenant: .default, by: "app")
            Issue.record("the budget is spent")
        } catch let error as VaultError {
            guard case .rateLimited(let wait) = error else { throw error }
            #expect(wait > 100, "at 0.001 tokens a second the wait is long: \(wait) s")
        }
        #expect(records.actions.count == before, "refused calls are not ledger records")
        #expect(try await vault.encrypt([1], key: "k", tenant: .default, by: "other-app").version == 1, "another caller is unaffected")
    }
}

import Foundation
import PalisadeCore
import Testing

/// How every store keeps the alert outbox: one notification per (tenant, receiver, state key),
/// due ones across tenants soonest first, attempts recorded only while pending, dead letters
/// listed per tenant. Part of ``StoreConformance/checks``.
enum OutboxConformance {
    static let acme = StoreConformance.acme
    static let globex = StoreConformance.globex
    static let t0 = Timestamp(rfc3339: "2026-03-01T10:00:00Z")!
    static func at(_ seconds: Int64) -> Timestamp { t0.adding(microseconds: seconds * 1_000_000) }

    static func notification(
        _ tenant: TenantID = acme,
        receiver: String = "oncall-webhook",
        key: String,
        at seconds: Int64 = 0
    )
        -> OutboxNotification
    {
        OutboxNotification(
            id: UUID(),
            tenant: tenant,
            receiver: receiver,
            stateKey: key,
            payload: Array(#"{"alerts":["é"]}"#.utf8) + [0, 255],
            createdAt: at(seconds)
        )
    }

    static func notificationsAreSentOnceAndEndDeliveredOrDead(_ store: any LedgerStore) async throws {
        let first = notification(key: "group-a/state-1")
        #expect(try await store.enqueueNotification(first))
        #expect(!(try await store.enqueueNotification(notification(key: "group-a/state-1"))), "the same news to the same receiver")
        #expect(try await store.enqueueNotification(notification(receiver: "chat", key: "group-a/state-1")), "another receiver")
        #expect(try await store.enqueueNotification(notification(globex, key: "group-a/state-1")), "another tenant")
        let later = notification(key: "group-b/state-1", at: 60)
        #expect(try await store.enqueueNotification(later))

        let due = try await store.dueNotifications(at: at(0), limit: 10)
        #expect(due.count == 3 && due.allSatisfy { $0.nextAttemptAt <= at(0) }, "\(due.map(\.receiver))")
        #expect(try await store.dueNotifications(at: at(60), limit: 10).count == 4)
        #expect(try await store.dueNotifications(at: at(60), limit: 2).count == 2)
        let read = try #require(due.first { $0.id == first.id })
        #expect(read == first, "the whole notification round-trips, payload bytes included")

        // A failed attempt: due again later; then delivered; then it never changes again.
        var failed = first
        failed.attempts = 1
        failed.nextAttemptAt = at(30)
        failed.lastError = "HTTP 503"
        try await store.recordAttempt(failed)
        #expect(!(try await store.dueNotifications(at: at(10), limit: 10).contains { $0.id == first.id }))
        #expect(try await store.dueNotifications(at: at(30), limit: 10).first { $0.id == first.id }?.lastError == "HTTP 503")
        var delivered = failed
        delivered.status = .delivered
        delivered.attempts = 2
        delivered.deliveredAt = at(31)
        delivered.lastError = nil
        try await store.recordAttempt(delivered)
        await #expect(throws: StoreError(.rejected, "")) { try await store.recordAttempt(delivered) }
        #expect(try await store.notifications(of: acme, status: .delivered, limit: 10) == [delivered])

        var dead = later
        dead.status = .dead
        dead.attempts = 1
        dead.lastError = "HTTP 410"
        try await store.recordAttempt(dead)
        #expect(try await store.notifications(of: acme, status: .dead, limit: 10).map(\.lastError) == ["HTTP 410"])
        #expect(try await store.notifications(of: globex, status: .dead, limit: 10).isEmpty, "tenants are isolated")
        #expect(try await store.notifications(of: acme, status: .pending, limit: 10).map(\.receiver) == ["chat"])
        var forged = dead
        forged.tenant = globex
        forged.status = .pending
        await #expect(throws: StoreError(.rejected, "")) { try await store.recordAttempt(forged) }

        // Several outcomes in one write: the pending one is stored, the others are named.
        let pending = try #require(try await store.notifications(of: acme, status: .pending, limit: 10).first)
        var done = pending
        done.status = .delivered
        done.attempts = 1
        done.deliveredAt = pending.createdAt.adding(microseconds: 5)
        let refused = try await store.recordAttempts([done, delivered, forged])
        #expect(Set(refused) == [delivered.id, forged.id])
        #expect(try await store.notifications(of: acme, status: .pending, limit: 10).isEmpty)
        #expect(try await store.notifications(of: acme, status: .delivered, limit: 10).contains(done))
    }
}

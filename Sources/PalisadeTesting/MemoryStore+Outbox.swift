public import Foundation
public import PalisadeCore

/// The alert outbox in memory, with the database stores' rules.
extension MemoryStore: OutboxStore {
    /// Writes a notification unless its (tenant, receiver, state key) exists.
    public func enqueueNotification(_ notification: OutboxNotification) throws -> Bool {
        let taken = outbox.values.contains {
            $0.tenant == notification.tenant && $0.receiver == notification.receiver && $0.stateKey == notification.stateKey
        }
        guard !taken else { return false }
        guard outbox[notification.id] == nil else { throw StoreError(.conflict, "notification \(notification.id) exists") }
        outbox[notification.id] = notification
        return true
    }

    /// Pending notifications due at `now`, soonest first.
    public func dueNotifications(at now: Timestamp, limit: Int) -> [OutboxNotification] {
        Array(
            outbox.values.filter { $0.status == .pending && $0.nextAttemptAt <= now }
                .sorted { ($0.nextAttemptAt, $0.id.lowercasedString) < ($1.nextAttemptAt, $1.id.lowercasedString) }
                .prefix(max(0, limit))
        )
    }

    /// Stores attempts' outcomes; the ids of those not pending are returned.
    public func recordAttempts(_ notifications: [OutboxNotification]) -> [UUID] {
        var refused = [UUID]()
        for notification in notifications {
            guard let stored = outbox[notification.id], stored.tenant == notification.tenant, stored.status == .pending else {
                refused.append(notification.id)
                continue
            }
            var updated = stored
            updated.status = notification.status
            updated.attempts = notification.attempts
            updated.nextAttemptAt = notification.nextAttemptAt
            updated.lastError = notification.lastError
            updated.deliveredAt = notification.deliveredAt
            outbox[notification.id] = updated
        }
        return refused
    }

    /// A tenant's notifications in one status, newest first.
    public func notifications(of tenant: TenantID, status: OutboxStatus, limit: Int) -> [OutboxNotification] {
        Array(
            outbox.values.filter { $0.tenant == tenant && $0.status == status }
                .sorted { ($0.createdAt, $0.id.lowercasedString) > ($1.createdAt, $1.id.lowercasedString) }
                .prefix(max(0, limit))
        )
    }
}

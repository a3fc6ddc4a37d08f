public import Foundation
public import PalisadeCore
import PostgresNIO

/// The alert outbox (see the `alert_outbox` table).
extension PostgresStore: OutboxStore {
    /// Writes a notification unless its (tenant, receiver, state key) exists.
    public func enqueueNotification(_ notification: OutboxNotification) async throws -> Bool {
        let payload = ByteBuffer(bytes: notification.payload)
        return try await run("writing a notification") {
            let tenantID = try await tenantID(notification.tenant)
            let rows = try await client.rows(
                """
                INSERT INTO alert_outbox (id, tenant_id, receiver, state_key, payload, status, attempts, created_at, next_attempt_at, last_error, delivered_at)
                VALUES (\(notification.id), \(tenantID), \(notification.receiver), \(notification.stateKey), \(payload), \(notification.status.rawValue),
                        \(Int32(notification.attempts)), \(PostgresTimestamp(notification.createdAt)), \(PostgresTimestamp(notification.nextAttemptAt)),
                        \(notification.lastError), \(notification.deliveredAt.map(PostgresTimestamp.init)))
                ON CONFLICT (tenant_id, receiver, state_key) DO NOTHING
                RETURNING id
                """,
                logger
            )
            return !rows.isEmpty
        }
    }

    /// Pending notifications due at `now`, soonest first.
    public func dueNotifications(at now: Timestamp, limit: Int) async throws -> [OutboxNotification] {
        try await run("reading due notifications") {
            let rows = try await client.rows(
                """
                SELECT o.id, t.name, o.receiver, o.state_key, o.payload, o.status, o.attempts, o.created_at, o.next_attempt_at, o.last_error, o.delivered_at
                FROM alert_outbox o JOIN tenants t ON t.id = o.tenant_id
                WHERE o.status = 'pending' AND o.next_attempt_at <= \(PostgresTimestamp(now))
                ORDER BY o.next_attempt_at, o.id LIMIT \(Int64(max(0, limit)))
                """,
                logger
            )
            return try rows.map(Self.notification)
        }
    }

    /// Stores attempts' outcomes in one transaction; the ids of those not pending are returned.
    public func recordAttempts(_ notifications: [OutboxNotification]) async throws -> [UUID] {
        guard !notifications.isEmpty else { return [] }
        return try await run("recording delivery attempts") {
            var tenantIDs = [TenantID: Int32?]()
            for tenant in Set(notifications.map(\.tenant)) { tenantIDs[tenant] = try await existingTenantID(tenant) }
            let known = tenantIDs
            let logger = self.logger
            return try await client.transaction(logger) { connection in
                var refused = [UUID]()
                for notification in notifications {
                    guard let tenantID = known[notification.tenant] ?? nil else {
                        refused.append(notification.id)
                        continue
                    }
                    let rows = try await connection.rows(
                        """
                        UPDATE alert_outbox SET status = \(notification.status.rawValue), attempts = \(Int32(notification.attempts)),
                               next_attempt_at = \(PostgresTimestamp(notification.nextAttemptAt)), last_error = \(notification.lastError),
                               delivered_at = \(notification.deliveredAt.map(PostgresTimestamp.init))
                        WHERE id = \(notification.id) AND tenant_id = \(tenantID) AND status = 'pending'
                        RETURNING id
                        """,
                        logger
                    )
                    if rows.isEmpty { refused.append(notification.id) }
                }
                return refused
            }
        }
    }

    /// A tenant's notifications in one status, newest first.
    public func notifications(of tenant: TenantID, status: OutboxStatus, limit: Int) async throws -> [OutboxNotification] {
        try await run("listing notifications") {
            guard let tenantID = try await existingTenantID(tenant) else { return [] }
            let rows = try await client.rows(
                """
                SELECT o.id, t.name, o.receiver, o.state_key, o.payload, o.status, o.attempts, o.created_at, o.next_attempt_at, o.last_error, o.delivered_at
                FROM alert_outbox o JOIN tenants t ON t.id = o.tenant_id
                WHERE o.tenant_id = \(tenantID) AND o.status = \(status.rawValue)
                ORDER BY o.created_at DESC, o.id DESC LIMIT \(Int64(max(0, limit)))
                """,
                logger
            )
            return try rows.map(Self.notification)
        }
    }

    private static func notification(_ row: PostgresRow) throws -> OutboxNotification {
        let (id, tenantName, receiver, stateKey, payload, statusName, attempts, created, next, lastError, delivered) = try row.decodeOrCorrupt(
            (UUID, String, String, String, ByteBuffer, String, Int32, PostgresTimestamp, PostgresTimestamp, String?, PostgresTimestamp?).self,
            "outbox notification"
        )
        guard let tenant = TenantID(tenantName), let status = OutboxStatus(rawValue: statusName) else {
            throw StoreError(.corrupt, "an outbox row is not readable; it was changed behind Palisade's back")
        }
        var notification = OutboxNotification(
            id: id,
            tenant: tenant,
            receiver: receiver,
            stateKey: stateKey,
            payload: Array(payload.readableBytesView),
            createdAt: created.value
        )
        notification.status = status
        notification.attempts = Int(attempts)
        notification.nextAttemptAt = next.value
        notification.lastError = lastError
        notification.deliveredAt = delivered?.value
        return notification
    }
}

public import Foundation
import GRDB
public import PalisadeCore

/// The alert outbox (see the `outbox` table).
extension SQLiteStore: OutboxStore {
    private static let columns = """
        o.id, t.name, o.receiver, o.state_key, o.payload, o.status, o.attempts, o.created_at, o.next_attempt_at, o.last_error, o.delivered_at
        """

    /// Writes a notification unless its (tenant, receiver, state key) exists.
    public func enqueueNotification(_ notification: OutboxNotification) async throws -> Bool {
        do {
            return try await pool.write { db in
                let tenantID = try self.tenantID(notification.tenant, db)
                try db.cachedStatement(
                    sql: """
                        INSERT INTO outbox (id, tenant_id, receiver, state_key, payload, status, attempts, created_at, next_attempt_at, last_error, delivered_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (tenant_id, receiver, state_key) DO NOTHING
                        """
                ).execute(arguments: [
                    notification.id.blob, tenantID, notification.receiver, notification.stateKey, Data(notification.payload),
                    notification.status.rawValue, notification.attempts, notification.createdAt.microseconds,
                    notification.nextAttemptAt.microseconds, notification.lastError, notification.deliveredAt?.microseconds,
                ]
                )
                return db.changesCount == 1
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw StoreError(.conflict, "notification \(notification.id.lowercasedString) exists", underlying: error)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "writing the notification failed", underlying: error)
        }
    }

    /// Pending notifications due at `now`, soonest first.
    public func dueNotifications(at now: Timestamp, limit: Int) async throws -> [OutboxNotification] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT \(Self.columns) FROM outbox o JOIN tenants t ON t.id = o.tenant_id
                        WHERE o.status = 'pending' AND o.next_attempt_at <= ? ORDER BY o.next_attempt_at, o.id LIMIT ?
                        """
                ),
                arguments: [now.microseconds, max(0, limit)]
            ).map(Self.notification)
        }
    }

    /// Stores attempts' outcomes in one transaction; the ids of those not pending are returned.
    public func recordAttempts(_ notifications: [OutboxNotification]) async throws -> [UUID] {
        guard !notifications.isEmpty else { return [] }
        do {
            return try await pool.write { db in
                var refused = [UUID]()
                for notification in notifications {
                    guard let tenantID = try self.existingTenantID(notification.tenant, db) else {
                        refused.append(notification.id)
                        continue
                    }
                    try db.cachedStatement(
                        sql: """
                            UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ?
                            WHERE id = ? AND tenant_id = ? AND status = 'pending'
                            """
                    ).execute(arguments: [
                        notification.status.rawValue, notification.attempts, notification.nextAttemptAt.microseconds, notification.lastError,
                        notification.deliveredAt?.microseconds, notification.id.blob, tenantID,
                    ]
                    )
                    if db.changesCount != 1 { refused.append(notification.id) }
                }
                return refused
            }
        } catch {
            throw StoreError(.unavailable, "recording delivery attempts failed", underlying: error)
        }
    }

    /// A tenant's notifications in one status, newest first.
    public func notifications(of tenant: TenantID, status: OutboxStatus, limit: Int) async throws -> [OutboxNotification] {
        try await read { db in
            guard let tenantID = try self.existingTenantID(tenant, db) else { return [] }
            return try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT \(Self.columns) FROM outbox o JOIN tenants t ON t.id = o.tenant_id
                        WHERE o.tenant_id = ? AND o.status = ? ORDER BY o.created_at DESC, o.id DESC LIMIT ?
                        """
                ),
                arguments: [tenantID, status.rawValue, max(0, limit)]
            ).map(Self.notification)
        }
    }

    private static func notification(_ row: Row) throws -> OutboxNotification {
        let idBytes: Data = row[0]
        let tenantName: String = row[1]
        let statusName: String = row[5]
        guard let id = UUID(blob: idBytes), let tenant = TenantID(tenantName), let status = OutboxStatus(rawValue: statusName) else {
            throw StoreError(.corrupt, "an outbox row is not readable; it was changed behind Palisade's back")
        }
        let payload: Data = row[4]
        var notification = OutboxNotification(
            id: id,
            tenant: tenant,
            receiver: row[2],
            stateKey: row[3],
            payload: Array(payload),
            createdAt: Timestamp(microseconds: row[7])
        )
        notification.status = status
        notification.attempts = row[6]
        notification.nextAttemptAt = Timestamp(microseconds: row[8])
        notification.lastError = row[9]
        notification.deliveredAt = (row[10] as Int64?).map(Timestamp.init(microseconds:))
        return notification
    }
}

import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in one transaction on a leased connection: BEGIN, the body, COMMIT.
    ///
    /// Unlike PostgresNIO's `withTransaction`, a failure caused by a lost connection is passed on
    /// at once without a ROLLBACK (the server has already ended the transaction; a statement sent
    /// on a closed connection can wait forever), and every statement's result is read to its end
    /// so that no error stays unread.
    func transaction<T: Sendable>(_ logger: Logger, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await connection.execute("BEGIN", logger)
            let value: T
            do {
                value = try await body(connection)
            } catch {
                guard !PostgresStore.isConnectionLoss(error) else { throw error }
                do {
                    try await connection.execute("ROLLBACK", logger)
                } catch let rollback {
                    // The body's error is the one to report; the server ends the transaction when
                    // the connection closes, and the pool discards a broken connection.
                    logger.error("palisade.postgres.rollback.failed", metadata: ["error": "\(String(reflecting: rollback))"])
                }
                throw error
            }
            // A failed COMMIT leaves nothing to roll back: the server has ended the transaction.
            try await connection.execute("COMMIT", logger)
            return value
        }
    }
}

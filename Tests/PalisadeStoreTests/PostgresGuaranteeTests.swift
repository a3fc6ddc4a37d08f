import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeIngest
import PalisadeLedger
import PalisadePostgres
import PalisadeTesting
import PostgresNIO
import Testing

/// What the PostgreSQL store promises beyond the conformance suite: the ledger tables are
/// append-only for every role, the schema is versioned, partitions exist ahead of the data, and a
/// lost connection neither loses nor duplicates a batch.
struct PostgresGuaranteeTests {
    static let signer = try! NoteSigner(name: "postgres.test", privateKey: Curve25519.Signing.PrivateKey())

    static func sequencer(_ store: PostgresStore, clock: ManualWallClock = ManualWallClock()) -> LogSequencer {
        LogSequencer(
            backend: store,
            signer: signer,
            clock: clock,
            configuration: .init(origin: "postgres.test", historyIntervalSeconds: 0),
            logger: Logger(label: "test")
        )
    }

    /// Appends `count` events to the default tenant's log.
    static func populate(_ store: PostgresStore, _ count: Int = 10) async throws {
        let factory = EventFactory()
        _ = try await sequencer(store).append((0..<count).map { _ in PreparedEvent(factory.event()) })
    }

    /// The SQLSTATE and message of a statement that must fail, or a test failure if it succeeded.
    static func refusal(_ database: PostgresTestDatabase, as role: PostgresTestDatabase.Role, _ statements: String...) async -> (String, String)? {
        do {
            for statement in statements { try await database.execute(statement, as: role) }
        } catch let error as PSQLError {
            return (error.serverInfo?[.sqlState] ?? "?", error.serverInfo?[.message] ?? "?")
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
        return nil
    }

    @Test func theApplicationRoleCannotChangeOrRemoveLedgerRows() async throws {
        try await PostgresTestDatabase.withApplicationStore { database, store in
            try await Self.populate(store)
            for statement in [
                "UPDATE audit_events SET actor = 'mallory' WHERE log_index = 1",
                "DELETE FROM audit_events WHERE log_index = 1",
                "TRUNCATE audit_events",
                "UPDATE ledger_entries SET leaf_hash = leaf_hash WHERE log_index = 1",
                "DELETE FROM ledger_entries",
                "DELETE FROM checkpoints",
                "CREATE TABLE audit_events_9999_01 PARTITION OF audit_events FOR VALUES FROM ('9999-01-01') TO ('9999-02-01')",
            ] {
                let refusal = await Self.refusal(database, as: .application, statement)
                #expect(refusal?.0 == "42501", "\(statement) must be refused for lack of privilege, got \(String(describing: refusal))")
            }
            #expect(try await store.recordCount(of: .default) == 10)
        }
    }

    @Test func theOwnerIsStoppedByTriggers() async throws {
        try await PostgresTestDatabase.withApplicationStore { database, store in
            try await Self.populate(store)
            let partition = try await database.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1 LIMIT 1",
                as: .owner
            )
            let partitionName = try #require(try partition.first?.decode(String.self))
            for statement in [
                "UPDATE audit_events SET actor = 'mallory' WHERE log_index = 1",
                "DELETE FROM audit_events WHERE log_index = 1",
                "TRUNCATE audit_events",
                "TRUNCATE \(partitionName)",
                "UPDATE ledger_entries SET leaf_hash = leaf_hash WHERE log_index = 1",
                "DELETE FROM ledger_entries WHERE log_index = 9",
                "UPDATE checkpoints SET note = note",
                "TRUNCATE checkpoints CASCADE",
                "UPDATE tiles SET hashes = substring(hashes FROM 33) WHERE level = 0",
                "UPDATE tiles SET hashes = decode(repeat('00', octet_length(hashes) + 32), 'hex') WHERE level = 0",
                "DELETE FROM tiles",
                "UPDATE log_heads SET size = size - 1",
                "DELETE FROM log_heads",
            ] {
                let refusal = await Self.refusal(database, as: .owner, statement)
                #expect(refusal?.0 == "42501", "\(statement) must be refused, got \(String(describing: refusal))")
                #expect(refusal?.1.contains("palisade:") == true, "\(statement) must be refused by Palisade's trigger")
            }
            #expect(try await store.recordCount(of: .default) == 10)
            #expect(try await store.logHead(of: .default)?.size == 10)
            let report = try await LogVerifier(backend: store, events: store, verifier: Self.signer.verifier).verify(tenant: .default)
            #expect(report.failure == nil)
        }
    }

    @Test func onlyAFiledErasureLetsAnEventRowGoOrChange() async throws {
        try await PostgresTestDatabase.withApplicationStore { database, store in
            try await Self.populate(store)
            let tenant = "(SELECT id FROM tenants WHERE name = 'default')"
            // Without an erasure the owner can neither delete nor rewrite a row.
            #expect(await Self.refusal(database, as: .owner, "DELETE FROM audit_events WHERE log_index = 2")?.0 == "42501")
            // An erasure naming another id does not let the row go.
            try await database.execute(
                "INSERT INTO erasures (tenant_id, log_index, event_id, kind, record) VALUES (\(tenant), 2, gen_random_uuid(), 'pruned', 9)",
                as: .owner
            )
            #expect(await Self.refusal(database, as: .owner, "DELETE FROM audit_events WHERE log_index = 2")?.0 == "42501")
            // One naming the row's own id does; the ledger entry (leaf hash) still cannot go.
            try await database.execute(
                """
                INSERT INTO erasures (tenant_id, log_index, event_id, kind, record)
                SELECT tenant_id, log_index, id, 'pruned', 9 FROM audit_events WHERE log_index = 3
                """,
                as: .owner
            )
            try await database.execute("DELETE FROM audit_events WHERE log_index = 3", as: .owner)
            #expect(try await store.recordCount(of: .default) == 9)
            #expect(await Self.refusal(database, as: .owner, "DELETE FROM ledger_entries WHERE log_index = 3")?.0 == "42501")
            // A redaction lets the row change only into exactly its redacted entry.
            try await database.execute(
                """
                INSERT INTO erasures (tenant_id, log_index, event_id, kind, record, redacted_entry)
                SELECT tenant_id, log_index, id, 'redacted', 9, '\\x7b7d'::bytea FROM audit_events WHERE log_index = 4
                """,
                as: .owner
            )
            #expect(await Self.refusal(database, as: .owner, "UPDATE audit_events SET entry = '\\x00'::bytea WHERE log_index = 4")?.0 == "42501")
            #expect(
                await Self.refusal(database, as: .owner, "UPDATE audit_events SET log_index = 40, entry = '\\x7b7d'::bytea WHERE log_index = 4")?.0
                    == "42501"
            )
            try await database.execute("UPDATE audit_events SET entry = '\\x7b7d'::bytea WHERE log_index = 4", as: .owner)
            // Erasures are append-only too, and the application role cannot delete rows itself.
            #expect(await Self.refusal(database, as: .owner, "DELETE FROM erasures")?.0 == "42501")
            #expect(await Self.refusal(database, as: .owner, "UPDATE erasures SET record = 1")?.0 == "42501")
            #expect(await Self.refusal(database, as: .owner, "TRUNCATE erasures")?.0 == "42501")
            #expect(await Self.refusal(database, as: .application, "DELETE FROM audit_events WHERE log_index = 5")?.0 == "42501")
            // The forged erasures (no signed record at index 9 accounts for them) are tampering.
            let report = try await LogVerifier(backend: store, events: store, verifier: Self.signer.verifier).verify(tenant: .default)
            #expect(report.failure?.index == 2)
        }
    }

    /// A connect timeout for a machine running the whole suite at once (the production default is 10 s).
    static var patient: PostgresStore.Configuration {
        var configuration = PostgresStore.Configuration(maximumConnections: 2)
        configuration.connectTimeout = .seconds(60)
        return configuration
    }

    @Test func migrationsAreRecordedAndANewerSchemaIsRefused() async throws {
        try await PostgresTestDatabase.with { database in
            // The application role may not create the schema, and says what to do.
            await #expect {
                try await PostgresStore.connect(to: database.url(as: .application), configuration: Self.patient, logger: Logger(label: "test"))
            } throws: { error in
                (error as? StoreError)?.code == .unavailable && "\(error)".contains("connect once as a role that may create schemas")
            }
            let store = try await database.applicationStore()
            await store.close()
            // Opening again applies nothing and keeps one row per migration.
            let again = try await database.applicationStore()
            await again.close()
            let versions = try await database.execute("SELECT version FROM schema_migrations ORDER BY version", as: .owner)
                .map { try $0.decode(Int32.self) }
            #expect(versions == [1, 2, 3, 4, 5, 6, 7])
            try await database.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')", as: .owner)
            await #expect(throws: StoreError(.schemaTooNew, "")) {
                try await PostgresStore.connect(to: database.url(as: .application), configuration: Self.patient, logger: Logger(label: "test"))
            }
        }
    }

    @Test func partitionsAreCreatedAheadAndOnDemand() async throws {
        try await PostgresTestDatabase.withApplicationStore { database, store in
            func partitions() async throws -> [String] {
                try await database.execute(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1",
                    as: .owner
                ).map { try $0.decode(String.self) }
            }
            let calendar = Calendar(identifier: .gregorian)
            var utc = calendar
            utc.timeZone = TimeZone(identifier: "UTC")!
            let now = utc.dateComponents([.year, .month], from: Date())
            let current = String(format: "audit_events_%04d_%02d", now.year!, now.month!)
            let ahead = now.month! + 3 > 12 ? (now.year! + 1, now.month! + 3 - 12) : (now.year!, now.month! + 3)
            let threeAhead = String(format: "audit_events_%04d_%02d", ahead.0, ahead.1)
            let before = try await partitions()
            #expect(before.contains(current) && before.contains(threeAhead), "\(before)")
            // Events of a far month get their partition (and the months after it) on demand.
            let clock = ManualWallClock(start: Timestamp(rfc3339: "2031-05-17T08:00:00Z")!)
            let factory = EventFactory(clock: clock)
            _ = try await Self.sequencer(store, clock: clock).append([PreparedEvent(factory.event())])
            let after = try await partitions()
            #expect(after.contains("audit_events_2031_05") && after.contains("audit_events_2031_08"), "\(after)")
            let placed = try await database.execute("SELECT count(*) FROM audit_events_2031_05", as: .owner)
            #expect(try placed.first?.decode(Int64.self) == 1)
        }
    }

    @Test func aLostConnectionIsRetriedWithoutLosingOrDuplicatingTheBatch() async throws {
        try await PostgresTestDatabase.withApplicationStore { database, store in
            try await Self.populate(store, 3)
            let factory = EventFactory()
            let events = (0..<5).map { _ in PreparedEvent(factory.event()) }
            // Hold the tenant's log lock from another session, so that the commit waits inside its
            // transaction; then kill the store's connection while it waits, and let go.
            var configuration = PostgresConnection.Configuration(
                host: database.url(as: .superuser).host,
                port: database.url(as: .superuser).port,
                username: "postgres",
                password: database.url(as: .superuser).password,
                database: database.name,
                tls: .disable
            )
            configuration.options.additionalStartupParameters = [("search_path", "palisade")]
            let holder = try await PostgresConnection.connect(configuration: configuration, id: 7, logger: Logger(label: "test"))
            try await holder.query(
                "SELECT pg_advisory_lock(\(Int32(0x7061_6c69)), (SELECT id FROM tenants WHERE name = 'default'))",
                logger: Logger(label: "test")
            )
            let sequencer = Self.sequencer(store)
            let append = Task { try await sequencer.append(events) }
            // Wait until the commit is blocked on the lock, then terminate its backend.
            var terminated = false
            for _ in 0..<200 where !terminated {
                let rows = try await holder.query(
                    """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE application_name = 'palisade' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
                    """,
                    logger: Logger(label: "test")
                ).collect()
                terminated = !rows.isEmpty
                if !terminated { try await Task.sleep(for: .milliseconds(25)) }
            }
            #expect(terminated, "the commit never waited on the log lock")
            try await holder.query("SELECT pg_advisory_unlock_all()", logger: Logger(label: "test"))
            try await holder.close()
            let outcomes = try await append.value
            #expect(outcomes == (3..<8).map { .appended(index: UInt64($0)) })
            #expect(try await store.recordCount(of: .default) == 8)
            #expect(try await store.logHead(of: .default)?.size == 8)
            let report = try await LogVerifier(backend: store, events: store, verifier: Self.signer.verifier).verify(tenant: .default)
            #expect(report.failure == nil)
        }
    }
}

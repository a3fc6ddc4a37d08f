import GRDB

/// The SQLite schema, as versioned migrations of commented SQL.
///
/// Migrations only ever get added. A database that has a migration this binary does not know was
/// written by a newer Palisade, and ``SQLiteStore`` refuses to open it.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001_ledger") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("0002_access") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("0003_erasures") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("0004_incidents") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("0005_consumer_cursors") { db in
            try db.execute(sql: v5)
        }
        migrator.registerMigration("0006_outbox") { db in
            try db.execute(sql: v6)
        }
        migrator.registerMigration("0007_vault") { db in
            try db.execute(sql: v7)
        }
        return migrator
    }

    static let v1 = """
        -- Tenants get a small integer id so that every index stays narrow.
        CREATE TABLE tenants (
            id   INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );

        -- One row per tenant: the size of its Merkle log and the signed note of its latest checkpoint.
        CREATE TABLE log_heads (
            tenant_id  INTEGER PRIMARY KEY REFERENCES tenants(id),
            size       INTEGER NOT NULL,
            checkpoint TEXT NOT NULL
        );

        -- The events. `entry` holds the canonical RFC 8785 bytes the leaf hash is taken over; the
        -- other columns are copies for filtering (palisade verify checks that they match the entry).
        -- `seq` follows append order, so within a tenant it orders rows as log_index does; queries
        -- order by (ts, seq) to walk an index and break ties by log_index.
        CREATE TABLE events (
            seq        INTEGER PRIMARY KEY,
            tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
            log_index  INTEGER NOT NULL,
            event_id   BLOB NOT NULL,          -- 16-byte UUID
            ts         INTEGER NOT NULL,       -- event time, microseconds since the epoch
            event_type TEXT NOT NULL,
            severity   INTEGER NOT NULL,       -- 0 info, 1 low, 2 medium, 3 high, 4 critical
            actor      TEXT,
            action     TEXT NOT NULL,
            resource   TEXT,
            success    INTEGER NOT NULL,
            source_ip  TEXT,
            session_id TEXT,
            request_id TEXT,
            entry      BLOB NOT NULL
        );
        -- Indexes maintained on every append: all grow at their right edge (log order, time order,
        -- time-ordered v7 ids) or at a handful of points (event types), so a commit dirties few pages.
        CREATE UNIQUE INDEX events_position ON events(tenant_id, log_index);
        CREATE UNIQUE INDEX events_id ON events(tenant_id, event_id);
        CREATE INDEX events_time ON events(tenant_id, ts);
        CREATE INDEX events_type ON events(tenant_id, event_type, ts);

        -- Facets: the composite (tenant, field, value, time) index of the high-cardinality filters
        -- (actor, resource, source IP, session, request), so a filtered page walks one index range in
        -- time order instead of scanning by time and filtering (10-40x slower at 1M rows).
        -- Kept as separate rows built in sorted batches (see facet_progress) rather than as indexes
        -- on `events`: an index on a field with thousands of values is updated at thousands of
        -- places per commit, and rewriting those pages on every commit capped appends at ~15,000/s.
        -- facet: 1 actor, 2 resource, 3 source_ip, 4 session_id, 5 request_id.
        CREATE TABLE event_facets (
            tenant_id INTEGER NOT NULL,
            facet     INTEGER NOT NULL,
            value     TEXT NOT NULL,
            ts        INTEGER NOT NULL,
            log_index INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, facet, value, ts, log_index)
        ) WITHOUT ROWID;

        -- Events with log_index < indexed_to have their facet rows; newer ones (the tail, at most one
        -- facet batch) are found by scanning them. Both change in the same transaction.
        CREATE TABLE facet_progress (
            tenant_id  INTEGER PRIMARY KEY REFERENCES tenants(id),
            indexed_to INTEGER NOT NULL
        );

        -- Events are append-only. These triggers stop Palisade's own code (and careless tools);
        -- someone editing the file can drop them, which `palisade verify` then detects.
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

        -- C2SP tiles: up to 256 hashes (32 bytes each) of one level. Full tiles never change; the
        -- rightmost tile of each level is overwritten as it grows.
        CREATE TABLE tiles (
            tenant_id INTEGER NOT NULL REFERENCES tenants(id),
            level     INTEGER NOT NULL,
            idx       INTEGER NOT NULL,
            hashes    BLOB NOT NULL,
            PRIMARY KEY (tenant_id, level, idx)
        );

        -- Signed checkpoints kept for history (one per interval), for consistency proofs and audits.
        CREATE TABLE checkpoints (
            tenant_id INTEGER NOT NULL REFERENCES tenants(id),
            size      INTEGER NOT NULL,
            note      TEXT NOT NULL,
            PRIMARY KEY (tenant_id, size)
        );
        """

    static let v2 = """
        -- Registration of tenants. A tenants row also exists, unregistered, for any log the CLI
        -- wrote; registering it (the server does so for the default tenant) sets registered_at.
        ALTER TABLE tenants ADD COLUMN registered_at INTEGER;   -- microseconds; NULL = not registered
        ALTER TABLE tenants ADD COLUMN disabled_at   INTEGER;   -- microseconds; NULL = enabled

        -- API tokens. The secret is never stored: only HMAC-SHA-256 of the whole token under the
        -- server's token key (token.key in the data directory). Rows are kept after revocation.
        CREATE TABLE api_tokens (
            id               TEXT PRIMARY KEY,           -- the public part of pal_<id>_<secret>
            tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
            name             TEXT NOT NULL,
            scopes           TEXT NOT NULL,              -- space-separated: ingest read admin
            secret_hash      BLOB NOT NULL,
            created_at       INTEGER NOT NULL,
            expires_at       INTEGER,
            allowed_networks TEXT NOT NULL,              -- space-separated CIDRs; empty = anywhere
            revoked_at       INTEGER
        );
        CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id, created_at);
        """

    static let v3 = """
        -- Erasures: events pruned by a retention sweep (row deleted) or redacted under an erasure
        -- request (row replaced by `redacted_entry`). The leaf hash stays in the tiles. `record` is the
        -- log index of the palisade.erasure event that made the erasure; its metadata commits to
        -- these rows, and palisade verify checks them against it. Pruned ids stay unique.
        CREATE TABLE erasures (
            tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
            log_index      INTEGER NOT NULL,
            event_id       BLOB NOT NULL,
            kind           INTEGER NOT NULL,       -- 1 pruned, 2 redacted
            record         INTEGER NOT NULL,
            redacted_entry BLOB,                   -- kind 2 only
            PRIMARY KEY (tenant_id, log_index)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX erasures_event ON erasures(tenant_id, event_id);
        CREATE TRIGGER erasures_no_update BEFORE UPDATE ON erasures
            BEGIN SELECT RAISE(ABORT, 'erasure records are append-only'); END;
        CREATE TRIGGER erasures_no_delete BEFORE DELETE ON erasures
            BEGIN SELECT RAISE(ABORT, 'erasure records are append-only'); END;

        -- An event row may now leave or change, but only as an erasure filed first says: deleted
        -- when pruned, replaced by exactly the redacted entry when redacted.
        DROP TRIGGER events_no_update;
        DROP TRIGGER events_no_delete;
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            WHEN NOT EXISTS (
                SELECT 1 FROM erasures e
                WHERE e.tenant_id = OLD.tenant_id AND e.log_index = OLD.log_index AND e.kind = 2
                  AND NEW.tenant_id = OLD.tenant_id AND NEW.log_index = OLD.log_index AND NEW.event_id = OLD.event_id
                  AND NEW.entry = e.redacted_entry)
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            WHEN NOT EXISTS (
                SELECT 1 FROM erasures e WHERE e.tenant_id = OLD.tenant_id AND e.log_index = OLD.log_index AND e.kind = 1)
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        """

    static let v4 = """
        -- Security incidents (the original design's security_incidents): the whole incident as a JSON
        -- document, the columns lists and deduplication filter on, and a version that every update
        -- must name (optimistic concurrency: a stale writer gets a conflict, never a lost update).
        CREATE TABLE incidents (
            tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
            id            BLOB NOT NULL,           -- 16-byte UUID
            dedup_key     TEXT NOT NULL,
            incident_type TEXT NOT NULL,
            threat_level  INTEGER NOT NULL,        -- 1 low … 4 critical
            status        TEXT NOT NULL,
            opened_at     INTEGER NOT NULL,        -- microseconds
            last_seen     INTEGER NOT NULL,
            version       INTEGER NOT NULL,
            document      TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX incidents_dedup ON incidents(tenant_id, dedup_key, opened_at);
        CREATE INDEX incidents_opened ON incidents(tenant_id, opened_at);
        """

    static let v5 = """
        -- Where each ledger consumer (detection, exporters) is in each tenant's log: the next index to
        -- read and the consumer's own state at that point, written together so that a restart resumes
        -- exactly there.
        CREATE TABLE consumer_cursors (
            tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
            consumer   TEXT NOT NULL,
            position   INTEGER NOT NULL,
            state      BLOB NOT NULL,
            updated_at INTEGER NOT NULL,          -- microseconds
            PRIMARY KEY (tenant_id, consumer)
        ) WITHOUT ROWID;
        """

    static let v6 = """
        -- Alert delivery's outbox: every notification is written here before it is sent, and ends
        -- delivered or dead. One per (tenant, receiver, state key): the same news is never sent twice.
        CREATE TABLE outbox (
            id              BLOB PRIMARY KEY,      -- 16-byte UUID
            tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
            receiver        TEXT NOT NULL,
            state_key       TEXT NOT NULL,
            payload         BLOB NOT NULL,
            status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
            attempts        INTEGER NOT NULL,
            created_at      INTEGER NOT NULL,      -- microseconds
            next_attempt_at INTEGER NOT NULL,
            last_error      TEXT,
            delivered_at    INTEGER,
            UNIQUE (tenant_id, receiver, state_key)
        ) WITHOUT ROWID;
        CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
        CREATE INDEX outbox_by_tenant ON outbox(tenant_id, status, created_at);
        """

    static let v7 = """
        -- The vault's header: one row, written once by `palisade vault init` (how the master key is
        -- obtained, and the data-encryption key sealed under it).
        CREATE TABLE vault_header (
            id       INTEGER PRIMARY KEY CHECK (id = 1),
            document BLOB NOT NULL
        );

        -- Vault keys and approval requests: documents the vault encodes (key material inside is
        -- sealed), with a status to filter on and a revision for optimistic concurrency.
        CREATE TABLE vault_keys (
            tenant_id INTEGER NOT NULL REFERENCES tenants(id),
            id        TEXT NOT NULL,           -- the key's name
            status    TEXT NOT NULL,
            document  BLOB NOT NULL,
            revision  INTEGER NOT NULL CHECK (revision >= 1),
            PRIMARY KEY (tenant_id, id)
        ) WITHOUT ROWID;
        CREATE TABLE vault_approvals (
            tenant_id INTEGER NOT NULL REFERENCES tenants(id),
            id        TEXT NOT NULL,           -- the request's id (time-ordered UUIDv7 text)
            status    TEXT NOT NULL,
            document  BLOB NOT NULL,
            revision  INTEGER NOT NULL CHECK (revision >= 1),
            PRIMARY KEY (tenant_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX vault_approvals_by_status ON vault_approvals(tenant_id, status, id);
        """
}

/// The PostgreSQL schema, as versioned migrations of commented SQL statements.
///
/// Everything lives in the schema `palisade` (connections set `search_path` to it). Migrations
/// only ever get added; ``PostgresMigrator`` applies the missing ones in one transaction and
/// refuses a database whose `schema_migrations` holds a version this binary does not know.
///
/// The statements are run one by one (the extended query protocol takes one statement at a time),
/// so each array element is exactly one statement.
enum PostgresSchema {
    /// One migration: a version, a name and its statements.
    struct Migration: Sendable {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// The schema every table lives in.
    static let schemaName = "palisade"

    /// All migrations, oldest first.
    static let migrations: [Migration] = [
        Migration(version: 1, name: "ledger", statements: ledger),
        Migration(version: 2, name: "append_only", statements: appendOnly),
        Migration(version: 3, name: "erasures", statements: erasures),
        Migration(version: 4, name: "incidents", statements: incidents),
        Migration(version: 5, name: "consumer_cursors", statements: consumerCursors),
        Migration(version: 6, name: "alert_outbox", statements: alertOutbox),
        Migration(version: 7, name: "vault", statements: vault),
    ]

    /// The newest version this binary knows.
    static var latestVersion: Int { migrations.last?.version ?? 0 }

    static let ledger = [
        """
        -- Tenants get a small integer id so that every index stays narrow. A row exists for every log;
        -- registered_at is set when an operator registers the tenant (the server does so for its own).
        CREATE TABLE tenants (
            id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name          text NOT NULL UNIQUE,
            registered_at timestamptz,
            disabled_at   timestamptz
        )
        """,
        """
        -- One row per tenant: the size of its Merkle log and the signed note of its latest checkpoint.
        CREATE TABLE log_heads (
            tenant_id  integer PRIMARY KEY REFERENCES tenants (id),
            size       bigint NOT NULL CHECK (size >= 0),
            checkpoint text NOT NULL
        )
        """,
        """
        -- The log itself: one narrow row per leaf, never pruned. It enforces what the partitioned
        -- audit_events cannot (a unique index there must include the partition key): one event per
        -- position and one position per event id. Retention prunes audit_events rows; these rows and
        -- their leaf hashes stay, so every proof and checkpoint still verifies.
        CREATE TABLE ledger_entries (
            tenant_id integer NOT NULL REFERENCES tenants (id),
            log_index bigint NOT NULL CHECK (log_index >= 0),
            event_id  uuid NOT NULL,
            timestamp timestamptz NOT NULL,
            leaf_hash bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
            PRIMARY KEY (tenant_id, log_index),
            UNIQUE (tenant_id, event_id)
        )
        """,
        """
        -- The events: the original design's audit_events columns, plus tenant, log index, leaf hash and
        -- the canonical RFC 8785 entry the leaf hash is taken over. The other columns are copies for
        -- filtering (palisade verify checks that they match the entry). Monthly range partitions on
        -- timestamp, created ahead of time by ensure_audit_partition().
        CREATE TABLE audit_events (
            tenant_id     integer NOT NULL,
            log_index     bigint NOT NULL,
            id            uuid NOT NULL,
            timestamp     timestamptz NOT NULL,
            event_type    text NOT NULL,
            severity      smallint NOT NULL CHECK (severity BETWEEN 0 AND 4),  -- info, low, medium, high, critical
            actor         text,
            action        text NOT NULL,
            resource      text,
            success       boolean NOT NULL,
            error_message text,
            source_ip     inet,
            user_agent    text,
            session_id    text,
            request_id    text,
            metadata      jsonb NOT NULL,
            created_at    timestamptz NOT NULL DEFAULT now(),
            leaf_hash     bytea NOT NULL,
            entry         bytea NOT NULL
        ) PARTITION BY RANGE (timestamp)
        """,
        // The original design's indexes, each led by the tenant and ending in (timestamp, log_index)
        // so that a filtered page walks one index range in the order it is returned.
        "CREATE INDEX audit_events_position ON audit_events (tenant_id, log_index)",
        "CREATE INDEX audit_events_time ON audit_events (tenant_id, timestamp, log_index)",
        "CREATE INDEX audit_events_type ON audit_events (tenant_id, event_type, timestamp, log_index)",
        "CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor, timestamp, log_index) WHERE actor IS NOT NULL",
        "CREATE INDEX audit_events_resource ON audit_events (tenant_id, resource, timestamp, log_index) WHERE resource IS NOT NULL",
        "CREATE INDEX audit_events_source_ip ON audit_events (tenant_id, source_ip, timestamp, log_index) WHERE source_ip IS NOT NULL",
        "CREATE INDEX audit_events_session ON audit_events (tenant_id, session_id, timestamp, log_index) WHERE session_id IS NOT NULL",
        "CREATE INDEX audit_events_request ON audit_events (tenant_id, request_id, timestamp, log_index) WHERE request_id IS NOT NULL",
        """
        -- C2SP tiles: up to 256 hashes (32 bytes each) of one level. Full tiles never change; the
        -- rightmost tile of each level grows (a trigger allows nothing else).
        CREATE TABLE tiles (
            tenant_id integer NOT NULL REFERENCES tenants (id),
            level     smallint NOT NULL CHECK (level >= 0),
            idx       bigint NOT NULL CHECK (idx >= 0),
            hashes    bytea NOT NULL CHECK (octet_length(hashes) BETWEEN 32 AND 8192 AND octet_length(hashes) % 32 = 0),
            PRIMARY KEY (tenant_id, level, idx)
        )
        """,
        """
        -- Signed checkpoints kept for history (one per interval), for consistency proofs and audits.
        CREATE TABLE checkpoints (
            tenant_id   integer NOT NULL REFERENCES tenants (id),
            size        bigint NOT NULL,
            note        text NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, size)
        )
        """,
        """
        -- API tokens. The secret is never stored: only HMAC-SHA-256 of the whole token under the
        -- server's token key. Rows are kept after revocation.
        CREATE TABLE api_tokens (
            id               text PRIMARY KEY,           -- the public part of pal_<id>_<secret>
            tenant_id        integer NOT NULL REFERENCES tenants (id),
            name             text NOT NULL,
            scopes           text NOT NULL,              -- space-separated: ingest read admin
            secret_hash      bytea NOT NULL,
            created_at       timestamptz NOT NULL,
            expires_at       timestamptz,
            allowed_networks text NOT NULL,              -- space-separated CIDRs; empty = anywhere
            revoked_at       timestamptz
        )
        """,
        "CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id, created_at)",
    ]

    static let appendOnly = [
        """
        -- Approved purges (retention and erasure). A session that deletes audit_events rows names one
        -- with SET LOCAL palisade.purge_authorization = '<id>'; nothing else may delete them.
        CREATE TABLE purge_authorizations (
            id           uuid PRIMARY KEY,
            tenant_id    integer NOT NULL REFERENCES tenants (id),
            reason       text NOT NULL,
            approved_by  text NOT NULL,
            created_at   timestamptz NOT NULL DEFAULT now(),
            completed_at timestamptz
        )
        """,
        """
        -- Refuses UPDATE and DELETE on the ledger tables, for every role including their owner,
        -- except a DELETE of audit_events rows under an open purge authorization of their tenant.
        CREATE FUNCTION refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            authorization_id text := current_setting('palisade.purge_authorization', true);
        BEGIN
            IF TG_OP = 'DELETE' AND TG_TABLE_NAME LIKE 'audit_events%' AND coalesce(authorization_id, '') <> '' AND EXISTS (
                SELECT 1 FROM palisade.purge_authorizations p
                WHERE p.id = authorization_id::uuid AND p.tenant_id = OLD.tenant_id AND p.completed_at IS NULL
            ) THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION 'palisade: % on % is refused: the audit ledger is append-only', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'events leave the ledger only through palisade retention or redaction, under an approval';
        END
        $$
        """,
        """
        CREATE FUNCTION refuse_ledger_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'palisade: TRUNCATE of % is refused: the audit ledger is append-only', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """,
        """
        CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()
        """,
        """
        CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
            FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()
        """,
        """
        CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
            FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()
        """,
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events EXECUTE FUNCTION refuse_ledger_truncate()",
        "CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries EXECUTE FUNCTION refuse_ledger_truncate()",
        "CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints EXECUTE FUNCTION refuse_ledger_truncate()",
        "CREATE TRIGGER tiles_no_truncate BEFORE TRUNCATE ON tiles EXECUTE FUNCTION refuse_ledger_truncate()",
        "CREATE TRIGGER log_heads_no_truncate BEFORE TRUNCATE ON log_heads EXECUTE FUNCTION refuse_ledger_truncate()",
        """
        -- Tiles only grow: an update must keep the stored hashes as a prefix and add to them.
        CREATE FUNCTION tiles_only_grow() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.tenant_id = OLD.tenant_id AND NEW.level = OLD.level AND NEW.idx = OLD.idx
               AND octet_length(NEW.hashes) > octet_length(OLD.hashes)
               AND substring(NEW.hashes FROM 1 FOR octet_length(OLD.hashes)) = OLD.hashes THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'palisade: % on tiles is refused: a tile only grows by appending hashes', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """,
        "CREATE TRIGGER tiles_only_grow BEFORE UPDATE OR DELETE ON tiles FOR EACH ROW EXECUTE FUNCTION tiles_only_grow()",
        """
        -- A log head only moves forward.
        CREATE FUNCTION log_heads_only_advance() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.tenant_id = OLD.tenant_id AND NEW.size >= OLD.size THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'palisade: % on log_heads is refused: a log never shrinks', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """,
        """
        CREATE TRIGGER log_heads_only_advance BEFORE UPDATE OR DELETE ON log_heads
            FOR EACH ROW EXECUTE FUNCTION log_heads_only_advance()
        """,
        """
        -- Creates the monthly partition of audit_events holding `day` (UTC months), with its TRUNCATE
        -- guard. SECURITY DEFINER so that the application role, which may not create tables, can have
        -- partitions made ahead of time and on demand; it creates nothing else.
        CREATE FUNCTION ensure_audit_partition(day date) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = palisade, pg_temp AS $$
        DECLARE
            first_day date := date_trunc('month', day)::date;
            partition_name text := format('audit_events_%s', to_char(first_day, 'YYYY_MM'));
            lower_bound timestamptz := first_day::timestamp AT TIME ZONE 'UTC';
            upper_bound timestamptz := (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC';
        BEGIN
            IF to_regclass(partition_name) IS NOT NULL THEN
                RETURN;
            END IF;
            PERFORM pg_advisory_xact_lock(8097872805151990886);
            IF to_regclass(partition_name) IS NOT NULL THEN
                RETURN;
            END IF;
            EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
                           partition_name, lower_bound, upper_bound);
            EXECUTE format('CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON %I EXECUTE FUNCTION refuse_ledger_truncate()',
                           partition_name);
        END
        $$
        """,
        "REVOKE ALL ON FUNCTION ensure_audit_partition(date) FROM PUBLIC",
    ]

    static let erasures = [
        """
        -- Erasures: events pruned by a retention sweep (row deleted) or redacted under an erasure
        -- request (row replaced by redacted_entry). ledger_entries keeps the id, position and leaf hash.
        -- `record` is the log index of the palisade.erasure event that made the erasure; its metadata
        -- commits to these rows, and palisade verify checks them against it.
        CREATE TABLE erasures (
            tenant_id      integer NOT NULL REFERENCES tenants (id),
            log_index      bigint NOT NULL,
            event_id       uuid NOT NULL,
            kind           text NOT NULL CHECK (kind IN ('pruned', 'redacted')),
            record         bigint NOT NULL,
            redacted_entry bytea CHECK ((kind = 'redacted') = (redacted_entry IS NOT NULL)),
            created_at     timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, log_index),
            UNIQUE (tenant_id, event_id)
        )
        """,
        "CREATE INDEX erasures_record ON erasures (tenant_id, record)",
        """
        CREATE TRIGGER erasures_append_only BEFORE UPDATE OR DELETE ON erasures
            FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()
        """,
        "CREATE TRIGGER erasures_no_truncate BEFORE TRUNCATE ON erasures EXECUTE FUNCTION refuse_ledger_truncate()",
        // The purge authorizations of version 2 are replaced by the erasure rows themselves.
        "DROP TABLE purge_authorizations",
        """
        -- Refuses UPDATE and DELETE on the ledger tables, for every role including their owner, except
        -- what a filed erasure says: deleting a pruned event's row, or replacing a redacted event's row
        -- by exactly its redacted entry (same tenant, position, id and time).
        CREATE OR REPLACE FUNCTION refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME LIKE 'audit_events%' THEN
                IF TG_OP = 'DELETE' AND EXISTS (
                    SELECT 1 FROM palisade.erasures e
                    WHERE e.tenant_id = OLD.tenant_id AND e.log_index = OLD.log_index AND e.event_id = OLD.id AND e.kind = 'pruned'
                ) THEN
                    RETURN OLD;
                END IF;
                IF TG_OP = 'UPDATE' AND NEW.tenant_id = OLD.tenant_id AND NEW.log_index = OLD.log_index AND NEW.id = OLD.id
                   AND NEW.timestamp = OLD.timestamp AND NEW.leaf_hash = OLD.leaf_hash AND EXISTS (
                    SELECT 1 FROM palisade.erasures e
                    WHERE e.tenant_id = OLD.tenant_id AND e.log_index = OLD.log_index AND e.event_id = OLD.id AND e.kind = 'redacted'
                      AND e.redacted_entry = NEW.entry
                ) THEN
                    RETURN NEW;
                END IF;
            END IF;
            RAISE EXCEPTION 'palisade: % on % is refused: the audit ledger is append-only', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'events leave the ledger only through palisade retention or redaction, under an approval';
        END
        $$
        """,
        """
        -- Applies the erasures filed under one record: deletes the pruned rows and rewrites the redacted
        -- ones, their columns read from the redacted entry itself. SECURITY DEFINER because the
        -- application role has no UPDATE or DELETE on audit_events; it can only erase what it filed,
        -- and every filing is checked by palisade verify against its signed record.
        CREATE FUNCTION apply_erasures(p_tenant integer, p_record bigint) RETURNS bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = palisade, pg_temp AS $$
        DECLARE
            wanted bigint;
            pruned bigint;
            redacted bigint;
        BEGIN
            SELECT count(*) INTO wanted FROM erasures WHERE tenant_id = p_tenant AND record = p_record;
            DELETE FROM audit_events a USING erasures e, ledger_entries l
            WHERE e.tenant_id = p_tenant AND e.record = p_record AND e.kind = 'pruned'
              AND l.tenant_id = e.tenant_id AND l.log_index = e.log_index AND l.event_id = e.event_id
              AND a.tenant_id = l.tenant_id AND a.timestamp = l.timestamp AND a.log_index = l.log_index AND a.id = e.event_id;
            GET DIAGNOSTICS pruned = ROW_COUNT;
            UPDATE audit_events a SET
                actor = d.doc ->> 'actor',
                resource = d.doc ->> 'resource',
                error_message = d.doc ->> 'error_message',
                source_ip = (d.doc ->> 'source_ip')::inet,
                user_agent = d.doc ->> 'user_agent',
                session_id = d.doc ->> 'session_id',
                request_id = d.doc ->> 'request_id',
                metadata = coalesce(d.doc -> 'metadata', '{}'::jsonb),
                entry = d.redacted_entry
            FROM (SELECT e.log_index, e.event_id, e.redacted_entry, l.timestamp, convert_from(e.redacted_entry, 'UTF8')::jsonb AS doc
                  FROM erasures e JOIN ledger_entries l ON l.tenant_id = e.tenant_id AND l.log_index = e.log_index
                  WHERE e.tenant_id = p_tenant AND e.record = p_record AND e.kind = 'redacted') d
            WHERE a.tenant_id = p_tenant AND a.timestamp = d.timestamp AND a.log_index = d.log_index AND a.id = d.event_id;
            GET DIAGNOSTICS redacted = ROW_COUNT;
            IF pruned + redacted <> wanted THEN
                RAISE EXCEPTION 'palisade: % of the % events erased under record % are not stored with the ids named',
                    wanted - pruned - redacted, wanted, p_record
                    USING ERRCODE = 'no_data_found';
            END IF;
            RETURN wanted;
        END
        $$
        """,
        "REVOKE ALL ON FUNCTION apply_erasures(integer, bigint) FROM PUBLIC",
    ]

    static let incidents = [
        """
        -- Security incidents (the original design's security_incidents, extended): the whole incident as
        -- a JSON document, the columns lists and deduplication filter on, and a version that every update
        -- must name (optimistic concurrency: a stale writer gets a conflict, never a lost update).
        CREATE TABLE security_incidents (
            tenant_id     integer NOT NULL REFERENCES tenants (id),
            id            uuid NOT NULL,
            dedup_key     text NOT NULL,
            incident_type text NOT NULL,
            threat_level  smallint NOT NULL CHECK (threat_level BETWEEN 1 AND 4),
            status        text NOT NULL,
            opened_at     timestamptz NOT NULL,
            last_seen     timestamptz NOT NULL,
            version       integer NOT NULL,
            document      jsonb NOT NULL,
            created_at    timestamptz NOT NULL DEFAULT now(),
            updated_at    timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, id)
        )
        """,
        "CREATE INDEX security_incidents_dedup ON security_incidents (tenant_id, dedup_key, opened_at)",
        "CREATE INDEX security_incidents_opened ON security_incidents (tenant_id, opened_at)",
    ]

    static let consumerCursors = [
        """
        -- Where each ledger consumer (detection, exporters) is in each tenant's log: the next index to
        -- read and the consumer's own state at that point, written together so that a restart resumes
        -- exactly there. Cursors only move forward (the upsert refuses to go back).
        CREATE TABLE consumer_cursors (
            tenant_id  integer NOT NULL REFERENCES tenants (id),
            consumer   text NOT NULL,
            position   bigint NOT NULL CHECK (position >= 0),
            state      bytea NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, consumer)
        )
        """
    ]

    static let alertOutbox = [
        """
        -- Alert delivery's outbox: every notification is written here before it is sent, and ends
        -- delivered or dead. One per (tenant, receiver, state key): the same news is never sent twice.
        CREATE TABLE alert_outbox (
            id              uuid PRIMARY KEY,
            tenant_id       integer NOT NULL REFERENCES tenants (id),
            receiver        text NOT NULL,
            state_key       text NOT NULL,
            payload         bytea NOT NULL,
            status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
            attempts        integer NOT NULL CHECK (attempts >= 0),
            created_at      timestamptz NOT NULL,
            next_attempt_at timestamptz NOT NULL,
            last_error      text,
            delivered_at    timestamptz,
            UNIQUE (tenant_id, receiver, state_key)
        )
        """,
        "CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at) WHERE status = 'pending'",
        "CREATE INDEX alert_outbox_by_tenant ON alert_outbox (tenant_id, status, created_at)",
    ]

    static let vault = [
        """
        -- The vault's header: one row, written once by `palisade vault init` (how the master key is
        -- obtained, and the data-encryption key sealed under it).
        CREATE TABLE vault_header (
            id       integer PRIMARY KEY CHECK (id = 1),
            document bytea NOT NULL
        )
        """,
        """
        -- Vault keys: documents the vault encodes (key material inside is sealed), with a status to
        -- filter on and a revision for optimistic concurrency.
        CREATE TABLE vault_keys (
            tenant_id integer NOT NULL REFERENCES tenants (id),
            id        text NOT NULL,
            status    text NOT NULL,
            document  bytea NOT NULL,
            revision  integer NOT NULL CHECK (revision >= 1),
            PRIMARY KEY (tenant_id, id)
        )
        """,
        """
        -- Approval requests for destructive vault and retention operations, keyed by their
        -- time-ordered id.
        CREATE TABLE vault_approvals (
            tenant_id integer NOT NULL REFERENCES tenants (id),
            id        text NOT NULL,
            status    text NOT NULL,
            document  bytea NOT NULL,
            revision  integer NOT NULL CHECK (revision >= 1),
            PRIMARY KEY (tenant_id, id)
        )
        """,
        "CREATE INDEX vault_approvals_by_status ON vault_approvals (tenant_id, status, id)",
    ]

    /// The grants that make `role` Palisade's application role: it reads everything, appends to the
    /// ledger tables (no UPDATE, DELETE or TRUNCATE on them), moves heads and tiles forward, manages
    /// tenants and tokens, and has partitions made through ``ensure_audit_partition``.
    ///
    /// - Precondition: `role` is a validated identifier (see ``PostgresStore/Configuration``).
    static func applicationGrants(to role: String) -> [String] {
        let quoted = "\"\(role)\""
        return [
            "GRANT USAGE ON SCHEMA palisade TO \(quoted)",
            "GRANT SELECT, INSERT ON ledger_entries, audit_events, checkpoints TO \(quoted)",
            "GRANT SELECT, INSERT, UPDATE ON log_heads, tiles, tenants, api_tokens TO \(quoted)",
            "GRANT SELECT ON schema_migrations TO \(quoted)",
            "GRANT SELECT, INSERT ON erasures TO \(quoted)",
            "GRANT SELECT, INSERT, UPDATE ON security_incidents TO \(quoted)",
            "GRANT SELECT, INSERT, UPDATE ON consumer_cursors TO \(quoted)",
            "GRANT SELECT, INSERT, UPDATE ON alert_outbox TO \(quoted)",
            "GRANT SELECT, INSERT ON vault_header TO \(quoted)",
            "GRANT SELECT, INSERT, UPDATE ON vault_keys, vault_approvals TO \(quoted)",
            "GRANT EXECUTE ON FUNCTION ensure_audit_partition(date) TO \(quoted)",
            "GRANT EXECUTE ON FUNCTION apply_erasures(integer, bigint) TO \(quoted)",
        ]
    }
}

import Foundation
import PalisadePostgres
import Yams

/// The settings of `palisade serve`, resolved from flags > environment (`PALISADE_*`) > config
/// file (YAML) > defaults, each remembering where its value came from for `--check-config`.
struct ServeSettings {
    /// Where a value came from.
    enum Source: String {
        case flag, environment, file, `default`
    }

    /// One known setting: its dotted key (the YAML path), environment variable and default.
    struct Spec {
        let key: String
        let defaultValue: String?
        let help: String
        var environment: String { "PALISADE_" + key.uppercased().replacingOccurrences(of: ".", with: "_") }
    }

    /// Every setting `serve` reads.
    static let specs: [Spec] = [
        Spec(key: "listen", defaultValue: "127.0.0.1:8080", help: "address:port to bind"),
        Spec(key: "public", defaultValue: "false", help: "allow binding a non-loopback address"),
        Spec(key: "data_dir", defaultValue: "palisade-data", help: "the data directory"),
        Spec(key: "database", defaultValue: "sqlite", help: "sqlite (in the data directory) or a postgres:// URL (no password: PGPASSWORD)"),
        Spec(key: "postgres.max_connections", defaultValue: "16", help: "PostgreSQL connection pool size"),
        Spec(key: "postgres.partitions_ahead", defaultValue: "3", help: "monthly partitions of audit_events created ahead"),
        Spec(key: "postgres.grant_to", defaultValue: nil, help: "role granted SELECT/INSERT when the schema owner connects"),
        Spec(key: "tenant", defaultValue: "default", help: "the operator tenant (manages tenants; receives server audit events)"),
        Spec(key: "anchors.dir", defaultValue: nil, help: "copy each log's checkpoint here (write-once; see palisade anchor)"),
        Spec(key: "anchors.witness_url", defaultValue: nil, help: "also have this witness cosign each checkpoint (C2SP tlog-witness)"),
        Spec(key: "anchors.witness_key", defaultValue: nil, help: "the witness's verifier key (palisade witness key)"),
        Spec(key: "anchors.tsa_url", defaultValue: nil, help: "also time-stamp each new anchor with this RFC 3161 TSA"),
        Spec(key: "anchors.interval_seconds", defaultValue: "300", help: "how often checkpoints are anchored"),
        Spec(key: "retention.archive_dir", defaultValue: nil, help: "run retention sweeps, archiving here before pruning"),
        Spec(key: "retention.sweep_interval_seconds", defaultValue: "86400", help: "how often retention sweeps run"),
        Spec(key: "detection.enabled", defaultValue: "true", help: "run detection rules over every tenant's log"),
        Spec(key: "detection.rules_dir", defaultValue: nil, help: "YAML rule files that add to or override the default pack"),
        Spec(key: "detection.reload_seconds", defaultValue: "10", help: "how often the rules directory is checked for changes"),
        Spec(key: "detection.interval_ms", defaultValue: "250", help: "pause between detection passes"),
        Spec(key: "detection.coalesce_ms", defaultValue: "200", help: "shortest time between two passes' starts (commits wait for one)"),
        Spec(key: "detection.reopen_window_seconds", defaultValue: "3600", help: "a detection this soon after resolution reopens"),
        Spec(key: "detection.alert_level", defaultValue: "high", help: "incident records at or above this level are alerts"),
        Spec(key: "alerting.enabled", defaultValue: "true", help: "route incident alerts to receivers and deliver the outbox"),
        Spec(key: "alerting.interval_ms", defaultValue: "250", help: "pause between alerting passes (group timers, retries)"),
        Spec(key: "alerting.coalesce_ms", defaultValue: "200", help: "shortest time between two passes' starts (commits wait for one)"),
        Spec(key: "alerting.allow_networks", defaultValue: nil, help: "comma-separated CIDRs delivery may reach though private/loopback"),
        Spec(key: "alerting.timeout_seconds", defaultValue: "10", help: "deadline of one delivery request"),
        Spec(key: "alerting.per_host_concurrency", defaultValue: "4", help: "delivery requests in flight to one host"),
        Spec(key: "alerting.concurrency", defaultValue: "16", help: "delivery requests in flight in all"),
        Spec(key: "alerting.retry_horizon_seconds", defaultValue: "86400", help: "retry a failing delivery this long, then dead-letter it"),
        Spec(key: "alerting.ca_file", defaultValue: nil, help: "PEM CAs trusted besides the system's (private SMTP, syslog, webhook)"),
        Spec(key: "vault.key_file", defaultValue: nil, help: "the vault's master key file: unseal at start and keep Palisade's secrets in the vault"),
        Spec(key: "vault.passphrase_file", defaultValue: nil, help: "a file holding the vault's passphrase, instead of vault.key_file"),
        Spec(key: "vault.pkcs11_module", defaultValue: nil, help: "a PKCS#11 module whose token keeps the vault's master key"),
        Spec(key: "vault.pkcs11_token", defaultValue: nil, help: "the token's label"),
        Spec(key: "vault.pkcs11_pin_file", defaultValue: nil, help: "a file holding the token's user PIN"),
        Spec(key: "vault.pkcs11_key_label", defaultValue: "palisade-master", help: "the master key's label in the token"),
        Spec(
            key: "vault.retention_interval_seconds",
            defaultValue: "3600",
            help: "how often keys' retention_days ask for their old versions' destruction (0: never)"
        ),
        Spec(key: "vault.rate_limit_per_actor", defaultValue: "1000", help: "vault call weight per second per caller (0: off)"),
        Spec(key: "vault.rate_limit_per_key", defaultValue: "5000", help: "vault call weight per second per key (0: off)"),
        Spec(key: "vault.approval_quorum", defaultValue: "2", help: "approvers (vault:administrator) a key destruction or version purge needs"),
        Spec(key: "vault.approval_grace_seconds", defaultValue: "86400", help: "wait between approval and execution (cancellable)"),
        Spec(key: "vault.approval_expiry_seconds", defaultValue: "259200", help: "time an approval request stays open"),
        Spec(key: "alerting.dashboard_url", defaultValue: nil, help: "link to the incidents page in messages"),
        Spec(key: "honeypot.listen", defaultValue: nil, help: "run the SSH honeypot on address:port (events to honeypot.tenant)"),
        Spec(key: "honeypot.tenant", defaultValue: nil, help: "the tenant whose ledger receives honeypot events (default: the operator tenant)"),
        Spec(key: "honeypot.sensor", defaultValue: "ssh-1", help: "the sensor id in honeypot events"),
        Spec(key: "honeypot.credentials", defaultValue: nil, help: "comma-separated user:password pairs that log in to the fake shell"),
        Spec(
            key: "honeypot.accept_after",
            defaultValue: "0",
            help: "from this password attempt of a connection on, any password logs in (0: only honeypot.credentials)"
        ),
        Spec(key: "honeypot.accepted_keys", defaultValue: nil, help: "comma-separated SHA256:… fingerprints of client keys that log in"),
        Spec(
            key: "honeypot.profile_file",
            defaultValue: nil,
            help: "YAML/JSON host profile for the fake shell: hostname, kernel, os, users, files (default: a Debian 12 server)"
        ),
        Spec(
            key: "honeypot.max_upload_bytes",
            defaultValue: "10485760",
            help: "largest SCP/SFTP upload kept in DATA_DIR/honeypot/quarantine (bigger: recorded by size and hash)"
        ),
        Spec(
            key: "honeypot.login_grace_seconds",
            defaultValue: "120",
            help: "close a connection not logged in after this long (sshd's LoginGraceTime)"
        ),
        Spec(key: "honeypot.max_session_seconds", defaultValue: "3600", help: "close any session after this long"),
        Spec(key: "honeypot.idle_timeout_seconds", defaultValue: "900", help: "close a connection silent this long"),
        Spec(key: "honeypot.max_bytes_per_connection", defaultValue: "268435456", help: "close a connection that sent this much"),
        Spec(key: "honeypot.gather_ms", defaultValue: "50", help: "gather events this long before they go to the ledger together"),
        Spec(key: "honeypot.rekey_seconds", defaultValue: "0", help: "re-key sessions this often (0: by volume only, as sshd)"),
        Spec(key: "honeypot.max_connections", defaultValue: "1000", help: "SSH connections at once in all"),
        Spec(key: "honeypot.max_connections_per_address", defaultValue: "10", help: "SSH connections at once from one address"),
        Spec(key: "honeypot.connections_per_minute", defaultValue: "10", help: "new connections per source address a minute (0: no limit)"),
        Spec(
            key: "honeypot.auth_attempts_per_hour",
            defaultValue: "100",
            help: "login attempts per source address an hour; over it they fail and are recorded rate_limited (0: no limit)"
        ),
        Spec(key: "honeypot.keyboard_interactive", defaultValue: "false", help: "offer keyboard-interactive like sshd with PAM (Debian: off)"),
        Spec(key: "honeypot.capture_passwords", defaultValue: "plaintext", help: "tried passwords in events: plaintext, or hash (HMAC + length)"),
        Spec(key: "honeypot.failure_delay_ms", defaultValue: "2000", help: "delay before a failed login is answered (OpenSSH with PAM: ~2 s)"),
        Spec(
            key: "honeypot.moduli_file",
            defaultValue: nil,
            help: "group-exchange primes (moduli(5)); default /etc/ssh/moduli when present, else RFC 3526's as sshd"
        ),
        Spec(key: "sensor.server_url", defaultValue: nil, help: "palisade honeypot: the Palisade server its events go to"),
        Spec(key: "sensor.token", defaultValue: nil, help: "palisade honeypot: an ingest token (better in PALISADE_SENSOR_TOKEN)"),
        Spec(key: "sensor.health_listen", defaultValue: "127.0.0.1:9101", help: "palisade honeypot: GET /health address"),
        Spec(key: "sensor.spool_segment_mb", defaultValue: "100", help: "palisade honeypot: spool segment size"),
        Spec(key: "sensor.spool_segments", defaultValue: "5", help: "palisade honeypot: spool segments kept (then the oldest goes)"),
        Spec(key: "sensor.batch_events", defaultValue: "500", help: "palisade honeypot: events per delivery"),
        Spec(key: "tls.cert", defaultValue: nil, help: "PEM certificate chain for HTTPS"),
        Spec(key: "tls.key", defaultValue: nil, help: "PEM private key for HTTPS"),
        Spec(key: "limits.max_event_bytes", defaultValue: "65536", help: "largest single-event body"),
        Spec(key: "limits.max_batch_bytes", defaultValue: "16777216", help: "largest batch body"),
        Spec(key: "limits.max_batch_events", defaultValue: "10000", help: "most events per batch"),
        Spec(key: "limits.idle_timeout_seconds", defaultValue: "30", help: "close connections idle this long"),
        Spec(key: "rate_limits.enabled", defaultValue: "true", help: "per-actor token buckets"),
        Spec(key: "rate_limits.ingest_per_second", defaultValue: "2000", help: "ingest requests per second per actor"),
        Spec(key: "rate_limits.ingest_burst", defaultValue: "4000", help: "ingest burst"),
        Spec(key: "rate_limits.read_per_second", defaultValue: "200", help: "read requests per second per actor"),
        Spec(key: "rate_limits.read_burst", defaultValue: "400", help: "read burst"),
        Spec(key: "rate_limits.admin_per_second", defaultValue: "10", help: "admin requests per second per actor"),
        Spec(key: "rate_limits.admin_burst", defaultValue: "20", help: "admin burst"),
        Spec(key: "rate_limits.auth_failures_per_second", defaultValue: "5", help: "failed authentications per second per address"),
        Spec(key: "rate_limits.auth_failures_burst", defaultValue: "20", help: "failed authentication burst"),
        Spec(key: "metrics.require_auth", defaultValue: "false", help: "require an operator read credential for /metrics"),
        Spec(key: "jwt.issuer", defaultValue: nil, help: "required iss (enables JWT)"),
        Spec(key: "jwt.audience", defaultValue: nil, help: "required aud"),
        Spec(key: "jwt.jwks_file", defaultValue: nil, help: "JWKS file, reloaded when it changes"),
        Spec(key: "jwt.jwks_url", defaultValue: nil, help: "JWKS URL, fetched every reload interval"),
        Spec(key: "jwt.hmac_secret_file", defaultValue: nil, help: "file holding the HS256/384/512 shared secret"),
        Spec(key: "jwt.algorithms", defaultValue: "HS256,HS384,HS512,RS256,RS384,RS512,ES256,ES384", help: "accepted alg values"),
        Spec(key: "jwt.leeway_seconds", defaultValue: "60", help: "exp/nbf leeway (at most 300)"),
        Spec(key: "jwt.tenant_claim", defaultValue: "tenant", help: "claim naming the tenant"),
        Spec(key: "jwt.scopes_claim", defaultValue: "scope", help: "claim holding the scopes"),
        Spec(key: "jwt.reload_interval_seconds", defaultValue: "60", help: "JWKS reload interval"),
        Spec(key: "jwt.max_staleness_seconds", defaultValue: "600", help: "refuse JWTs when the JWKS is older than this"),
    ]

    private(set) var values: [String: (value: String, source: Source)] = [:]

    /// Resolves every setting.
    ///
    /// - Throws: ``CLIError`` for an unreadable or unknown-keyed config file.
    init(flags: [String: String], environment: [String: String], configFile: String?) throws {
        var file: [String: String] = [:]
        if let configFile {
            let text: String
            do {
                text = try String(contentsOfFile: configFile, encoding: .utf8)
            } catch {
                throw CLIError("cannot read the config file \(configFile): \(error.localizedDescription)")
            }
            let loaded: Any?
            do {
                loaded = try Yams.load(yaml: text)
            } catch {
                throw CLIError("the config file \(configFile) is not valid YAML: \(error)")
            }
            if let loaded {
                guard let root = loaded as? [String: Any] else { throw CLIError("the config file \(configFile) must be a YAML mapping") }
                try Self.flatten(root, prefix: "", into: &file)
            }
            let known = Set(Self.specs.map(\.key))
            if let unknown = file.keys.sorted().first(where: { !known.contains($0) }) {
                throw CLIError("the config file \(configFile) has an unknown setting '\(unknown)'; run palisade serve --check-config to list them")
            }
        }
        for spec in Self.specs {
            if let value = flags[spec.key] {
                values[spec.key] = (value, .flag)
            } else if let value = environment[spec.environment] {
                values[spec.key] = (value, .environment)
            } else if let value = file[spec.key] {
                values[spec.key] = (value, .file)
            } else if let value = spec.defaultValue {
                values[spec.key] = (value, .default)
            }
        }
    }

    private static func flatten(_ mapping: [String: Any], prefix: String, into result: inout [String: String]) throws {
        for (key, value) in mapping {
            let path = prefix.isEmpty ? key : prefix + "." + key
            switch value {
            case let nested as [String: Any]: try flatten(nested, prefix: path, into: &result)
            case let list as [Any]: result[path] = list.map { "\($0)" }.joined(separator: ",")
            default: result[path] = "\(value)"
            }
        }
    }

    /// The value of a setting, if any.
    func string(_ key: String) -> String? { values[key]?.value }

    /// A whole number setting.
    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(key), let value = Int(text), range.contains(value) else {
            throw CLIError("\(describe(key)) must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A decimal setting.
    func number(_ key: String) throws -> Double {
        guard let text = string(key), let value = Double(text), value >= 0, value.isFinite else {
            throw CLIError("\(describe(key)) must be a non-negative number")
        }
        return value
    }

    /// A true/false setting.
    func bool(_ key: String) throws -> Bool {
        switch string(key)?.lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off", nil: return false
        default: throw CLIError("\(describe(key)) must be true or false")
        }
    }

    /// `key (from source)` for messages.
    func describe(_ key: String) -> String {
        guard let entry = values[key] else { return key }
        return "\(key) = '\(entry.value)' (from \(entry.source.rawValue))"
    }

    /// One line per setting with its value and source, secrets redacted.
    /// A value as `--check-config` prints it: secrets as `(set)`, a database URL without its password.
    static func shown(_ key: String, _ value: String) -> String {
        if key.contains("secret") || key.hasSuffix("token") { return "(set)" }
        if key == "database", PostgresURL.looksLikeURL(value) {
            do {
                return try PostgresURL(value).description
            } catch {
                return "(an invalid URL: \(error))"
            }
        }
        return value
    }

    /// `text` followed by spaces up to `width` characters; longer text is kept whole.
    private static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    var explanation: String {
        Self.specs.map { spec in
            let entry = values[spec.key]
            let shown = entry.map { Self.shown(spec.key, $0.value) } ?? "(unset)"
            let source = entry?.source.rawValue ?? "-"
            return "\(Self.padded(spec.key, 34)) \(Self.padded(shown, 30)) \(Self.padded(source, 11)) \(spec.environment) — \(spec.help)"
        }.joined(separator: "\n")
    }
}

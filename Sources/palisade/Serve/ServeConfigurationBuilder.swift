import Foundation
import PalisadeCore
import PalisadeExport
import PalisadeHoneypot
import PalisadeLedger
import PalisadePostgres
import PalisadeSSH
import PalisadeServer
import PalisadeVault
import Yams

/// Turns resolved settings into the server's ``ServerConfiguration``, refusing unsafe or invalid
/// combinations with messages that name the setting and where it came from.
struct ServeConfigurationBuilder {
    /// The outcome: the server configuration, the data directory, and warnings to print.
    struct Resolved {
        var server: ServerConfiguration
        var dataDir: String
        /// Where the ledger is stored.
        var database: DatabaseLocation
        /// The pool and schema settings, when the ledger is in PostgreSQL.
        var postgres: PostgresStore.Configuration
        /// Where and how often checkpoints are anchored, if at all.
        var anchors: AnchorSettings?
        /// Where sweeps archive and how often they run, if retention sweeps run.
        var retention: (archive: URL, interval: Duration)?
        /// How detection runs, if it does.
        var detection: DetectionSettings?
        /// How alerting runs, if it does.
        var alerting: AlertingSettings?
        /// The SSH honeypot, if it runs.
        var honeypot: HoneypotSettings?
        /// The approval policy of the vault's destructive operations.
        var approvals: ApprovalPolicy
        /// The vault's per-caller and per-key budgets.
        var vaultLimits: VaultRateLimits.Limits
        /// How the vault is unsealed at start, if it is.
        var vaultUnlock: VaultUnlock?
        /// How often key retention asks for purges (nil: never).
        var keyRetentionInterval: Duration?
        var warnings: [String]
    }

    /// `detection.*`.
    struct DetectionSettings {
        var rulesDirectory: URL?
        var reload: Duration
        var interval: Duration
        var coalesce: Duration
        var reopenWindowSeconds: Int64
        var alertLevel: ThreatLevel
    }

    /// `alerting.*`.
    struct AlertingSettings {
        var interval: Duration
        var coalesce: Duration
        var allowed: [IPNetwork]
        var timeoutSeconds: Int64
        var perHostConcurrency: Int
        var concurrency: Int
        var retryHorizonSeconds: Int64
        var dashboardURL: String?
        var caFile: String?
    }

    /// `honeypot.*`.
    struct HoneypotSettings {
        var host: String
        var port: Int
        var tenant: TenantID?
        var sensor: String
        var policy: LoginPolicy
        var keyboardInteractive: Bool
        var passwords: PasswordCapture
        var failureDelayMilliseconds: Int
        var moduli: ModuliFile
        var rateLimits: AddressRateLimits.Limits
        var system: FakeShell.Profile
        var maxUploadBytes: Int
        var maxConnections: Int
        var maxConnectionsPerAddress: Int
        var loginGraceSeconds: Int64
        var maxSessionSeconds: Int64
        var idleSeconds: Int64
        var maxBytesIn: Int
        var rekeySeconds: Int64?
        var gatherMilliseconds: Int
    }

    let settings: ServeSettings

    func honeypotSettings() throws -> HoneypotSettings? {
        guard let listen = try settings.address("honeypot.listen", example: "127.0.0.1:2222 or 0.0.0.0:22") else { return nil }
        var credentials = [String: Set<String>]()
        for pair in (settings.string("honeypot.credentials") ?? "").split(separator: ",") {
            guard let separator = pair.firstIndex(of: ":"), separator != pair.startIndex else {
                throw CLIError("\(settings.describe("honeypot.credentials")): \(pair) is not user:password")
            }
            credentials[String(pair[..<separator]), default: []].insert(String(pair[pair.index(after: separator)...]))
        }
        var tenant: TenantID?
        if let name = settings.string("honeypot.tenant") {
            guard let id = TenantID(name) else { throw CLIError("\(settings.describe("honeypot.tenant")) must match [a-z0-9][a-z0-9-]{0,62}") }
            tenant = id
        }
        let acceptAfter = try settings.integer("honeypot.accept_after", in: 0...100)
        let acceptedKeys = (settings.string("honeypot.accepted_keys") ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if let bad = acceptedKeys.first(where: { !$0.hasPrefix("SHA256:") }) {
            throw CLIError("\(settings.describe("honeypot.accepted_keys")): \(bad) is not a SHA256:… fingerprint (ssh-keygen -l -E sha256)")
        }
        return HoneypotSettings(
            host: listen.host,
            port: listen.port,
            tenant: tenant,
            sensor: settings.string("honeypot.sensor") ?? "ssh-1",
            policy: LoginPolicy(
                credentials: credentials,
                acceptAfterAttempts: acceptAfter == 0 ? nil : acceptAfter,
                acceptedKeys: Set(acceptedKeys)
            ),
            keyboardInteractive: try settings.bool("honeypot.keyboard_interactive"),
            passwords: try passwordCapture(),
            failureDelayMilliseconds: try settings.integer("honeypot.failure_delay_ms", in: 0...10_000),
            moduli: try moduli(),
            rateLimits: AddressRateLimits.Limits(
                connectionsPerMinute: try settings.integer("honeypot.connections_per_minute", in: 0...100_000),
                attemptsPerHour: try settings.integer("honeypot.auth_attempts_per_hour", in: 0...1_000_000)
            ),
            system: try systemProfile(),
            maxUploadBytes: try settings.integer("honeypot.max_upload_bytes", in: 0...1_073_741_824),
            maxConnections: try settings.integer("honeypot.max_connections", in: 1...100_000),
            maxConnectionsPerAddress: try settings.integer("honeypot.max_connections_per_address", in: 1...100_000),
            loginGraceSeconds: Int64(try settings.integer("honeypot.login_grace_seconds", in: 1...86_400)),
            maxSessionSeconds: Int64(try settings.integer("honeypot.max_session_seconds", in: 1...604_800)),
            idleSeconds: Int64(try settings.integer("honeypot.idle_timeout_seconds", in: 1...604_800)),
            maxBytesIn: try settings.integer("honeypot.max_bytes_per_connection", in: 1_024...(1 << 40)),
            rekeySeconds: try rekeySeconds(),
            gatherMilliseconds: try settings.integer("honeypot.gather_ms", in: 0...5_000)
        )
    }

    /// `honeypot.profile_file` (YAML or JSON), or the Debian 12 server.
    private func systemProfile() throws -> FakeShell.Profile {
        guard let path = settings.string("honeypot.profile_file") else { return .debian12 }
        do {
            return try YAMLDecoder().decode(FakeShell.Profile.self, from: String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw CLIError("\(settings.describe("honeypot.profile_file")): \(path): \(error)")
        }
    }

    /// `honeypot.rekey_seconds` (0: none).
    private func rekeySeconds() throws -> Int64? {
        let seconds = try settings.integer("honeypot.rekey_seconds", in: 0...604_800)
        return seconds == 0 ? nil : Int64(seconds)
    }

    /// `honeypot.capture_passwords`.
    private func passwordCapture() throws -> PasswordCapture {
        switch settings.string("honeypot.capture_passwords") {
        case "plaintext", nil: return .plaintext
        case "hash": return .hashed
        case let other?: throw CLIError("\(settings.describe("honeypot.capture_passwords")) is \(other); use plaintext or hash")
        }
    }

    /// `honeypot.moduli_file`, or sshd's file when this host has one.
    private func moduli() throws -> ModuliFile {
        let path = settings.string("honeypot.moduli_file") ?? "/etc/ssh/moduli"
        guard settings.string("honeypot.moduli_file") != nil || FileManager.default.fileExists(atPath: path) else { return .none }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError("\(settings.describe("honeypot.moduli_file")): cannot read \(path): \(error)")
        }
        let moduli = ModuliFile(text: text)
        guard moduli.count > 0 else { throw CLIError("\(path) holds no usable safe primes (see moduli(5))") }
        return moduli
    }

    private func alertingSettings() throws -> AlertingSettings? {
        guard try settings.bool("alerting.enabled") else { return nil }
        var allowed = [IPNetwork]()
        for item in (settings.string("alerting.allow_networks") ?? "").split(separator: ",") {
            let text = item.trimmingCharacters(in: .whitespaces)
            guard let network = IPNetwork(text.contains("/") ? text : text + (text.contains(":") ? "/128" : "/32")) else {
                throw CLIError("\(settings.describe("alerting.allow_networks")): \(text) is not an address or CIDR network")
            }
            allowed.append(network)
        }
        return AlertingSettings(
            interval: .milliseconds(try settings.integer("alerting.interval_ms", in: 10...60_000)),
            coalesce: .milliseconds(try settings.integer("alerting.coalesce_ms", in: 0...10_000)),
            allowed: allowed,
            timeoutSeconds: Int64(try settings.integer("alerting.timeout_seconds", in: 1...300)),
            perHostConcurrency: try settings.integer("alerting.per_host_concurrency", in: 1...256),
            concurrency: try settings.integer("alerting.concurrency", in: 1...1_024),
            retryHorizonSeconds: Int64(try settings.integer("alerting.retry_horizon_seconds", in: 60...2_592_000)),
            dashboardURL: settings.string("alerting.dashboard_url"),
            caFile: try settings.string("alerting.ca_file").map { path in
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw CLIError("\(settings.describe("alerting.ca_file")): cannot read \(path)")
                }
                return path
            }
        )
    }

    func build() throws -> Resolved {
        var server = ServerConfiguration()
        var warnings: [String] = []
        guard let listen = try settings.address("listen", fallback: "127.0.0.1:8080", example: "127.0.0.1:8080 or [::1]:8080") else {
            throw CLIError("\(settings.describe("listen")) is not set")
        }
        let (host, port) = (listen.host, listen.port)
        guard !host.isEmpty else {
            throw CLIError("\(settings.describe("listen")) has no host; use 0.0.0.0:\(port) with --public to listen everywhere")
        }
        server.host = host
        server.port = port
        server.isPublic = try settings.bool("public")
        guard let tenant = TenantID(settings.string("tenant") ?? "default") else {
            throw CLIError("\(settings.describe("tenant")) must match [a-z0-9][a-z0-9-]{0,62}")
        }
        server.operatorTenant = tenant

        let database = try DatabaseLocation(settings.string("database") ?? "sqlite", source: settings.describe("database"))
        var postgres = PostgresStore.Configuration()
        postgres.maximumConnections = try settings.integer("postgres.max_connections", in: 1...1000)
        postgres.partitionsAhead = try settings.integer("postgres.partitions_ahead", in: 1...120)
        if let role = settings.string("postgres.grant_to") {
            guard PostgresStore.Configuration.isValidRoleName(role) else {
                throw CLIError("\(settings.describe("postgres.grant_to")) must be a plain lowercase role name ([a-z_][a-z0-9_]*)")
            }
            postgres.applicationRole = role
        }

        let anchors = try anchorSettings()
        var retention: (archive: URL, interval: Duration)?
        if let directory = settings.string("retention.archive_dir") {
            retention = (URL(fileURLWithPath: directory), .seconds(try settings.integer("retention.sweep_interval_seconds", in: 1...604_800)))
        }

        var detection: DetectionSettings?
        if try settings.bool("detection.enabled") {
            let levelName = settings.string("detection.alert_level") ?? "high"
            guard let alertLevel = ThreatLevel(name: levelName) else {
                throw CLIError("detection.alert_level is \(levelName); use low, medium, high or critical")
            }
            detection = DetectionSettings(
                rulesDirectory: settings.string("detection.rules_dir").map { URL(fileURLWithPath: $0) },
                reload: .seconds(try settings.integer("detection.reload_seconds", in: 1...86_400)),
                interval: .milliseconds(try settings.integer("detection.interval_ms", in: 10...60_000)),
                coalesce: .milliseconds(try settings.integer("detection.coalesce_ms", in: 0...10_000)),
                reopenWindowSeconds: Int64(try settings.integer("detection.reopen_window_seconds", in: 0...31_536_000)),
                alertLevel: alertLevel
            )
        }

        switch (settings.string("tls.cert"), settings.string("tls.key")) {
        case (let cert?, let key?):
            for path in [cert, key] where !FileManager.default.isReadableFile(atPath: path) {
                throw CLIError("the TLS file \(path) cannot be read")
            }
            server.tls = .init(certificatePath: cert, privateKeyPath: key)
        case (nil, nil):
            break
        default:
            throw CLIError("tls.cert and tls.key must be given together (--tls-cert and --tls-key)")
        }

        if !server.bindsLoopbackOnly {
            guard server.isPublic else {
                throw CLIError(
                    "\(settings.describe("listen")) is not a loopback address: the API (event ingest, queries, admin) would be reachable from the network. Pass --public (or PALISADE_PUBLIC=true) to allow it"
                )
            }
            warnings.append(
                "listening on \(host):\(port), reachable from the network: event ingest, queries, proofs and the admin API are exposed to anyone with a token"
                    + (server.tls == nil ? "; tokens travel in clear text without TLS — set --tls-cert and --tls-key" : "")
            )
        }

        var limits = ServerConfiguration.Limits()
        limits.maxEventBytes = try settings.integer("limits.max_event_bytes", in: 1024...(1 << 20))
        limits.maxBatchBytes = try settings.integer("limits.max_batch_bytes", in: 1024...(256 << 20))
        limits.maxBatchEvents = try settings.integer("limits.max_batch_events", in: 1...100_000)
        limits.idleTimeoutSeconds = try settings.integer("limits.idle_timeout_seconds", in: 1...3600)
        server.limits = limits

        var rates = ServerConfiguration.RateLimits()
        rates.enabled = try settings.bool("rate_limits.enabled")
        rates.ingest = .init(perSecond: try settings.number("rate_limits.ingest_per_second"), burst: try settings.number("rate_limits.ingest_burst"))
        rates.read = .init(perSecond: try settings.number("rate_limits.read_per_second"), burst: try settings.number("rate_limits.read_burst"))
        rates.admin = .init(perSecond: try settings.number("rate_limits.admin_per_second"), burst: try settings.number("rate_limits.admin_burst"))
        rates.authFailures = .init(
            perSecond: try settings.number("rate_limits.auth_failures_per_second"),
            burst: try settings.number("rate_limits.auth_failures_burst")
        )
        server.rateLimits = rates
        server.metricsRequireAuth = try settings.bool("metrics.require_auth")
        server.jwt = try jwtConfiguration()
        return Resolved(
            server: server,
            dataDir: settings.string("data_dir") ?? "palisade-data",
            database: database,
            postgres: postgres,
            anchors: anchors,
            retention: retention,
            detection: detection,
            alerting: try alertingSettings(),
            honeypot: try honeypotSettings(),
            approvals: ApprovalPolicy(
                quorum: try settings.integer("vault.approval_quorum", in: 1...10),
                group: Scope.vaultAdministrator.rawValue,
                expiresAfterSeconds: Int64(try settings.integer("vault.approval_expiry_seconds", in: 60...2_592_000)),
                graceSeconds: Int64(try settings.integer("vault.approval_grace_seconds", in: 0...2_592_000))
            ),
            vaultLimits: VaultRateLimits.Limits(
                perActor: try settings.number("vault.rate_limit_per_actor"),
                perKey: try settings.number("vault.rate_limit_per_key")
            ),
            vaultUnlock: try VaultUnlock.resolve(
                keyFile: settings.string("vault.key_file"),
                passphraseFile: settings.string("vault.passphrase_file"),
                token: VaultUnlock.TokenSettings(
                    module: settings.string("vault.pkcs11_module"),
                    token: settings.string("vault.pkcs11_token"),
                    pinFile: settings.string("vault.pkcs11_pin_file"),
                    keyLabel: settings.string("vault.pkcs11_key_label")
                )
            ),
            keyRetentionInterval: Self.interval(try settings.integer("vault.retention_interval_seconds", in: 0...31_536_000)),
            warnings: warnings
        )
    }

    /// `seconds` as an interval, nil for 0 (off).
    static func interval(_ seconds: Int) -> Duration? { seconds == 0 ? nil : .seconds(seconds) }

    /// The anchor sinks: a directory, a witness (URL and key), a TSA (with the directory).
    private func anchorSettings() throws -> AnchorSettings? {
        let directory = settings.string("anchors.dir").map { URL(fileURLWithPath: $0) }
        var witness: WitnessClient?
        switch (settings.string("anchors.witness_url"), settings.string("anchors.witness_key")) {
        case (nil, nil): break
        case (let url?, let key?):
            guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https" else {
                throw CLIError("\(settings.describe("anchors.witness_url")) must be an http(s) URL")
            }
            do {
                witness = WitnessClient(url: parsed, key: try CosignatureVerifier(parsing: key))
            } catch {
                throw CLIError("\(settings.describe("anchors.witness_key")): \(error)")
            }
        default:
            throw CLIError("anchors.witness_url and anchors.witness_key go together")
        }
        var timeStamps: TimeStampClient?
        if let url = settings.string("anchors.tsa_url") {
            guard directory != nil else { throw CLIError("anchors.tsa_url needs anchors.dir: the tokens are kept beside the anchors") }
            guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https" else {
                throw CLIError("\(settings.describe("anchors.tsa_url")) must be an http(s) URL")
            }
            timeStamps = TimeStampClient(url: parsed)
        }
        guard directory != nil || witness != nil else { return nil }
        return AnchorSettings(
            directory: directory,
            witness: witness,
            timeStamps: timeStamps,
            interval: .seconds(try settings.integer("anchors.interval_seconds", in: 10...86_400))
        )
    }

    private func jwtConfiguration() throws -> JWTConfiguration? {
        let jwtKeys = ["jwt.issuer", "jwt.audience", "jwt.jwks_file", "jwt.jwks_url", "jwt.hmac_secret_file"]
        let given = jwtKeys.filter { settings.values[$0] != nil }
        guard !given.isEmpty else { return nil }
        guard let issuer = settings.string("jwt.issuer"), let audience = settings.string("jwt.audience") else {
            throw CLIError("JWT needs both jwt.issuer and jwt.audience (given: \(given.joined(separator: ", ")))")
        }
        var jwt = JWTConfiguration(issuer: issuer, audience: audience)
        jwt.jwksFile = settings.string("jwt.jwks_file")
        jwt.jwksURL = settings.string("jwt.jwks_url")
        if let url = jwt.jwksURL, !url.hasPrefix("https://"), !url.hasPrefix("http://127.0.0.1"), !url.hasPrefix("http://localhost") {
            throw CLIError("\(settings.describe("jwt.jwks_url")) must be https:// (plain http only on loopback)")
        }
        if let path = settings.string("jwt.hmac_secret_file") {
            let secret: String
            do {
                secret = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw CLIError("cannot read jwt.hmac_secret_file \(path): \(error.localizedDescription)")
            }
            guard secret.utf8.count >= 32 else { throw CLIError("the HMAC secret in \(path) must be at least 32 bytes") }
            jwt.hmacSecrets = [.init(secret: Array(secret.utf8))]
        }
        guard jwt.jwksFile != nil || jwt.jwksURL != nil || !jwt.hmacSecrets.isEmpty else {
            throw CLIError("JWT needs keys: set jwt.jwks_file, jwt.jwks_url or jwt.hmac_secret_file")
        }
        let algorithms = Set((settings.string("jwt.algorithms") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        guard !algorithms.isEmpty, algorithms.isSubset(of: JWTConfiguration.supportedAlgorithms) else {
            throw CLIError(
                "\(settings.describe("jwt.algorithms")) must list some of \(JWTConfiguration.supportedAlgorithms.sorted().joined(separator: ","))"
            )
        }
        jwt.algorithms = algorithms
        jwt.leewaySeconds = try settings.integer("jwt.leeway_seconds", in: 0...300)
        jwt.tenantClaim = settings.string("jwt.tenant_claim") ?? "tenant"
        jwt.scopesClaim = settings.string("jwt.scopes_claim") ?? "scope"
        jwt.reloadIntervalSeconds = try settings.integer("jwt.reload_interval_seconds", in: 1...86_400)
        jwt.maxStalenessSeconds = try settings.integer("jwt.max_staleness_seconds", in: 1...604_800)
        return jwt
    }
}

/// Where `serve` anchors checkpoints, and how often.
struct AnchorSettings {
    var directory: URL?
    var witness: WitnessClient?
    var timeStamps: TimeStampClient?
    var interval: Duration
}

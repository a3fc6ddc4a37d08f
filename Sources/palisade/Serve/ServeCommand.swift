import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PalisadeAlerting
import PalisadeChannels
import PalisadeCore
import PalisadeDetection
import PalisadeExport
import PalisadeHoneypot
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite
import PalisadeServer
import PalisadeVault
import ServiceLifecycle

/// `palisade serve`: the HTTP API over the data directory's ledger.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API (ingest, queries, proofs, tiles, admin).",
        discussion: """
            Settings come from flags, then PALISADE_* environment variables, then the YAML config file \
            (--config), then defaults; --check-config lists each with its value and source. On first \
            start the operator tenant and an admin API token are created; the token is printed once.
            SIGTERM or SIGINT stops accepting connections, finishes in-flight appends and exits 0.
            """
    )

    @Option(help: ArgumentHelp("Address and port to bind (default 127.0.0.1:8080).", valueName: "host:port")) var listen: String?
    @Flag(name: .customLong("public"), help: "Allow binding a non-loopback address.") var isPublic = false
    @Option(help: ArgumentHelp("The data directory (default ./palisade-data).", valueName: "path")) var dataDir: String?
    @Option(help: ArgumentHelp("sqlite, or a postgres:// URL.", valueName: "url")) var database: String?
    @Option(help: ArgumentHelp("A YAML config file (env PALISADE_CONFIG).", valueName: "path")) var config: String?
    @Option(help: ArgumentHelp("PEM certificate chain for HTTPS.", valueName: "path")) var tlsCert: String?
    @Option(help: ArgumentHelp("PEM private key for HTTPS.", valueName: "path")) var tlsKey: String?
    @Option(help: ArgumentHelp("Also run the SSH honeypot on this address (honeypot.listen).", valueName: "host:port")) var honeypot: String?
    @Option(help: ArgumentHelp("The vault's master key file: unseal at start (vault.key_file).", valueName: "path")) var vaultKeyFile: String?
    @Option(help: ArgumentHelp("A file holding the vault's passphrase (vault.passphrase_file).", valueName: "path")) var vaultPassphraseFile: String?
    @Flag(help: "Validate the settings, print them with their sources, and exit.") var checkConfig = false

    func run() async throws {
        try await reportingErrors {
            var flags: [String: String] = [:]
            if let listen { flags["listen"] = listen }
            if isPublic { flags["public"] = "true" }
            if let dataDir { flags["data_dir"] = dataDir }
            if let database { flags["database"] = database }
            if let tlsCert { flags["tls.cert"] = tlsCert }
            if let honeypot { flags["honeypot.listen"] = honeypot }
            if let tlsKey { flags["tls.key"] = tlsKey }
            if let vaultKeyFile { flags["vault.key_file"] = vaultKeyFile }
            if let vaultPassphraseFile { flags["vault.passphrase_file"] = vaultPassphraseFile }
            let environment = ProcessInfo.processInfo.environment
            let settings = try ServeSettings(flags: flags, environment: environment, configFile: config ?? environment["PALISADE_CONFIG"])
            let resolved = try ServeConfigurationBuilder(settings: settings).build()
            if checkConfig {
                print(settings.explanation)
                for warning in resolved.warnings { print("warning: \(warning)") }
                print("configuration is valid")
                return
            }
            for warning in resolved.warnings { printError("palisade: warning: \(warning)") }
            try await serve(resolved)
        }
    }

    private func serve(_ resolved: ServeConfigurationBuilder.Resolved) async throws {
        var logger = Logger(label: "palisade.server")
        logger.logLevel = ProcessInfo.processInfo.environment["PALISADE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let directory = DataDirectory(path: resolved.dataDir, logger: logger)
        try await directory.withStore(resolved.database, postgres: resolved.postgres) { store in
            let clock = SystemWallClock()
            // The vault opens first: once initialised and given its key or passphrase file, it
            // holds Palisade's own secrets, and it is unsealed from the start.
            let vaultRecords = PendingRecords()
            let vault = Vault(
                store: store,
                records: vaultRecords,
                clock: clock,
                approvals: Dictionary(uniqueKeysWithValues: ApprovalOperation.allCases.map { ($0, resolved.approvals) }),
                rateLimits: VaultRateLimits(resolved.vaultLimits)
            )
            let secrets = try await PalisadeSecrets.open(
                directory: directory,
                store: store,
                vault: vault,
                records: vaultRecords,
                unlock: resolved.vaultUnlock,
                actor: "palisade-serve"
            )
            if !secrets.fromVault, try await store.vaultHeader() != nil {
                printError(
                    "palisade: warning: the vault is initialised but Palisade's own secrets are not read from it; \(VaultUnlock.advice) to move them in"
                )
            }
            let signer = try await secrets.signer()
            let codec = APITokenCodec(key: try await secrets.tokenKey())
            try await Bootstrap.ensureOperator(resolved.server.operatorTenant, store: store, codec: codec, clock: clock)
            let sequencer = LogSequencer(
                backend: store,
                signer: signer,
                clock: clock,
                configuration: .init(origin: DataDirectory.defaultKeyName),
                logger: logger
            )
            let committer = GroupCommitter(sequencer: sequencer, logger: logger)
            try await vaultRecords.connect(sequencer, committer: committer)
            let pipeline = IngestPipeline(
                clock: clock,
                jsonLimits: .init(maxBytes: resolved.server.limits.maxEventBytes, maxDepth: resolved.server.limits.maxJSONDepth)
            )
            var jwt: JWTVerifier?
            if let jwtConfiguration = resolved.server.jwt {
                jwt = await JWTVerifier(configuration: jwtConfiguration, clock: clock, logger: logger)
            }
            var consumer: DetectionConsumer?
            var ruleFingerprint = ""
            if let detection = resolved.detection {
                if let directory = detection.rulesDirectory { ruleFingerprint = try RuleFiles.fingerprint(directory) }
                consumer = try DetectionConsumer(
                    store: store,
                    rules: try RuleFiles.load(detection.rulesDirectory),
                    manager: IncidentManager(
                        store: store,
                        records: committer,
                        reopenWindowSeconds: detection.reopenWindowSeconds,
                        alertLevel: detection.alertLevel
                    ),
                    records: committer,
                    clock: clock
                )
            }
            var dependencies = ServerDependencies(
                ledger: store,
                events: store,
                access: store,
                incidents: store,
                detection: consumer,
                committer: committer,
                pipeline: pipeline,
                tokens: codec,
                checkpointKey: signer.verifier,
                jwt: jwt,
                clock: clock,
                metrics: ServerMetrics(),
                logger: logger
            )
            // Without its key or passphrase file the vault starts sealed (or uninitialised):
            // `palisade vault init` / `unseal` open it.
            dependencies.vault = vault
            if let detection = resolved.detection {
                dependencies.detectionInterval = detection.interval
                dependencies.detectionCoalesce = detection.coalesce
            }
            var transport: HTTPTransport?
            if let settings = resolved.alerting {
                let http = HTTPTransport(
                    configuration: .init(
                        policy: OutboundPolicy(allowed: settings.allowed),
                        timeoutSeconds: settings.timeoutSeconds,
                        perHostConcurrency: settings.perHostConcurrency,
                        extraTrustRootsFile: settings.caFile
                    )
                )
                transport = http
                let sealer = SecretSealer(key: try await secrets.alertingKey())
                let channel = HTTPAlertChannel(transport: http, clock: clock)
                let email = SMTPAlertChannel(
                    configuration: .init(
                        policy: OutboundPolicy(allowed: settings.allowed),
                        timeoutSeconds: max(30, settings.timeoutSeconds),
                        extraTrustRootsFile: settings.caFile
                    ),
                    clock: clock
                )
                let syslog = SyslogAlertChannel(
                    configuration: .init(
                        policy: OutboundPolicy(allowed: settings.allowed),
                        timeoutSeconds: settings.timeoutSeconds,
                        extraTrustRootsFile: settings.caFile
                    ),
                    clock: clock
                )
                var retry = RetryPolicy.standard
                retry.horizonSeconds = settings.retryHorizonSeconds
                dependencies.alerting = Alerting(
                    consumer: AlertConsumer(store: store, clock: clock),
                    deliverer: OutboxDeliverer(
                        store: store,
                        channels: [
                            .webhook: channel, .chat: channel, .slack: channel, .discord: channel, .pagerDuty: channel, .email: email,
                            .syslog: syslog,
                        ],
                        sealer: sealer,
                        records: committer,
                        clock: clock,
                        configuration: .init(retry: retry, concurrency: settings.concurrency, link: settings.dashboardURL)
                    ),
                    exporter: EventExporter(
                        store: store,
                        poster: http,
                        sealer: sealer,
                        clock: clock,
                        configuration: .init(hostname: ProcessInfo.processInfo.hostName)
                    ),
                    sealer: sealer,
                    outbox: store
                )
                dependencies.alertingInterval = settings.interval
                dependencies.alertingCoalesce = settings.coalesce
            }
            let scheme = resolved.server.tls == nil ? "http" : "https"
            let host = resolved.server.host.contains(":") ? "[\(resolved.server.host)]" : resolved.server.host
            let application = try PalisadeServer.buildApplication(configuration: resolved.server, dependencies: dependencies) { port in
                printNow("palisade: listening on \(scheme)://\(host):\(port) (data directory \(resolved.dataDir), database \(resolved.database))")
            }
            var background = [@Sendable () async -> Void]()
            if let consumer, let detection = resolved.detection, let directory = detection.rulesDirectory {
                let reloading = RuleReloading(directory: directory, consumer: consumer, interval: detection.reload, logger: logger)
                let fingerprint = ruleFingerprint
                background.append { await reloading.run(initialFingerprint: fingerprint) }
            }
            if let anchors = resolved.anchors {
                var sinks = Anchoring(store: store, sequencer: sequencer, directory: anchors.directory, witness: anchors.witness)
                sinks.timeStamps = anchors.timeStamps
                sinks.actor = "palisade-serve"
                let anchoring = CheckpointAnchoring(store: store, anchoring: sinks, interval: anchors.interval, logger: logger)
                background.append { await anchoring.run() }
            }
            if let retention = resolved.retention {
                let sweeper = RetentionSweeper(
                    sequencer: sequencer,
                    backend: store,
                    events: store,
                    signer: signer,
                    archiveRoot: retention.archive,
                    logger: logger
                )
                let sweeping = RetentionSweeping(store: store, sweeper: sweeper, clock: clock, interval: retention.interval, logger: logger)
                background.append { await sweeping.run() }
            }
            if let interval = resolved.keyRetentionInterval {
                let retention = KeyRetention(vault: vault, store: store, interval: interval, logger: logger)
                background.append { await retention.run() }
            }
            if let settings = resolved.honeypot {
                let sensor = HoneypotServer(
                    configuration: try settings.serverConfiguration(
                        directory,
                        hostKeys: try await secrets.honeypotHostKeys(),
                        secret: try await secrets.honeypotSecret(),
                        logger: logger
                    ),
                    sink: LedgerHoneypotSink(
                        pipeline: pipeline,
                        committer: committer,
                        tenant: settings.tenant ?? resolved.server.operatorTenant,
                        metrics: dependencies.metrics,
                        logger: logger
                    ),
                    logger: logger
                )
                let sensorLogger = logger
                background.append { await sensor.runUntilCancelled(logger: sensorLogger) }
            }
            do {
                try await runUntilStopped(application, background)
            } catch {
                await transport?.shutdown()
                throw error
            }
            // Alert delivery's connections close after the server (and its alerting service) stopped.
            await transport?.shutdown()
        }
        printError("palisade: stopped; every acknowledged event is durable")
    }

    /// Runs the application and the background work until the server stops (SIGTERM), which ends
    /// the background work too (anchoring anchors once more).
    private func runUntilStopped(_ application: some ApplicationProtocol, _ background: [@Sendable () async -> Void]) async throws {
        guard !background.isEmpty else {
            try await application.runService()
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in background { group.addTask { await task() } }
            group.addTask { try await application.runService() }
            try await group.next()
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}

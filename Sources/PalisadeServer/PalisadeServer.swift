public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
public import PalisadeAlerting
public import PalisadeCore
public import PalisadeDetection
public import PalisadeIngest
public import PalisadeLedger
public import PalisadeVault
import ServiceLifecycle

/// What the server is built over: the stores, the ledger's writer, keys and clock.
public struct ServerDependencies: Sendable {
    /// The ledger's storage.
    public var ledger: any LedgerBackend
    /// Event reads.
    public var events: any EventStore
    /// Tenants and API tokens.
    public var access: any AccessStore
    /// Incidents.
    public var incidents: any IncidentStore
    /// The detection consumer, run as a service when present.
    public var detection: DetectionConsumer?
    /// The vault, when it is served (`/v1/vault`).
    public var vault: Vault?
    /// How often detection passes over new events.
    public var detectionInterval: Duration = .milliseconds(250)
    /// The shortest time between the starts of two detection passes: commits sooner than that
    /// after a pass began wait and are read by one pass.
    public var detectionCoalesce: Duration = .milliseconds(200)
    /// Alerting (its consumer and deliverer), run as a service when present.
    public var alerting: Alerting?
    /// How often alerting looks for due groups and retries at the latest.
    public var alertingInterval: Duration = .milliseconds(250)
    /// The shortest time between the starts of two alerting passes.
    public var alertingCoalesce: Duration = .milliseconds(200)
    /// SLA deadlines shown with incidents (and used by the detection consumer's escalations).
    public var sla: IncidentSLA = .standard
    /// The only writer of the ledger (run it as a service next to the application).
    public var committer: GroupCommitter
    /// Parsing and validation of incoming events.
    public var pipeline: IngestPipeline
    /// API token hashing.
    public var tokens: APITokenCodec
    /// The checkpoint key's public half (published as a JWK).
    public var checkpointKey: NoteVerifier
    /// JWT verification, when configured (run it as a service to reload its JWKS).
    public var jwt: JWTVerifier?
    /// The clock.
    public var clock: any WallClock
    /// Metrics.
    public var metrics: ServerMetrics
    /// The logger.
    public var logger: Logger

    /// Collects the dependencies.
    public init(
        ledger: any LedgerBackend,
        events: any EventStore,
        access: any AccessStore,
        incidents: any IncidentStore,
        detection: DetectionConsumer?,
        committer: GroupCommitter,
        pipeline: IngestPipeline,
        tokens: APITokenCodec,
        checkpointKey: NoteVerifier,
        jwt: JWTVerifier?,
        clock: any WallClock,
        metrics: ServerMetrics,
        logger: Logger
    ) {
        self.ledger = ledger
        self.events = events
        self.access = access
        self.incidents = incidents
        self.detection = detection
        self.committer = committer
        self.pipeline = pipeline
        self.tokens = tokens
        self.checkpointKey = checkpointKey
        self.jwt = jwt
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
    }
}

/// Alerting's parts as the server uses them.
public struct Alerting: Sendable {
    /// Turns incident records into outbox notifications.
    public var consumer: AlertConsumer
    /// Sends the outbox.
    public var deliverer: OutboxDeliverer
    /// Streams events to SIEM receivers (Splunk HEC, Elasticsearch).
    public var exporter: EventExporter?
    /// Seals receiver secrets as they are stored.
    public var sealer: SecretSealer
    /// The outbox, for test notifications and the dead-letter list.
    public var outbox: any OutboxStore

    /// Collects the parts.
    public init(consumer: AlertConsumer, deliverer: OutboxDeliverer, exporter: EventExporter?, sealer: SecretSealer, outbox: any OutboxStore) {
        self.consumer = consumer
        self.deliverer = deliverer
        self.exporter = exporter
        self.sealer = sealer
        self.outbox = outbox
    }
}

/// Builds the Hummingbird application shared by `palisade serve` and the tests.
public enum PalisadeServer {
    /// The router: public routes, then everything else behind authentication and rate limits.
    public static func buildRouter(configuration: ServerConfiguration, dependencies: ServerDependencies) -> Router<PalisadeRequestContext> {
        let router = Router(context: PalisadeRequestContext.self)
        let audit = AuditTrail(
            committer: dependencies.committer,
            pipeline: dependencies.pipeline,
            metrics: dependencies.metrics,
            logger: dependencies.logger
        )
        var publicPaths: Set<String> = ["/healthz", "/openapi.json", "/.well-known/jwks.json"]
        if !configuration.metricsRequireAuth { publicPaths.insert("/metrics") }
        router.add(middleware: ObservabilityMiddleware(metrics: dependencies.metrics, usesTLS: configuration.tls != nil))
        router.add(middleware: ErrorMiddleware(metrics: dependencies.metrics))
        router.add(
            middleware: AuthenticationMiddleware(
                access: dependencies.access,
                codec: dependencies.tokens,
                jwt: dependencies.jwt,
                limiter: RateLimiter(configuration.rateLimits),
                audit: audit,
                metrics: dependencies.metrics,
                clock: dependencies.clock,
                operatorTenant: configuration.operatorTenant,
                publicPaths: publicPaths
            )
        )
        let system = SystemController(
            ledger: dependencies.ledger,
            committer: dependencies.committer,
            jwt: dependencies.jwt,
            metrics: dependencies.metrics,
            checkpointKey: dependencies.checkpointKey,
            operatorTenant: configuration.operatorTenant
        )
        system.addRoutes(to: router)
        let v1 = router.group("v1", context: TenantRequestContext.self)
        EventsController(
            events: dependencies.events,
            committer: dependencies.committer,
            pipeline: dependencies.pipeline,
            limits: configuration.limits,
            metrics: dependencies.metrics
        ).addRoutes(to: v1)
        let log = LogController(ledger: dependencies.ledger, events: dependencies.events)
        log.addRoutes(to: v1)
        log.addTileRoutes(to: router.group(context: TenantRequestContext.self))
        AdminController(
            access: dependencies.access,
            codec: dependencies.tokens,
            audit: audit,
            clock: dependencies.clock,
            operatorTenant: configuration.operatorTenant,
            maxBodyBytes: configuration.limits.maxAdminBytes
        ).addRoutes(to: v1)
        IncidentsController(
            incidents: dependencies.incidents,
            events: dependencies.events,
            manager: IncidentManager(store: dependencies.incidents, records: dependencies.committer),
            sla: dependencies.sla,
            clock: dependencies.clock,
            maxBodyBytes: configuration.limits.maxAdminBytes
        ).addRoutes(to: v1)
        if let vault = dependencies.vault {
            VaultController(
                vault: vault,
                operatorTenant: configuration.operatorTenant,
                maxBodyBytes: configuration.limits.maxBatchBytes,
                metrics: dependencies.metrics
            ).addRoutes(to: v1)
        }
        if let alerting = dependencies.alerting {
            AlertingController(
                events: dependencies.events,
                committer: dependencies.committer,
                alerting: alerting,
                clock: dependencies.clock,
                maxBodyBytes: configuration.limits.maxAdminBytes
            ).addRoutes(to: v1)
        }
        let detection = dependencies.detection
        RulesController(
            events: dependencies.events,
            committer: dependencies.committer,
            globalRules: {
                if let detection { return await detection.currentRules }
                do {
                    return try DefaultRulePack.rules()
                } catch {
                    preconditionFailure("the default rule pack does not load: \(error)")  // a test keeps it loadable
                }
            },
            clock: dependencies.clock,
            maxBodyBytes: configuration.limits.maxBatchBytes
        ).addRoutes(to: v1)
        if configuration.metricsRequireAuth {
            router.group(context: TenantRequestContext.self).get("metrics") { request, context in
                try context.require(.read)
                guard context.tenant == configuration.operatorTenant else { throw APIError.notFound() }
                return try await system.prometheus(request, context: context)
            }
        } else {
            router.get("metrics", use: system.prometheus)
        }
        return router
    }

    /// The application: the router on HTTP/1.1 (with TLS when configured), with the committer and
    /// JWKS reloader as its services, so one `runService()` runs and stops everything in order
    /// (the server stops accepting first, then pending appends are committed).
    ///
    /// - Parameter onServerRunning: called with the bound port once listening (port 0 picks one).
    public static func buildApplication(
        configuration: ServerConfiguration,
        dependencies: ServerDependencies,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = buildRouter(configuration: configuration, dependencies: dependencies)
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: .seconds(Int64(configuration.limits.idleTimeoutSeconds)),
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: configuration.limits.maxHeaderBytes,
                maxHeaderListSize: configuration.limits.maxHeaderBytes,
                maxHeaderFieldCount: 100
            )
        )
        let server: HTTPServerBuilder
        if let tls = configuration.tls {
            let certificates = try NIOSSLCertificate.fromPEMFile(tls.certificatePath)
            let key = try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)
            var tlsConfiguration = TLSConfiguration.makeServerConfiguration(
                certificateChain: certificates.map { .certificate($0) },
                privateKey: .privateKey(key)
            )
            tlsConfiguration.minimumTLSVersion = .tlsv12
            server = try .tls(.http1(configuration: http1), tlsConfiguration: tlsConfiguration)
        } else {
            server = .http1(configuration: http1)
        }
        var services: [any Service] = [dependencies.committer]
        if let jwt = dependencies.jwt { services.append(jwt) }
        // After the committer: graceful shutdown runs in reverse, so detection stops (and saves its
        // cursors) while the committer still takes its incident records.
        if let detection = dependencies.detection {
            services.append(
                DetectionService(
                    consumer: detection,
                    commits: dependencies.committer.commits,
                    interval: dependencies.detectionInterval,
                    coalesce: dependencies.detectionCoalesce,
                    metrics: dependencies.metrics,
                    logger: dependencies.logger
                )
            )
        }
        if let alerting = dependencies.alerting {
            services.append(
                AlertingService(
                    consumer: alerting.consumer,
                    deliverer: alerting.deliverer,
                    exporter: alerting.exporter,
                    commits: dependencies.committer.commits.subscribe(),
                    interval: dependencies.alertingInterval,
                    coalesce: dependencies.alertingCoalesce,
                    metrics: dependencies.metrics,
                    logger: dependencies.logger
                )
            )
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: dependencies.logger
        )
    }
}

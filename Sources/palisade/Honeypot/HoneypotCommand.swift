import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import PalisadeCore
import PalisadeHoneypot
import Synchronization

/// `palisade honeypot`: the SSH honeypot as a standalone sensor. Events go to a disk spool first,
/// then to a Palisade server's ingest API; a health endpoint answers on its own port.
struct HoneypotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "honeypot",
        abstract: "Run the SSH honeypot as a standalone sensor sending its events to a Palisade server.",
        discussion: """
            Events are written to DATA_DIR/spool (NDJSON segments, bounded by sensor.spool_segment_mb × \
            sensor.spool_segments; the oldest segment goes first when it is full, counted and logged) and \
            delivered to SERVER/v1/events:batch with an ingest token; while the server is unreachable they \
            wait in the spool. GET /health on sensor.health_listen answers 503 until the SSH listener is up, \
            then 200 with the spool's state. Every honeypot.* setting of serve applies (see README).
            """
    )

    @Option(help: ArgumentHelp("Address to listen on for SSH (honeypot.listen).", valueName: "host:port")) var listen: String?
    @Option(help: ArgumentHelp("The Palisade server's base URL (sensor.server_url).", valueName: "url")) var server: String?
    @Option(help: ArgumentHelp("Ingest token (sensor.token; better: env PALISADE_SENSOR_TOKEN).", valueName: "token")) var token: String?
    @Option(help: ArgumentHelp("Health endpoint address (sensor.health_listen).", valueName: "host:port")) var health: String?
    @Option(help: ArgumentHelp("The data directory: host keys, spool, evidence.", valueName: "path")) var dataDir: String?
    @Option(help: ArgumentHelp("A YAML config file (env PALISADE_CONFIG).", valueName: "path")) var config: String?
    @Flag(help: "Validate the settings, print them with their sources, and exit.") var checkConfig = false

    func run() async throws {
        try await reportingErrors {
            var flags: [String: String] = [:]
            if let listen { flags["honeypot.listen"] = listen }
            if let server { flags["sensor.server_url"] = server }
            if let token { flags["sensor.token"] = token }
            if let health { flags["sensor.health_listen"] = health }
            if let dataDir { flags["data_dir"] = dataDir }
            let environment = ProcessInfo.processInfo.environment
            let settings = try ServeSettings(flags: flags, environment: environment, configFile: config ?? environment["PALISADE_CONFIG"])
            let builder = ServeConfigurationBuilder(settings: settings)
            guard let honeypot = try builder.honeypotSettings() else {
                throw CLIError("\(settings.describe("honeypot.listen")) is not set: give --listen 0.0.0.0:22 (or honeypot.listen)")
            }
            let sensor = try SensorSettings(settings)
            if checkConfig {
                print(settings.explanation)
                print("configuration is valid")
                return
            }
            try await runSensor(honeypot, sensor, dataDir: settings.string("data_dir") ?? "palisade-data")
        }
    }

    /// `sensor.*`.
    struct SensorSettings {
        var serverURL: String
        var token: String
        var healthHost: String
        var healthPort: Int
        var segmentBytes: Int
        var segments: Int
        var batchEvents: Int

        init(_ settings: ServeSettings) throws {
            guard let url = settings.string("sensor.server_url"), url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw CLIError("\(settings.describe("sensor.server_url")) must be the server's http(s):// base URL (--server)")
            }
            guard let token = settings.string("sensor.token"), !token.isEmpty else {
                throw CLIError("\(settings.describe("sensor.token")) is not set: create one with palisade token create --scopes ingest")
            }
            guard let health = try settings.address("sensor.health_listen", fallback: "127.0.0.1:9101", example: "127.0.0.1:9101") else {
                throw CLIError("\(settings.describe("sensor.health_listen")) is not set")
            }
            serverURL = url
            self.token = token
            healthHost = health.host
            healthPort = health.port
            segmentBytes = try settings.integer("sensor.spool_segment_mb", in: 1...10_000) << 20
            segments = try settings.integer("sensor.spool_segments", in: 2...1_000)
            batchEvents = try settings.integer("sensor.batch_events", in: 1...10_000)
        }
    }

    private func runSensor(_ honeypot: ServeConfigurationBuilder.HoneypotSettings, _ sensor: SensorSettings, dataDir: String) async throws {
        let logger = Logger(label: "palisade.honeypot")
        let directory = DataDirectory(path: dataDir, logger: logger)
        try directory.create()
        let spool = try EventSpool(
            directory: URL(fileURLWithPath: dataDir).appendingPathComponent("spool"),
            segmentBytes: sensor.segmentBytes,
            segments: sensor.segments
        )
        let honeypotServer = HoneypotServer(
            configuration: try honeypot.serverConfiguration(
                directory,
                hostKeys: try directory.honeypotHostKeys(),
                secret: try directory.honeypotSecret(),
                logger: logger
            ),
            sink: SpoolingSink(spool: spool, logger: logger),
            logger: logger
        )
        // Idle connections to the server are closed after 2 s, so a server shutting down does not
        // wait for this client's keep-alive connection.
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(2))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let forwarder = IngestForwarder(
            spool: spool,
            server: sensor.serverURL,
            token: sensor.token,
            batchEvents: sensor.batchEvents,
            client: client,
            logger: logger
        )
        let listening = ListeningPort()
        let health = SensorHealth(spool: spool, forwarder: forwarder, listening: { listening.port.withLock { $0 } })
        let application = Application(
            router: health.router(),
            configuration: .init(address: .hostname(sensor.healthHost, port: sensor.healthPort), serverName: nil),
            onServerRunning: { channel in
                printNow(
                    "palisade: sensor health listening on http://\(sensor.healthHost):\(channel.localAddress?.port ?? sensor.healthPort) (GET /health)"
                )
            },
            logger: logger
        )
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await application.runService() }
                group.addTask { await forwarder.run() }
                group.addTask {
                    await honeypotServer.runUntilCancelled(logger: logger) { port in listening.port.withLock { $0 = port } }
                }
                // The health application ends on SIGTERM/SIGINT (its service lifecycle); then the rest.
                try await group.next()
                group.cancelAll()
                try await group.waitForAll()
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        let left = try spool.statistics()
        printError("palisade: sensor stopped; \(left.pending) events wait in the spool for the next start")
    }
}

/// The SSH port once the listener is bound (the health endpoint answers 503 until then).
final class ListeningPort: Sendable {
    let port = Mutex<Int?>(nil)
}

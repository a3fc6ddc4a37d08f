import AsyncHTTPClient
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import PalisadeAlerting
import PalisadeChannels
import PalisadeCore
import PalisadeDetection
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite
import PalisadeServer
import PalisadeTesting
import Testing

/// A real server (SQLite file, group committer, Hummingbird on a free loopback port) and a real
/// HTTP client, for one test. Requests go through AsyncHTTPClient with a 2-minute deadline rather
/// than the test framework's client (20 s): on two cores, with other tests busy in the same
/// process, a request's answer can wait its turn longer than that without anything being wrong.
struct ServerHarness: Sendable {
    let store: SQLiteStore
    let codec: APITokenCodec
    let signer: NoteSigner
    let adminToken: String
    /// The server's loopback port.
    let port: Int
    let operatorTenant = TenantID.default

    /// A configuration changed by `change`.
    static func configuration(_ change: (inout ServerConfiguration) -> Void) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        change(&configuration)
        return configuration
    }

    /// Runs `body` against a fresh server.
    static func run(
        configuration given: ServerConfiguration = ServerConfiguration(),
        jwt: JWTConfiguration? = nil,
        access wrap: @Sendable (SQLiteStore) -> any AccessStore = { $0 },
        detection: Bool = false,
        alerting: Bool = false,
        _ body: @Sendable (ServerHarness) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory.make("palisade-server")
        defer { TemporaryDirectory.remove(directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("palisade.db").path)
        let signer = try NoteSigner(name: "palisade.test", privateKey: Curve25519.Signing.PrivateKey())
        let codec = APITokenCodec(key: SymmetricKey(size: .bits256))
        let clock = SystemWallClock()
        var logger = Logger(label: "palisade.test")
        logger.logLevel = .warning
        var configuration = given
        configuration.port = 0
        try await store.createTenant(TenantRecord(id: configuration.operatorTenant, createdAt: clock.now()))
        let (adminToken, adminRecord) = codec.mint(
            tenant: configuration.operatorTenant,
            name: "admin",
            scopes: [.admin, .ingest, .read, .respond],
            createdAt: clock.now()
        )
        try await store.createToken(adminRecord)
        let sequencer = LogSequencer(backend: store, signer: signer, clock: clock, configuration: .init(origin: "palisade.test"), logger: logger)
        let committer = GroupCommitter(sequencer: sequencer, logger: logger)
        var verifier: JWTVerifier?
        if let jwt { verifier = await JWTVerifier(configuration: jwt, clock: clock, logger: logger) }
        var consumer: DetectionConsumer?
        if detection {
            consumer = try DetectionConsumer(
                store: store,
                rules: DefaultRulePack.rules(),
                manager: IncidentManager(store: store, records: committer),
                records: committer,
                clock: clock,
                configuration: .init(checkpointSeconds: 0)
            )
        }
        var dependencies = ServerDependencies(
            ledger: store,
            events: store,
            access: wrap(store),
            incidents: store,
            detection: consumer,
            committer: committer,
            pipeline: IngestPipeline(clock: clock),
            tokens: codec,
            checkpointKey: signer.verifier,
            jwt: verifier,
            clock: clock,
            metrics: ServerMetrics(),
            logger: logger
        )
        dependencies.detectionInterval = .milliseconds(20)
        // Alerting with the default outbound policy: loopback receivers are refused (dead letters).
        let transport = HTTPTransport()
        if alerting {
            let sealer = SecretSealer(key: SymmetricKey(size: .bits256))
            let channel = HTTPAlertChannel(transport: transport, clock: clock)
            dependencies.alerting = Alerting(
                consumer: AlertConsumer(store: store, clock: clock),
                deliverer: OutboxDeliverer(store: store, channels: [.webhook: channel], sealer: sealer, records: committer, clock: clock),
                exporter: nil,
                sealer: sealer,
                outbox: store
            )
            dependencies.alertingInterval = .milliseconds(20)
        }
        let application = try PalisadeServer.buildApplication(configuration: configuration, dependencies: dependencies)
        do {
            try await application.test(.live) { client in
                // The committer starts with the server; wait until it takes appends.
                while !committer.isAcceptingAppends { try await Task.sleep(for: .milliseconds(5)) }
                let port = try #require(client.port, "the live test server has a port")
                try await body(ServerHarness(store: store, codec: codec, signer: signer, adminToken: adminToken, port: port))
            }
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
    }

    /// A response with its body parsed as JSON when it is JSON.
    struct Reply: Sendable {
        let status: Int
        let headers: HTTPFields
        let body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }

        var json: JSONValue {
            get throws { try JSONParser().parse(body) }
        }

        /// A member of a JSON object body, by path.
        func value(_ path: String...) throws -> JSONValue? {
            var current: JSONValue? = try json
            for key in path {
                guard case .object(let members) = current else { return nil }
                current = members[key]
            }
            return current
        }

        /// The error code of an error body.
        var errorCode: String? {
            get throws {
                guard case .string(let code)? = try value("error", "code") else { return nil }
                return code
            }
        }
    }

    /// Sends a request.
    func send(_ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil, headers: HTTPFields = [:]) async throws -> Reply {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(uri)")
        request.method = .init(rawValue: method.rawValue)
        for field in fields { request.headers.add(name: field.name.rawName, value: field.value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        var received = HTTPFields()
        for (name, value) in response.headers {
            if let fieldName = HTTPField.Name(name) { received.append(HTTPField(name: fieldName, value: value)) }
        }
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: received, body: Array(bytes.readableBytesView))
    }

    /// Registers a tenant and mints a token for it directly in the store.
    func tenantWithToken(_ name: String, scopes: Set<Scope> = [.ingest, .read]) async throws -> String {
        let tenant = TenantID(name)!
        if try await store.tenantRecord(tenant) == nil {
            try await store.createTenant(TenantRecord(id: tenant, createdAt: SystemWallClock().now()))
        }
        return try await token(for: tenant, scopes: scopes)
    }

    /// Mints a token of a registered tenant directly in the store.
    func token(for tenant: TenantID, scopes: Set<Scope>, expiresAt: Timestamp? = nil, networks: [IPNetwork] = []) async throws -> String {
        let (token, record) = codec.mint(
            tenant: tenant,
            name: "test",
            scopes: scopes,
            createdAt: SystemWallClock().now(),
            expiresAt: expiresAt,
            allowedNetworks: networks
        )
        try await store.createToken(record)
        return token
    }

    /// A test's own failure with a message.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// An event body.
    static func event(action: String = "login", actor: String = "alice", id: UUID? = nil, extra: String = "") -> String {
        let idField = id.map { "\"id\":\"\($0.lowercasedString)\"," } ?? ""
        return "{\(idField)\"event_type\":\"authentication\",\"action\":\"\(action)\",\"actor\":\"\(actor)\",\"success\":true\(extra)}"
    }
}

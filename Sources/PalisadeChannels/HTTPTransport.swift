import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
public import PalisadeAlerting
import PalisadeCore

/// How alert channels reach HTTP receivers: every host name is resolved first and every address it
/// resolves to is checked against the ``OutboundPolicy`` (no SSRF to loopback, private or metadata
/// addresses unless allowed); the connection is then pinned to the checked address (so a DNS
/// answer that changes between the check and the connection cannot slip past it) while TLS still
/// verifies the certificate for the host name. Redirects are not followed (a redirect is a way
/// around the check), each request has a deadline, and each host has a cap on requests in flight.
public final class HTTPTransport: HTTPPoster {
    /// Limits and policy.
    public struct Configuration: Sendable {
        /// Where requests may go.
        public var policy: OutboundPolicy
        /// The whole request's deadline (connect, send, response), seconds.
        public var timeoutSeconds: Int64
        /// Connection set-up limit, seconds.
        public var connectTimeoutSeconds: Int64
        /// Requests in flight to one host at a time.
        public var perHostConcurrency: Int
        /// Certificates trusted besides the system's (PEM file).
        public var extraTrustRootsFile: String?

        /// 10 s per request, 5 s to connect, 4 per host.
        public init(
            policy: OutboundPolicy = OutboundPolicy(),
            timeoutSeconds: Int64 = 10,
            connectTimeoutSeconds: Int64 = 5,
            perHostConcurrency: Int = 4,
            extraTrustRootsFile: String? = nil
        ) {
            self.policy = policy
            self.timeoutSeconds = timeoutSeconds
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.perHostConcurrency = perHostConcurrency
            self.extraTrustRootsFile = extraTrustRootsFile
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let resolver: HostResolver
    private let gate: HostGate
    private let clients: ClientPool

    /// Creates a transport; ``shutdown()`` it when done.
    public init(configuration: Configuration = Configuration(), resolver: HostResolver = HostResolver()) {
        self.configuration = configuration
        self.resolver = resolver
        self.gate = HostGate(limit: configuration.perHostConcurrency)
        self.clients = ClientPool(settings: configuration)
    }

    /// Closes every connection.
    public func shutdown() async {
        await clients.shutdown()
    }

    /// POSTs `body` to `url`; what came of it as a delivery outcome (never throws).
    public func post(_ url: String, headers: [(String, String)], body: [UInt8]) async -> DeliveryOutcome {
        switch await send(url, headers: headers, body: body) {
        case .success(let response):
            let text = String(decoding: response.body.prefix(4_096), as: UTF8.self)
            switch DeliveryOutcome.http(status: response.status) {
            case .delivered: return .delivered
            case .retry(let reason): return .retry(Self.describe(reason, text))
            case .permanent(let reason): return .permanent(Self.describe(reason, text))
            }
        case .failure(let failure): return failure.outcome
        }
    }

    /// Sends a POST and returns the response.
    public func send(_ url: String, headers: [(String, String)], body: [UInt8]) async -> Result<HTTPAnswer, DeliveryFailure> {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = parsed.host, !host.isEmpty
        else { return .failure(.refused("\(url) is not an http(s) URL")) }
        let pinned: IPAddress
        switch await resolver.checkedAddress(of: host, policy: configuration.policy) {
        case .success(let address): pinned = address
        case .failure(let failure): return .failure(failure)
        }
        let client = await clients.client(host: host, pinned: IPAddress(host) == nil ? pinned : nil)
        let gateKey = "\(host):\(parsed.port ?? (scheme == "https" ? 443 : 80))"
        let timeout = configuration.timeoutSeconds
        return await gate.withSlot(for: gateKey) {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.headers.replaceOrAdd(name: "Content-Length", value: "\(body.count)")
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await client.execute(request, timeout: .seconds(timeout))
                var collected = try await response.body.collect(upTo: 1 << 20)
                return .success(HTTPAnswer(status: Int(response.status.code), body: collected.readBytes(length: collected.readableBytes) ?? []))
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                return .failure(.network("no response from \(host) within \(timeout)s (\(error))"))
            } catch {
                return .failure(.network("\(host): \(error)"))
            }
        }
    }

    private static func describe(_ reason: String, _ body: String) -> String {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? reason : "\(reason): \(trimmed.prefix(300))"
    }
}

/// One HTTP client per (host, pinned address): each pins its host to the address that was checked
/// (AsyncHTTPClient's `dnsOverride`), keeps its connections alive, and never follows a redirect.
actor ClientPool {
    private var clients: [String: HTTPClient] = [:]
    private let settings: HTTPTransport.Configuration
    private let logger = Logger(label: "palisade.alerting.http")

    init(settings: HTTPTransport.Configuration) {
        self.settings = settings
    }

    func client(host: String, pinned: IPAddress?) -> HTTPClient {
        let key = "\(host)|\(pinned?.text ?? "")"
        if let client = clients[key] { return client }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(settings.connectTimeoutSeconds), read: .seconds(settings.timeoutSeconds))
        )
        if let pinned { configuration.dnsOverride = [host: pinned.text] }
        let tls = TLSConfiguration.alertingClient(extraTrustRootsFile: settings.extraTrustRootsFile)
        configuration.tlsConfiguration = tls
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: settings.perHostConcurrency)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        clients[key] = client
        return client
    }

    func shutdown() async {
        for client in clients.values {
            do {
                try await client.shutdown()
            } catch {
                logger.warning("an alert delivery HTTP client did not shut down cleanly: \(error)")
            }
        }
        clients = [:]
    }
}

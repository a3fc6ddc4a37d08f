import Foundation
import NIOCore
import NIOPosix
import NIOSSL
public import PalisadeAlerting
public import PalisadeCore

/// Syslog (RFC 5424) with CEF or JSON payloads, one message per alert: `syslog+udp://host[:514]`
/// (one datagram each, RFC 5426), `syslog+tcp://host[:514]` (octet counting, RFC 6587) and
/// `syslog+tls://host[:6514]` (RFC 5425, the server's certificate verified). The collector's address
/// is checked against the outbound policy like any receiver's.
///
/// Syslog has no acknowledgements: a notification counts as delivered once every message was
/// handed to the network (UDP) or written to the connection (TCP, TLS).
public struct SyslogAlertChannel: AlertChannel {
    /// Settings.
    public struct Configuration: Sendable {
        /// Where delivery may connect.
        public var policy: OutboundPolicy
        /// The deadline of one delivery, seconds.
        public var timeoutSeconds: Int64
        /// Certificates trusted besides the system's (PEM file).
        public var extraTrustRootsFile: String?
        /// The HOSTNAME field.
        public var hostname: String

        /// Creates settings.
        public init(
            policy: OutboundPolicy = OutboundPolicy(),
            timeoutSeconds: Int64 = 10,
            extraTrustRootsFile: String? = nil,
            hostname: String? = nil
        ) {
            self.policy = policy
            self.timeoutSeconds = timeoutSeconds
            self.extraTrustRootsFile = extraTrustRootsFile
            self.hostname = hostname ?? ProcessInfo.processInfo.hostName
        }
    }

    private let configuration: Configuration
    private let resolver: HostResolver
    private let clock: any WallClock

    /// Creates the channel.
    public init(configuration: Configuration, clock: any WallClock, resolver: HostResolver = HostResolver()) {
        self.configuration = configuration
        self.clock = clock
        self.resolver = resolver
    }

    /// Sends one message per alert.
    public func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        guard let url = URL(string: delivery.secret.url), let scheme = url.scheme?.lowercased(), let host = url.host else {
            return .permanent("syslog receiver \(delivery.receiver.name) has no usable URL; store it again")
        }
        let format = SyslogMessage.Format(rawValue: delivery.secret.format ?? "cef") ?? .cef
        let messages = SyslogMessage.messages(
            delivery.notification,
            format: format,
            hostname: configuration.hostname,
            processID: ProcessInfo.processInfo.processIdentifier,
            at: clock.now()
        )
        switch scheme {
        case "syslog+udp":
            switch await resolver.checkedAddress(of: host, policy: configuration.policy) {
            case .success(let address): return await sendDatagrams(messages, to: address, port: url.port ?? 514)
            case .failure(let failure): return failure.outcome
            }
        case "syslog+tcp", "syslog+tls":
            let secure = scheme == "syslog+tls"
            let port = url.port ?? (secure ? 6514 : 514)
            switch await StreamConnection.open(
                host: host,
                port: port,
                security: secure ? .tls : .none,
                policy: configuration.policy,
                resolver: resolver,
                extraTrustRootsFile: configuration.extraTrustRootsFile,
                connectTimeoutSeconds: 5,
                deadlineSeconds: configuration.timeoutSeconds
            ) {
            case .failure(let failure): return failure.outcome
            case .success(let (connection, _)):
                defer { connection.close() }
                do {
                    try await connection.write(messages.flatMap(SyslogMessage.octetCounted))
                    return .delivered
                } catch {
                    return .retry("\(host):\(port): \(error)")
                }
            }
        default:
            return .permanent("\(scheme) is not a syslog transport; use syslog+udp, syslog+tcp or syslog+tls")
        }
    }

    private func sendDatagrams(_ messages: [[UInt8]], to address: IPAddress, port: Int) async -> DeliveryOutcome {
        do {
            let remote = try SocketAddress(ipAddress: address.text, port: port)
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: address.isIPv6 ? "::" : "0.0.0.0", port: 0).get()
            defer { channel.close(promise: nil) }
            for message in messages {
                // RFC 5426: at most 2,048 octets are safe everywhere; longer messages are cut there.
                let datagram = message.count > 2_048 ? Array(message.prefix(2_048)) : message
                try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: datagram))).get()
            }
            return .delivered
        } catch {
            return .retry("syslog over UDP to \(address.text):\(port): \(error)")
        }
    }
}

import Foundation
import NIOSSL
public import PalisadeAlerting
public import PalisadeCore

/// Email over SMTP (RFC 5321): `smtp://host[:587]` requires STARTTLS before anything else is said
/// (a server that does not offer it is refused, so credentials and alerts never cross the network
/// in the clear), `smtps://host[:465]` is TLS from the start; AUTH PLAIN (or LOGIN) when the
/// receiver has credentials; one multipart text + HTML message (``EmailMessage``) to every
/// recipient. The server's address is checked against the outbound policy like any receiver's.
///
/// Replies: 4xx is retried, 5xx is permanent, a network failure or timeout is retried.
public struct SMTPAlertChannel: AlertChannel {
    /// Settings.
    public struct Configuration: Sendable {
        /// Where delivery may connect.
        public var policy: OutboundPolicy
        /// The whole conversation's deadline, seconds.
        public var timeoutSeconds: Int64
        /// Certificates trusted besides the system's (PEM file), for a relay with a private CA.
        public var extraTrustRootsFile: String?
        /// The name Palisade gives in EHLO.
        public var heloName: String

        /// Creates settings.
        public init(
            policy: OutboundPolicy = OutboundPolicy(),
            timeoutSeconds: Int64 = 30,
            extraTrustRootsFile: String? = nil,
            heloName: String = "palisade.local"
        ) {
            self.policy = policy
            self.timeoutSeconds = timeoutSeconds
            self.extraTrustRootsFile = extraTrustRootsFile
            self.heloName = heloName
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

    /// Sends the notification as one email.
    public func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        guard let url = URL(string: delivery.secret.url), let scheme = url.scheme?.lowercased(), let host = url.host,
            let from = delivery.secret.from, !delivery.secret.to.isEmpty
        else { return .permanent("email receiver \(delivery.receiver.name) has no usable URL, from or to; store it again") }
        let implicitTLS = scheme == "smtps"
        let port = url.port ?? (implicitTLS ? 465 : 587)
        let message = EmailMessage.render(
            delivery.notification,
            from: from,
            to: delivery.secret.to,
            deliveryID: delivery.id,
            date: clock.now(),
            link: delivery.link
        )
        let connection: StreamConnection
        let tls: TLSConfiguration
        switch await StreamConnection.open(
            host: host,
            port: port,
            security: implicitTLS ? .tls : .none,
            policy: configuration.policy,
            resolver: resolver,
            extraTrustRootsFile: configuration.extraTrustRootsFile,
            connectTimeoutSeconds: 10,
            deadlineSeconds: configuration.timeoutSeconds
        ) {
        case .success(let opened): (connection, tls) = opened
        case .failure(let failure): return failure.outcome
        }
        defer { connection.close() }
        do {
            try await converse(connection, host: host, implicitTLS: implicitTLS, tls: tls, from: from, delivery: delivery, message: message)
            return .delivered
        } catch let reply as SMTPReplyError {
            return reply.code >= 500 ? .permanent(reply.description) : .retry(reply.description)
        } catch let refusal as SMTPRefusal {
            return .permanent(refusal.description)
        } catch {
            return .retry("\(host):\(port): \(error)")
        }
    }

    private func converse(
        _ connection: StreamConnection,
        host: String,
        implicitTLS: Bool,
        tls: TLSConfiguration,
        from: String,
        delivery: Delivery,
        message: [UInt8]
    ) async throws {
        _ = try await expect(connection, 220, "greeting")
        var capabilities = try await command(connection, "EHLO \(configuration.heloName)", 250, "EHLO")
        if !implicitTLS {
            guard capabilities.contains(where: { $0.uppercased() == "STARTTLS" }) else {
                throw SMTPRefusal(
                    "\(host) does not offer STARTTLS; Palisade does not send email in the clear (use an smtps:// URL for TLS on connect)"
                )
            }
            _ = try await command(connection, "STARTTLS", 220, "STARTTLS")
            try await connection.startTLS(host: host, tls: tls)
            capabilities = try await command(connection, "EHLO \(configuration.heloName)", 250, "EHLO after STARTTLS")
        }
        if let username = delivery.secret.username, let password = delivery.secret.password {
            let mechanisms = capabilities.first { $0.uppercased().hasPrefix("AUTH ") }?.uppercased().split(separator: " ").dropFirst() ?? []
            if mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN") {
                let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                _ = try await command(connection, "AUTH PLAIN \(token)", 235, "AUTH PLAIN")
            } else {
                _ = try await command(connection, "AUTH LOGIN", 334, "AUTH LOGIN")
                _ = try await command(connection, Data(username.utf8).base64EncodedString(), 334, "AUTH LOGIN user")
                _ = try await command(connection, Data(password.utf8).base64EncodedString(), 235, "AUTH LOGIN password")
            }
        }
        _ = try await command(connection, "MAIL FROM:<\(from)>", 250, "MAIL FROM")
        for recipient in delivery.secret.to { _ = try await command(connection, "RCPT TO:<\(recipient)>", [250, 251], "RCPT TO \(recipient)") }
        _ = try await command(connection, "DATA", 354, "DATA")
        try await connection.write(Self.dotStuffed(message) + Array(".\r\n".utf8))
        _ = try await expect(connection, [250], "end of data")
        // The message is accepted; a failed QUIT changes nothing.
        try await connection.write(Array("QUIT\r\n".utf8))
    }

    private func command(_ connection: StreamConnection, _ line: String, _ code: Int, _ step: String) async throws -> [String] {
        try await command(connection, line, [code], step)
    }

    private func command(
        _ connection: StreamConnection,
        _ line: String,
        _ codes: [Int],
        _ step: String
    ) async throws
        -> [String]
    {
        try await connection.write(Array((line + "\r\n").utf8))
        return try await expect(connection, codes, step)
    }

    private func expect(_ connection: StreamConnection, _ code: Int, _ step: String) async throws -> [String] {
        try await expect(connection, [code], step)
    }

    /// Reads one (possibly multi-line) reply and checks its code; returns the text of its lines.
    private func expect(_ connection: StreamConnection, _ codes: [Int], _ step: String) async throws -> [String] {
        var texts = [String]()
        while true {
            let line = try await connection.readLine()
            guard line.utf8.count >= 3, let code = Int(line.prefix(3)) else {
                throw SMTPReplyError(code: 451, step: step, text: "unreadable reply: \(line.prefix(200))")
            }
            let text = String(line.dropFirst(4))
            texts.append(text)
            let more = line.dropFirst(3).first == "-"
            if more { continue }
            guard codes.contains(code) else { throw SMTPReplyError(code: code, step: step, text: texts.joined(separator: " / ")) }
            return texts
        }
    }

    /// The message with every line starting with `.` doubled (RFC 5321 §4.5.2).
    static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(message.count + 64)
        var lineStart = true
        for byte in message {
            if lineStart && byte == UInt8(ascii: ".") { out.append(byte) }
            out.append(byte)
            lineStart = byte == 0x0A
        }
        return out
    }
}

/// An SMTP reply other than the one expected.
struct SMTPReplyError: Error, CustomStringConvertible {
    var code: Int
    var step: String
    var text: String
    var description: String { "SMTP \(code) at \(step): \(text.prefix(300))" }
}

/// A server Palisade will not send to (no STARTTLS).
struct SMTPRefusal: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

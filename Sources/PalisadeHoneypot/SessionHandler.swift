import Foundation
import Logging
import NIOCore
import PalisadeCore
import PalisadeSSH
import Synchronization

/// One attacker's connection: bytes through the SSH state machine, sessions through fake shells,
/// observations to the recorder, failed logins answered after OpenSSH's delay.
final class SessionHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every member is used only on this channel's event loop.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Shared by every connection (one pointer each, not a copy of the settings).
    private let shared: SharedSettings
    private var configuration: HoneypotServer.Configuration { shared.sensor }
    private let recorder: Recorder
    private let counts: HoneypotServer.Counts
    private let logger: Logger
    private var connection: ServerConnection?
    private var session: HoneypotSession?
    private var channels: SessionChannels
    private var admitted = false
    /// Output waits until this moment (a failed login's delay), so answers keep their order.
    private var writesFrom = NIODeadline.now()
    private var opened = NIODeadline.now()
    private var bytesIn = 0
    private var bytesOut = 0
    private var timers: [Scheduled<Void>] = []
    /// Numbers of the attempts refused for the address's rate limit.
    private let limited = LimitedAttempts()

    init(
        shared: SharedSettings,
        recorder: Recorder,
        counts: HoneypotServer.Counts,
        logger: Logger
    ) {
        self.shared = shared
        channels = SessionChannels(shared: shared)
        self.recorder = recorder
        self.counts = counts
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let address = context.remoteAddress?.ipAddress ?? "0.0.0.0"
        var generator = SystemRandomNumberGenerator()
        let id = UUID.version7(at: Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)), using: &generator).lowercasedString
        let session = HoneypotSession(
            sensor: configuration.sensor,
            id: id,
            address: address,
            port: context.remoteAddress?.port ?? 0,
            correlationID: configuration.secret.correlationID(address: address, at: Date())
        )
        opened = .now()
        if let refusal = counts.admit(address, perAddress: configuration.maxConnectionsPerAddress, total: configuration.maxConnections) {
            // Over a limit: closed before the banner like OpenSSH's MaxStartups, still recorded.
            recorder.record([
                HoneypotEvents.draft(
                    "ssh.connect",
                    session,
                    success: false,
                    severity: "medium",
                    metadata: ["outcome": .string(refusal)]
                )
            ])
            context.close(promise: nil)
            return
        }
        admitted = true
        recorder.record([HoneypotEvents.draft("ssh.connect", session, metadata: ["outcome": .string("accepted")])])
        // Attempts over the address's limit fail whatever the credentials; they are marked so
        // their events say so.
        var settings = shared.connection
        let policy = settings.accepts
        let counts = self.counts
        let limited = self.limited
        settings.accepts = { attempt in
            guard attempt.method != "none" else { return policy(attempt) }
            guard counts.admitAttempt(address) else {
                limited.numbers.withLock { _ = $0.insert(attempt.number) }
                return false
            }
            return policy(attempt)
        }
        let connection = ServerConnection(configuration: settings) { count in
            var generator = SystemRandomNumberGenerator()
            return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        self.connection = connection
        self.session = session
        write(context, connection.greeting)
        // OpenSSH's LoginGraceTime, the session cap, and the idle timeout (checked every few seconds).
        let channel = context.channel
        timers.append(
            context.eventLoop.scheduleTask(in: .seconds(configuration.loginGraceSeconds)) { [weak self] in
                guard let self, !self.loggedIn else { return }
                self.closeReason = "login_grace_time"
                channel.close(promise: nil)
            }
        )
        timers.append(
            context.eventLoop.scheduleTask(in: .seconds(configuration.maxSessionSeconds)) { [weak self] in
                self?.closeReason = "session_time_limit"
                channel.close(promise: nil)
            }
        )
        // Re-keying by time, when asked for (OpenSSH's server default is by volume only).
        if let seconds = configuration.rekeySeconds {
            rekeyTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(seconds), delay: .seconds(seconds)) { [weak self] _ in
                guard let self, let connection = self.connection else { return }
                self.write(channel, connection.startKeyExchange().output)
            }
        }
        let idle = configuration.idleSeconds
        let check = TimeAmount.seconds(max(1, min(idle, 10)))
        idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: check, delay: check) { [weak self] task in
            guard let self else { return task.cancel() }
            if NIODeadline.now() - self.lastRead > .seconds(idle) {
                self.closeReason = "idle_timeout"
                channel.close(promise: nil)
                task.cancel()
            }
        }
    }

    /// Why the sensor closed the connection, when it did (for the disconnect event).
    private var closeReason: String?
    private var lastRead = NIODeadline.now()
    private var idleCheck: RepeatedTask?
    private var rekeyTimer: RepeatedTask?

    private var loggedIn = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection, var session else { return }
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        bytesIn += bytes.count
        lastRead = .now()
        guard bytesIn <= configuration.maxBytesIn else {
            closeReason = "byte_limit"
            context.close(promise: nil)
            return
        }
        var outcome = connection.receive(bytes)
        var events = [JSONValue]()
        var delay = false
        for event in outcome.events {
            if case .authentication(let attempt, false) = event, limited.numbers.withLock({ $0.remove(attempt.number) }) != nil {
                session.username = attempt.username
                events.append(HoneypotEvents.rateLimitedAttempt(attempt, session, passwords: configuration.passwords, secret: configuration.secret))
            } else {
                events += HoneypotEvents.events(for: event, &session, passwords: configuration.passwords, secret: configuration.secret)
            }
            switch event {
            case .authentication(let attempt, let succeeded):
                if succeeded { loggedIn = true } else if attempt.method != "none" { delay = true }
            case .channel(let channelEvent):
                channels.handle(channelEvent, connection, session, &outcome.output, &events)
            default: break
            }
        }
        self.session = session
        recorder.record(events)
        if delay {
            let seconds = Double.random(in: configuration.failureDelay)
            writesFrom = max(writesFrom, .now() + .milliseconds(Int64(seconds * 1_000)))
        }
        write(context, outcome.output)
        if let closing = outcome.closing {
            if closing.reason != .byApplication {
                recorder.record([
                    HoneypotEvents.draft("ssh.protocol_error", session, success: false, metadata: ["reason": .string(closing.description)])
                ])
            }
            let channel = context.channel
            context.eventLoop.scheduleTask(deadline: writesFrom + .milliseconds(50)) { channel.close(promise: nil) }
        }
    }

    private func write(_ context: ChannelHandlerContext, _ bytes: [UInt8]) {
        write(context.channel, bytes)
    }

    /// Sends bytes in order: after any failed login's delay still running (packets are sealed with
    /// their sequence numbers, so nothing may overtake what is waiting).
    private func write(_ channel: any Channel, _ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytesOut += bytes.count
        if writesFrom > .now() {
            channel.eventLoop.scheduleTask(deadline: writesFrom) { channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil) }
        } else {
            channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        for timer in timers { timer.cancel() }
        idleCheck?.cancel()
        rekeyTimer?.cancel()
        guard admitted, let session else { return }
        counts.release(session.address)
        let seconds = Double((NIODeadline.now() - opened).nanoseconds) / 1e9
        var events = [JSONValue]()
        channels.finish(session, &events)
        var metadata: [String: JSONValue] = [
            "duration_seconds": .number((seconds * 1_000).rounded() / 1_000), "bytes_in": .number(Double(bytesIn)),
            "bytes_out": .number(Double(bytesOut)),
        ]
        if let closeReason { metadata["closed_by_sensor"] = .string(closeReason) }
        events.append(HoneypotEvents.draft("ssh.disconnect", session, metadata: metadata))
        recorder.record(events)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("palisade.honeypot.connection_error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

/// The numbers of a connection's attempts refused for their address's rate limit (marked by the
/// policy closure, read when the events are made; both on the connection's event loop).
final class LimitedAttempts: Sendable {
    let numbers = Mutex<Set<Int>>([])
}

import Crypto
import Foundation
public import Logging
import NIOCore
import NIOPosix
import PalisadeCore
public import PalisadeSSH
import Synchronization

/// The SSH honeypot: Palisade's own SSH server on a listening socket, one ``ServerConnection`` and
/// one ``FakeShell`` per session, every observation a ledger event, and caps on what an attacker
/// can take: connections per address and in all, authentication tries, session time. Failures are
/// answered after OpenSSH's delay, so a sensor is as slow per attacker as the server it imitates.
public final class HoneypotServer: Sendable {
    /// Settings.
    public struct Configuration: Sendable {
        /// Address to listen on.
        public var host: String
        /// Port (0: any).
        public var port: Int
        /// The sensor's id in events.
        public var sensor: String
        /// The server impersonated (limited to what is implemented).
        public var profile: ServerProfile
        /// Host keys (persisted by the caller, so the fingerprint survives restarts).
        public var hostKeys: [HostKey]
        /// Which credentials log in.
        public var policy: LoginPolicy
        /// Whether sshd's keyboard-interactive (PAM) method is offered (Debian 12: no).
        public var keyboardInteractive: Bool
        /// Passwords in events as typed, or hashed.
        public var passwords: PasswordCapture
        /// The sensor's secret (password hashes, correlation ids).
        public var secret: SensorSecret
        /// How long a failed attempt's answer waits, seconds (OpenSSH with PAM: about 2 s).
        public var failureDelay: ClosedRange<Double>
        /// Connections at once from one address.
        public var maxConnectionsPerAddress: Int
        /// Connections at once in all.
        public var maxConnections: Int
        /// Seconds before authentication after which a silent client is dropped (OpenSSH: 120).
        public var loginGraceSeconds: Int64
        /// Seconds a session may last.
        public var maxSessionSeconds: Int64
        /// Seconds without a byte from the client after which the connection is closed.
        public var idleSeconds: Int64
        /// Bytes a connection may send in all (uploads included) before it is closed.
        public var maxBytesIn: Int
        /// Seconds after which the server starts a new key exchange; nil: by volume only (OpenSSH's
        /// server default).
        public var rekeySeconds: Int64?
        /// How long events are gathered before they go to the sink together: the ledger then takes
        /// a few larger commits instead of one per connection's read (each commit wakes several
        /// threads and the consumers behind it). Zero hands them over at once.
        public var gather: Duration
        /// The primes group exchange picks from (sshd's /etc/ssh/moduli).
        public var moduli: ModuliFile
        /// New connections and authentication attempts allowed per source address.
        public var rateLimits: AddressRateLimits.Limits
        /// The host the fake shell pretends to be.
        public var system: FakeShell.Profile
        /// Where uploads (quarantine) and session recordings are kept; nil: uploads are recorded by
        /// size and hash only, sessions are not recorded.
        public var evidence: EvidenceStore?

        /// Creates settings with OpenSSH's behaviour.
        public init(
            host: String = "127.0.0.1",
            port: Int = 2222,
            sensor: String = "ssh-1",
            profile: ServerProfile = ServerProfile.debian12.offering(only: ServerConnection.implemented),
            hostKeys: [HostKey],
            policy: LoginPolicy = LoginPolicy(),
            keyboardInteractive: Bool = false,
            passwords: PasswordCapture = .plaintext,
            secret: SensorSecret = .random(),
            failureDelay: ClosedRange<Double> = 1.8...2.3,
            maxConnectionsPerAddress: Int = 10,
            maxConnections: Int = 1_000,
            loginGraceSeconds: Int64 = 120,
            maxSessionSeconds: Int64 = 3_600,
            idleSeconds: Int64 = 900,
            maxBytesIn: Int = 256 << 20,
            rekeySeconds: Int64? = nil,
            gather: Duration = .milliseconds(50),
            moduli: ModuliFile = .none,
            rateLimits: AddressRateLimits.Limits = .init(),
            system: FakeShell.Profile = .debian12,
            evidence: EvidenceStore? = nil
        ) {
            self.host = host
            self.port = port
            self.sensor = sensor
            self.profile = profile
            self.hostKeys = hostKeys
            self.policy = policy
            self.keyboardInteractive = keyboardInteractive
            self.passwords = passwords
            self.secret = secret
            self.failureDelay = failureDelay
            self.maxConnectionsPerAddress = maxConnectionsPerAddress
            self.maxConnections = maxConnections
            self.loginGraceSeconds = loginGraceSeconds
            self.maxSessionSeconds = maxSessionSeconds
            self.idleSeconds = idleSeconds
            self.maxBytesIn = maxBytesIn
            self.rekeySeconds = rekeySeconds
            self.gather = gather
            self.moduli = moduli
            self.rateLimits = rateLimits
            self.system = system
            self.evidence = evidence
        }
    }

    /// Connections at once (in all and per address) and the per-address rate limits, shared by
    /// every connection.
    final class Counts: Sendable {
        let open = Mutex<[String: Int]>([:])
        let rates: Mutex<AddressRateLimits>

        init(limits: AddressRateLimits.Limits) { rates = Mutex(AddressRateLimits(limits: limits)) }

        /// Why a connection is refused, or nil when it is admitted (and counted).
        func admit(_ address: String, perAddress: Int, total: Int) -> String? {
            let admitted = open.withLock { counts in
                guard counts.values.reduce(0, +) < total, counts[address, default: 0] < perAddress else { return false }
                counts[address, default: 0] += 1
                return true
            }
            guard admitted else { return "too_many_connections" }
            let now = Self.now()
            guard rates.withLock({ $0.admitConnection(from: address, now: now) }) else {
                release(address)
                return "rate_limited"
            }
            return nil
        }

        /// Whether an authentication attempt from `address` is within its limit.
        func admitAttempt(_ address: String) -> Bool {
            let now = Self.now()
            return rates.withLock { $0.admitAttempt(from: address, now: now) }
        }

        func release(_ address: String) {
            open.withLock { counts in
                counts[address, default: 1] -= 1
                if counts[address] == 0 { counts[address] = nil }
            }
        }

        private static func now() -> Double { Double(NIODeadline.now().uptimeNanoseconds) / 1e9 }
    }

    /// The settings it runs with.
    public let configuration: Configuration
    private let recorder: Recorder
    private let counts: Counts
    private let group: MultiThreadedEventLoopGroup
    private let channel = Mutex<(any Channel)?>(nil)
    private let logger: Logger

    /// Creates a honeypot; ``start()`` listens.
    public init(configuration: Configuration, sink: any HoneypotSink, logger: Logger) {
        self.configuration = configuration
        self.recorder = Recorder(sink: sink, gather: configuration.gather, logger: logger)
        counts = Counts(limits: configuration.rateLimits)
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Listens; returns the port.
    public func start() async throws -> Int {
        let configuration = self.configuration
        let recorder = self.recorder
        let counts = self.counts
        let logger = self.logger
        let policy = configuration.policy
        var connectionConfiguration = ServerConnection.Configuration(
            profile: configuration.profile,
            hostKeys: configuration.hostKeys,
            authenticationMethods: ["publickey", "password"] + (configuration.keyboardInteractive ? ["keyboard-interactive"] : []),
            accepts: { policy.accepts($0) }
        )
        connectionConfiguration.moduli = configuration.moduli
        let shared = SharedSettings(sensor: configuration, connection: connectionConfiguration)
        let listening = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Each connection keeps its receive buffer between reads; an attacker's packets are
            // small, so it starts small (and grows for uploads).
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65_536))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SessionHandler(
                            shared: shared,
                            recorder: recorder,
                            counts: counts,
                            logger: logger
                        )
                    )
                }
            }
            .bind(host: configuration.host, port: configuration.port).get()
        channel.withLock { $0 = listening }
        return listening.localAddress?.port ?? configuration.port
    }

    /// Events dropped because the ledger did not keep up (logged as they happen).
    public var droppedEvents: Int { recorder.droppedEvents }

    /// Stops listening, ends every session and records what is left.
    public func stop() async throws {
        if let listening = channel.withLock({ $0 }) { try await listening.close() }
        try await group.shutdownGracefully()
        await recorder.finish()
        await configuration.evidence?.drain()
    }
}

/// The settings every connection reads, shared by reference: each connection holds a pointer
/// rather than its own copy (thousands of idle attackers are thousands of copies).
final class SharedSettings: Sendable {
    let sensor: HoneypotServer.Configuration
    let connection: ServerConnection.Configuration

    init(sensor: HoneypotServer.Configuration, connection: ServerConnection.Configuration) {
        self.sensor = sensor
        self.connection = connection
    }
}

/// Hands events to the sink in order, everything gathered since the last hand-over in one call —
/// so under load the ledger gets few large group commits instead of one per connection's read. The
/// queue is bounded (a flood of attackers cannot grow it without limit while the ledger is slow):
/// events that do not fit are counted and logged, never dropped without a trace.
final class Recorder: Sendable {
    /// Events waiting at most.
    static let capacity = 200_000
    private let waiting = Waiting()
    private let signal: AsyncStream<Void>.Continuation
    private let task: Task<Void, Never>
    private let dropped = Mutex<Int>(0)
    private let logger: Logger

    init(sink: any HoneypotSink, gather: Duration, logger: Logger) {
        let (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.signal = signal
        self.logger = logger
        let waiting = self.waiting
        task = Task {
            for await _ in signals {
                if gather > .zero {
                    do {
                        try await Task.sleep(for: gather)
                    } catch {
                        logger.debug("palisade.honeypot.gather_cut_short", metadata: ["reason": "\(error)"])
                    }
                }
                let batch = waiting.events.withLock { events in
                    defer { events = [] }
                    return events
                }
                if !batch.isEmpty { await sink.record(batch) }
            }
        }
    }

    /// Events dropped because the queue was full.
    var droppedEvents: Int { dropped.withLock { $0 } }

    func record(_ events: [JSONValue]) {
        guard !events.isEmpty else { return }
        let accepted = waiting.events.withLock { waiting in
            guard waiting.count + events.count <= Self.capacity else { return false }
            waiting += events
            return true
        }
        guard accepted else {
            let total = dropped.withLock { count -> Int in
                count += events.count
                return count
            }
            if total == events.count || total % 1_000 < events.count {
                logger.error(
                    "palisade.honeypot.events_dropped",
                    metadata: ["total": "\(total)", "reason": "the event queue is full; the ledger is not keeping up"]
                )
            }
            return
        }
        signal.yield(())
    }

    func finish() async {
        signal.yield(())
        signal.finish()
        await task.value
    }
}

/// The recorder's queue, shared with its task.
final class Waiting: Sendable {
    let events = Mutex<[JSONValue]>([])
}

import Foundation
public import PalisadeCore

/// What one delivery attempt came to.
public enum DeliveryOutcome: Hashable, Sendable {
    /// Accepted by the receiver.
    case delivered
    /// Failed in a way that may pass (a timeout, 408, 429, 5xx, a refused connection): try again.
    case retry(String)
    /// Failed for good (another 4xx, such as 410 Gone): to the dead-letter list.
    case permanent(String)

    /// The outcome of an HTTP response status.
    public static func http(status: Int) -> DeliveryOutcome {
        switch status {
        case 200..<300: .delivered
        case 408, 429: .retry("HTTP \(status)")
        case 400..<500: .permanent("HTTP \(status)")
        default: .retry("HTTP \(status)")
        }
    }
}

/// Why a delivery did not get an answer.
public enum DeliveryFailure: Error, Sendable {
    /// Not allowed or not a usable target: retrying will not help.
    case refused(String)
    /// The network failed (timeout, connection refused, TLS): it may pass.
    case network(String)

    /// The outcome it stands for.
    public var outcome: DeliveryOutcome {
        switch self {
        case .refused(let reason): .permanent(reason)
        case .network(let reason): .retry(reason)
        }
    }
}

/// A receiver's answer to an HTTP request.
public struct HTTPAnswer: Sendable {
    /// The status.
    public var status: Int
    /// The body (at most the first MiB).
    public var body: [UInt8]

    /// Creates an answer.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Something that POSTs to receivers (the HTTP transport, with its SSRF checks and limits).
public protocol HTTPPoster: Sendable {
    /// POSTs `body` to `url`.
    func send(_ url: String, headers: [(String, String)], body: [UInt8]) async -> Result<HTTPAnswer, DeliveryFailure>
}

/// When to try a failed notification again: exponential backoff with jitter, up to a horizon
/// after the first attempt, after which it is dead-lettered.
public struct RetryPolicy: Hashable, Sendable {
    /// The first wait, seconds.
    public var initialSeconds: Double
    /// The growth per attempt.
    public var multiplier: Double
    /// The longest wait, seconds.
    public var maximumSeconds: Double
    /// How long after the first attempt retrying stops, seconds.
    public var horizonSeconds: Int64
    /// The random share of each wait (0.2: ±20 %), so that failed receivers are not hit in step.
    public var jitter: Double

    /// 1 s doubling to at most 10 min, for 24 h, ±20 %.
    public static let standard = RetryPolicy(initialSeconds: 1, multiplier: 2, maximumSeconds: 600, horizonSeconds: 86_400, jitter: 0.2)

    /// Creates a policy.
    public init(initialSeconds: Double, multiplier: Double, maximumSeconds: Double, horizonSeconds: Int64, jitter: Double) {
        self.initialSeconds = initialSeconds
        self.multiplier = multiplier
        self.maximumSeconds = maximumSeconds
        self.horizonSeconds = horizonSeconds
        self.jitter = jitter
    }

    /// When to try again after `attempts` failed attempts, the first at `firstAttempt`; `nil` once
    /// the next try would be past the horizon (dead-letter it).
    public func nextAttempt(
        after attempts: Int,
        firstAttempt: Timestamp,
        now: Timestamp,
        random: inout some RandomNumberGenerator
    )
        -> Timestamp?
    {
        let base = min(maximumSeconds, initialSeconds * pow(multiplier, Double(max(0, attempts - 1))))
        let spread = base * jitter
        let wait = base + Double.random(in: -spread...spread, using: &random)
        let next = now.adding(microseconds: Int64(max(0, wait) * 1_000_000))
        guard next.microseconds - firstAttempt.microseconds <= horizonSeconds * 1_000_000 else { return nil }
        return next
    }
}

/// A receiver's circuit breaker (the original design's): after `failures` failures within
/// `windowSeconds` the receiver is paused for `pauseSeconds` (the pause itself is reported), and
/// sends to it are at least `minimumGapSeconds` apart, so a broken receiver neither floods nor is
/// flooded.
public struct CircuitBreaker: Hashable, Sendable {
    /// Failures that open the breaker.
    public var failures: Int
    /// Within how many seconds.
    public var windowSeconds: Int64
    /// How long it stays open.
    public var pauseSeconds: Int64
    /// The least time between two sends, seconds.
    public var minimumGapSeconds: Double
    private var recentFailures: [Timestamp] = []
    private var lastSend: Timestamp?
    /// Until when the receiver is paused.
    public private(set) var pausedUntil: Timestamp?

    /// 3 failures in 10 minutes pause for 15 minutes; sends at least 1 s apart.
    public init(failures: Int = 3, windowSeconds: Int64 = 600, pauseSeconds: Int64 = 900, minimumGapSeconds: Double = 1) {
        self.failures = failures
        self.windowSeconds = windowSeconds
        self.pauseSeconds = pauseSeconds
        self.minimumGapSeconds = minimumGapSeconds
    }

    /// When the next send may go (now, or later).
    public func nextSend(at now: Timestamp) -> Timestamp {
        var earliest = now
        if let pausedUntil, pausedUntil > earliest { earliest = pausedUntil }
        if let lastSend {
            let gap = lastSend.adding(microseconds: Int64(minimumGapSeconds * 1_000_000))
            if gap > earliest { earliest = gap }
        }
        return earliest
    }

    /// Records a send's outcome.
    ///
    /// - Returns: the time the receiver is paused until, when this failure opened the breaker.
    public mutating func record(_ outcome: DeliveryOutcome, at now: Timestamp) -> Timestamp? {
        lastSend = now
        guard outcome != .delivered else {
            recentFailures.removeAll()
            return nil
        }
        recentFailures.append(now)
        recentFailures.removeAll { now.microseconds - $0.microseconds > windowSeconds * 1_000_000 }
        guard recentFailures.count >= failures else { return nil }
        recentFailures.removeAll()
        let until = now.adding(microseconds: pauseSeconds * 1_000_000)
        pausedUntil = until
        return until
    }
}

public import Logging
public import PalisadeCore
public import ServiceLifecycle
import Synchronization

/// Group commit: gathers the appends of concurrent callers for a moment and hands them to the
/// ``LogSequencer`` as one batch — one transaction, one fsync, one checkpoint for all of them —
/// then acknowledges each caller with its own outcomes.
///
/// It is a `Service`: ``run()`` does the committing, and ``append(_:)`` waits until the batch
/// holding its events is durable. On graceful shutdown it stops taking new appends, commits what is
/// pending, and returns. Appends made when it is not running fail at once instead of hanging.
///
/// ```swift
/// let committer = GroupCommitter(sequencer: sequencer, logger: logger)
/// // in a ServiceGroup, or: group.addTask { try await committer.run() }
/// let outcomes = try await committer.append([PreparedEvent(event)])
/// ```
public final class GroupCommitter: Service, Sendable {
    /// Batching limits.
    public struct Configuration: Sendable {
        /// The most events in one commit. Default 5,000.
        public var maxBatchEvents: Int
        /// How long to wait for more appends once one arrives, in microseconds; 0 commits at once
        /// (appends still batch naturally while a commit is in flight). Default 1,000 µs.
        public var lingerMicroseconds: Int

        /// Creates a configuration.
        public init(maxBatchEvents: Int = 5000, lingerMicroseconds: Int = 1000) {
            precondition(maxBatchEvents > 0, "a batch holds at least one event")
            self.maxBatchEvents = maxBatchEvents
            self.lingerMicroseconds = lingerMicroseconds
        }
    }

    private struct Request {
        var events: [PreparedEvent]
        var continuation: CheckedContinuation<[AppendOutcome], any Error>
    }

    private struct State {
        var pending: [Request] = []
        var pendingEvents = 0
        var phase: Phase = .idle
    }

    private enum Phase {
        case idle
        case running
        case stopped
    }

    private let sequencer: LogSequencer
    private let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// Creates a committer over a sequencer.
    public init(sequencer: LogSequencer, configuration: Configuration = Configuration(), logger: Logger) {
        self.sequencer = sequencer
        self.configuration = configuration
        self.logger = logger
        (self.wakeups, self.wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Raised after every commit of the sequencer, for in-process consumers.
    public var commits: CommitSignal { sequencer.commits }

    /// Whether ``run()`` is running and taking appends (false before it starts and once it is
    /// shutting down).
    public var isAcceptingAppends: Bool { state.withLock { $0.phase == .running } }

    /// Appends events and returns once they are durable, with one outcome per event.
    ///
    /// - Throws: ``CommitterError`` when the committer is not running, or the sequencer's error
    ///   when the batch failed (then none of the batch was appended).
    public func append(_ events: [PreparedEvent]) async throws -> [AppendOutcome] {
        guard !events.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = state.withLock { state -> Bool in
                guard state.phase == .running else { return false }
                state.pending.append(Request(events: events, continuation: continuation))
                state.pendingEvents += events.count
                return true
            }
            if accepted {
                wake.yield()
            } else {
                continuation.resume(throwing: CommitterError.notRunning)
            }
        }
    }

    /// Commits batches until graceful shutdown or cancellation, then commits what is pending.
    public func run() async throws {
        state.withLock { $0.phase = .running }
        await withGracefulShutdownHandler {
            for await _ in wakeups {
                await drain(lingering: true)
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.phase = .stopped }
            self.wake.finish()
        }
        state.withLock { $0.phase = .stopped }
        wake.finish()
        await drain(lingering: false)
    }

    /// Commits everything pending, in batches of at most `maxBatchEvents`.
    private func drain(lingering: Bool) async {
        if lingering && configuration.lingerMicroseconds > 0 {
            let full = state.withLock { $0.pendingEvents >= configuration.maxBatchEvents }
            if !full {
                let linger = configuration.lingerMicroseconds
                do {
                    // Graceful shutdown or cancellation ends the wait: what is pending is committed now.
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: .microseconds(linger)) }
                } catch {
                    logger.debug("group commit linger cut short", metadata: ["reason": "\(error)"])
                }
            }
        }
        while true {
            let batch = state.withLock { state -> [Request] in
                var taken = [Request]()
                var count = 0
                while let first = state.pending.first, taken.isEmpty || count + first.events.count <= configuration.maxBatchEvents {
                    taken.append(state.pending.removeFirst())
                    count += first.events.count
                }
                state.pendingEvents -= count
                return taken
            }
            guard !batch.isEmpty else { return }
            do {
                let outcomes = try await sequencer.append(batch.flatMap(\.events))
                var offset = 0
                for request in batch {
                    request.continuation.resume(returning: Array(outcomes[offset..<(offset + request.events.count)]))
                    offset += request.events.count
                }
            } catch {
                logger.error("ledger commit failed", metadata: ["error": "\(error)", "events": "\(batch.reduce(0) { $0 + $1.events.count })"])
                for request in batch { request.continuation.resume(throwing: error) }
            }
        }
    }
}

/// Why the ``GroupCommitter`` refused an append.
public enum CommitterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// It is not running (not started yet, or shut down); the append was not attempted.
    case notRunning

    /// What happened and what to do.
    public var description: String {
        switch self {
        case .notRunning: "the ledger writer is not running (starting up or shutting down); retry the append"
        }
    }
}

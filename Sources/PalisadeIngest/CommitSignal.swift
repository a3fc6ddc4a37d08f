import Foundation
import Synchronization

/// Tells in-process readers of the ledger that a commit happened, so a consumer (detection) can run
/// at once instead of at its next poll. Commits that happen while nobody waits are remembered as
/// one: the next wait returns at once.
public final class CommitSignal: Sendable {
    private struct State {
        var pending = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    private let subscribers = Mutex<[CommitSignal]>([])

    /// A signal no commit has raised yet.
    public init() {}

    /// A signal of its own for another consumer, raised with this one: each remembers a commit
    /// that happened while its consumer was busy, so one consumer's wait does not take it from
    /// another's.
    public func subscribe() -> CommitSignal {
        let signal = CommitSignal()
        subscribers.withLock { $0.append(signal) }
        return signal
    }

    /// Wakes every waiter (or, with none, the next one), here and in every subscriber.
    public func notify() {
        for subscriber in subscribers.withLock({ $0 }) { subscriber.notify() }
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.waiters.isEmpty else {
                state.pending = true
                return []
            }
            let waiting = Array(state.waiters.values)
            state.waiters = [:]
            return waiting
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at the next commit (at once if one happened since the last wait), after `timeout`,
    /// or when the task is cancelled, whichever comes first.
    public func wait(upTo timeout: Duration) async {
        let alreadyCommitted = state.withLock { state -> Bool in
            defer { state.pending = false }
            return state.pending
        }
        guard !alreadyCommitted else { return }
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.nextCommit(id) }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return  // cancelled: a commit (or shutdown) came first
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func nextCommit(_ id: UUID) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    // Cancelled before registering: the handler below found nothing to resume.
                    if Task.isCancelled || state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

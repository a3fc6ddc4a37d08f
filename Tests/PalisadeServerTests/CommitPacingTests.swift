import PalisadeIngest
import Synchronization
import Testing

@testable import PalisadeServer

/// A consumer's passes follow the commits, but a stream of commits makes one pass per coalescing
/// window rather than one per commit.
struct CommitPacingTests {
    @Test func aStreamOfCommitsMakesOnePassPerCoalescingWindow() async throws {
        let commits = CommitSignal()
        let passes = Mutex(0)
        let consumer = Task {
            await runPaced(commits: commits, interval: .seconds(30), coalesce: .milliseconds(250)) {
                passes.withLock { $0 += 1 }
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        // 100 commits over a second: every 10 ms.
        for _ in 0..<100 {
            commits.notify()
            try await Task.sleep(for: .milliseconds(10))
        }
        // The last commits get their pass (a busy machine may take a while to run it).
        while passes.withLock({ $0 }) < 2 && clock.now - start < .seconds(30) { try await Task.sleep(for: .milliseconds(10)) }
        let elapsed = clock.now - start
        let during = passes.withLock { $0 }
        consumer.cancel()
        await consumer.value
        // One pass at the start, then at most one per 250 ms window of the run.
        let windows = Int((elapsed / .milliseconds(250)).rounded(.up))
        #expect(during >= 2 && during <= windows + 1, "\(during) passes in \(elapsed) for 100 commits")
        #expect(passes.withLock { $0 } > during, "and one more as it stops")
    }
}

import PalisadeIngest
import Testing

/// The commit signal wakes a waiting consumer at once, remembers a commit nobody waited for, and
/// otherwise lets the wait time out or be cancelled.
struct CommitSignalTests {
    @Test func aCommitWakesTheWaiterAndIsRememberedOnce() async {
        let signal = CommitSignal()
        let clock = ContinuousClock()
        signal.notify()
        var start = clock.now
        await signal.wait(upTo: .seconds(10))
        #expect(clock.now - start < .seconds(1), "a commit nobody waited for makes the next wait return at once")
        start = clock.now
        await signal.wait(upTo: .milliseconds(50))
        #expect(clock.now - start >= .milliseconds(50), "it is remembered once: the second wait times out")
        let waiter = Task { await signal.wait(upTo: .seconds(10)) }
        await signal.wait(upTo: .milliseconds(20))  // let the waiter start waiting
        start = clock.now
        signal.notify()
        await waiter.value
        #expect(clock.now - start < .seconds(1), "a waiting consumer wakes at the commit")
        let cancelled = Task { await signal.wait(upTo: .seconds(10)) }
        start = clock.now
        cancelled.cancel()
        await cancelled.value
        #expect(clock.now - start < .seconds(1), "cancellation ends the wait")
    }
}

import PalisadeIngest
import Testing

/// The commit signal wakes a waiting consumer at once, remembers a commit nobody waited for, and
/// otherwise lets the wait time out or be cancelled. The waits that must end early have a two-minute
/// timeout and must end within one (CI runs these tests beside a database under load; a timed
/// assertion tighter than that would measure the machine, not the signal).
struct CommitSignalTests {
    @Test func aCommitWakesTheWaiterAndIsRememberedOnce() async {
        let signal = CommitSignal()
        let clock = ContinuousClock()
        signal.notify()
        var start = clock.now
        await signal.wait(upTo: .seconds(120))
        #expect(clock.now - start < .seconds(60), "a commit nobody waited for makes the next wait return at once")
        start = clock.now
        await signal.wait(upTo: .milliseconds(50))
        #expect(clock.now - start >= .milliseconds(50), "it is remembered once: the second wait times out")
        let waiter = Task { await signal.wait(upTo: .seconds(120)) }
        await signal.wait(upTo: .milliseconds(20))  // let the waiter start waiting
        start = clock.now
        signal.notify()
        await waiter.value
        #expect(clock.now - start < .seconds(60), "a waiting consumer wakes at the commit")
        let cancelled = Task { await signal.wait(upTo: .seconds(120)) }
        start = clock.now
        cancelled.cancel()
        await cancelled.value
        #expect(clock.now - start < .seconds(60), "cancellation ends the wait")
    }
}

import PalisadeIngest
import ServiceLifecycle

/// Runs a consumer's `pass` until graceful shutdown — at once, then after every commit (or after
/// `interval` at the latest, for timers and appends by other processes) — and once more when
/// shutdown begins, so what was committed last is processed too.
///
/// A commit that comes sooner than `coalesce` after the previous pass began waits out the rest of
/// it, so that a stream of small commits (a honeypot under attack commits a few events at a time)
/// makes one pass per `coalesce` rather than one per commit: each pass costs store reads and a
/// cursor write whatever it finds.
func runPaced(commits: CommitSignal?, interval: Duration, coalesce: Duration, _ pass: () async -> Void) async {
    let clock = ContinuousClock()
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        let began = clock.now
        await pass()
        do {
            try await cancelWhenGracefulShutdown {
                if let commits {
                    await commits.wait(upTo: interval)
                    try Task.checkCancellation()
                    let earliest = began.advanced(by: coalesce)
                    if clock.now < earliest { try await Task.sleep(until: earliest, clock: clock) }
                } else {
                    try await Task.sleep(for: interval)
                }
            }
        } catch {
            break  // shutting down
        }
    }
    await pass()
}

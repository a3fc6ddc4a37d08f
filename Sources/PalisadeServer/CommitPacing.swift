import PalisadeIngest
import ServiceLifecycle

/// Runs a consumer's `pass` until graceful shutdown — at once, then after every commit (or after
/// `interval` at the latest, for timers and appends by other processes) — and once more when
/// shutdown begins, so what was committed last is processed too.
func runPaced(commits: CommitSignal?, interval: Duration, _ pass: () async -> Void) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        await pass()
        do {
            try await cancelWhenGracefulShutdown {
                if let commits {
                    await commits.wait(upTo: interval)
                    try Task.checkCancellation()
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

/// Runs `body` once `interval` has passed, then every `interval`, until the task is cancelled (the
/// server stopping): the loop of `serve`'s scheduled jobs.
func periodically(every interval: Duration, _ body: () async -> Void) async {
    while !Task.isCancelled {
        do {
            try await Task.sleep(for: interval)
        } catch {
            return  // cancelled: the server is stopping
        }
        await body()
    }
}

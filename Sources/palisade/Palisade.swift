import ArgumentParser

/// The `palisade` command: operator commands over the ledger in a data directory.
@main
struct Palisade: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "palisade",
        abstract: "A tamper-evident audit ledger and security platform.",
        discussion: """
            Data lives in the data directory (--data-dir, or PALISADE_DATA_DIR, default ./palisade-data): \
            the SQLite database palisade.db and the checkpoint signing key checkpoint.key.

            Exit status: 0 success; 1 input rejected or a check failed; 64 usage error; 74 storage error.
            """,
        subcommands: [EventsCommand.self, CheckpointCommand.self, ProveCommand.self, VerifyCommand.self, KeyCommand.self]
    )
}

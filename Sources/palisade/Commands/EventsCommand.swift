import ArgumentParser

/// `palisade events …`
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Append audit events to the ledger and query them.",
        subcommands: [AppendEvents.self, QueryEvents.self]
    )
}

import ArgumentParser
import Foundation
import Logging

/// The entry point: bootstraps logging (the only place that does), then runs the command.
@main
enum Main {
    static func main() async {
        let level = ProcessInfo.processInfo.environment["PALISADE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        await Palisade.main()
    }
}

/// The `palisade` command: operator commands over the ledger in a data directory.
struct Palisade: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "palisade",
        abstract: "A tamper-evident audit ledger and security platform.",
        discussion: """
            Keys live in the data directory (--data-dir, or PALISADE_DATA_DIR, default ./palisade-data): \
            the checkpoint signing key checkpoint.key and the token key token.key. The ledger is the \
            SQLite database palisade.db there, or a PostgreSQL database (--database postgres://…, or \
            PALISADE_DATABASE).

            Exit status: 0 success; 1 input rejected or a check failed; 64 usage error; 74 storage error.
            Logs go to standard error at the level PALISADE_LOG_LEVEL (default warning).
            """,
        subcommands: [
            ServeCommand.self, TokenCommand.self, EventsCommand.self, CheckpointCommand.self, ProveCommand.self, VerifyCommand.self, KeyCommand.self,
            ExportCommand.self, ImportCommand.self, AnchorCommand.self, DatabaseCommand.self, RetentionCommand.self, RedactCommand.self,
            WitnessCommand.self, RulesCommand.self, IncidentsCommand.self, AlertsCommand.self, HoneypotCommand.self,
            VaultCommand.self, KeysCommand.self, ApprovalsCommand.self, AgentCommand.self,
        ]
    )
}

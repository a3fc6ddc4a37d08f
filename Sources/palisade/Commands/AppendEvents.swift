import ArgumentParser
import Foundation
import Logging
import PalisadeCore
import PalisadeIngest

/// `palisade events append`: NDJSON in, every line accepted or rejected with its reason.
struct AppendEvents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append events, one JSON object per line, from standard input or a file.",
        discussion: """
            Each line is validated on its own: a bad line is reported on standard error with the line \
            number and the fields at fault, and never stops the good lines. A line is appended whole \
            or not at all; lines are committed in batches and acknowledged only once durable. A line \
            whose "id" is already in the log is reported as a duplicate and not appended again.

            Fields: id, timestamp, event_type (required), severity, actor, action (required), \
            resource, success, error_message, source_ip, user_agent, session_id, request_id, metadata.

            Exit status: 0 when every line was appended (or was a duplicate), 1 when any was rejected.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Read events from this file instead of standard input.", valueName: "path"))
    var file: String?

    @Option(name: .long, help: "Lines per commit (1-10000).")
    var batchSize: Int = 1000

    @Option(name: .long, help: "Accept event timestamps up to this many days old.")
    var maxAgeDays: Int = 30

    @Flag(name: .long, help: "Print the log index of every appended line.")
    var verbose = false

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 10000") }
        guard maxAgeDays >= 0 else { throw ValidationError("--max-age-days must not be negative") }
    }

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            try await global.withSecrets { directory, store, secrets in
                let clock = SystemWallClock()
                let sequencer = try await secrets.sequencer(clock: clock, logger: directory.logger)
                var validatorConfiguration = EventValidator.Configuration()
                validatorConfiguration.maxPastAgeSeconds = Int64(maxAgeDays) * 86_400
                let pipeline = IngestPipeline(validator: EventValidator(configuration: validatorConfiguration), clock: clock)

                var reader = LineReader(handle: try inputHandle(file), maxLineBytes: pipeline.jsonLimits.maxBytes)
                var batch = [(line: Int, event: PreparedEvent)]()
                var lineNumber = 0
                var appended = 0
                var duplicates = 0
                var rejected = 0
                var acknowledgements = ""

                func flush() async throws {
                    guard !batch.isEmpty else { return }
                    let outcomes = try await sequencer.append(batch.map(\.event))
                    for (item, outcome) in zip(batch, outcomes) {
                        switch outcome {
                        case .appended(let index):
                            appended += 1
                            if verbose { acknowledgements += "line \(item.line): appended at index \(index)\n" }
                        case .duplicate(let index):
                            duplicates += 1
                            printError("line \(item.line): duplicate of the event at index \(index) (same id); not appended again")
                        }
                    }
                    batch.removeAll(keepingCapacity: true)
                    // Acknowledgements reach a pipe as soon as the batch is durable (unbuffered write).
                    if !acknowledgements.isEmpty {
                        FileHandle.standardOutput.write(Data(acknowledgements.utf8))
                        acknowledgements = ""
                    }
                }

                while let line = try reader.next() {
                    lineNumber += 1
                    switch line {
                    case .tooLong(let count):
                        rejected += 1
                        printError(
                            "line \(lineNumber): rejected: (json): line is \(count) bytes, more than the limit of \(pipeline.jsonLimits.maxBytes)"
                        )
                    case .bytes(let bytes):
                        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                        do {
                            batch.append((lineNumber, try pipeline.prepare(line: bytes, tenant: tenant)))
                        } catch let error as EventValidationError {
                            rejected += 1
                            printError("line \(lineNumber): rejected: \(error.description)")
                        }
                        if batch.count >= batchSize { try await flush() }
                    }
                }
                try await flush()
                print("appended \(appended), duplicates \(duplicates), rejected \(rejected)")
                if rejected > 0 { throw Exit.failed }
            }
        }
    }
}

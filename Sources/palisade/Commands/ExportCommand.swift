import ArgumentParser
import Foundation
import PalisadeCore
import PalisadeExport
import PalisadeIngest
import PalisadeLedger

/// `palisade export`: a tenant's log (or a range) as a sealed JSONL archive.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the log (or a range of it) as a sealed, verifiable JSONL archive.",
        discussion: """
            The archive directory gets gzip-compressed segment files (one canonical event per line: \
            zcat segment-*.jsonl.gz | jq), the log's signed checkpoint, and a manifest signed with \
            the checkpoint key listing each segment's index range, time span, SHA-256 and the Merkle \
            root at its end. Each file is written under a temporary name and renamed; the manifest \
            comes last. Check it anywhere with `palisade verify --archive DIR --vkey KEY`.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The archive directory (created; must not hold an archive).", valueName: "dir")) var out: String
    @Option(help: "The first log index to export (default 0).") var from: UInt64 = 0
    @Option(help: "One past the last index to export (default: the log's size).") var to: UInt64?
    @Option(help: "Seal a segment at this many MiB of entries (uncompressed).") var segmentMib: Int = 64
    @Option(help: "Seal a segment at this many events.") var segmentEvents: Int = 1_000_000
    @Option(help: ArgumentHelp("Also start a segment per period: hourly, daily, or a number of seconds.", valueName: "period"))
    var segmentPeriod: String?

    func validate() throws {
        guard (1...1024).contains(segmentMib) else { throw ValidationError("--segment-mib must be between 1 and 1024") }
        guard segmentEvents > 0 else { throw ValidationError("--segment-events must be positive") }
        if let to, to <= from { throw ValidationError("--to must be greater than --from") }
        _ = try periodSeconds()
    }

    func periodSeconds() throws -> Int64? {
        switch segmentPeriod {
        case nil: return nil
        case "hourly"?: return 3_600
        case "daily"?: return 86_400
        case let text?:
            guard let seconds = Int64(text), seconds > 0 else {
                throw ValidationError("--segment-period must be hourly, daily or a number of seconds")
            }
            return seconds
        }
    }

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            try await global.withSecrets { directory, store, secrets in
                guard try directory.existingVerifier() != nil || secrets.fromVault else {
                    throw CLIError("there is no checkpoint key in \(directory.path) yet; append an event first")
                }
                let exporter = ArchiveExporter(backend: store, events: store, signer: try await secrets.signer())
                let options = ArchiveExporter.Options(
                    from: from,
                    to: to,
                    maxSegmentBytes: segmentMib << 20,
                    maxSegmentEvents: segmentEvents,
                    segmentPeriodSeconds: try periodSeconds()
                )
                let report: ArchiveExporter.Report
                do {
                    report = try await exporter.export(tenant: tenant, to: URL(fileURLWithPath: out), options: options)
                } catch let error as ArchiveError {
                    throw CLIError(error.description)
                }
                let manifest = report.manifest
                print(
                    "exported \(manifest.end - manifest.start) events of tenant \(tenant) (indices \(manifest.start)..<\(manifest.end)) in \(manifest.segments.count) segments to \(out): \(ArchiveCommands.megabytes(report.entryBytes)) of entries, \(ArchiveCommands.megabytes(report.fileBytes)) gzip"
                )
            }
        }
    }
}

/// `palisade import`: restores an archive into an empty log.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Restore a JSONL archive (from index 0) into its tenant's empty log.",
        discussion: """
            The archive is verified in full first, then appended in order, so the restored log has \
            the same leaves and roots; its new checkpoints are signed by this data directory's key. \
            The archive is checked against --vkey, else against this data directory's key.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The archive directory.", valueName: "dir")) var archive: String
    @Option(help: ArgumentHelp("The verifier key the archive was signed with.", valueName: "vkey")) var vkey: String?

    func run() async throws {
        try await reportingErrors {
            try await global.withSecrets { directory, store, secrets in
                let key = try ArchiveCommands.key(vkey, directory: directory)
                let sequencer = try await secrets.sequencer(logger: directory.logger)
                do {
                    let report = try await ArchiveImporter(backend: store, sequencer: sequencer).restore(URL(fileURLWithPath: archive), key: key)
                    print(
                        "restored \(report.entries) events of tenant \(report.tenant) from \(report.manifest.segments.count) segments; the log's root at \(report.manifest.end) matches the archive"
                    )
                } catch let error as ArchiveError {
                    throw CLIError(error.description)
                }
            }
        }
    }
}

/// What the archive commands share.
enum ArchiveCommands {
    /// The key given as `--vkey`, else the data directory's.
    static func key(_ vkey: String?, directory: DataDirectory) throws -> NoteVerifier {
        guard let vkey else {
            guard let verifier = try directory.existingVerifier() else {
                throw CLIError("there is no checkpoint key in \(directory.path) yet; append an event first, or give --vkey")
            }
            return verifier
        }
        do {
            return try NoteVerifier(parsing: vkey)
        } catch {
            throw CLIError("--vkey is not a verifier key (name+keyid+base64): \(error)")
        }
    }

    /// `12.3 MB`.
    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}

import ArgumentParser
import Foundation
import PalisadeCore
import PalisadeExport
import PalisadeIngest
import PalisadeLedger
import PalisadeSQLite

/// `palisade verify`: the full audit of the stored ledger.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every leaf, the tree and every checkpoint from the stored events.",
        discussion: """
            Checks each tenant's log (or only --tenant): every entry decodes to a canonical event whose \
            query columns match, every leaf hash and tile matches the rebuilt tree, every kept checkpoint \
            is signed by this data directory's key and matches the tree at its size, and no rows exist \
            beyond the signed size. On failure names the first bad index. Exit status 1 on failure.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Verify every tenant (default when --tenant is not given).") var allTenants = false
    @Flag(help: "Do not print progress.") var quiet = false
    @Option(help: ArgumentHelp("Verify this JSONL archive offline instead of the database.", valueName: "dir")) var archive: String?
    @Option(help: ArgumentHelp("With --archive: the verifier key (default: the data directory's).", valueName: "vkey")) var vkey: String?

    func run() async throws {
        if let archive {
            try await verifyArchive(archive)
            return
        }
        try await reportingErrors {
            try await global.withStore { directory, store in
                let verifier = try directory.signer(createIfMissing: false).verifier
                let tenants = global.tenant != nil && !allTenants ? [try global.tenantID()] : try await store.tenants()
                let logVerifier = LogVerifier(backend: store, events: store, verifier: verifier)
                var failed = false
                let start = Date()
                for tenant in tenants {
                    let quiet = quiet
                    let report = try await logVerifier.verify(tenant: tenant) { done, total in
                        guard !quiet, total > LogVerifier.chunkSize else { return }
                        printError("  \(tenant): \(done)/\(total) entries (\(done * 100 / max(total, 1))%)")
                    }
                    if let failure = report.failure {
                        failed = true
                        print("tenant \(tenant): FAILED: \(failure)")
                    } else {
                        print("tenant \(tenant): OK: \(report.size) entries, \(report.checkpointsChecked) checkpoints verified")
                    }
                }
                if tenants.isEmpty { print("no logs to verify") }
                if !quiet { printError(String(format: "verified in %.2f s", Date().timeIntervalSince(start))) }
                if failed { throw Exit.failed }
            }
        }
    }

    /// Checks an archive with nothing but its files and the key: no database is opened.
    private func verifyArchive(_ path: String) async throws {
        try await reportingErrors {
            let key = try ArchiveCommands.key(vkey, directory: DataDirectory(path: global.resolvedDataDir))
            let start = Date()
            do {
                let report = try ArchiveVerifier.verify(URL(fileURLWithPath: path), key: key)
                let manifest = report.manifest
                print(
                    "archive \(path): OK: \(report.entries) events of tenant \(report.tenant) (indices \(manifest.start)..<\(manifest.end)) in \(manifest.segments.count) segments, a prefix of the checkpoint of size \(report.checkpoint.size)"
                )
                if !quiet {
                    printError(
                        String(
                            format: "verified %@ of entries in %.2f s",
                            ArchiveCommands.megabytes(report.entryBytes),
                            Date().timeIntervalSince(start)
                        )
                    )
                }
            } catch let error as ArchiveError {
                print("archive \(path): FAILED: \(error.description)")
                throw Exit.failed
            }
        }
    }
}

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
    @Option(help: ArgumentHelp("Also check the log against the checkpoints anchored in this directory (`palisade anchor`).", valueName: "dir"))
    var anchors: String?
    @Option(
        name: .customLong("witness-key"),
        help: ArgumentHelp("With --anchors: a witness key whose cosignature every cosigned anchor must carry (repeatable).", valueName: "vkey")
    )
    var witnessKeys: [String] = []

    func run() async throws {
        if let archive {
            try await verifyArchive(archive)
            return
        }
        try await reportingErrors {
            try await global.withStore { directory, store in
                let verifier = try await global.verifier(directory, store)
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
                        var erased = ""
                        if report.pruned + report.redacted > 0 {
                            erased =
                                "; \(report.pruned) pruned and \(report.redacted) redacted, accounted for by \(report.erasureRecords) signed erasure records"
                        }
                        print("tenant \(tenant): OK: \(report.size) entries, \(report.checkpointsChecked) checkpoints verified\(erased)")
                    }
                    if let anchors, report.failure == nil {
                        let anchorFailure = try await Self.checkAnchors(
                            of: tenant,
                            in: anchors,
                            size: report.size,
                            key: verifier,
                            witnesses: try witnessVerifiers(),
                            store: store
                        )
                        failed = failed || anchorFailure
                    }
                }
                if let anchors, global.tenant == nil || allTenants {
                    failed = try Self.checkAnchoredTenantsExist(anchors, tenants: tenants) || failed
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

    /// The parsed --witness-key values.
    private func witnessVerifiers() throws -> [CosignatureVerifier] {
        try witnessKeys.map { text in
            do {
                return try CosignatureVerifier(parsing: text)
            } catch {
                throw CLIError("--witness-key \(text.prefix(60)): \(error)")
            }
        }
    }

    /// Checks one tenant's anchored checkpoints; returns whether that failed.
    private static func checkAnchors(
        of tenant: TenantID,
        in path: String,
        size: UInt64,
        key: NoteVerifier,
        witnesses: [CosignatureVerifier],
        store: any LedgerStore
    ) async throws -> Bool {
        let directory = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(tenant.rawValue).path) else {
            print("tenant \(tenant): no anchored checkpoints in \(path) yet (run `palisade anchor --to \(path)`)")
            return false
        }
        let prover = LogProver(backend: store)
        let report: CheckpointAnchors.Report
        do {
            report = try await CheckpointAnchors.verify(tenant: tenant, in: directory, key: key, witnesses: witnesses, logSize: size) { size in
                try await prover.root(tenant: tenant, size: size)
            }
        } catch let error as ArchiveError {
            throw CLIError(error.description)
        }
        if let failure = report.failure {
            print("tenant \(tenant): ANCHORS FAILED: \(failure)")
            return true
        }
        var witnessed = witnesses.isEmpty ? "" : ", \(report.witnessed) of them cosigned by a witness"
        if report.timestamped > 0 { witnessed += ", \(report.timestamped) time-stamp tokens stamp their checkpoints" }
        print(
            "tenant \(tenant): anchors OK: \(report.consistent) anchored checkpoints (up to size \(report.largestSize)) agree with the log\(witnessed)"
        )
        return false
    }

    /// An anchored tenant the database no longer has means the database was replaced or rolled
    /// back to before the tenant existed; returns whether any is missing.
    private static func checkAnchoredTenantsExist(_ path: String, tenants: [TenantID]) throws -> Bool {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw CLIError("cannot list the anchor directory \(path): \(error.localizedDescription)")
        }
        let missing = names.compactMap(TenantID.init).filter { !tenants.contains($0) }.sorted { $0.rawValue < $1.rawValue }
        for tenant in missing {
            print("tenant \(tenant): ANCHORS FAILED: \(path) holds anchored checkpoints of tenant \(tenant), but the database has no log for it")
        }
        return !missing.isEmpty
    }
}

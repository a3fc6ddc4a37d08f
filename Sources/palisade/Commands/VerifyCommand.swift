import ArgumentParser
import Foundation
import PalisadeCore
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

    func run() async throws {
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
}

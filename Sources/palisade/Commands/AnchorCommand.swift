import ArgumentParser
import Foundation
import PalisadeCore
import PalisadeExport
import PalisadeIngest
import PalisadeLedger

/// `palisade anchor`: anchors the latest signed checkpoints outside the database.
struct AnchorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anchor",
        abstract: "Anchor each log's latest signed checkpoint outside the database: a write-once directory, a witness.",
        discussion: """
            --to: storage the database's administrators cannot rewrite (another disk or host, an \
            object-store mount with a retention lock); files are created once and never overwritten. \
            --witness: a C2SP tlog-witness (another Palisade's `palisade witness serve`) that cosigns \
            only while the log grows consistently. --tsa: an RFC 3161 Time-Stamp Authority whose token \
            (kept as <anchor>.tsr) proves when the checkpoint existed; check it with `openssl ts -verify \
            -data <anchor>.checkpoint -in <anchor>.tsr -CAfile <the TSA's CA>`. Each anchor is also recorded in the ledger \
            (event type palisade.anchor). Run it regularly (cron, systemd timer) or let `serve` do it. \
            `palisade verify --anchors DIR [--witness-key VKEY]` then fails if the log was rolled back \
            or rewritten, even when the rewritten log is consistent in itself.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The anchor directory.", valueName: "dir")) var to: String?
    @Option(help: ArgumentHelp("A witness's submission URL (POST <url>/add-checkpoint).", valueName: "url")) var witness: String?
    @Option(help: ArgumentHelp("The witness's verifier key (`palisade witness key`).", valueName: "vkey")) var witnessKey: String?
    @Option(help: ArgumentHelp("With --to: an RFC 3161 Time-Stamp Authority URL; its token is kept beside each new anchor.", valueName: "url"))
    var tsa: String?

    func validate() throws {
        guard to != nil || witness != nil else { throw ValidationError("give --to DIR, --witness URL, or both") }
        guard (witness == nil) == (witnessKey == nil) else { throw ValidationError("--witness and --witness-key go together") }
        guard tsa == nil || to != nil else { throw ValidationError("--tsa needs --to: the tokens are kept beside the anchored checkpoints") }
    }

    func run() async throws {
        try await reportingErrors {
            var client: WitnessClient?
            if let witness, let witnessKey {
                guard let url = URL(string: witness), url.scheme == "http" || url.scheme == "https" else {
                    throw CLIError("--witness \(witness) is not an http(s) URL")
                }
                do {
                    client = WitnessClient(url: url, key: try CosignatureVerifier(parsing: witnessKey))
                } catch {
                    throw CLIError("--witness-key: \(error)")
                }
            }
            try await global.withSecrets { directory, store, secrets in
                let sequencer = try await secrets.sequencer(logger: directory.logger)
                var anchoring = Anchoring(store: store, sequencer: sequencer, directory: to.map { URL(fileURLWithPath: $0) }, witness: client)
                if let tsa {
                    guard let url = URL(string: tsa), url.scheme == "http" || url.scheme == "https" else {
                        throw CLIError("--tsa \(tsa) is not an http(s) URL")
                    }
                    anchoring.timeStamps = TimeStampClient(url: url)
                }
                let tenants = global.tenant != nil ? [try global.tenantID()] : try await store.tenants()
                var failed = false
                for tenant in tenants {
                    do {
                        for line in try await anchoring.anchor(tenant: tenant) { print("tenant \(tenant): \(line)") }
                    } catch let error as ArchiveError {
                        print("tenant \(tenant): ANCHOR FAILED: \(error.description)")
                        failed = true
                    }
                }
                if failed { throw Exit.failed }
            }
        }
    }
}

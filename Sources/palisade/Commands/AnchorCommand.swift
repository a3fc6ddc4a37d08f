import ArgumentParser
import Foundation
import PalisadeCore
import PalisadeExport

/// `palisade anchor`: copies the latest signed checkpoints outside the database.
struct AnchorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anchor",
        abstract: "Copy each log's latest signed checkpoint into a write-once anchor directory.",
        discussion: """
            Point --to at storage the database's administrators cannot rewrite (another disk or host, \
            an object-store mount with a retention lock) and run it regularly (cron, systemd timer). \
            Files are created once and never overwritten. `palisade verify --anchors DIR` then fails \
            if the log was rolled back (smaller than an anchored checkpoint) or rewritten (another root \
            at an anchored size), even when the rewritten log is consistent in itself.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The anchor directory.", valueName: "dir")) var to: String

    func run() async throws {
        try await reportingErrors {
            try await global.withStore { _, store in
                let tenants = global.tenant != nil ? [try global.tenantID()] : try await store.tenants()
                for tenant in tenants {
                    guard let head = try await store.logHead(of: tenant) else {
                        print("tenant \(tenant): no log yet")
                        continue
                    }
                    do {
                        let (path, isNew) = try CheckpointAnchors.anchor(head.checkpoint, tenant: tenant, in: URL(fileURLWithPath: to))
                        print("tenant \(tenant): \(isNew ? "anchored" : "already anchored") the checkpoint of size \(head.size) at \(path)")
                    } catch let error as ArchiveError {
                        throw CLIError(error.description)
                    }
                }
            }
        }
    }
}

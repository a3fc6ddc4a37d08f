import ArgumentParser
import PalisadeCore
import PalisadeSQLite

/// `palisade checkpoint`: the latest (or a historical) signed checkpoint.
struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the tenant's latest signed checkpoint (C2SP tlog-checkpoint in a signed note).",
        discussion: "With --size, print the checkpoint of that size from the history, if one was kept. --list shows the sizes kept."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Print the kept checkpoint of this tree size.") var size: UInt64?
    @Flag(help: "List the tree sizes of the kept checkpoints.") var list = false

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            try await global.withStore { _, store in
                if list {
                    for stored in try await store.checkpoints(of: tenant) { print(stored.size) }
                    return
                }
                if let size {
                    if let head = try await store.logHead(of: tenant), head.size == size {
                        print(head.checkpoint, terminator: "")
                        return
                    }
                    guard let stored = try await store.checkpoints(of: tenant).first(where: { $0.size == size }) else {
                        throw CLIError("no checkpoint of size \(size) was kept for tenant \(tenant); see `palisade checkpoint --list`")
                    }
                    print(stored.note, terminator: "")
                    return
                }
                guard let head = try await store.logHead(of: tenant) else {
                    throw CLIError("tenant \(tenant) has no log yet; append an event first")
                }
                print(head.checkpoint, terminator: "")
            }
        }
    }
}

import ArgumentParser
import PalisadeCore
import PalisadeIngest
import PalisadeLedger

/// `palisade prove`: inclusion and consistency proofs.
struct ProveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove that an entry is in the log, or that the log only grew between two sizes.",
        discussion: """
            palisade prove INDEX                 inclusion of entry INDEX in the latest tree
            palisade prove INDEX --size N        … in the tree of N entries
            palisade prove --consistency OLD NEW  the tree of NEW entries extends the tree of OLD

            With --json the proof is printed in the JSON that ../shared/tools/verify_checkpoint.py reads \
            (check it against `palisade checkpoint` and `palisade key show`).
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The entry's log index (from 0).") var index: UInt64?
    @Option(help: "The tree size to prove against (default: the latest).") var size: UInt64?
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Prove consistency from OLD to NEW.", valueName: "OLD NEW")) var consistency: [UInt64] = []
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if consistency.isEmpty {
            guard index != nil else { throw ValidationError("give an INDEX, or --consistency OLD NEW") }
        } else {
            guard consistency.count == 2 else { throw ValidationError("--consistency takes two sizes: OLD NEW") }
            guard index == nil else { throw ValidationError("give either an INDEX or --consistency, not both") }
        }
    }

    func run() async throws {
        try await reportingErrors {
            let tenant = try global.tenantID()
            try await global.withStore { _, store in
                let prover = LogProver(backend: store)
                do {
                    if let index {
                        let proof = try await prover.inclusionProof(tenant: tenant, index: index, size: size)
                        if json {
                            print(String(decoding: CanonicalJSON.encode(proof.json), as: UTF8.self))
                        } else {
                            print("entry \(proof.leafIndex) in the tree of \(proof.treeSize)")
                            print("leaf hash \(proof.leafHash.base64)")
                            for hash in proof.proof { print("  \(hash.base64)") }
                        }
                    } else {
                        let proof = try await prover.consistencyProof(tenant: tenant, from: consistency[0], to: consistency[1])
                        if json {
                            print(String(decoding: CanonicalJSON.encode(proof.json), as: UTF8.self))
                        } else {
                            print("tree of \(proof.secondSize) extends tree of \(proof.firstSize)")
                            for hash in proof.proof { print("  \(hash.base64)") }
                        }
                    }
                } catch let error as ProverError {
                    throw CLIError(error.description)
                }
            }
        }
    }
}

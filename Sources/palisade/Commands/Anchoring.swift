import Foundation
import PalisadeCore
import PalisadeExport
import PalisadeIngest
import PalisadeLedger

/// Anchors a tenant's latest checkpoint to the configured sinks and records a receipt for each in
/// the ledger; shared by `palisade anchor` and `serve`'s schedule.
struct Anchoring: Sendable {
    let store: any LedgerStore
    let sequencer: LogSequencer
    let directory: URL?
    let witness: WitnessClient?
    var timeStamps: TimeStampClient? = nil
    var actor = "palisade-anchor"

    /// Anchors the tenant's head; returns one line per sink saying what happened.
    ///
    /// - Throws: ``ArchiveError`` when a sink refuses or fails (a witness refusing is how a rollback
    ///   shows), or the store's error.
    func anchor(tenant: TenantID) async throws -> [String] {
        guard let head = try await store.logHead(of: tenant) else { return ["no log yet"] }
        let note = try SignedNote(parsing: head.checkpoint)
        let checkpoint = try Checkpoint(parsing: note.text)
        // Anchoring appends receipts, which move the head; a head that holds nothing new but the
        // receipts of the last anchoring is already anchored.
        let earlierReceipts = try await ReservedRecords.read(of: tenant, type: .palisadeAnchor, from: store)
        let lastAnchored = earlierReceipts.compactMap { receipt -> UInt64? in
            guard case .number(let size)? = receipt.event.metadata["size"], size >= 0, size < 9_007_199_254_740_992 else { return nil }
            return UInt64(size)
        }.max()
        if let lastAnchored, lastAnchored < head.size, earlierReceipts.count(where: { $0.index >= lastAnchored }) == head.size - lastAnchored {
            return ["already anchored the checkpoint of size \(lastAnchored) (only anchor receipts since)"]
        }
        var lines = [String]()
        var receipts = [(action: String, details: [String: JSONValue])]()
        if let directory {
            let (path, isNew) = try CheckpointAnchors.anchor(head.checkpoint, tenant: tenant, in: directory)
            lines.append("\(isNew ? "anchored" : "already anchored") the checkpoint of size \(head.size) at \(path)")
            if isNew { receipts.append((AnchorReceipt.directoryAction, ["path": .string(path)])) }
            // The TSA stamps the anchored file's bytes; its token is kept beside it.
            if isNew, let timeStamps {
                let token = try await timeStamps.stamp(Array(head.checkpoint.utf8))
                let tokenPath = try CheckpointAnchors.keepTimeStamp(token, forAnchor: path)
                lines.append("TSA \(timeStamps.url.absoluteString) stamped it at \(token.time) (token \(tokenPath))")
                receipts.append(
                    (
                        AnchorReceipt.timestampAction,
                        [
                            "tsa": .string(timeStamps.url.absoluteString), "time": .string(token.time), "serial": .string(token.serial),
                            "token_sha256": .string(ArchiveFiles.sha256(token.response)), "path": .string(tokenPath),
                        ]
                    )
                )
            }
        }
        if let witness {
            let earlier = earlierReceipts.compactMap {
                AnchorReceipt.size(of: $0.event, action: AnchorReceipt.witnessAction, where: "witness", is: witness.key.name)
            }
            let prover = LogProver(backend: store)
            let receipt = try await witness.submit(note, believedOldSize: earlier.max() ?? 0) { from in
                try await prover.consistencyProof(tenant: tenant, from: from, to: head.size).proof
            }
            guard let cosignature = receipt.note.signatures.last(where: { $0.name == witness.key.name }) else {
                throw ArchiveError("the witness's receipt holds no cosignature")
            }
            lines.append("witness \(witness.key.name) cosigned the checkpoint of size \(head.size) at \(receipt.timestamp)")
            if let directory {
                let (path, _) = try CheckpointAnchors.anchor(receipt.note.serialized, tenant: tenant, in: directory, cosigned: true)
                lines.append("kept the cosigned checkpoint at \(path)")
            }
            receipts.append(
                (
                    AnchorReceipt.witnessAction,
                    [
                        "witness": .string(witness.key.name), "witness_key": .string(witness.key.vkey),
                        "cosignature": .string(Base64.encode(cosignature.keyID + cosignature.signature)),
                        "timestamp": .number(Double(receipt.timestamp)),
                    ]
                )
            )
        }
        let now = SystemWallClock().now()
        var generator = SystemRandomNumberGenerator()
        let events = receipts.map { receipt in
            PreparedEvent(
                AnchorReceipt.record(
                    tenant: tenant,
                    id: UUID.version7(at: now, using: &generator),
                    at: now,
                    actor: actor,
                    action: receipt.action,
                    size: checkpoint.size,
                    root: checkpoint.rootHash.base64,
                    details: receipt.details
                ),
                idIsClientSupplied: false
            )
        }
        if !events.isEmpty { _ = try await sequencer.append(events) }
        return lines
    }
}

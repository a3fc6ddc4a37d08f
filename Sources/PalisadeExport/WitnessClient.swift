public import Foundation
public import PalisadeLedger

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Asks a witness (C2SP tlog-witness, e.g. another Palisade's `palisade witness serve`) to cosign a
/// checkpoint, proving consistency with the last checkpoint it cosigned for the log.
///
/// A witness that has cosigned a larger or different tree refuses: that is how a log rolled back or
/// rewritten behind Palisade's back is caught outside its database.
public struct WitnessClient: Sendable {
    /// A cosigned checkpoint.
    public struct Receipt: Sendable {
        /// The checkpoint with the log's signature and the witness's cosignature.
        public var note: SignedNote
        /// The cosignature's time (POSIX seconds).
        public var timestamp: UInt64
    }

    /// The witness's submission prefix (`<prefix>/add-checkpoint`).
    public let url: URL
    /// The witness key the cosignature must verify with.
    public let key: CosignatureVerifier

    /// Creates a client.
    public init(url: URL, key: CosignatureVerifier) {
        self.url = url
        self.key = key
    }

    /// Submits a checkpoint.
    ///
    /// - Parameters:
    ///   - note: the signed checkpoint.
    ///   - believedOldSize: the size the client thinks the witness last cosigned (0 when unknown);
    ///     a 409 answer corrects it once.
    ///   - proof: the consistency proof from a size to the checkpoint's.
    /// - Throws: ``ArchiveError`` naming a rollback, a fork or a witness failure.
    public func submit(_ note: SignedNote, believedOldSize: UInt64, proof: (UInt64) async throws -> [MerkleHash]) async throws -> Receipt {
        let checkpoint = try Checkpoint(parsing: note.text)
        var old = believedOldSize <= checkpoint.size ? believedOldSize : 0
        for attempt in 0..<2 {
            let hashes = old == 0 || old == checkpoint.size ? [] : try await proof(old)
            let (status, body) = try await post(AddCheckpointRequest(oldSize: old, proof: hashes, note: note).body)
            switch status {
            case 200:
                let cosigned: SignedNote
                do {
                    cosigned = try SignedNote(parsing: Array(note.serialized.utf8) + body)
                } catch {
                    throw ArchiveError("the witness at \(url.absoluteString) answered something that is not a signature line: \(error)")
                }
                guard let timestamp = key.timestamp(of: cosigned) else {
                    throw ArchiveError("the witness at \(url.absoluteString) did not cosign with key \(key.name)")
                }
                return Receipt(
                    note: SignedNote(text: note.text, signatures: note.signatures + cosigned.signatures.filter { $0.name == key.name }),
                    timestamp: timestamp
                )
            case 409:
                let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard let known = UInt64(text) else { throw ArchiveError("the witness answered 409 without its size: \(text.prefix(200))") }
                if known > checkpoint.size {
                    throw ArchiveError(
                        "the witness has cosigned \(checkpoint.origin) at size \(known), but the log has only \(checkpoint.size) entries: the log was rolled back"
                    )
                }
                if known == old || attempt == 1 {
                    throw ArchiveError(
                        "the witness has cosigned another tree of \(checkpoint.origin) at size \(known): the log was rewritten (forked)"
                    )
                }
                old = known
            case 422:
                throw ArchiveError(
                    "the witness refuses: \(checkpoint.origin) at size \(checkpoint.size) is not consistent with the tree of size \(old) it cosigned: the log was rewritten"
                )
            default:
                throw ArchiveError("the witness at \(url.absoluteString) answered \(status): \(String(decoding: body.prefix(300), as: UTF8.self))")
            }
        }
        throw ArchiveError("the witness at \(url.absoluteString) kept changing its answer; try again")
    }

    private func post(_ body: [UInt8]) async throws -> (Int, [UInt8]) {
        var request = URLRequest(url: url.appendingPathComponent("add-checkpoint"), timeoutInterval: 30)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("text/plain; charset=utf-8", forHTTPHeaderField: "Content-Type")
        do {
            // Detached from the caller's cancellation: a cancelled URLSession request can hang on
            // Linux, and a request ends within its timeout anyway.
            let sent = request
            let (data, response) = try await Task { try await URLSession.shared.data(for: sent) }.value
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, [UInt8](data))
        } catch {
            throw ArchiveError("cannot reach the witness at \(url.absoluteString): \(error.localizedDescription)")
        }
    }
}

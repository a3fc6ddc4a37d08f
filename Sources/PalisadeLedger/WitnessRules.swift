/// A C2SP tlog-witness `add-checkpoint` request: the size of the checkpoint the client believes the
/// witness last cosigned, a consistency proof from it, and the new signed checkpoint.
public struct AddCheckpointRequest: Hashable, Sendable {
    /// The size of the previous checkpoint (0 when none).
    public var oldSize: UInt64
    /// The consistency proof from `oldSize` to the checkpoint's size (empty when `oldSize` is 0).
    public var proof: [MerkleHash]
    /// The new checkpoint, signed by the log.
    public var note: SignedNote

    /// Creates a request.
    public init(oldSize: UInt64, proof: [MerkleHash], note: SignedNote) {
        self.oldSize = oldSize
        self.proof = proof
        self.note = note
    }

    /// The request body: `old <size>`, one base64 hash per line, an empty line, the checkpoint.
    public var body: [UInt8] {
        var text = "old \(oldSize)\n"
        for hash in proof { text += hash.base64 + "\n" }
        return Array((text + "\n" + note.serialized).utf8)
    }

    /// Parses a request body.
    ///
    /// - Throws: ``WitnessRejection`` with status 400 saying what is malformed.
    public init(parsing body: [UInt8]) throws(WitnessRejection) {
        guard body.count <= 64 * 1024, String(validating: body, as: UTF8.self) != nil else {
            throw WitnessRejection(status: 400, "the request body is not UTF-8 text of at most 64 KiB")
        }
        guard let blank = (0..<max(0, body.count - 1)).first(where: { body[$0] == 0x0A && body[$0 + 1] == 0x0A }) else {
            throw WitnessRejection(status: 400, "the request has no empty line before the checkpoint")
        }
        let header = String(decoding: body[..<blank], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = header.first, first.hasPrefix("old "), let old = UInt64(first.dropFirst(4)), String(old) == first.dropFirst(4) else {
            throw WitnessRejection(status: 400, "the first line must be `old <size>` in decimal without leading zeroes")
        }
        guard header.count - 1 <= 63 else { throw WitnessRejection(status: 400, "a consistency proof has at most 63 hashes") }
        var proof = [MerkleHash]()
        for line in header.dropFirst() {
            guard let hash = MerkleHash(base64: String(line)) else {
                throw WitnessRejection(status: 400, "a proof line is not a base64 SHA-256 hash")
            }
            proof.append(hash)
        }
        do {
            note = try SignedNote(parsing: Array(body[(blank + 2)...]))
        } catch {
            throw WitnessRejection(status: 400, "the checkpoint is not a signed note: \(error)")
        }
        oldSize = old
        self.proof = proof
    }
}

/// Why a witness refused to cosign, with the HTTP status tlog-witness assigns.
public struct WitnessRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// 400 malformed, 403 not signed by a trusted key, 404 unknown log, 409 old size or root
    /// conflict, 422 consistency proof does not verify.
    public var status: Int
    /// What is wrong.
    public var message: String
    /// For 409: the size of the latest checkpoint the witness cosigned.
    public var knownSize: UInt64?

    /// Creates a rejection.
    public init(status: Int, _ message: String, knownSize: UInt64? = nil) {
        self.status = status
        self.message = message
        self.knownSize = knownSize
    }

    /// `status: message`.
    public var description: String { "\(status): \(message)" }
}

/// What a witness checks before it cosigns (C2SP tlog-witness): the log is one it follows, its key
/// signed the checkpoint, and the checkpoint is consistent with the latest one cosigned for that
/// log — so a log that rolls back or forks is refused, never cosigned.
public struct WitnessRules: Sendable {
    /// The log keys the witness trusts. A key named `n` vouches for the logs with origin `n` or
    /// `n/<anything>` (one Palisade key signs every tenant's log, `<origin>/<tenant>`).
    public var logKeys: [NoteVerifier]

    /// Creates the rules.
    public init(logKeys: [NoteVerifier]) {
        self.logKeys = logKeys
    }

    /// Checks a request against the latest checkpoint cosigned for its log.
    ///
    /// - Parameter latest: the latest cosigned checkpoint of an origin, if any.
    /// - Returns: the checkpoint to record and cosign.
    public func check(_ request: AddCheckpointRequest, latest: (String) -> Checkpoint?) -> Result<Checkpoint, WitnessRejection> {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint(parsing: request.note.text)
        } catch {
            return .failure(WitnessRejection(status: 400, "the note is not a checkpoint: \(error)"))
        }
        let keys = logKeys.filter { checkpoint.origin == $0.name || checkpoint.origin.hasPrefix($0.name + "/") }
        guard !keys.isEmpty else { return .failure(WitnessRejection(status: 404, "this witness does not follow log \(checkpoint.origin)")) }
        guard keys.contains(where: { if case .verified = $0.verify(request.note) { true } else { false } }) else {
            return .failure(WitnessRejection(status: 403, "the checkpoint is not signed by a key this witness trusts for \(checkpoint.origin)"))
        }
        guard request.oldSize <= checkpoint.size else {
            return .failure(WitnessRejection(status: 400, "old size \(request.oldSize) is larger than the checkpoint's size \(checkpoint.size)"))
        }
        let known = latest(checkpoint.origin)
        guard request.oldSize == (known?.size ?? 0) else {
            return .failure(
                WitnessRejection(status: 409, "the latest cosigned checkpoint has size \(known?.size ?? 0)", knownSize: known?.size ?? 0)
            )
        }
        guard let known, known.size > 0 else {
            guard request.proof.isEmpty else { return .failure(WitnessRejection(status: 422, "the proof from size 0 must be empty")) }
            return .success(checkpoint)
        }
        let verdict = ProofVerifier.verifyConsistency(
            first: known.size,
            second: checkpoint.size,
            firstRoot: known.rootHash,
            secondRoot: checkpoint.rootHash,
            proof: request.proof
        )
        guard verdict.isValid else {
            if known.size == checkpoint.size {
                return .failure(
                    WitnessRejection(status: 409, "a checkpoint of size \(known.size) with another root was cosigned", knownSize: known.size)
                )
            }
            return .failure(WitnessRejection(status: 422, "the checkpoint is not consistent with the one of size \(known.size) cosigned before"))
        }
        return .success(checkpoint)
    }
}

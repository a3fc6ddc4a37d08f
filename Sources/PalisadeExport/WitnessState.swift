import Crypto
public import Foundation
public import PalisadeLedger

/// The state of a Palisade witness (`palisade witness serve`): for each log it follows, the latest
/// checkpoint it cosigned, kept as a file in its state directory and replaced atomically and
/// durably before the cosignature is returned (C2SP tlog-witness).
///
/// Being an actor, it checks and records one request at a time, so two concurrent requests can
/// never roll a log's recorded size back.
public actor WitnessState {
    private let directory: URL
    private let cosigner: Cosigner
    private let rules: WitnessRules
    private let now: @Sendable () -> UInt64
    private var latest: [String: Checkpoint] = [:]

    /// Opens (or creates) the state in `directory/logs`, loading every recorded checkpoint.
    ///
    /// - Parameters:
    ///   - directory: the witness's state directory.
    ///   - cosigner: the witness key.
    ///   - rules: the logs it follows.
    ///   - now: POSIX seconds, for cosignature timestamps.
    /// - Throws: ``ArchiveError`` when the directory cannot be created or a state file is damaged.
    public init(directory: URL, cosigner: Cosigner, rules: WitnessRules, now: @escaping @Sendable () -> UInt64) throws {
        let logs = directory.appendingPathComponent("logs")
        try ArchiveFiles.createDirectory(logs)
        var loaded = [String: Checkpoint]()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: logs.path).filter { $0.hasSuffix(".checkpoint") }
        } catch {
            throw ArchiveError("cannot list the witness state in \(logs.path): \(error.localizedDescription)")
        }
        for name in names {
            do {
                let checkpoint = try Checkpoint(parsing: SignedNote(parsing: ArchiveFiles.read(name, in: logs)).text)
                loaded[checkpoint.origin] = checkpoint
            } catch {
                throw ArchiveError("the witness state file \(name) is damaged (\(error)); restore it from a backup, never delete it")
            }
        }
        self.directory = logs
        self.cosigner = cosigner
        self.rules = rules
        self.now = now
        self.latest = loaded
    }

    /// The latest checkpoint cosigned for a log.
    public func latestCheckpoint(of origin: String) -> Checkpoint? { latest[origin] }

    /// Handles an `add-checkpoint` body: checks it, records the checkpoint durably, and returns the
    /// cosignature line (with its final newline).
    public func add(_ body: [UInt8]) -> Result<String, WitnessRejection> {
        let request: AddCheckpointRequest
        do {
            request = try AddCheckpointRequest(parsing: body)
        } catch {
            return .failure(error)
        }
        let checkpoint: Checkpoint
        switch rules.check(request, latest: { latest[$0] }) {
        case .success(let checked): checkpoint = checked
        case .failure(let rejection): return .failure(rejection)
        }
        let signature: NoteSignature
        do {
            signature = try cosigner.cosign(request.note.text, at: now())
            var recorded = request.note
            recorded.signatures.append(signature)
            try ArchiveFiles.writeAtomically(Array(recorded.serialized.utf8), name: Self.fileName(checkpoint.origin), in: directory)
        } catch {
            return .failure(WitnessRejection(status: 500, "the witness could not record the checkpoint: \(error)"))
        }
        latest[checkpoint.origin] = checkpoint
        return .success("\u{2014} \(signature.name) \(Base64.encode(signature.keyID + signature.signature))\n")
    }

    /// `<SHA-256 of the origin, hex>.checkpoint`: any origin maps to a safe file name.
    static func fileName(_ origin: String) -> String { ArchiveFiles.sha256(Array(origin.utf8)) + ".checkpoint" }
}

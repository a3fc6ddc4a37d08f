/// A C2SP tlog-checkpoint: the body of a signed tree head.
///
/// ```text
/// palisade.local/default
/// 1024
/// 3Q2+7w...=
/// ```
/// Origin, decimal tree size and base64 root hash, each on its own line, then optional opaque
/// extension lines.
public struct Checkpoint: Hashable, Sendable {
    /// The log's origin line, unique to one log (one tenant).
    public var origin: String
    /// The number of leaves.
    public var size: UInt64
    /// The root hash of the tree of `size` leaves.
    public var rootHash: MerkleHash
    /// Extension lines, opaque to the checkpoint format.
    public var extensions: [String]

    /// Creates a checkpoint.
    ///
    /// - Precondition: `origin` is non-empty and holds no newline.
    public init(origin: String, size: UInt64, rootHash: MerkleHash, extensions: [String] = []) {
        precondition(!origin.isEmpty && !origin.contains("\n"), "a checkpoint origin is one non-empty line")
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
    }

    /// The note text, ending in a newline.
    public var text: String {
        ([origin, String(size), rootHash.base64] + extensions).map { $0 + "\n" }.joined()
    }

    /// Parses a checkpoint from a note's text.
    ///
    /// - Throws: ``LedgerError`` with code `malformed` for a missing line, a non-canonical size or a
    ///   root that is not base64 of 32 bytes.
    public init(parsing text: String) throws {
        guard text.hasSuffix("\n") else { throw LedgerError.malformed("checkpoint text must end with a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw LedgerError.malformed("checkpoint must have origin, size and root lines") }
        guard !lines[0].isEmpty else { throw LedgerError.malformed("checkpoint origin is empty") }
        let sizeText = lines[1]
        guard let size = UInt64(sizeText), String(size) == sizeText else {
            throw LedgerError.malformed("checkpoint size is not a canonical decimal")
        }
        guard let root = MerkleHash(base64: lines[2]) else {
            throw LedgerError.malformed("checkpoint root is not base64 of 32 bytes")
        }
        guard lines[3...].allSatisfy({ !$0.isEmpty }) else { throw LedgerError.malformed("checkpoint has an empty extension line") }
        self.init(origin: lines[0], size: size, rootHash: root, extensions: Array(lines[3...]))
    }
}

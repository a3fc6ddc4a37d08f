import Crypto
import Foundation

/// A file an attacker sent, as recorded: where it was meant to go, its size and SHA-256, and its
/// contents unless it was over the cap (then only what could be measured is kept).
struct ReceivedFile: Equatable {
    /// The path the client named.
    var path: String
    /// `scp` or `sftp`.
    var protocolName: String
    /// Bytes received.
    var size: Int
    /// SHA-256 (hex) of the file; nil when it was over the cap and could not be assembled.
    var sha256: String?
    /// The file, when within the cap.
    var contents: [UInt8]?

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}

/// An SCP upload arriving in order: hashed as it comes, kept up to a cap.
struct StreamedUpload {
    let path: String
    private(set) var size = 0
    private var bytes: [UInt8] = []
    private var truncated = false
    private var hasher = SHA256()
    private let cap: Int

    init(path: String, cap: Int) {
        self.path = path
        self.cap = cap
    }

    mutating func append(_ chunk: some Collection<UInt8>) {
        hasher.update(data: Array(chunk))
        size += chunk.count
        guard !truncated else { return }
        if bytes.count + chunk.count > cap {
            truncated = true
            bytes = []
        } else {
            bytes += chunk
        }
    }

    func finished() -> ReceivedFile {
        ReceivedFile(path: path, protocolName: "scp", size: size, sha256: ReceivedFile.hex(hasher.finalize()), contents: truncated ? nil : bytes)
    }
}

/// An SFTP upload: writes land at offsets, so the file is assembled in place (a gap is
/// zero-filled, as in a sparse file), up to the cap.
struct OffsetUpload {
    let path: String
    private var bytes: [UInt8] = []
    private var truncated = false
    private var written = 0
    private let cap: Int

    init(path: String, cap: Int) {
        self.path = path
        self.cap = cap
    }

    mutating func write(_ data: [UInt8], at offset: UInt64) {
        written += data.count
        guard !truncated else { return }
        guard offset <= UInt64(cap), Int(offset) + data.count <= cap else {
            truncated = true
            bytes = []
            return
        }
        let end = Int(offset) + data.count
        if bytes.count < end { bytes += [UInt8](repeating: 0, count: end - bytes.count) }
        bytes.replaceSubrange(Int(offset)..<end, with: data)
    }

    func finished() -> ReceivedFile {
        guard !truncated else { return ReceivedFile(path: path, protocolName: "sftp", size: written, sha256: nil, contents: nil) }
        return ReceivedFile(path: path, protocolName: "sftp", size: bytes.count, sha256: ReceivedFile.hex(SHA256.hash(data: bytes)), contents: bytes)
    }
}

import CompressNIO
import Crypto
import Foundation
import NIOCore

/// The files of an archive directory: names, gzip, SHA-256, and writes that are atomic and durable
/// (a temporary name, fsync, rename, fsync of the directory), so that a crash leaves either the
/// whole file or none of it.
public enum ArchiveFiles {
    /// The signed manifest.
    public static let manifestName = "manifest"
    /// The signed checkpoint the manifest's proof leads to.
    public static let checkpointName = "checkpoint"
    /// The largest uncompressed segment a reader accepts (a guard against decompression bombs).
    public static let maxSegmentBytes = 1 << 30

    /// `segment-<first index, 20 digits>.jsonl.gz`: names sort in log order.
    public static func segmentName(first: UInt64) -> String {
        let digits = String(first)
        return "segment-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".jsonl.gz"
    }

    /// Lowercase hex SHA-256.
    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// gzip (RFC 1952) of `bytes`, readable with `gzip -d` and `zcat`.
    public static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var input = ByteBuffer(bytes: bytes)
        do {
            let output = try input.compress(with: .gzip())
            return Array(output.readableBytesView)
        } catch {
            throw ArchiveError("cannot gzip a segment: \(error)")
        }
    }

    /// The bytes inside a gzip file.
    static func gunzip(_ bytes: [UInt8], name: String) throws -> [UInt8] {
        var input = ByteBuffer(bytes: bytes)
        do {
            let output = try input.decompress(with: .gzip(), maxSize: maxSegmentBytes)
            return Array(output.readableBytesView)
        } catch {
            throw ArchiveError("\(name) is not a readable gzip file (\(error)) or holds more than \(maxSegmentBytes) bytes")
        }
    }

    /// Reads a file of the archive.
    static func read(_ name: String, in directory: URL) throws -> [UInt8] {
        let url = directory.appendingPathComponent(name)
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw ArchiveError("cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// Writes `bytes` to `directory/name` atomically and durably.
    static func writeAtomically(_ bytes: [UInt8], name: String, in directory: URL) throws {
        let final = directory.appendingPathComponent(name).path
        let temporary = directory.appendingPathComponent(".\(name).tmp-\(ProcessInfo.processInfo.processIdentifier)").path
        try writeAndSync(bytes, to: temporary, flags: O_TRUNC)
        guard rename(temporary, final) == 0 else {
            let code = errno
            unlink(temporary)
            throw ArchiveError("cannot rename \(temporary) to \(final) (errno \(code))")
        }
        try syncDirectory(directory)
    }

    /// Creates `directory/name` with `bytes`, durably, failing if the file exists (a write-once
    /// copy). A crash can leave the file partial; readers then reject it as not a signed note.
    static func createExclusively(_ bytes: [UInt8], name: String, in directory: URL) throws {
        try writeAndSync(bytes, to: directory.appendingPathComponent(name).path, flags: O_EXCL)
        try syncDirectory(directory)
    }

    /// Creates (with extra open `flags`), writes and fsyncs a file; removes it on failure.
    private static func writeAndSync(_ bytes: [UInt8], to path: String, flags: Int32) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0o644)
        guard descriptor >= 0 else { throw ArchiveError("cannot create \(path) (errno \(errno)); check the directory is writable") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            guard result > 0 else {
                let code = errno
                close(descriptor)
                unlink(path)
                throw ArchiveError("cannot write \(path) (errno \(code)); is the disk full?")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            unlink(path)
            throw ArchiveError("cannot sync \(path) to disk (errno \(code))")
        }
        close(descriptor)
    }

    /// Creates the directory (0700) if needed.
    static func createDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ArchiveError("cannot create the archive directory \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Makes a rename in `directory` durable.
    private static func syncDirectory(_ directory: URL) throws {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArchiveError("cannot open \(directory.path) to sync it (errno \(errno))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw ArchiveError("cannot sync the directory \(directory.path) (errno \(errno))") }
    }
}

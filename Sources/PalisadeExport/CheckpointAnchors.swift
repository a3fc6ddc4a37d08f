import Crypto
public import Foundation
public import PalisadeCore
public import PalisadeLedger

/// Copies of signed checkpoints kept outside the database (a write-once directory: another disk,
/// an NFS or object-store mount with retention lock), and the check that the log still agrees with
/// every one of them.
///
/// A database administrator can rewrite the log and, with the key, re-sign it so that it is
/// internally consistent, or restore an older backup; what they cannot do is change the anchored
/// copies. `verify --anchors` finds both: a log smaller than an anchored checkpoint was rolled
/// back, and a log whose root at an anchored size differs was rewritten.
///
/// Layout: `<directory>/<tenant>/<size, 20 digits>-<first 8 bytes of the root, hex>.checkpoint`
/// (`.cosigned` when a witness cosigned it), each created exclusively (never overwritten) and fsynced.
public enum CheckpointAnchors {
    /// What a check of the anchors found.
    public struct Report: Sendable {
        /// Anchored checkpoints that agree with the log.
        public var consistent: Int
        /// The largest anchored size checked.
        public var largestSize: UInt64
        /// Cosigned anchors whose cosignature by a given witness key verified.
        public var witnessed: Int
        /// RFC 3161 tokens (`.tsr`) that stamp exactly their anchored checkpoint file.
        public var timestamped: Int = 0
        /// The first disagreement, if any.
        public var failure: String?
    }

    /// Writes `note` (a signed checkpoint of `tenant`'s log) into the anchor directory.
    ///
    /// - Returns: the file's path, and whether it is new (an identical anchor may already exist).
    /// - Throws: ``ArchiveError`` when the note is not a checkpoint or the file cannot be written,
    ///   or when an anchor of the same size and root prefix holds different text.
    /// A note that a witness cosigned is kept as `<size>-<root>.cosigned` beside the plain copies.
    public static func anchor(_ note: String, tenant: TenantID, in directory: URL, cosigned: Bool = false) throws -> (path: String, isNew: Bool) {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint(parsing: SignedNote(parsing: note).text)
        } catch {
            throw ArchiveError("the log head of tenant \(tenant) is not a signed checkpoint: \(error)")
        }
        let folder = directory.appendingPathComponent(tenant.rawValue)
        try ArchiveFiles.createDirectory(folder)
        let digits = String(checkpoint.size)
        let name =
            String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "-" + checkpoint.rootHash.hex.prefix(16)
            + (cosigned ? ".cosigned" : ".checkpoint")
        let path = folder.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path) {
            let existing = try ArchiveFiles.read(name, in: folder)
            guard existing == Array(note.utf8) else {
                throw ArchiveError("\(path) already holds another checkpoint of size \(checkpoint.size); anchors are never overwritten")
            }
            return (path, false)
        }
        try ArchiveFiles.createExclusively(Array(note.utf8), name: name, in: folder)
        return (path, true)
    }

    /// Keeps an RFC 3161 time-stamp response next to the anchored checkpoint file it stamps
    /// (`<same name>.tsr`), created once.
    ///
    /// - Returns: the token file's path.
    public static func keepTimeStamp(_ token: TimeStamping.Token, forAnchor path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent + ".tsr"
        let directory = url.deletingLastPathComponent()
        try ArchiveFiles.createExclusively(token.response, name: name, in: directory)
        return directory.appendingPathComponent(name).path
    }

    /// Checks every anchored checkpoint of `tenant` against the log: each must be signed by `key`,
    /// name this tenant's log, be no larger than the log (`size`), and have the root the log has
    /// at its size (`root(size)`, from the stored tree).
    public static func verify(
        tenant: TenantID,
        in directory: URL,
        key: NoteVerifier,
        witnesses: [CosignatureVerifier] = [],
        logSize: UInt64,
        root: (UInt64) async throws -> MerkleHash
    ) async throws -> Report {
        let folder = directory.appendingPathComponent(tenant.rawValue)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
                $0.hasSuffix(".checkpoint") || $0.hasSuffix(".cosigned")
            }
            .sorted()
        } catch {
            throw ArchiveError("cannot list the anchors of tenant \(tenant) in \(folder.path): \(error.localizedDescription)")
        }
        var report = Report(consistent: 0, largestSize: 0, witnessed: 0, failure: nil)
        let tokens: [String]
        do {
            tokens = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tsr") }.sorted()
        } catch {
            throw ArchiveError("cannot list the anchors of tenant \(tenant) in \(folder.path): \(error.localizedDescription)")
        }
        for name in tokens {
            let stamped = String(name.dropLast(4)) + ".checkpoint"
            guard names.contains(stamped) else {
                report.failure = "\(name) stamps \(stamped), which is missing"
                return report
            }
            do {
                let digest = Array(SHA256.hash(data: try ArchiveFiles.read(stamped, in: folder)))
                _ = try TimeStamping.read(try ArchiveFiles.read(name, in: folder), digest: digest, nonce: nil)
            } catch let error as ArchiveError {
                report.failure = "\(name): \(error.description)"
                return report
            }
        }
        report.timestamped = tokens.count
        for name in names {
            let note: SignedNote
            let checkpoint: Checkpoint
            do {
                note = try SignedNote(parsing: ArchiveFiles.read(name, in: folder))
                checkpoint = try Checkpoint(parsing: note.text)
            } catch {
                report.failure = "\(name) is not a signed checkpoint: \(error)"
                return report
            }
            guard case .verified = key.verify(note) else {
                report.failure = "\(name) is not signed by key \(key.name)"
                return report
            }
            if name.hasSuffix(".cosigned") && !witnesses.isEmpty {
                guard witnesses.contains(where: { $0.timestamp(of: note) != nil }) else {
                    report.failure = "\(name) is not cosigned by \(witnesses.map(\.name).joined(separator: " or "))"
                    return report
                }
                report.witnessed += 1
            }
            guard checkpoint.origin.hasSuffix("/" + tenant.rawValue) else {
                report.failure = "\(name) is a checkpoint of log \(checkpoint.origin), not of tenant \(tenant)"
                return report
            }
            guard checkpoint.size <= logSize else {
                report.failure =
                    "the log was rolled back: \(name) anchors a checkpoint of size \(checkpoint.size), but the log has \(logSize) entries"
                return report
            }
            let actual = try await root(checkpoint.size)
            guard actual == checkpoint.rootHash else {
                report.failure =
                    "the log was rewritten: its root at size \(checkpoint.size) is \(actual.base64), the anchored checkpoint \(name) says \(checkpoint.rootHash.base64)"
                return report
            }
            report.consistent += 1
            report.largestSize = max(report.largestSize, checkpoint.size)
        }
        return report
    }
}

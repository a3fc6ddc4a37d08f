public import Foundation
public import Logging
import Synchronization

/// Where the sensor keeps what attackers leave: uploaded files in `quarantine/`, named by their
/// SHA-256 and made read-only (mode 0400; nothing there is ever executed), and session recordings
/// in `recordings/`. Writes happen on a queue of their own, never on a connection's event loop; a
/// failed write is logged and counted, never silent.
public final class EvidenceStore: Sendable {
    /// The root directory.
    public let directory: URL
    /// The largest upload kept (bigger ones are recorded by size and hash, not stored).
    public let maxFileBytes: Int
    private let queue = DispatchQueue(label: "palisade.honeypot.evidence")
    private let failureCount = Mutex(0)
    private let logger: Logger

    /// A store under `directory` (created with mode 0700 on first write).
    public init(directory: URL, maxFileBytes: Int = 10 << 20, logger: Logger) {
        self.directory = directory
        self.maxFileBytes = maxFileBytes
        self.logger = logger
    }

    /// Writes that failed.
    public var failures: Int { failureCount.withLock { $0 } }

    /// The quarantine's directory.
    public var quarantine: URL { directory.appendingPathComponent("quarantine") }
    /// The recordings' directory.
    public var recordings: URL { directory.appendingPathComponent("recordings") }

    /// Queues a received file for the quarantine; whether it will be stored (within the cap).
    func quarantine(_ file: ReceivedFile) -> Bool {
        guard let contents = file.contents, let digest = file.sha256 else { return false }
        write(Data(contents), to: quarantine.appendingPathComponent(digest), mode: 0o400, replace: false)
        return true
    }

    /// Queues a recording's text under `name`.
    func record(_ text: [UInt8], name: String) {
        write(Data(text), to: recordings.appendingPathComponent(name), mode: 0o600, replace: true)
    }

    /// Waits for the writes queued so far (tests, shutdown).
    public func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { continuation.resume() }
        }
    }

    private func write(_ data: Data, to url: URL, mode: Int, replace: Bool) {
        queue.async { [self] in
            let manager = FileManager.default
            do {
                try manager.createDirectory(
                    at: url.deletingLastPathComponent(),
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
                if !replace && manager.fileExists(atPath: url.path) { return }  // the same SHA-256 is the same file
                let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
                guard manager.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: mode]) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
                }
                if replace && manager.fileExists(atPath: url.path) { try manager.removeItem(at: url) }
                try manager.moveItem(at: temporary, to: url)
            } catch {
                failureCount.withLock { $0 += 1 }
                logger.error("palisade.honeypot.evidence_write_failed", metadata: ["path": "\(url.path)", "error": "\(error)"])
            }
        }
    }
}

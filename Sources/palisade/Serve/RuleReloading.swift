import Foundation
import Logging
import PalisadeDetection

/// `serve`'s hot reload of the rules directory: every interval the directory's files are checked,
/// and when they changed the rules are loaded again and handed to the detection consumer (which
/// records the change in each tenant's log). Rules that do not load leave the old ones in force and
/// are logged with the file and the reason until they are fixed.
struct RuleReloading: Sendable {
    let directory: URL
    let consumer: DetectionConsumer
    let interval: Duration
    let logger: Logger

    /// Checks every interval until cancelled.
    func run(initialFingerprint: String) async {
        var fingerprint = initialFingerprint
        await periodically(every: interval) {
            do {
                let current = try RuleFiles.fingerprint(directory)
                guard current != fingerprint else { return }
                fingerprint = current
                let rules = try RuleFiles.load(directory)
                let before = Dictionary(uniqueKeysWithValues: await consumer.currentRules.map { ($0.id, $0.revision) })
                for warning in try await consumer.replaceRules(rules) {
                    logger.warning("palisade.rules.tenant_file", metadata: ["warning": "\(warning)"])
                }
                let changed = rules.filter { before[$0.id] != $0.revision }.map(\.id)
                let removed = Set(before.keys).subtracting(rules.map(\.id))
                logger.notice(
                    "palisade.rules.reloaded",
                    metadata: [
                        "rules": "\(rules.count)", "changed": "\(changed.joined(separator: ","))",
                        "removed": "\(removed.sorted().joined(separator: ","))",
                    ]
                )
            } catch {
                logger.error("palisade.rules.reload_failed", metadata: ["directory": "\(directory.path)", "error": "\(error)"])
            }
        }
    }
}

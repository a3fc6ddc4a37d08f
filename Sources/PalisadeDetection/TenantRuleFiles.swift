public import Foundation
public import PalisadeCore

/// A tenant's own rule files, kept in its ledger: `palisade.rule` records with action `stored` (the
/// file's text, under a file id) and `deleted`. Replaying them in log order gives the files in force
/// at any point, so every version of every rule stays in the audit trail, and the detection consumer
/// applies a change exactly where it sits in the log.
public struct TenantRuleFiles: Sendable {
    /// One stored file.
    public struct File: Hashable, Sendable {
        /// The file id (`[a-z0-9._-]`, up to 128 characters).
        public var id: String
        /// Its YAML (Palisade or Sigma format).
        public var source: String
        /// The log index of the record that stored this version.
        public var version: UInt64
        /// Who stored it.
        public var actor: String
        /// When.
        public var storedAt: Timestamp
    }

    /// The record actions.
    public static let storedAction = "stored"
    /// The record actions.
    public static let deletedAction = "deleted"
    /// The largest rule file.
    public static let maxSourceBytes = 65_536

    /// The files by id.
    public private(set) var files: [String: File] = [:]

    /// No files.
    public init() {}

    /// Whether a file id is acceptable.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128
            && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// Applies a `palisade.rule` record if it stores or deletes a file (others are ignored).
    ///
    /// - Returns: whether the files changed.
    @discardableResult
    public mutating func apply(_ stored: StoredEvent) -> Bool {
        let event = stored.event
        guard event.eventType == .palisadeRule, case .string(let id)? = event.metadata["file_id"] else { return false }
        switch event.action {
        case Self.storedAction:
            guard case .string(let source)? = event.metadata["source"] else { return false }
            files[id] = File(id: id, source: source, version: stored.index, actor: event.actor ?? "", storedAt: event.timestamp)
            return true
        case Self.deletedAction:
            return files.removeValue(forKey: id) != nil
        default:
            return false
        }
    }

    /// The compiled rules of every file, by file id.
    ///
    /// - Throws: ``RuleError`` naming the file (stored files were checked when stored, so only a
    ///   newer format this binary does not read fails here).
    public func compiled() throws(RuleError) -> [(file: String, rules: [DetectionRule])] {
        var compiled = [(file: String, rules: [DetectionRule])]()
        for file in files.values.sorted(by: { $0.id < $1.id }) {
            do {
                compiled.append((file.id, try RuleFile.rules(from: file.source)))
            } catch {
                throw RuleError("tenant rule file \(file.id): \(error.description)")
            }
        }
        return compiled
    }

    /// The compiled rules of every file.
    public func rules() throws(RuleError) -> [DetectionRule] { try compiled().flatMap(\.rules) }

    /// The rules in force for a tenant: the global rules, with the tenant's own added (a tenant rule
    /// with a global rule's id replaces it).
    public static func effective(global: [DetectionRule], tenant: [DetectionRule]) -> [DetectionRule] {
        let own = Set(tenant.map(\.id))
        return global.filter { !own.contains($0.id) } + tenant
    }

    /// The record that stores a file.
    public static func storeRecord(
        id: String,
        source: String,
        tenant: TenantID,
        actor: String,
        at now: Timestamp,
        eventID: UUID
    )
        -> AuditEvent
    {
        AuditEvent.palisadeRecord(
            tenant: tenant,
            id: eventID,
            at: now,
            actor: actor,
            type: .palisadeRule,
            action: storedAction,
            severity: .medium,
            resource: "rule-file/\(id)",
            metadata: ["file_id": .string(id), "source": .string(source)]
        )
    }

    /// The record that deletes a file.
    public static func deleteRecord(id: String, tenant: TenantID, actor: String, at now: Timestamp, eventID: UUID) -> AuditEvent {
        AuditEvent.palisadeRecord(
            tenant: tenant,
            id: eventID,
            at: now,
            actor: actor,
            type: .palisadeRule,
            action: deletedAction,
            severity: .medium,
            resource: "rule-file/\(id)",
            metadata: ["file_id": .string(id)]
        )
    }

    /// The tenant's files as of log index `before` (all of them without it), replayed from its log.
    public static func load(of tenant: TenantID, from events: any EventStore, before: UInt64? = nil) async throws -> TenantRuleFiles {
        let records = try await ReservedRecords.read(of: tenant, type: .palisadeRule, from: events)
        var files = TenantRuleFiles()
        for record in records where before.map({ record.index < $0 }) ?? true {
            files.apply(record)
        }
        return files
    }
}

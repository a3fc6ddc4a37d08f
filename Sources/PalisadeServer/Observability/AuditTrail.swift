public import Logging
public import PalisadeCore
public import PalisadeIngest

/// Appends the server's own audit events (authentication failures, admin actions) to the ledger,
/// through the same group committer as every other event.
///
/// An audit append that fails is logged and counted; for admin actions the caller treats it as a
/// server fault, since an admin change must not happen without its record.
public struct AuditTrail: Sendable {
    let committer: GroupCommitter
    let pipeline: IngestPipeline
    let metrics: ServerMetrics
    let logger: Logger

    /// Creates the trail.
    public init(committer: GroupCommitter, pipeline: IngestPipeline, metrics: ServerMetrics, logger: Logger) {
        self.committer = committer
        self.pipeline = pipeline
        self.metrics = metrics
        self.logger = logger
    }

    /// One server audit event.
    public struct Entry: Sendable {
        /// The tenant whose log receives it.
        public var tenant: TenantID
        /// `authentication` or `configuration` usually.
        public var type: EventType
        /// What happened, such as `auth.failure` or `token.create`.
        public var action: String
        /// Who did it (`token:<id>`, `jwt:<sub>`, or the client address when unknown).
        public var actor: String?
        /// What it was done to.
        public var resource: String?
        /// Whether it succeeded.
        public var success: Bool
        /// How serious it is.
        public var severity: Severity
        /// The client's address.
        public var sourceIP: IPAddress?
        /// The request id (also in `X-Request-Id`).
        public var requestID: String
        /// Details.
        public var metadata: [String: JSONValue]

        /// Creates an entry.
        public init(
            tenant: TenantID,
            type: EventType,
            action: String,
            actor: String?,
            resource: String? = nil,
            success: Bool,
            severity: Severity,
            sourceIP: IPAddress?,
            requestID: String,
            metadata: [String: JSONValue] = [:]
        ) {
            self.tenant = tenant
            self.type = type
            self.action = action
            self.actor = actor
            self.resource = resource
            self.success = success
            self.severity = severity
            self.sourceIP = sourceIP
            self.requestID = requestID
            self.metadata = metadata
        }
    }

    /// Appends the entry and waits until it is durable.
    ///
    /// - Returns: whether it was appended; a failure is logged and counted here, and callers for
    ///   which the record is a precondition (admin actions) refuse to go on without it.
    @discardableResult
    public func record(_ entry: Entry) async -> Bool {
        var object: [String: JSONValue] = [
            "event_type": .string(entry.type.rawValue),
            "action": .string(entry.action),
            "success": .bool(entry.success),
            "severity": .string(entry.severity.name),
            "request_id": .string(entry.requestID),
            "metadata": .object(entry.metadata.merging(["source": .string("palisade-server")]) { current, _ in current }),
        ]
        if let actor = entry.actor { object["actor"] = .string(String(actor.prefix(256))) }
        if let resource = entry.resource { object["resource"] = .string(String(resource.prefix(512))) }
        if let address = entry.sourceIP { object["source_ip"] = .string(address.text) }
        do {
            let prepared = try pipeline.prepare(.object(object), tenant: entry.tenant)
            _ = try await committer.append([prepared])
            return true
        } catch {
            metrics.internalFailure("audit_append")
            logger.error(
                "cannot append a server audit event",
                metadata: ["action": "\(entry.action)", "request_id": "\(entry.requestID)", "error": "\(error)"]
            )
            return false
        }
    }
}

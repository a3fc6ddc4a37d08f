public import Foundation
public import PalisadeCore

/// What an approval is for: the operations that need two (or more) people.
public enum ApprovalOperation: String, Codable, CaseIterable, Hashable, Sendable {
    /// Destroy a key (crypto-shredding).
    case keyDestroy = "key.destroy"
    /// Destroy old versions of a key.
    case keyPurgeVersions = "key.purge_versions"
    /// Export a private key (wrapped to a recipient).
    case keyExport = "key.export"
    /// Relax a key's policy.
    case policyRelax = "policy.relax"
    /// Purge events outside the retention policy.
    case purgeOutsideRetention = "retention.purge"
    /// Release a legal hold.
    case legalHoldRelease = "legal_hold.release"
    /// Redact an event.
    case redaction
    /// Change the retention policy.
    case retentionChange = "retention.change"
}

/// How many and whom an operation needs, how long a request lives, and how long an approved one
/// waits before it runs (during which any approver can still cancel it).
public struct ApprovalPolicy: Codable, Hashable, Sendable {
    /// Distinct approvers needed (the requester never counts).
    public var quorum: Int
    /// The group approvers must belong to (nil: anyone with approval rights).
    public var group: String?
    /// Seconds a request stays open for approvals.
    public var expiresAfterSeconds: Int64
    /// Seconds between reaching the quorum and running (original design: 24 h before a purge).
    public var graceSeconds: Int64

    /// A policy; by default 2 approvers of `security-admin`, 72 h to decide, 24 h of grace.
    public init(quorum: Int = 2, group: String? = "security-admin", expiresAfterSeconds: Int64 = 259_200, graceSeconds: Int64 = 86_400) {
        self.quorum = max(1, quorum)
        self.group = group
        self.expiresAfterSeconds = expiresAfterSeconds
        self.graceSeconds = graceSeconds
    }
}

/// A person deciding: who, and the groups they are in.
public struct Approver: Hashable, Sendable {
    /// Their identity (token name or JWT subject).
    public let id: String
    /// Their groups.
    public let groups: Set<String>

    /// An approver.
    public init(id: String, groups: Set<String>) {
        self.id = id
        self.groups = groups
    }
}

/// A request for an operation that needs approval, and its state machine:
///
/// ```
/// pending → approved (quorum reached; waits out the grace period) → executed
///    ↓  ↘ rejected          ↓
/// expired              cancelled (by the requester or an approver, before execution)
/// ```
///
/// Two bugs of the original design's implementation are refused here: the requester approving
/// their own request, and the same approver counted twice for asking again.
public struct ApprovalRequest: Sendable {
    /// Where it stands.
    public enum Status: String, Codable, Hashable, Sendable {
        /// Waiting for approvals.
        case pending
        /// Quorum reached; runs after ``ApprovalRequest/executeAfter``.
        case approved
        /// Carried out.
        case executed
        /// Refused by an approver.
        case rejected
        /// Withdrawn before execution.
        case cancelled
        /// Not decided in time.
        case expired
    }

    /// One person's decision.
    public struct Decision: Hashable, Sendable {
        /// Who.
        public let approver: String
        /// When.
        public let at: Timestamp
        /// Why (optional for approvals).
        public let comment: String?
    }

    /// The request's id.
    public let id: UUID
    /// Its tenant.
    public let tenant: TenantID
    /// What it is for.
    public let operation: ApprovalOperation
    /// What it acts on (a key name, an event range).
    public let target: String
    /// The operation's parameters (recorded, shown to approvers).
    public let parameters: [String: String]
    /// Who asked.
    public let requester: String
    /// When.
    public let createdAt: Timestamp
    /// The policy in force when it was made.
    public let policy: ApprovalPolicy
    /// Where it stands (see ``status(at:)`` for expiry as of a moment).
    public private(set) var status: Status
    /// Approvals so far, in order.
    public private(set) var approvals: [Decision] = []
    /// The rejection, cancellation or execution that ended it.
    public private(set) var ending: Decision?
    /// When an approved request may run.
    public private(set) var executeAfter: Timestamp?

    /// A new pending request.
    public init(
        id: UUID = UUID(),
        tenant: TenantID,
        operation: ApprovalOperation,
        target: String,
        parameters: [String: String] = [:],
        requester: String,
        policy: ApprovalPolicy,
        at now: Timestamp
    ) {
        self.id = id
        self.tenant = tenant
        self.operation = operation
        self.target = target
        self.parameters = parameters
        self.requester = requester
        self.policy = policy
        self.createdAt = now
        self.status = .pending
    }

    /// A stored request, as it was (the vault's store adapter).
    init(
        restoring id: UUID,
        tenant: TenantID,
        operation: ApprovalOperation,
        target: String,
        parameters: [String: String],
        requester: String,
        createdAt: Timestamp,
        policy: ApprovalPolicy,
        status: Status,
        approvals: [Decision],
        ending: Decision?,
        executeAfter: Timestamp?
    ) {
        self.id = id
        self.tenant = tenant
        self.operation = operation
        self.target = target
        self.parameters = parameters
        self.requester = requester
        self.createdAt = createdAt
        self.policy = policy
        self.status = status
        self.approvals = approvals
        self.ending = ending
        self.executeAfter = executeAfter
    }

    /// What carrying it out produced, for the requester (an export's wrapped key); empty otherwise.
    public internal(set) var result: [String: String] = [:]

    /// When it stops taking approvals.
    public var expiresAt: Timestamp { createdAt.adding(microseconds: policy.expiresAfterSeconds * 1_000_000) }

    /// The status as of `now` (a pending request past its expiry is expired).
    public func status(at now: Timestamp) -> Status {
        status == .pending && now >= expiresAt ? .expired : status
    }

    /// Records an approval; the quorum makes the request approved and starts the grace period.
    ///
    /// - Throws: ``ApprovalError`` — the requester, someone outside the group, an approver who
    ///   already approved, or a request that is not pending (or has expired).
    public mutating func approve(by approver: Approver, comment: String? = nil, at now: Timestamp) throws(ApprovalError) {
        try checkOpen(at: now)
        guard approver.id != requester else { throw .selfApproval(approver.id) }
        if let group = policy.group, !approver.groups.contains(group) { throw .notInGroup(approver.id, group) }
        guard !approvals.contains(where: { $0.approver == approver.id }) else { throw .alreadyApproved(approver.id) }
        approvals.append(Decision(approver: approver.id, at: now, comment: comment))
        if approvals.count >= policy.quorum {
            status = .approved
            executeAfter = now.adding(microseconds: policy.graceSeconds * 1_000_000)
        }
    }

    /// Rejects the request (one eligible approver's refusal ends it).
    public mutating func reject(by approver: Approver, reason: String, at now: Timestamp) throws(ApprovalError) {
        try checkOpen(at: now)
        guard approver.id != requester else { throw .selfApproval(approver.id) }
        if let group = policy.group, !approver.groups.contains(group) { throw .notInGroup(approver.id, group) }
        status = .rejected
        ending = Decision(approver: approver.id, at: now, comment: reason)
    }

    /// Cancels a pending or approved request before it runs: the requester, or anyone who may
    /// approve it.
    public mutating func cancel(by person: Approver, reason: String, at now: Timestamp) throws(ApprovalError) {
        let current = status(at: now)
        guard current == .pending || current == .approved else { throw .notOpen(id, current) }
        if person.id != requester, let group = policy.group, !person.groups.contains(group) { throw .notInGroup(person.id, group) }
        status = .cancelled
        ending = Decision(approver: person.id, at: now, comment: reason)
    }

    /// Marks an approved request carried out, once its grace period is over.
    ///
    /// - Throws: ``ApprovalError/notOpen(_:_:)`` unless approved, ``ApprovalError/inGracePeriod(until:)``
    ///   before ``executeAfter``.
    public mutating func markExecuted(by executor: String, at now: Timestamp) throws(ApprovalError) {
        guard status == .approved, let executeAfter else { throw .notOpen(id, status(at: now)) }
        guard now >= executeAfter else { throw .inGracePeriod(until: executeAfter) }
        status = .executed
        ending = Decision(approver: executor, at: now, comment: nil)
    }

    private func checkOpen(at now: Timestamp) throws(ApprovalError) {
        let current = status(at: now)
        guard current == .pending else { throw .notOpen(id, current) }
    }
}

/// Why an approval step was refused.
public enum ApprovalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The requester tried to approve (or reject) their own request.
    case selfApproval(String)
    /// The person is not in the group the policy names.
    case notInGroup(String, String)
    /// The person has approved already; asking again is not another approval.
    case alreadyApproved(String)
    /// The request is no longer open for this step.
    case notOpen(UUID, ApprovalRequest.Status)
    /// Approved, but its grace period runs until then.
    case inGracePeriod(until: Timestamp)
    /// The request is malformed.
    case badRequest(String)
    /// The request is for another operation, target or parameters than the one being carried out.
    case mismatch(String)
    /// The vault does not carry this operation out; the named command does.
    case carriedOutElsewhere(String)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .selfApproval(let who): "\(who) made this request and cannot decide it; another approver must"
        case .notInGroup(let who, let group): "\(who) is not in \(group), whose members decide this request"
        case .alreadyApproved(let who): "\(who) has already approved this request; another approver is needed"
        case .notOpen(let id, let status): "request \(id.uuidString.lowercased()) is \(status.rawValue)"
        case .inGracePeriod(let until): "the request is approved and runs after its grace period, at \(until.rfc3339); it can be cancelled until then"
        case .badRequest(let why): why
        case .mismatch(let what): "\(what); carry out exactly what was approved"
        case .carriedOutElsewhere(let how): how
        }
    }
}

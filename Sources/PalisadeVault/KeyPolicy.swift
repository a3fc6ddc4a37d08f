/// What a key may be used for and by whom, beyond what its type can do.
public struct KeyPolicy: Codable, Hashable, Sendable {
    /// The operations allowed (nil: every one its type can do).
    public var operations: Set<KeyOperation>?
    /// Actors (token names, JWT subjects) allowed to use it; empty: anyone whose role allows the
    /// operation.
    public var actors: Set<String>
    /// Labels for filtering and retention rules (`pii`, `payment`).
    public var tags: Set<String>
    /// Versions older than this many days are to be destroyed (through an approval); nil: kept.
    public var retentionDays: Int?
    /// Whether the private key may ever be exported (wrapped to a recipient, after an approval).
    public var exportable: Bool

    /// A policy; by default every operation of the type, anyone allowed by role, kept forever,
    /// not exportable.
    public init(
        operations: Set<KeyOperation>? = nil,
        actors: Set<String> = [],
        tags: Set<String> = [],
        retentionDays: Int? = nil,
        exportable: Bool = false
    ) {
        self.operations = operations
        self.actors = actors
        self.tags = tags
        self.retentionDays = retentionDays
        self.exportable = exportable
    }

    /// Whether `operation` by `actor` is allowed.
    public func allows(_ operation: KeyOperation, by actor: String) -> Bool {
        (operations?.contains(operation) ?? true) && (actors.isEmpty || actors.contains(actor))
    }

    /// Whether `other` allows anything this policy does not (a relaxation, which needs an approval).
    public func isRelaxed(by other: KeyPolicy) -> Bool {
        let widerOperations: Bool
        switch (operations, other.operations) {
        case (nil, _): widerOperations = false
        case (_, nil): widerOperations = true
        case (let mine?, let theirs?): widerOperations = !theirs.isSubset(of: mine)
        }
        let widerActors = !actors.isEmpty && (other.actors.isEmpty || !other.actors.isSubset(of: actors))
        let longerRetention: Bool
        switch (retentionDays, other.retentionDays) {
        case (nil, _): longerRetention = false
        case (_, nil): longerRetention = true
        case (let mine?, let theirs?): longerRetention = theirs > mine
        }
        return widerOperations || widerActors || longerRetention || (!exportable && other.exportable)
    }
}

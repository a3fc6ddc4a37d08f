/// The error stores throw; equal by ``code``.
///
/// Its description is safe to show (no SQL, no values); the underlying driver error is kept for
/// ``debugDescription`` only.
public struct StoreError: Error, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case conflict
            case corrupt
            case unavailable
            case schemaTooNew
            case rejected
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Another writer changed the log first, or an event id exists; reload and retry.
        public static let conflict = Code(.conflict)
        /// Stored data is not what Palisade wrote; run `palisade verify`.
        public static let corrupt = Code(.corrupt)
        /// The database could not be opened or reached.
        public static let unavailable = Code(.unavailable)
        /// The database was written by a newer Palisade; upgrade the binary.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// The request does not fit the stored data (e.g. erasing an event that is not there, or
        /// is already erased); nothing was written and retrying will not help.
        public static let rejected = Code(.rejected)

        /// The code's name.
        public var description: String { String(describing: base) }
    }

    /// The kind of failure.
    public let code: Code
    /// What happened and what to do, safe to show.
    public let message: String
    private let underlying: String?
    private let location: String

    /// Creates an error.
    @inline(never)
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.underlying = underlying.map { String(reflecting: $0) }
        self.location = "\(file):\(line)"
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
    /// The message with the underlying error and location.
    public var debugDescription: String { "\(code): \(message) [\(underlying ?? "-")] (at \(location))" }

    /// Equal by code.
    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.code == rhs.code }
    /// Hashes the code.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

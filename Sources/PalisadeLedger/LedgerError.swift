/// The error thrown by PalisadeLedger for input it cannot parse or use at all.
///
/// Input that parses but does not verify is not an error: verifiers return a verdict instead
/// (``InclusionVerdict``, ``ConsistencyVerdict``, ``NoteVerdict``). Errors are equal by ``code``.
public struct LedgerError: Error, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case malformed
            case outOfRange
            case missingData
            case invalidKey
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input could not be parsed (a checkpoint, note, key, tile path or proof).
        public static let malformed = Code(.malformed)
        /// An index or size lies outside the tree.
        public static let outOfRange = Code(.outOfRange)
        /// A tile or hash needed for the computation was not available.
        public static let missingData = Code(.missingData)
        /// A signing or verifier key is unusable.
        public static let invalidKey = Code(.invalidKey)

        /// The code's name.
        public var description: String { String(describing: base) }
    }

    /// The kind of failure.
    public let code: Code
    private let detail: String
    private let location: String

    private init(code: Code, detail: String, file: String, line: Int) {
        self.code = code
        self.detail = detail
        self.location = "\(file):\(line)"
    }

    @inline(never)
    static func malformed(_ detail: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .malformed, detail: detail, file: file, line: line)
    }

    @inline(never)
    static func outOfRange(_ detail: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .outOfRange, detail: detail, file: file, line: line)
    }

    /// A needed tile or hash could not be found; the caller's storage is incomplete.
    @inline(never)
    public static func missingData(_ detail: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .missingData, detail: detail, file: file, line: line)
    }

    @inline(never)
    static func invalidKey(_ detail: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .invalidKey, detail: detail, file: file, line: line)
    }

    /// A message safe to show: it holds no key material.
    public var description: String { "\(code): \(detail)" }
    /// The message with the place it was raised.
    public var debugDescription: String { "\(code): \(detail) (at \(location))" }

    /// Errors are equal when their codes are.
    public static func == (lhs: LedgerError, rhs: LedgerError) -> Bool { lhs.code == rhs.code }
    /// Hashes the code only.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

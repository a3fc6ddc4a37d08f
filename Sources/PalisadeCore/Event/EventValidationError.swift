/// Input that cannot become an ``AuditEvent``: every problem found, each naming its field.
///
/// The description never quotes the offending values (they may be attacker-controlled); it names
/// fields and says what is accepted.
public struct EventValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// One problem with one field.
    public struct Issue: Hashable, Sendable, CustomStringConvertible {
        /// The JSON name of the field (`"severity"`, `"metadata"`, or the unknown name, sanitized).
        public var field: String
        /// What is wrong and what to send instead.
        public var message: String

        /// Creates an issue.
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }

        /// `field: message`.
        public var description: String { "\(field): \(message)" }
    }

    /// The problems, in field order.
    public var issues: [Issue]

    /// Creates an error from its issues.
    public init(issues: [Issue]) {
        self.issues = issues
    }

    /// The problems joined with `; `.
    public var description: String { issues.map(\.description).joined(separator: "; ") }
}

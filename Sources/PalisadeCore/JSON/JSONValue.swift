/// A JSON value as RFC 8259 defines it, with numbers as IEEE 754 doubles (I-JSON, RFC 7493).
///
/// Objects are dictionaries: member order carries no meaning, and ``CanonicalJSON`` gives every
/// value one byte string. Parse untrusted text with ``JSONParser``, which enforces size and depth
/// limits and rejects duplicate member names.
public enum JSONValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number; always finite.
    case number(Double)
    /// A string of Unicode scalars.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object with unique member names.
    case object([String: JSONValue])

    /// The nesting depth: 0 for a scalar, 1 for an empty or flat container, and so on.
    public var depth: Int {
        switch self {
        case .null, .bool, .number, .string: 0
        case .array(let items): 1 + (items.map(\.depth).max() ?? 0)
        case .object(let members): 1 + (members.values.map(\.depth).max() ?? 0)
        }
    }

    /// Whether a string or member name anywhere in the value contains U+0000.
    public var containsNUL: Bool {
        switch self {
        case .null, .bool, .number: false
        case .string(let text): text.utf8.contains(0)
        case .array(let items): items.contains { $0.containsNUL }
        case .object(let members): members.contains { $0.key.utf8.contains(0) || $0.value.containsNUL }
        }
    }

    /// The name of the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

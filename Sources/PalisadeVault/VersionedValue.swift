import Foundation

/// A ciphertext, signature or MAC with the key version that made it: `palisade:v3:<base64>`
/// (Vault transit's `vault:v3:` layout), so a key can rotate while old values stay readable.
public struct VersionedValue: Hashable, Sendable, CustomStringConvertible {
    /// The key version (1…).
    public let version: Int
    /// The value's bytes.
    public let bytes: [UInt8]

    /// A value made by `version`.
    public init(version: Int, bytes: [UInt8]) {
        self.version = version
        self.bytes = bytes
    }

    /// The longest text parsed (a 4096-bit signature or a 1 MiB ciphertext fit well within).
    public static let maxTextLength = 16 << 20

    /// Parses `palisade:vN:base64`.
    ///
    /// - Throws: ``VaultError/malformedValue(_:)`` naming what is wrong.
    public init(text: String) throws(VaultError) {
        guard text.utf8.count <= Self.maxTextLength else { throw .malformedValue("longer than \(Self.maxTextLength) bytes") }
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "palisade" else { throw .malformedValue("it does not start with palisade:v") }
        guard parts[1].first == "v", let version = Int(parts[1].dropFirst()), version >= 1, String(version) == parts[1].dropFirst() else {
            throw .malformedValue("\(parts[1].prefix(12)) is not a version (v1, v2, …)")
        }
        guard let data = Data(base64Encoded: String(parts[2])), !data.isEmpty else { throw .malformedValue("the payload is not base64") }
        self.init(version: version, bytes: Array(data))
    }

    /// `palisade:vN:base64`.
    public var description: String { "palisade:v\(version):\(Data(bytes).base64EncodedString())" }
}

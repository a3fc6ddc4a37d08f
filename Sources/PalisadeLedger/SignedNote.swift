/// A C2SP signed note: text, a blank line, then one signature line per signer.
///
/// ```text
/// <text ending in \n>
///
/// — <key name> <base64(4-byte key ID || signature)>
/// ```
/// Parsing checks the shape only; whether a trusted key signed it is for ``NoteVerifier``.
public struct SignedNote: Hashable, Sendable {
    /// The most signature lines a note may carry (as Go's `note` package).
    public static let maxSignatures = 100

    /// The signed text, ending in a newline.
    public var text: String
    /// The signature lines, in order.
    public var signatures: [NoteSignature]

    /// Creates a note from its text and signatures.
    public init(text: String, signatures: [NoteSignature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The note's serialized form.
    public var serialized: String {
        text + "\n" + signatures.map { "\u{2014} \($0.name) \(Base64.encode($0.keyID + $0.signature))\n" }.joined()
    }

    /// Parses a note.
    ///
    /// - Throws: ``LedgerError`` with code `malformed` when the bytes are not UTF-8, hold a control
    ///   character, lack the blank line or have a malformed signature line.
    public init(parsing bytes: [UInt8]) throws {
        guard let whole = String(validating: bytes, as: UTF8.self) else { throw LedgerError.malformed("note is not valid UTF-8") }
        guard !whole.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw LedgerError.malformed("note contains a control character")
        }
        // The signature block starts after the last blank line ("\n\n").
        guard let separator = bytes.indices.dropLast().last(where: { bytes[$0] == 0x0a && bytes[$0 + 1] == 0x0a }) else {
            throw LedgerError.malformed("note has no blank line before its signatures")
        }
        let text = String(decoding: bytes[...separator], as: UTF8.self)
        let block = String(decoding: bytes[(separator + 2)...], as: UTF8.self)
        guard block.hasSuffix("\n") else { throw LedgerError.malformed("note signatures must end with a newline") }
        var signatures = [NoteSignature]()
        for line in block.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("\u{2014} ") else { throw LedgerError.malformed("signature line must start with an em dash") }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, NoteSigner.isValidName(String(fields[0])),
                let blob = Base64.decode(String(fields[1])), blob.count > 4
            else { throw LedgerError.malformed("malformed signature line") }
            signatures.append(NoteSignature(name: String(fields[0]), keyID: Array(blob.prefix(4)), signature: Array(blob.dropFirst(4))))
        }
        guard !signatures.isEmpty else { throw LedgerError.malformed("note has no signatures") }
        guard signatures.count <= Self.maxSignatures else { throw LedgerError.malformed("note has too many signatures") }
        self.init(text: text, signatures: signatures)
    }

    /// Parses a note from a string.
    public init(parsing text: String) throws {
        try self.init(parsing: Array(text.utf8))
    }
}

/// One signature line of a signed note.
public struct NoteSignature: Hashable, Sendable {
    /// The signer's key name.
    public var name: String
    /// The 4-byte key ID.
    public var keyID: [UInt8]
    /// The signature bytes (64 for Ed25519).
    public var signature: [UInt8]

    /// Creates a signature line.
    public init(name: String, keyID: [UInt8], signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }
}

/// The verdict on a signed note.
public enum NoteVerdict: Hashable, Sendable {
    /// A trusted key signed the text.
    case verified(text: String)
    /// No trusted key signed it, or a trusted key's signature is wrong.
    case invalid(NoteFailure)
}

/// Why a note did not verify.
public enum NoteFailure: Hashable, Sendable, CustomStringConvertible {
    /// None of the signatures is by the trusted key.
    case noTrustedSignature(keyName: String)
    /// The trusted key's signature does not match the text.
    case badSignature(keyName: String)

    /// A sentence naming the failure.
    public var description: String {
        switch self {
        case .noTrustedSignature(let name): "no signature by the trusted key \(name)"
        case .badSignature(let name): "the signature by \(name) does not verify"
        }
    }
}

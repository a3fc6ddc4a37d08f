public import Crypto

/// An Ed25519 signer of C2SP signed notes (signature type 0x01).
///
/// Its private key string is Go's `note` format, `PRIVATE+KEY+<name>+<key ID hex>+<base64(0x01 || seed)>`,
/// so keys move between Palisade and the Go tools of the transparency-log ecosystem.
///
/// ```swift
/// let signer = NoteSigner(name: "palisade.local", privateKey: .init())
/// let note = try signer.sign(checkpoint.text)
/// print(signer.verifier.vkey)
/// ```
public struct NoteSigner: Sendable {
    /// The key name that appears in signature lines.
    public let name: String
    private let privateKey: Curve25519.Signing.PrivateKey

    /// The C2SP signature type byte of Ed25519.
    static let ed25519Type: UInt8 = 0x01

    /// Creates a signer.
    ///
    /// - Throws: ``LedgerError`` with code `invalidKey` when the name is empty or holds a space or `+`.
    public init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws {
        guard Self.isValidName(name) else { throw LedgerError.invalidKey("key name must be non-empty, without spaces or '+'") }
        self.name = name
        self.privateKey = privateKey
    }

    /// Parses a private key string in Go's `note` format.
    ///
    /// - Throws: ``LedgerError`` with code `invalidKey` when it is malformed or its key ID does not match.
    public init(parsing encoded: String) throws {
        // The base64 key may itself contain '+', so split off only the first four fields.
        let parts = encoded.trimmingWhitespace().split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw LedgerError.invalidKey("private key must read PRIVATE+KEY+<name>+<id>+<key>")
        }
        guard let raw = Base64.decode(parts[4]), raw.count == 33, raw[0] == Self.ed25519Type else {
            throw LedgerError.invalidKey("private key is not an Ed25519 (type 0x01) key")
        }
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: raw[1...])
        } catch {
            throw LedgerError.invalidKey("private key bytes are not an Ed25519 seed")
        }
        try self.init(name: parts[2], privateKey: key)
        guard Hex.encode(verifier.keyID) == parts[3].lowercased() else {
            throw LedgerError.invalidKey("private key ID does not match its name and key")
        }
    }

    /// The private key string (Go `note` format). Treat it as a secret.
    public var privateKeyString: String {
        "PRIVATE+KEY+\(name)+\(Hex.encode(verifier.keyID))+\(Base64.encode([Self.ed25519Type] + Array(privateKey.rawRepresentation)))"
    }

    /// The 32-byte Ed25519 seed. Treat it as a secret.
    public var privateKeyBytes: [UInt8] { Array(privateKey.rawRepresentation) }

    /// The matching verifier.
    public var verifier: NoteVerifier {
        NoteVerifier(name: name, publicKey: privateKey.publicKey)
    }

    /// Signs `text` and returns the signed note.
    ///
    /// - Precondition: `text` ends in a newline.
    /// - Throws: an error from the signing primitive.
    public func sign(_ text: String) throws -> SignedNote {
        precondition(text.hasSuffix("\n"), "note text must end with a newline")
        let signature = try privateKey.signature(for: Array(text.utf8))
        return SignedNote(text: text, signatures: [NoteSignature(name: name, keyID: verifier.keyID, signature: Array(signature))])
    }

    /// Whether `name` is a valid key name: non-empty, no whitespace, no `+`.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace }
    }
}

/// An Ed25519 verifier of C2SP signed notes, in the conventional `vkey` form
/// `<name>+<key ID as 8 hex digits>+<base64(0x01 || public key)>`.
public struct NoteVerifier: Equatable, Sendable {
    /// The key name.
    public let name: String
    /// The 4-byte key ID: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
    public let keyID: [UInt8]
    private let publicKey: Curve25519.Signing.PublicKey
    /// The 32-byte Ed25519 public key.
    public var publicKeyBytes: [UInt8] { Array(publicKey.rawRepresentation) }

    /// Creates a verifier from a name and public key.
    public init(name: String, publicKey: Curve25519.Signing.PublicKey) {
        self.name = name
        self.publicKey = publicKey
        var hasher = SHA256()
        (Array(name.utf8) + [0x0a, NoteSigner.ed25519Type] + Array(publicKey.rawRepresentation)).withUnsafeBytes {
            hasher.update(bufferPointer: $0)
        }
        self.keyID = Array(hasher.finalize().prefix(4))
    }

    /// Parses a `vkey` string.
    ///
    /// - Throws: ``LedgerError`` with code `invalidKey` when it is malformed, not Ed25519, or its key ID
    ///   does not match the name and key.
    public init(parsing vkey: String) throws {
        // The base64 key may itself contain '+', so split off only the name and the key ID.
        let parts = vkey.trimmingWhitespace().split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, NoteSigner.isValidName(parts[0]) else {
            throw LedgerError.invalidKey("verifier key must read <name>+<id>+<key>")
        }
        guard let raw = Base64.decode(parts[2]), raw.count == 33, raw[0] == NoteSigner.ed25519Type else {
            throw LedgerError.invalidKey("verifier key is not an Ed25519 (type 0x01) key")
        }
        let key: Curve25519.Signing.PublicKey
        do {
            key = try Curve25519.Signing.PublicKey(rawRepresentation: raw[1...])
        } catch {
            throw LedgerError.invalidKey("verifier key bytes are not an Ed25519 public key")
        }
        self.init(name: parts[0], publicKey: key)
        guard Hex.encode(keyID) == parts[1].lowercased() else {
            throw LedgerError.invalidKey("verifier key ID does not match its name and key")
        }
    }

    /// The `vkey` string.
    public var vkey: String {
        "\(name)+\(Hex.encode(keyID))+\(Base64.encode([NoteSigner.ed25519Type] + publicKeyBytes))"
    }

    /// Checks that this key signed the note. Signatures by other keys are ignored (C2SP signed-note).
    public func verify(_ note: SignedNote) -> NoteVerdict {
        var sawKey = false
        for signature in note.signatures where signature.name == name && signature.keyID == keyID {
            sawKey = true
            guard publicKey.isValidSignature(signature.signature, for: Array(note.text.utf8)) else {
                return .invalid(.badSignature(keyName: name))
            }
        }
        return sawKey ? .verified(text: note.text) : .invalid(.noTrustedSignature(keyName: name))
    }

    /// Verifiers are equal when their `vkey` strings are.
    public static func == (lhs: NoteVerifier, rhs: NoteVerifier) -> Bool { lhs.vkey == rhs.vkey }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

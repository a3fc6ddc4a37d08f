public import Crypto

/// A witness's Ed25519 cosigner (C2SP tlog-cosignature, signature type 0x04).
///
/// A cosignature is a note signature line over `cosignature/v1\ntime <t>\n` followed by the
/// checkpoint text, whose bytes are the key ID, the timestamp `t` (8 bytes, big-endian) and the
/// signature. It states that, at time `t`, this is the largest consistent tree the cosigner has
/// seen for the log. Its private key string follows Go's `note` format with type 0x04.
public struct Cosigner: Sendable {
    /// The C2SP signature type byte of timestamped Ed25519 cosignatures.
    public static let cosignatureType: UInt8 = 0x04

    /// The cosigner's name, as it appears in signature lines.
    public let name: String
    private let privateKey: Curve25519.Signing.PrivateKey

    /// Creates a cosigner.
    ///
    /// - Throws: ``LedgerError`` `invalidKey` when the name is empty or holds a space or `+`.
    public init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws {
        guard NoteSigner.isValidName(name) else { throw LedgerError.invalidKey("cosigner name must be non-empty, without spaces or '+'") }
        self.name = name
        self.privateKey = privateKey
    }

    /// Parses `PRIVATE+KEY+<name>+<key ID>+<base64(0x04 || seed)>`.
    ///
    /// - Throws: ``LedgerError`` `invalidKey` when it is malformed or its key ID does not match.
    public init(parsing encoded: String) throws {
        let parts = encoded.trimmingWhitespace().split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", let raw = Base64.decode(parts[4]), raw.count == 33,
            raw[0] == Self.cosignatureType
        else {
            throw LedgerError.invalidKey("a cosigner key must read PRIVATE+KEY+<name>+<id>+<base64(0x04 || seed)>")
        }
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: raw[1...])
        } catch {
            throw LedgerError.invalidKey("cosigner key bytes are not an Ed25519 seed")
        }
        try self.init(name: parts[2], privateKey: key)
        guard Hex.encode(verifier.keyID) == parts[3].lowercased() else { throw LedgerError.invalidKey("cosigner key ID does not match") }
    }

    /// The private key string. Treat it as a secret.
    public var privateKeyString: String {
        "PRIVATE+KEY+\(name)+\(Hex.encode(verifier.keyID))+\(Base64.encode([Self.cosignatureType] + Array(privateKey.rawRepresentation)))"
    }

    /// The matching verifier.
    public var verifier: CosignatureVerifier { CosignatureVerifier(name: name, publicKey: privateKey.publicKey) }

    /// The cosignature of a checkpoint's note text at `timestamp` (POSIX seconds).
    ///
    /// - Throws: an error from the signing primitive.
    public func cosign(_ text: String, at timestamp: UInt64) throws -> NoteSignature {
        let signature = try privateKey.signature(for: CosignatureVerifier.message(text, timestamp: timestamp))
        return NoteSignature(name: name, keyID: verifier.keyID, signature: Self.bigEndian(timestamp) + Array(signature))
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }
}

/// Checks a witness's cosignatures; its `vkey` is `<name>+<key ID>+<base64(0x04 || public key)>`.
public struct CosignatureVerifier: Equatable, Sendable {
    /// The cosigner's name.
    public let name: String
    /// SHA-256(name || 0x0A || 0x04 || public key)[:4].
    public let keyID: [UInt8]
    private let publicKey: Curve25519.Signing.PublicKey

    /// Creates a verifier.
    public init(name: String, publicKey: Curve25519.Signing.PublicKey) {
        self.name = name
        self.publicKey = publicKey
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8) + [0x0A, Cosigner.cosignatureType] + Array(publicKey.rawRepresentation))
        self.keyID = Array(hasher.finalize().prefix(4))
    }

    /// Parses a cosigner `vkey`.
    ///
    /// - Throws: ``LedgerError`` `invalidKey` when it is malformed, not type 0x04, or its key ID does not match.
    public init(parsing vkey: String) throws {
        let parts = vkey.trimmingWhitespace().split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, NoteSigner.isValidName(parts[0]), let raw = Base64.decode(parts[2]), raw.count == 33,
            raw[0] == Cosigner.cosignatureType
        else {
            throw LedgerError.invalidKey("a witness key must read <name>+<id>+<base64(0x04 || public key)>")
        }
        let key: Curve25519.Signing.PublicKey
        do {
            key = try Curve25519.Signing.PublicKey(rawRepresentation: raw[1...])
        } catch {
            throw LedgerError.invalidKey("witness key bytes are not an Ed25519 public key")
        }
        self.init(name: parts[0], publicKey: key)
        guard Hex.encode(keyID) == parts[1].lowercased() else { throw LedgerError.invalidKey("witness key ID does not match its name and key") }
    }

    /// The `vkey` string.
    public var vkey: String { "\(name)+\(Hex.encode(keyID))+\(Base64.encode([Cosigner.cosignatureType] + Array(publicKey.rawRepresentation)))" }

    /// The timestamp of this cosigner's valid cosignature on the note, or `nil` when there is none
    /// (signatures by other keys are ignored; a wrong one by this key is `nil` too).
    public func timestamp(of note: SignedNote) -> UInt64? {
        for signature in note.signatures where signature.name == name && signature.keyID == keyID && signature.signature.count == 72 {
            let timestamp = signature.signature.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard timestamp < 1 << 63 else { continue }
            if publicKey.isValidSignature(Array(signature.signature.dropFirst(8)), for: Self.message(note.text, timestamp: timestamp)) {
                return timestamp
            }
        }
        return nil
    }

    /// The signed message: `cosignature/v1\ntime <t>\n` then the checkpoint text.
    static func message(_ text: String, timestamp: UInt64) -> [UInt8] { Array("cosignature/v1\ntime \(timestamp)\n\(text)".utf8) }

    /// Verifiers are equal when their `vkey` strings are.
    public static func == (lhs: CosignatureVerifier, rhs: CosignatureVerifier) -> Bool { lhs.vkey == rhs.vkey }
}

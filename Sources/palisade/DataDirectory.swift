import ArgumentParser
import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeHoneypot
import PalisadeIngest
import PalisadeLedger
import PalisadePostgres
import PalisadeSQLite
import PalisadeSSH
import PalisadeVault
import _CryptoExtras

/// The data directory: creates it (mode 0700) on first use, holds the checkpoint and token keys
/// and the SQLite database (unless the ledger is stored in PostgreSQL), and opens the store.
struct DataDirectory {
    /// The file that holds the checkpoint signing key (Go `note` private key format, mode 0600).
    static let keyFileName = "checkpoint.key"
    /// The SQLite database.
    static let databaseFileName = "palisade.db"
    /// The key API tokens are hashed under.
    static let tokenKeyFileName = "token.key"
    /// The key receiver secrets are sealed under.
    static let alertingKeyFileName = "alerting.key"
    /// The checkpoint verifier key (public).
    static let verifierKeyFileName = "checkpoint.pub"
    /// The honeypot's secret and host key files.
    static let honeypotSecretFileName = "honeypot_secret.key"
    static let honeypotEd25519FileName = "honeypot_ed25519.key"
    static let honeypotECDSAFileName = "honeypot_ecdsa.key"
    static let honeypotRSAFileName = "honeypot_rsa.pem"
    /// The key name (and origin prefix) of a newly generated key.
    static let defaultKeyName = "palisade.local"

    let path: String
    let logger: Logger

    init(path: String, logger: Logger = Logger(label: "palisade")) {
        self.path = path
        self.logger = logger
    }

    var keyPath: String { (path as NSString).appendingPathComponent(Self.keyFileName) }
    var databasePath: String { (path as NSString).appendingPathComponent(Self.databaseFileName) }

    /// Creates the directory if it does not exist.
    func create() throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CLIError("\(path) exists and is not a directory; pass another --data-dir") }
            return
        }
        do {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError("cannot create the data directory \(path): \(error.localizedDescription)")
        }
    }

    /// The checkpoint key, generated and saved (owner-only) on first use.
    func signer(createIfMissing: Bool = true) throws -> NoteSigner {
        if let signer = try existingSigner() {
            try writeVerifierKey(signer.verifier)
            return signer
        }
        guard createIfMissing else { throw CLIError("there is no checkpoint key in \(path) yet; append an event first") }
        let signer = try Self.newCheckpointSigner()
        try writeSecretFile(keyPath, contents: signer.privateKeyString + "\n")
        try writeVerifierKey(signer.verifier)
        printError("palisade: generated a checkpoint signing key in \(keyPath); its verifier key is \(signer.verifier.vkey)")
        return signer
    }

    /// The checkpoint key file's key, or nil when there is no such file.
    func existingSigner() throws -> NoteSigner? {
        guard FileManager.default.fileExists(atPath: keyPath) else { return nil }
        try refuseReadableByOthers(keyPath)
        let text = try String(contentsOfFile: keyPath, encoding: .utf8)
        do {
            return try NoteSigner(parsing: text)
        } catch {
            throw CLIError("\(keyPath) does not hold a checkpoint key: \(error)")
        }
    }

    /// A fresh checkpoint key named ``defaultKeyName``.
    static func newCheckpointSigner() throws -> NoteSigner {
        // The vkey's base64 may contain '+', which is also its field separator. Go's note package
        // splits only the first two '+', but simpler verifiers (../shared/tools/verify_checkpoint.py
        // among them) split on every '+' and reject such keys. Drawing again until the vkey has no '+'
        // (two draws on average) keeps every verifier working and costs about one bit of key space.
        var signer = try NoteSigner(name: defaultKeyName, privateKey: Curve25519.Signing.PrivateKey())
        // (Empty fields count: a key ending in '+' splits into four for them — a 1-in-64 draw that
        // once made CI fail.)
        while signer.verifier.vkey.split(separator: "+", omittingEmptySubsequences: false).count != 3 {
            signer = try NoteSigner(name: defaultKeyName, privateKey: Curve25519.Signing.PrivateKey())
        }
        return signer
    }

    /// The public verifier key file (`checkpoint.pub`), written beside the data: it needs no
    /// secret, so `verify`, `export` and `key show` work while the checkpoint key is in a sealed vault.
    var verifierKeyPath: String { (path as NSString).appendingPathComponent(Self.verifierKeyFileName) }

    /// Writes `checkpoint.pub` if it does not hold `verifier` already.
    func writeVerifierKey(_ verifier: NoteVerifier) throws {
        let text = verifier.vkey + "\n"
        if let existing = FileManager.default.contents(atPath: verifierKeyPath), existing == Data(text.utf8) { return }
        try writeSecretFile(verifierKeyPath, contents: text)
    }

    /// The checkpoint verifier: `checkpoint.pub`, else the key file's, else nil.
    func existingVerifier() throws -> NoteVerifier? {
        if FileManager.default.fileExists(atPath: verifierKeyPath) {
            let text = try String(contentsOfFile: verifierKeyPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                return try NoteVerifier(parsing: text)
            } catch {
                throw CLIError("\(verifierKeyPath) does not hold a verifier key (\(error)); delete it, it is written again from the key")
            }
        }
        return try existingSigner()?.verifier
    }

    /// The key API tokens are hashed under (32 random bytes, hex, mode 0600), generated on first use.
    ///
    /// Losing it makes every API token invalid (mint new ones with `palisade token create`);
    /// it never leaves the data directory.
    func tokenKey() throws -> SymmetricKey {
        try symmetricKey(Self.tokenKeyFileName, ifUnreadable: "restore it from a backup or delete it and mint new tokens")
    }

    /// The key receiver secrets are sealed under (32 random bytes, hex, mode 0600), generated on
    /// first use. Every server sharing a PostgreSQL database needs the same file.
    ///
    /// Losing it makes every stored receiver's secret unreadable (store the receivers again).
    func alertingKey() throws -> SymmetricKey {
        try symmetricKey(Self.alertingKeyFileName, ifUnreadable: "restore it from a backup, or delete it and store every receiver again")
    }

    /// The honeypot's host keys (Ed25519, ECDSA P-256, RSA 3072), generated on first start and kept
    /// owner-only in the data directory, so the fingerprints attackers see survive restarts.
    func honeypotHostKeys() throws -> [HostKey] {
        let ed25519 = try Curve25519.Signing.PrivateKey(
            rawRepresentation: symmetricKey(Self.honeypotEd25519FileName, ifUnreadable: "delete it to make a new host key").withUnsafeBytes {
                Array($0)
            }
        )
        let ecdsa = try P256.Signing.PrivateKey(
            rawRepresentation: symmetricKey(Self.honeypotECDSAFileName, ifUnreadable: "delete it to make a new host key").withUnsafeBytes {
                Array($0)
            }
        )
        let rsa: _RSA.Signing.PrivateKey
        if let existing = try existingRSAHostKey() {
            rsa = existing
        } else {
            rsa = try _RSA.Signing.PrivateKey(keySize: .bits3072)
            try writeSecretFile(filePath(Self.honeypotRSAFileName), contents: rsa.pemRepresentation + "\n")
        }
        return [HostKey(ed25519: ed25519), HostKey(.ecdsaP256(ecdsa)), HostKey(.rsa(rsa))]
    }

    /// The honeypot's secret for password hashes and correlation ids (honeypot_secret.key).
    func honeypotSecret() throws -> SensorSecret {
        SensorSecret(try symmetricKey(Self.honeypotSecretFileName, ifUnreadable: "delete it to make a new one").withUnsafeBytes { Array($0) })
    }

    /// A 256-bit key kept in `name`, generated on first use.
    private func symmetricKey(_ name: String, ifUnreadable advice: String) throws -> SymmetricKey {
        if let bytes = try existingKeyFile(name, ifUnreadable: advice) { return bytes.withBytes { SymmetricKey(data: $0) } }
        try create()
        let key = SymmetricKey(size: .bits256)
        try writeSecretFile(filePath(name), contents: key.withUnsafeBytes { Hex.encode(Array($0)) } + "\n")
        return key
    }

    /// The path of a file of the directory.
    func filePath(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// The 32 bytes of a hex key file, or nil when there is no such file.
    func existingKeyFile(_ name: String, ifUnreadable advice: String) throws -> SecretBytes? {
        let path = filePath(name)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        try refuseReadableByOthers(path)
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), bytes.count == 32 else { throw CLIError("\(path) does not hold a 32-byte hex key; \(advice)") }
        return SecretBytes(bytes)
    }

    /// The honeypot's RSA host key file, or nil when there is none.
    func existingRSAHostKey() throws -> _RSA.Signing.PrivateKey? {
        let rsaPath = filePath(Self.honeypotRSAFileName)
        guard FileManager.default.fileExists(atPath: rsaPath) else { return nil }
        try refuseReadableByOthers(rsaPath)
        return try _RSA.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: rsaPath, encoding: .utf8))
    }

    /// Overwrites a secret file with zeros, syncs it and deletes it (after its secret moved into
    /// the vault). Overwriting is best effort on journaling or copy-on-write file systems.
    func shredSecretFile(_ name: String) throws {
        let path = filePath(name)
        guard FileManager.default.fileExists(atPath: path) else { return }
        let size = try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data(count: size))
        try handle.synchronize()
        try handle.close()
        try FileManager.default.removeItem(atPath: path)
    }

    /// Refuses a secret file that other users can read.
    private func refuseReadableByOthers(_ path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw CLIError("\(path) is readable by other users (mode \(String(mode, radix: 8))); run chmod 600 on it")
        }
    }

    /// Writes a secret owner-only to a temporary file, syncs it, then renames it into place: a
    /// crash leaves either no file or the whole file, never an empty or partial one.
    private func writeSecretFile(_ path: String, contents: String) throws {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot create \(temporary); check the data directory is writable")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.write(contentsOf: Data(contents.utf8))
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else {
            throw CLIError("cannot move the new secret into \(path) (errno \(errno))")
        }
    }

    /// Opens the store at `location` (creating this directory, which holds the keys, if needed),
    /// runs `body` with it and closes it afterwards, whether `body` threw or not.
    ///
    /// - Parameter postgres: the pool and schema settings, when `location` is PostgreSQL.
    func withStore<T>(
        _ location: DatabaseLocation,
        postgres: PostgresStore.Configuration = .init(maximumConnections: 4),
        _ body: (any LedgerStore) async throws -> T
    ) async throws -> T {
        try create()
        switch location {
        case .sqlite:
            let store: SQLiteStore
            do {
                store = try SQLiteStore(path: databasePath)
            } catch {
                throw CLIError("\(error)", exitCode: Exit.storage)
            }
            return try await body(store)
        case .postgres(let url):
            return try await withPostgres(url, configuration: postgres, body)
        }
    }

    /// Connects to PostgreSQL (migrating the schema), runs `body` and closes the pool afterwards.
    func withPostgres<T>(_ url: PostgresURL, configuration: PostgresStore.Configuration, _ body: (PostgresStore) async throws -> T) async throws -> T
    {
        try await PostgresStore.connect(to: url, configuration: configuration, logger: logger).closing(body)
    }
}

/// A CLI failure with a message that says what to do, and the exit code to use.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let exitCode: Int32

    init(_ description: String, exitCode: ArgumentParser.ExitCode = Exit.failed) {
        self.description = description
        self.exitCode = exitCode.rawValue
    }
}

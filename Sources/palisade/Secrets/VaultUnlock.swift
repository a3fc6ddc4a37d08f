import Foundation
import PalisadePKCS11
import PalisadeVault

/// How a command unseals the vault on its own, to read Palisade's secrets from it: the master
/// key's file (as `palisade vault init` printed it, base64), a file holding the passphrase, or a
/// PKCS#11 token that keeps the master key (and initialises the vault with it on first use).
/// From `--vault-key-file` / `--vault-passphrase-file`, else `PALISADE_VAULT_KEY_FILE` /
/// `PALISADE_VAULT_PASSPHRASE_FILE`; the token from `PALISADE_VAULT_PKCS11_MODULE`,
/// `…_TOKEN`, `…_PIN_FILE` and optionally `…_KEY_LABEL` (or serve's `vault.pkcs11_*` settings).
enum VaultUnlock: Sendable {
    case keyFile(String)
    case passphraseFile(String)
    case token(PKCS11Token.Configuration)

    /// Where a token is, as settings give it (each nil when not set).
    struct TokenSettings {
        var module: String?
        var token: String?
        var pinFile: String?
        var keyLabel: String?

        /// From the `PALISADE_VAULT_PKCS11_*` environment variables.
        static var environment: TokenSettings {
            let environment = ProcessInfo.processInfo.environment
            func value(_ name: String) -> String? { environment["PALISADE_VAULT_PKCS11_" + name].flatMap { $0.isEmpty ? nil : $0 } }
            return TokenSettings(module: value("MODULE"), token: value("TOKEN"), pinFile: value("PIN_FILE"), keyLabel: value("KEY_LABEL"))
        }

        /// The token's configuration, nil when no module is named.
        func configuration() throws -> PKCS11Token.Configuration? {
            guard let module else {
                guard token == nil, pinFile == nil else {
                    throw CLIError("a PKCS#11 token needs its module too (vault.pkcs11_module)", exitCode: Exit.usage)
                }
                return nil
            }
            guard let token, let pinFile else {
                throw CLIError(
                    "a PKCS#11 module needs the token's label and a PIN file (vault.pkcs11_token, vault.pkcs11_pin_file)",
                    exitCode: Exit.usage
                )
            }
            let pin: String
            do {
                pin = try String(contentsOfFile: pinFile, encoding: .utf8).trimmingCharacters(in: .newlines)
            } catch {
                throw CLIError("cannot read the PKCS#11 PIN file \(pinFile): \(error.localizedDescription)")
            }
            return PKCS11Token.Configuration(module: module, tokenLabel: token, pin: pin, keyLabel: keyLabel ?? "palisade-master")
        }
    }

    static let keyFileVariable = "PALISADE_VAULT_KEY_FILE"
    static let passphraseFileVariable = "PALISADE_VAULT_PASSPHRASE_FILE"
    /// The advice every "the vault is sealed" message ends with.
    static let advice = "give --vault-key-file or --vault-passphrase-file (env \(keyFileVariable) / \(passphraseFileVariable))"

    /// The unlock the flags or the environment name, or nil.
    ///
    /// - Throws: ``CLIError`` when both a key file and a passphrase file are named.
    static func resolve(keyFile: String?, passphraseFile: String?, token: TokenSettings = .environment) throws -> VaultUnlock? {
        let environment = ProcessInfo.processInfo.environment
        let key = keyFile ?? environment[keyFileVariable].flatMap { $0.isEmpty ? nil : $0 }
        let passphrase = passphraseFile ?? environment[passphraseFileVariable].flatMap { $0.isEmpty ? nil : $0 }
        let configuration = try token.configuration()
        switch (key, passphrase, configuration) {
        case (nil, nil, nil): return nil
        case (let key?, nil, nil): return .keyFile(key)
        case (nil, let passphrase?, nil): return .passphraseFile(passphrase)
        case (nil, nil, let configuration?): return .token(configuration)
        default: throw CLIError("give one of the vault's key file, its passphrase file or its PKCS#11 token", exitCode: Exit.usage)
        }
    }

    /// Whether this unlock can initialise a vault (a token can: its master key never leaves it,
    /// so there is nothing to print).
    var initialisesVault: Bool {
        if case .token = self { return true }
        return false
    }

    /// Unseals `vault`.
    ///
    /// - Throws: ``CLIError`` naming the file when it cannot be read or does not open the vault.
    func unseal(_ vault: Vault, by actor: String) async throws {
        switch self {
        case .keyFile(let path):
            let text = try read(path).trimmingCharacters(in: .whitespaces)
            guard let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                throw CLIError("\(path) does not hold the vault's master key (32 bytes, base64, as `palisade vault init` printed it)")
            }
            do {
                try await vault.unseal(masterKey: SecretBytes(Array(bytes)), by: actor)
            } catch let error as VaultError {
                throw CLIError("the key in \(path) does not unseal this vault (\(error))")
            }
        case .passphraseFile(let path):
            do {
                try await vault.unseal(passphrase: try read(path), by: actor)
            } catch let error as VaultError {
                throw CLIError("the passphrase in \(path) does not unseal this vault (\(error))")
            }
        case .token(let configuration):
            do {
                let token = try PKCS11Token(configuration)
                await vault.keep(wrapper: token)
                try await vault.unseal(wrapper: token, by: actor)
            } catch let error as PKCS11Error {
                throw CLIError("cannot use the vault's PKCS#11 token: \(error)")
            } catch let error as VaultError {
                throw CLIError("the PKCS#11 token does not unseal this vault (\(error))")
            }
        }
    }

    /// Initialises `vault` with its master key in the token (made there if the token has none).
    func initialize(_ vault: Vault, by actor: String) async throws {
        guard case .token(let configuration) = self else { return }
        do {
            let token = try PKCS11Token(configuration)
            await vault.keep(wrapper: token)
            try await vault.initialize(wrapper: token, by: actor)
            printError("palisade: initialised the vault with its master key in \(token.identity)")
        } catch let error as PKCS11Error {
            throw CLIError("cannot use the vault's PKCS#11 token: \(error)")
        }
    }

    private func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .newlines)
        } catch {
            throw CLIError("cannot read \(path): \(error.localizedDescription)")
        }
    }
}

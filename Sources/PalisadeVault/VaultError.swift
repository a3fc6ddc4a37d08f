/// Why a vault operation was refused or failed. Descriptions name the key and what to do; none
/// carries key material.
public enum VaultError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A key of the wrong length.
    case badKeyLength(expected: Int, got: Int)
    /// A sealed box did not open (damaged, another key, another context).
    case unsealFailed(String)
    /// The key type cannot do this operation.
    case unsupportedOperation(KeyType, KeyOperation)
    /// The key's policy does not allow this operation.
    case operationNotAllowed(key: String, KeyOperation)
    /// The key's state does not allow this operation or transition.
    case keyState(key: String, KeyState, String)
    /// No such version (or it was destroyed).
    case noSuchVersion(key: String, Int)
    /// The version is below the key's minimum for this operation.
    case versionTooOld(key: String, version: Int, minimum: Int)
    /// Not a `palisade:vN:…` value.
    case malformedValue(String)
    /// The ciphertext did not decrypt (damaged, another key or associated data).
    case decryptionFailed(key: String)
    /// Key material that does not parse for its type.
    case badKeyMaterial(KeyType, String)
    /// The passphrase KDF failed or its parameters are out of range.
    case kdf(String)
    /// The vault is sealed: unseal it (shares, passphrase or key file) first.
    case sealed
    /// The vault was never initialised.
    case notInitialized
    /// The vault is initialised already.
    case alreadyInitialized
    /// The shares given do not reconstruct the master key (progress was reset).
    case wrongShares
    /// No key of that name in the tenant.
    case noSuchKey(String)
    /// No approval request with that id in the tenant.
    case noSuchApproval(String)
    /// A key of that name exists in the tenant.
    case keyExists(String)
    /// A name that is not `[a-z0-9][a-z0-9._-]{0,127}`.
    case badKeyName(String)
    /// Over the caller's or the key's rate limit: retry after this many seconds.
    case rateLimited(retryAfter: Int)
    /// A stored vault document does not read back.
    case corrupt(String)
    /// The change needs an approved request first; the text says which.
    case approvalRequired(String)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .badKeyLength(let expected, let got): "a \(expected)-byte key is needed, got \(got) bytes"
        case .unsealFailed(let context):
            "the sealed \(context) does not open: wrong master key or shares, or the data was changed"
        case .unsupportedOperation(let type, let operation): "a \(type.rawValue) key cannot \(operation.rawValue)"
        case .operationNotAllowed(let key, let operation):
            "the policy of key \(key) does not allow \(operation.rawValue); change it with `palisade keys policy` (widening it needs an approval)"
        case .keyState(let key, let state, let what): "key \(key) is \(state.rawValue): \(what)"
        case .noSuchVersion(let key, let version): "key \(key) has no version \(version) (never made, or destroyed)"
        case .versionTooOld(let key, let version, let minimum):
            "version \(version) of key \(key) is below its minimum \(minimum) for this operation; rewrap the data"
        case .malformedValue(let why): "not a Palisade vault value (palisade:vN:base64): \(why)"
        case .decryptionFailed(let key):
            "the ciphertext does not decrypt under key \(key): damaged, another key, or other associated data"
        case .badKeyMaterial(let type, let why): "the \(type.rawValue) key material does not parse: \(why)"
        case .kdf(let why): "the passphrase key derivation failed: \(why)"
        case .sealed: "the vault is sealed: unseal it with `palisade vault unseal` (shares, passphrase or key file)"
        case .notInitialized: "the vault is not initialised: run `palisade vault init`"
        case .alreadyInitialized: "the vault is initialised already"
        case .wrongShares: "the shares do not reconstruct the master key; start again with the right shares"
        case .noSuchKey(let name): "there is no key named \(name)"
        case .noSuchApproval(let id): "there is no approval request \(id)"
        case .keyExists(let name): "a key named \(name) exists; rotate it or choose another name"
        case .badKeyName(let name): "\(name.prefix(40)) is not a key name: use 1-128 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
        case .rateLimited(let seconds): "too many vault calls for this caller or key; retry in \(seconds) s"
        case .corrupt(let what): "stored vault data does not read back (\(what)); run `palisade verify` and restore from backup"
        case .approvalRequired(let what): what
        }
    }
}

/// The vault's permission vocabulary (the original design's actions) and the roles that bundle
/// them; API tokens and JWTs carry these as scopes (`vault:operator` or single actions).
public enum VaultAction: String, CaseIterable, Codable, Hashable, Sendable {
    /// Create keys.
    case keyCreate = "key:create"
    /// Read key metadata and public keys.
    case keyDescribe = "key:describe"
    /// Add a version.
    case keyRotate = "key:rotate"
    /// Make an earlier version current.
    case keyRollback = "key:rollback"
    /// Revoke (no new output).
    case keyRevoke = "key:revoke"
    /// Schedule and carry out destruction.
    case keyDestroy = "key:destroy"
    /// Destroy old versions.
    case keyPurgeVersion = "key:purge_version"
    /// Encrypt.
    case cryptoEncrypt = "crypto:encrypt"
    /// Decrypt.
    case cryptoDecrypt = "crypto:decrypt"
    /// Sign and MAC.
    case cryptoSign = "crypto:sign"
    /// Verify signatures and MACs.
    case cryptoVerify = "crypto:verify"
    /// Wrap keys for export.
    case cryptoWrap = "crypto:wrap"
    /// Unwrap and rewrap.
    case cryptoUnwrap = "crypto:unwrap"
    /// Change key policies and minimum versions.
    case policyConfigure = "policy:configure"
    /// Read the vault audit trail.
    case auditView = "audit:view"

    /// The action an operation on a key needs.
    public static func needed(for operation: KeyOperation) -> VaultAction {
        switch operation {
        case .encrypt: .cryptoEncrypt
        case .decrypt: .cryptoDecrypt
        case .rewrap: .cryptoUnwrap
        case .sign, .hmac: .cryptoSign
        case .verify, .verifyHMAC: .cryptoVerify
        }
    }
}

/// A bundle of actions (the original design's roles).
public enum VaultRole: String, CaseIterable, Codable, Hashable, Sendable {
    /// Everything, including destruction and policy (destructive steps still need approvals).
    case administrator
    /// Runs keys: creates, rotates, rolls back, uses them; no destruction, no policy.
    case `operator`
    /// Reads metadata and the audit trail; uses nothing.
    case auditor
    /// An application: uses keys, reads their metadata.
    case service

    /// The actions the role grants.
    public var actions: Set<VaultAction> {
        let crypto: Set<VaultAction> = [.cryptoEncrypt, .cryptoDecrypt, .cryptoSign, .cryptoVerify, .cryptoWrap, .cryptoUnwrap]
        switch self {
        case .administrator: return Set(VaultAction.allCases)
        case .operator: return crypto.union([.keyCreate, .keyDescribe, .keyRotate, .keyRollback, .keyRevoke])
        case .auditor: return [.keyDescribe, .auditView]
        case .service: return crypto.union([.keyDescribe])
        }
    }

    /// The actions granted by scopes: `vault:<role>` grants the role's, a bare action itself.
    public static func actions(forScopes scopes: some Sequence<String>) -> Set<VaultAction> {
        var granted = Set<VaultAction>()
        for scope in scopes {
            if scope.hasPrefix("vault:"), let role = VaultRole(rawValue: String(scope.dropFirst(6))) {
                granted.formUnion(role.actions)
            } else if let action = VaultAction(rawValue: scope) {
                granted.insert(action)
            }
        }
        return granted
    }
}

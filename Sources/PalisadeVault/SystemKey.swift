/// Palisade's own secrets, kept as keys of the reserved tenant ``PalisadeCore/TenantID/palisade``
/// once the vault is initialised: sealed under the data-encryption key like every tenant's keys,
/// versioned, and never reachable through the key API (no caller can name that tenant).
public enum SystemKey: String, CaseIterable, Sendable {
    /// The checkpoint signing key (Ed25519): every tenant's log is signed with it.
    case checkpoint
    /// The key API tokens are hashed under (HMAC-SHA256).
    case apiTokens = "api-tokens"
    /// The key alert receivers' secrets (webhook secrets, SMTP passwords) are sealed under (AES-256-GCM).
    case alerting
    /// The honeypot's secret for password hashes and correlation ids (HMAC-SHA256).
    case honeypotSecret = "honeypot-secret"
    /// The honeypot's SSH host keys.
    case honeypotEd25519 = "honeypot-ed25519"
    case honeypotECDSA = "honeypot-ecdsa-p256"
    case honeypotRSA = "honeypot-rsa-3072"

    /// The key's type.
    public var type: KeyType {
        switch self {
        case .checkpoint, .honeypotEd25519: .ed25519
        case .apiTokens, .honeypotSecret: .hmacSHA256
        case .alerting: .aes256GCM
        case .honeypotECDSA: .ecdsaP256
        case .honeypotRSA: .rsa3072
        }
    }
}

/// What an API credential may do. A credential holds a set of scopes; each route needs one.
public enum Scope: String, Hashable, Sendable, CaseIterable, Comparable {
    /// Append events.
    case ingest
    /// Read events, checkpoints, proofs and tiles.
    case read
    /// Manage the tenant's tokens and detection rules (and, for the operator tenant, all tenants).
    case admin
    /// Work incidents: acknowledge, investigate, resolve, close, reopen, assign, add notes.
    case respond
    /// The vault's administrator role: every key action (destruction still needs approvals).
    case vaultAdministrator = "vault:administrator"
    /// The vault's operator role: create, rotate, roll back, revoke and use keys.
    case vaultOperator = "vault:operator"
    /// The vault's auditor role: key metadata and the vault's audit trail.
    case vaultAuditor = "vault:auditor"
    /// The vault's service role: use keys (encrypt, decrypt, sign, verify, MAC) and read metadata.
    case vaultService = "vault:service"

    /// Parses a list such as `"ingest read"` or `"ingest,read"`.
    ///
    /// - Returns: `nil` naming nothing when a word is not a scope.
    public static func parseList(_ text: String) -> Set<Scope>? {
        var scopes: Set<Scope> = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
            guard let scope = Scope(rawValue: String(word)) else { return nil }
            scopes.insert(scope)
        }
        return scopes
    }

    /// Orders scopes as declared (ingest, read, admin, respond, then the vault roles).
    public static func < (lhs: Scope, rhs: Scope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

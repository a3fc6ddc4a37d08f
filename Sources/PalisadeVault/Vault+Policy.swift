public import PalisadeCore

extension Vault {
    /// Replaces a key's policy. A policy that allows anything the current one does not — more
    /// operations or actors, longer retention, export — is a relaxation and needs an approved
    /// `policy.relax` request (``VaultError/approvalRequired(_:)`` says so); a tightening applies
    /// at once. Either way the change is recorded.
    public func setPolicy(_ name: String, _ policy: KeyPolicy, tenant: TenantID, by actor: String) async throws -> KeyDescription {
        let text = Self.policyText(policy)
        return try await change(tenant, name, "key.policy", actor: actor, extra: ["policy": .string(text)]) { key, _ throws(VaultError) in
            guard !key.policy.isRelaxed(by: policy) else {
                throw .approvalRequired(
                    "the new policy of key \(name) allows more than the current one: ask for it with an approved policy.relax request (target \(name), parameters.policy \(text))"
                )
            }
            key.policy = policy
        }
    }

    /// A policy as the `policy` parameter of a `policy.relax` request carries it (the stored JSON).
    public static func policyText(_ policy: KeyPolicy) -> String {
        String(decoding: DocumentCoding.encode(policy), as: UTF8.self)
    }

    /// The policy a `policy.relax` request's parameters carry.
    static func requestedPolicy(_ parameters: [String: String]) throws(ApprovalError) -> KeyPolicy {
        guard let text = parameters["policy"] else { throw .badRequest("parameters.policy is required for policy.relax") }
        do {
            return try DocumentCoding.decode(KeyPolicy.self, from: Array(text.utf8), what: "parameters.policy")
        } catch {
            throw .badRequest("parameters.policy is not a key policy: \(error)")
        }
    }

    /// Applies an approved relaxation (the vault's side of ``execute(_:tenant:by:)``).
    func relaxPolicy(_ request: ApprovalRequest, by actor: String) async throws {
        let policy = try Self.requestedPolicy(request.parameters)
        _ = try await change(
            request.tenant,
            request.target,
            "key.policy",
            actor: actor,
            extra: ["policy": .string(Self.policyText(policy)), "approval": .string(request.id.lowercasedString)]
        ) { key, _ throws(VaultError) in key.policy = policy }
    }
}

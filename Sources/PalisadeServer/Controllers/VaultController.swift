import Foundation
import HTTPTypes
public import Hummingbird
public import PalisadeCore
public import PalisadeVault

/// `/v1/vault`: the seal (status for any vault role; init, unseal and seal for the operator
/// tenant's administrators) and the tenant's keys — create, list, describe, rotate, roll back,
/// minimum versions, lifecycle — and their operations (encrypt, decrypt, rewrap, sign, verify,
/// MAC, public key). Binary values travel as base64; ciphertexts, signatures and MACs as
/// `palisade:vN:…`. A sealed vault answers 503 `sealed`; everything else keeps working.
///
/// Permissions are the vault's actions, granted by the `vault:*` role scopes (`admin` counts as
/// `vault:administrator`). Key destruction and the purge of old versions go through approvals
/// (VaultController+Approvals.swift).
public struct VaultController: Sendable {
    let vault: Vault
    let operatorTenant: TenantID
    let maxBodyBytes: Int
    let metrics: ServerMetrics

    /// Creates the controller.
    public init(vault: Vault, operatorTenant: TenantID, maxBodyBytes: Int, metrics: ServerMetrics) {
        self.vault = vault
        self.operatorTenant = operatorTenant
        self.maxBodyBytes = maxBodyBytes
        self.metrics = metrics
    }

    /// Adds the routes to the `/v1` group.
    public func addRoutes(to group: RouterGroup<TenantRequestContext>) {
        group.get("vault/status", use: status)
        group.post("vault/init", use: initialize)
        group.post("vault/unseal", use: unseal)
        group.post("vault/seal", use: seal)
        group.post("vault/keys", use: create)
        group.get("vault/keys", use: list)
        group.get("vault/keys/:name", use: describe)
        group.post("vault/keys/:name/rotate", use: rotate)
        group.post("vault/keys/:name/rollback", use: rollback)
        group.post("vault/keys/:name/config", use: configure)
        group.post("vault/keys/:name/policy", use: setPolicy)
        group.post("vault/keys/:name/lifecycle", use: lifecycle)
        group.post("vault/keys/:name/encrypt", use: encrypt)
        group.post("vault/keys/:name/decrypt", use: decrypt)
        group.post("vault/keys/:name/rewrap", use: rewrap)
        group.post("vault/keys/:name/sign", use: sign)
        group.post("vault/keys/:name/verify", use: verify)
        group.post("vault/keys/:name/hmac", use: hmac)
        group.get("vault/keys/:name/public", use: publicKey)
        group.get("vault/jwks", use: jwks)
        addApprovalRoutes(to: group)
    }

    // MARK: - Seal

    /// `GET /v1/vault/status`.
    @Sendable func status(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.keyDescribe, context)
        return .json(Self.json(try await vault.status()))
    }

    /// `POST /v1/vault/init` with `{"shares": 5, "threshold": 3, "passphrase": "…"?}`: the shares
    /// (base64, each for one person) and, without a passphrase, the master key for a key file —
    /// shown once.
    @Sendable func initialize(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try requireOperator(context)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let shares = try Self.integer("shares", body, default: 5, in: 2...Shamir.maxParts)
        let threshold = try Self.integer("threshold", body, default: 3, in: 2...shares)
        let passphrase = try Self.optionalText("passphrase", body)
        if let passphrase, passphrase.count < 12 { throw APIError.badField("passphrase", "must be at least 12 characters") }
        let result = try await mapped {
            try await vault.initialize(shares: shares, threshold: threshold, passphrase: passphrase, by: context.principal.actor)
        }
        var answer: [String: JSONValue] = [
            "shares": .array(result.shares.map { .string(Data($0.bytes).base64EncodedString()) }),
            "threshold": .number(Double(threshold)),
        ]
        answer["master_key"] = result.masterKey.map { .string(Data($0.copiedBytes).base64EncodedString()) } ?? .null
        return .json(.object(answer), status: .created)
    }

    /// `POST /v1/vault/unseal` with one of `{"share": base64}`, `{"passphrase": "…"}`,
    /// `{"master_key": base64}`.
    @Sendable func unseal(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try requireOperator(context)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let actor = context.principal.actor
        if let share = try Self.optionalBase64("share", body) {
            let parsed: Shamir.Share
            do {
                parsed = try Shamir.Share(bytes: share)
            } catch {
                throw APIError.badField("share", error.description)
            }
            return .json(Self.json(try await mapped { try await vault.unseal(share: parsed, by: actor) }))
        }
        if let passphrase = try Self.optionalText("passphrase", body) {
            try await mapped { try await vault.unseal(passphrase: passphrase, by: actor) }
        } else if let key = try Self.optionalBase64("master_key", body) {
            try await mapped { try await vault.unseal(masterKey: SecretBytes(key), by: actor) }
        } else if await vault.hasWrapper {
            // A vault whose master key is in a token the server holds unseals through it.
            try await mapped { try await vault.unsealThroughWrapper(by: actor) }
        } else {
            throw APIError.badField("share", "is missing: send share, passphrase or master_key")
        }
        return .json(Self.json(try await vault.status()))
    }

    /// `POST /v1/vault/seal`.
    @Sendable func seal(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try requireOperator(context)
        try await vault.seal(by: context.principal.actor)
        return .json(Self.json(try await vault.status()))
    }

    // MARK: - Keys

    /// `POST /v1/vault/keys` with `{"name", "type", "policy": {"operations", "actors", "tags",
    /// "retention_days"}?}`.
    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.keyCreate, context)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        guard case .string(let name)? = body["name"] else { throw APIError.badField("name", "is required") }
        guard case .string(let typeName)? = body["type"], let type = KeyType(rawValue: typeName) else {
            throw APIError.badField("type", "must be one of \(KeyType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let policy = try Self.policy(body["policy"])
        let created = try await mapped {
            try await vault.createKey(name, type: type, policy: policy, tenant: context.tenant, by: context.principal.actor)
        }
        return .json(Self.json(created), status: .created)
    }

    /// `GET /v1/vault/keys?after=&limit=&tag=`.
    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.keyDescribe, context)
        var limit = 100
        if let text = try request.queryValue("limit") {
            guard let value = Int(text), (1...1_000).contains(value) else { throw APIError.badField("limit", "must be a number from 1 to 1000") }
            limit = value
        }
        let after = try request.queryValue("after")
        let tag = try request.queryValue("tag")
        let keys = try await mapped { try await vault.listKeys(tenant: context.tenant, after: after, limit: limit, tag: tag) }
        return .json(
            .object(["keys": .array(keys.map(Self.json)), "next": keys.count == limit ? keys.last.map { .string($0.name) } ?? .null : .null])
        )
    }

    /// `GET /v1/vault/keys/:name`.
    @Sendable func describe(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.keyDescribe, context)
        let name = try Self.name(context)
        return .json(Self.json(try await mapped { try await vault.describeKey(name, tenant: context.tenant) }))
    }

    /// `POST /v1/vault/keys/:name/rotate`.
    @Sendable func rotate(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.keyRotate, context)
        let name = try Self.name(context)
        return .json(Self.json(try await mapped { try await vault.rotateKey(name, tenant: context.tenant, by: context.principal.actor) }))
    }

    /// `POST /v1/vault/keys/:name/rollback` with `{"version": 2}`.
    @Sendable func rollback(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.keyRollback, context)
        let name = try Self.name(context)
        let version = try Self.integer("version", try await request.jsonObject(upTo: maxBodyBytes), default: nil, in: 1...Int(Int32.max))
        return .json(
            Self.json(try await mapped { try await vault.rollbackKey(name, to: version, tenant: context.tenant, by: context.principal.actor) })
        )
    }

    /// `POST /v1/vault/keys/:name/config` with `{"min_decryption_version", "min_encryption_version"}`.
    @Sendable func configure(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.policyConfigure, context)
        let name = try Self.name(context)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let decryption = try Self.integer("min_decryption_version", body, default: nil, in: 1...Int(Int32.max))
        let encryption = try Self.integer("min_encryption_version", body, default: decryption, in: 1...Int(Int32.max))
        return .json(
            Self.json(
                try await mapped {
                    try await vault.setMinimumVersions(
                        name,
                        decryption: decryption,
                        encryption: encryption,
                        tenant: context.tenant,
                        by: context.principal.actor
                    )
                }
            )
        )
    }

    /// `POST /v1/vault/keys/:name/policy` with a policy (`operations`, `actors`, `tags`,
    /// `retention_days`, `exportable`): a tightening applies at once; a relaxation answers 409
    /// `approval_required` (ask for it with a `policy.relax` request).
    @Sendable func setPolicy(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.policyConfigure, context)
        let name = try Self.name(context)
        let policy = try Self.policy(.object(try await request.jsonObject(upTo: maxBodyBytes)))
        return .json(Self.json(try await mapped { try await vault.setPolicy(name, policy, tenant: context.tenant, by: context.principal.actor) }))
    }

    /// `POST /v1/vault/keys/:name/lifecycle` with `{"transition": "activate" | "disable" |
    /// "enable" | "revoke" | "schedule-purge" | "cancel-purge"}` (destroy goes through an approval).
    @Sendable func lifecycle(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let name = try Self.name(context)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let allowed: [KeyState.Transition] = [.activate, .disable, .enable, .revoke, .schedulePurge, .cancelPurge]
        guard case .string(let text)? = body["transition"], let transition = KeyState.Transition(rawValue: text), allowed.contains(transition) else {
            throw APIError.badField("transition", "must be one of \(allowed.map(\.rawValue).joined(separator: ", ")); destroy needs an approval")
        }
        try require(transition == .schedulePurge || transition == .cancelPurge ? .keyDestroy : .keyRevoke, context)
        return .json(
            Self.json(try await mapped { try await vault.transition(name, transition, tenant: context.tenant, by: context.principal.actor) })
        )
    }

    // MARK: - Operations

    /// `POST /v1/vault/keys/:name/encrypt` with `{"plaintext": base64, "associated_data": base64?}`.
    @Sendable func encrypt(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.cryptoEncrypt, context)
        let name = try Self.name(context)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let plaintext = try Self.base64("plaintext", body)
        let aad = try Self.optionalBase64("associated_data", body) ?? []
        let value = try await counted("encrypt", key: name, context) {
            try await vault.encrypt(plaintext, associatedData: aad, key: name, tenant: context.tenant, by: context.principal.actor)
        }
        return Self.versioned("ciphertext", value)
    }

    /// `POST /v1/vault/keys/:name/decrypt` with `{"ciphertext": "palisade:vN:…", "associated_data"?}`.
    @Sendable func decrypt(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.cryptoDecrypt, context)
        let name = try Self.name(context)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let ciphertext = try Self.value("ciphertext", body)
        let aad = try Self.optionalBase64("associated_data", body) ?? []
        let plaintext = try await counted("decrypt", key: name, context) {
            try await vault.decrypt(ciphertext, associatedData: aad, key: name, tenant: context.tenant, by: context.principal.actor)
        }
        return .json(.object(["plaintext": .string(Data(plaintext).base64EncodedString())]))
    }

    /// `POST /v1/vault/keys/:name/rewrap` with `{"ciphertext", "associated_data"?}`.
    @Sendable func rewrap(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.cryptoUnwrap, context)
        let name = try Self.name(context)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let ciphertext = try Self.value("ciphertext", body)
        let aad = try Self.optionalBase64("associated_data", body) ?? []
        let value = try await counted("rewrap", key: name, context) {
            try await vault.rewrap(ciphertext, associatedData: aad, key: name, tenant: context.tenant, by: context.principal.actor)
        }
        return Self.versioned("ciphertext", value)
    }

    /// `POST /v1/vault/keys/:name/sign` with `{"input": base64, "format": "standard" | "raw" | "pkcs1v15"?}`.
    @Sendable func sign(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.cryptoSign, context)
        let name = try Self.name(context)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let input = try Self.base64("input", body)
        let format = try Self.format(body)
        let value = try await counted("sign", key: name, context) {
            try await vault.sign(input, format: format, key: name, tenant: context.tenant, by: context.principal.actor)
        }
        return Self.versioned("signature", value)
    }

    /// `POST /v1/vault/keys/:name/verify` with `{"input": base64, "signature": "palisade:vN:…"}`
    /// (or `"hmac"` for MAC keys), and `format` as signed: `{"valid": true | false}`.
    @Sendable func verify(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.cryptoVerify, context)
        let name = try Self.name(context)
        let body = try await request.jsonObject(upTo: maxBodyBytes)
        let input = try Self.base64("input", body)
        let actor = context.principal.actor
        let valid: Bool
        if body["hmac"] != nil {
            let mac = try Self.value("hmac", body)
            valid = try await counted("verify-hmac", key: name, context) {
                try await vault.verifyHMAC(mac, for: input, key: name, tenant: context.tenant, by: actor)
            }
        } else {
            let signature = try Self.value("signature", body)
            let format = try Self.format(body)
            valid = try await counted("verify", key: name, context) {
                try await vault.verify(signature, for: input, format: format, key: name, tenant: context.tenant, by: actor)
            }
        }
        return .json(.object(["valid": .bool(valid)]))
    }

    /// `POST /v1/vault/keys/:name/hmac` with `{"input": base64}`.
    @Sendable func hmac(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.cryptoSign, context)
        let name = try Self.name(context)
        let input = try Self.base64("input", try await request.jsonObject(upTo: maxBodyBytes))
        let value = try await counted("hmac", key: name, context) {
            try await vault.hmac(input, key: name, tenant: context.tenant, by: context.principal.actor)
        }
        return Self.versioned("hmac", value)
    }

    /// `GET /v1/vault/jwks`: a JWK Set of the tenant's signing keys (every version still verifying),
    /// for verifiers of what the vault signs.
    @Sendable func jwks(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.keyDescribe, context)
        let keys = try await mapped { try await vault.verificationKeys(tenant: context.tenant) }
        return .json(.object(["keys": .array(keys.map { entry in .object(entry.key.jwk(keyID: entry.id).mapValues { .string($0) }) })]))
    }

    /// `GET /v1/vault/keys/:name/public?format=pem|jwk|ssh&version=`.
    @Sendable func publicKey(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try require(.keyDescribe, context)
        let name = try Self.name(context)
        var version: Int?
        if let text = try request.queryValue("version") {
            guard let number = Int(text), number >= 1 else { throw APIError.badField("version", "must be a version number") }
            version = number
        }
        let key = try await mapped { try await vault.publicKey(name, version: version, tenant: context.tenant) }
        let described = try await mapped { try await vault.describeKey(name, tenant: context.tenant) }
        let keyID = "\(name)/v\(version ?? described.currentVersion)"
        switch try request.queryValue("format") ?? "pem" {
        case "pem": return .json(.object(["pem": .string(key.pem), "key_id": .string(keyID)]))
        case "jwk": return .json(.object(key.jwk(keyID: keyID).mapValues { .string($0) }))
        case "ssh": return .json(.object(["ssh": .string(key.openSSH(comment: keyID)), "key_id": .string(keyID)]))
        default: throw APIError.badField("format", "must be pem, jwk or ssh")
        }
    }
}

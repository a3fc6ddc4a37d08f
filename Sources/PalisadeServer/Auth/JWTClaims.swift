import Foundation
import JWTKit
import PalisadeCore

/// The payload type jwt-kit verifies the signature for. It decodes nothing: Palisade parses the
/// claims itself with its strict JSON parser (duplicate claims are refused) and checks them with
/// ``JWTClaimRules``.
struct SignatureOnly: JWTPayload {
    init(from decoder: any Decoder) throws {}

    func encode(to encoder: any Encoder) throws {
        throw JWTError.generic(identifier: "palisade", reason: "Palisade verifies JWTs; it does not mint them")
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The parts of a compact JWT that Palisade reads before and after jwt-kit checks the signature.
struct JWTSegments: Sendable {
    /// The parsed header.
    let header: [String: JSONValue]
    /// The parsed claims.
    let claims: [String: JSONValue]

    /// Splits and parses a compact JWT, or says why it is not one.
    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw APIError.unauthorized("the bearer token is neither an API token nor a JWT") }
        let parser = JSONParser(limits: .init(maxBytes: 16 * 1024, maxDepth: 8))
        guard let headerBytes = Data(base64URL: parts[0]), let claimBytes = Data(base64URL: parts[1]) else {
            throw APIError.unauthorized("the JWT is not base64url encoded")
        }
        do {
            guard case .object(let header) = try parser.parse(headerBytes), case .object(let claims) = try parser.parse(claimBytes) else {
                throw APIError.unauthorized("the JWT header and claims must be JSON objects")
            }
            self.header = header
            self.claims = claims
        } catch let error as JSONParseError {
            throw APIError.unauthorized("the JWT is not strict JSON: \(error)")
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.unauthorized("the JWT cannot be read")
        }
    }

    /// The `alg` header.
    var algorithm: String? { if case .string(let value) = header["alg"] { value } else { nil } }
    /// The `kid` header.
    var keyID: String? { if case .string(let value) = header["kid"] { value } else { nil } }
}

/// The checks a token's claims must pass once its signature verified, and the principal they grant.
struct JWTClaimRules: Sendable {
    let configuration: JWTConfiguration

    /// The principal the claims grant at `now`, or why they are refused.
    func principal(from claims: [String: JSONValue], now: Timestamp) throws(APIError) -> Principal {
        let nowSeconds = Double(now.microseconds) / 1_000_000
        let leeway = Double(min(max(configuration.leewaySeconds, 0), 300))
        guard case .number(let exp) = claims["exp"] else { throw .unauthorized("the JWT has no numeric exp claim") }
        guard nowSeconds <= exp + leeway else { throw .unauthorized("the JWT expired") }
        if let nbfClaim = claims["nbf"] {
            guard case .number(let nbf) = nbfClaim else { throw .unauthorized("the JWT nbf claim is not a number") }
            guard nowSeconds + leeway >= nbf else { throw .unauthorized("the JWT is not valid yet (nbf)") }
        }
        guard case .string(configuration.issuer) = claims["iss"] else {
            throw .unauthorized("the JWT issuer is not \(configuration.issuer)")
        }
        let audiences: [String] =
            switch claims["aud"] {
            case .string(let value): [value]
            case .array(let values): values.compactMap { if case .string(let text) = $0 { text } else { nil } }
            default: []
            }
        guard audiences.contains(configuration.audience) else {
            throw .unauthorized("the JWT audience does not include \(configuration.audience)")
        }
        guard case .string(let subject) = claims["sub"], !subject.isEmpty, subject.utf8.count <= 256 else {
            throw .unauthorized("the JWT has no sub claim")
        }
        guard case .string(let tenantText) = claims[configuration.tenantClaim], let tenant = TenantID(tenantText) else {
            throw .unauthorized("the JWT claim \(configuration.tenantClaim) does not name a tenant")
        }
        let words: [String] =
            switch claims[configuration.scopesClaim] {
            case .string(let value): value.split(separator: " ").map(String.init)
            case .array(let values): values.compactMap { if case .string(let text) = $0 { text } else { nil } }
            default: []
            }
        // Identity providers put other scopes in the same claim (openid, profile…): those are ignored.
        let scopes = Set(words.compactMap(Scope.init(rawValue:)))
        guard !scopes.isEmpty else {
            throw .unauthorized("the JWT claim \(configuration.scopesClaim) grants none of ingest, read, admin")
        }
        return Principal(tenant: tenant, scopes: scopes, credential: .jwt(subject: subject, issuer: configuration.issuer))
    }
}

extension Data {
    /// Decodes base64url with or without padding (RFC 4648 §5).
    init?(base64URL text: some StringProtocol) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") || text.hasSuffix("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}

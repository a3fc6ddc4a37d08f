public import Crypto
import Foundation
public import PalisadeCore

/// Makes and checks API tokens of the form `pal_<id>_<secret>`.
///
/// The id (12 base32 characters) is public and finds the stored record; the secret (32 random
/// bytes, base64url) is shown once and only `HMAC-SHA-256(token key, whole token)` is stored, so a
/// copy of the database does not yield working tokens. Checks compare in constant time.
public struct APITokenCodec: Sendable {
    /// The token prefix.
    public static let prefix = "pal_"
    private static let idLength = 12
    private static let secretLength = 43
    private static let base32: [Character] = Array("abcdefghijklmnopqrstuvwxyz234567")

    private let key: SymmetricKey

    /// A codec under this key (the data directory's `token.key`).
    public init(key: SymmetricKey) {
        self.key = key
    }

    /// A new token and its record (store the record; show the token once).
    public func mint(
        tenant: TenantID,
        name: String,
        scopes: Set<Scope>,
        createdAt: Timestamp,
        expiresAt: Timestamp? = nil,
        allowedNetworks: [IPNetwork] = []
    ) -> (token: String, record: APITokenRecord) {
        var generator = SystemRandomNumberGenerator()
        let id = String((0..<Self.idLength).map { _ in Self.base32[Int(generator.next(upperBound: UInt8(32)))] })
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64URLEncodedString()
        let token = Self.prefix + id + "_" + secret
        let record = APITokenRecord(
            id: id,
            tenant: tenant,
            name: name,
            scopes: scopes,
            secretHash: hash(token),
            createdAt: createdAt,
            expiresAt: expiresAt,
            allowedNetworks: allowedNetworks
        )
        return (token, record)
    }

    /// The id of a string shaped like a token, or `nil` when it is not one.
    public static func id(of token: String) -> String? {
        let bytes = Array(token.utf8)
        let prefixLength = prefix.utf8.count
        guard bytes.count == prefixLength + idLength + 1 + secretLength, token.hasPrefix(prefix),
            bytes[prefixLength + idLength] == UInt8(ascii: "_")
        else { return nil }
        let id = bytes[prefixLength..<(prefixLength + idLength)]
        guard id.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "2") && $0 <= UInt8(ascii: "7")) }) else {
            return nil
        }
        return String(decoding: id, as: UTF8.self)
    }

    /// Whether `token` is the one `record` was minted for (constant time in the secret).
    public func matches(_ token: String, _ record: APITokenRecord) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(record.secretHash, authenticating: Data(token.utf8), using: key)
    }

    private func hash(_ token: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: key))
    }
}

extension Data {
    /// Base64url without padding (RFC 4648 §5).
    func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

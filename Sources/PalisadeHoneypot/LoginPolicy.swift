import Crypto
public import Foundation
public import PalisadeSSH

/// Which credentials "succeed" on the sensor: listed user/password pairs, any password from the
/// N-th attempt of a connection on (as honeypots that let a brute-forcer in after a few tries),
/// and listed public keys (by SHA-256 fingerprint, only with a valid signature). Nothing else.
public struct LoginPolicy: Sendable {
    /// User → passwords that log in.
    public var credentials: [String: Set<String>]
    /// From this attempt on (per connection, counting password and keyboard-interactive tries),
    /// any password logs in; nil: never.
    public var acceptAfterAttempts: Int?
    /// Fingerprints (`SHA256:…`) of client keys that log in.
    public var acceptedKeys: Set<String>

    /// A policy; the default lets nobody in.
    public init(credentials: [String: Set<String>] = [:], acceptAfterAttempts: Int? = nil, acceptedKeys: Set<String> = []) {
        self.credentials = credentials
        self.acceptAfterAttempts = acceptAfterAttempts
        self.acceptedKeys = acceptedKeys
    }

    /// Whether `attempt` logs in.
    public func accepts(_ attempt: AuthenticationAttempt) -> Bool {
        switch attempt.method {
        case "password", "keyboard-interactive":
            guard let password = attempt.password else { return false }
            if credentials[attempt.username]?.contains(password) == true { return true }
            return acceptAfterAttempts.map { attempt.number >= $0 } ?? false
        case "publickey":
            return attempt.publicKeyBlob.map { acceptedKeys.contains(KeyFingerprint.sha256($0)) } ?? false
        default:
            return false
        }
    }
}

/// How tried passwords appear in events.
public enum PasswordCapture: Sendable {
    /// As typed (what researchers need).
    case plaintext
    /// As an HMAC-SHA256 under the sensor's secret plus their length: equal passwords can still be
    /// matched across events, the text is not kept.
    case hashed
}

/// The sensor's secret (kept in the data directory): keys password hashes and correlation ids.
public struct SensorSecret: Sendable {
    let key: SymmetricKey

    /// A secret from 32 bytes.
    public init(_ bytes: [UInt8]) { key = SymmetricKey(data: bytes) }

    /// A fresh random secret.
    public static func random() -> SensorSecret { SensorSecret(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }) }

    /// `hmac-sha256:<hex>` of a password.
    public func passwordHash(_ password: String) -> String {
        "hmac-sha256:" + hex(HMAC<SHA256>.authenticationCode(for: Array("password\u{0}\(password)".utf8), using: key))
    }

    /// The same id for every connection from one address within one UTC hour.
    public func correlationID(address: String, at date: Date) -> String {
        let hour = Int(date.timeIntervalSince1970 / 3_600)
        let code = HMAC<SHA256>.authenticationCode(for: Array("correlation\u{0}\(address)\u{0}\(hour)".utf8), using: key)
        return String(hex(code).prefix(20))
    }

    private func hex(_ code: HashedAuthenticationCode<SHA256>) -> String {
        code.map { String(format: "%02x", $0) }.joined()
    }
}

/// OpenSSH-style fingerprints of keys clients offer.
public enum KeyFingerprint {
    /// `SHA256:` and the unpadded base64 of the blob's SHA-256, as `ssh-keygen -l` shows it.
    public static func sha256(_ blob: [UInt8]) -> String {
        "SHA256:" + Data(SHA256.hash(data: blob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }
}

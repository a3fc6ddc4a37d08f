import Crypto
import Foundation
import PalisadeLedger

/// The signature of Palisade's webhooks, in Stripe's scheme: `X-Palisade-Signature:
/// t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The timestamp is signed with the body, so
/// a captured request cannot be replayed outside the receiver's tolerance, and a receiver checks it
/// with any HMAC library (see README).
public enum WebhookSignature {
    /// The header's name.
    public static let header = "X-Palisade-Signature"

    /// The header value for `body` sent at `timestamp` (Unix seconds).
    public static func sign(body: [UInt8], secret: [UInt8], timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(Hex.encode(mac(body: body, secret: secret, timestamp: timestamp)))"
    }

    /// Whether a header carries a valid signature of `body` made within `tolerance` seconds of `now`.
    /// Comparisons are constant-time; several `v1` values (during a secret rotation) are accepted.
    public static func verify(header: String, body: [UInt8], secret: [UInt8], now: Int64, tolerance: Int64 = 300) -> Bool {
        var timestamp: Int64?
        var signatures = [[UInt8]]()
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1", let bytes = Hex.decode(pair[1]) { signatures.append(bytes) }
        }
        guard let timestamp, abs(now - timestamp) <= tolerance, !signatures.isEmpty else { return false }
        let key = SymmetricKey(data: secret)
        let message = Array("\(timestamp).".utf8) + body
        return signatures.contains { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: message, using: key) }
    }

    private static func mac(body: [UInt8], secret: [UInt8], timestamp: Int64) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: secret)))
    }
}

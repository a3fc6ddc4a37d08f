import Crypto
import Foundation

/// The signature of Palisade's webhooks, in Stripe's scheme: `X-Palisade-Signature:
/// t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The timestamp is signed with the body, so
/// a captured request cannot be replayed outside the receiver's tolerance, and a receiver checks it
/// with any HMAC library (see README).
public enum WebhookSignature {
    /// The header's name.
    public static let header = "X-Palisade-Signature"

    /// The header value for `body` sent at `timestamp` (Unix seconds).
    public static func sign(body: [UInt8], secret: [UInt8], timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(mac(body: body, secret: secret, timestamp: timestamp).map { String(format: "%02x", $0) }.joined())"
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
            if pair[0] == "v1", let bytes = hex(pair[1]) { signatures.append(bytes) }
        }
        guard let timestamp, abs(now - timestamp) <= tolerance, !signatures.isEmpty else { return false }
        let key = SymmetricKey(data: secret)
        let message = Array("\(timestamp).".utf8) + body
        return signatures.contains { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: message, using: key) }
    }

    private static func mac(body: [UInt8], secret: [UInt8], timestamp: Int64) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: secret)))
    }

    private static func hex(_ text: String) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

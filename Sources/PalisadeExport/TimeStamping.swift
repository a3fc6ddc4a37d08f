import Crypto
public import Foundation
import SwiftASN1

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// RFC 3161 time-stamping of checkpoints: the request Palisade sends, and the checks it makes on
/// the response — the TSA granted it, and the token's TSTInfo names exactly the digest and nonce
/// asked for. The token's CMS signature and the TSA's certificate chain are checked by any RFC
/// 3161 verifier holding the TSA's CA (`openssl ts -verify -data <checkpoint> -in <token> -CAfile <ca>`).
public enum TimeStamping {
    /// A time-stamp response Palisade accepted.
    public struct Token: Sendable {
        /// The DER TimeStampResp as received (the `.tsr` file `openssl ts -verify -in` reads).
        public var response: [UInt8]
        /// The TSA's time, RFC 3339 (UTC).
        public var time: String
        /// The token's serial number, hex.
        public var serial: String
    }

    /// id-sha256 (2.16.840.1.101.3.4.2.1).
    static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    /// id-signedData (1.2.840.113549.1.7.2).
    static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 2]
    /// id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4).
    static let tstInfo: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 1, 4]

    /// A DER TimeStampReq (version 1, SHA-256 imprint, nonce, certReq true).
    public static func request(digest: [UInt8], nonce: UInt64) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { request in
            try request.serialize(1)
            try request.appendConstructedNode(identifier: .sequence) { imprint in
                try imprint.appendConstructedNode(identifier: .sequence) { algorithm in
                    try algorithm.serialize(sha256)
                    try algorithm.serialize(ASN1Null())
                }
                try imprint.serialize(ASN1OctetString(contentBytes: digest[...]))
            }
            try request.serialize(nonce)
            try request.serialize(true)
        }
        return serializer.serializedBytes
    }

    /// Reads a TimeStampResp and checks it answers the request.
    ///
    /// - Parameters:
    ///   - response: the DER bytes.
    ///   - digest: the SHA-256 that was stamped.
    ///   - nonce: the request's nonce, when the token must echo it.
    /// - Throws: ``ArchiveError`` naming what does not match.
    public static func read(_ response: [UInt8], digest: [UInt8], nonce: UInt64?) throws -> Token {
        do {
            let root = try DER.parse(response)
            let parts = try children(root)
            guard let statusInfo = parts.first, let statusNode = try children(statusInfo).first else {
                throw ArchiveError("the time-stamp response has no status")
            }
            let status = try Int(derEncoded: statusNode)
            guard status == 0 || status == 1 else { throw ArchiveError("the TSA refused the request (PKIStatus \(status))") }
            guard parts.count >= 2 else { throw ArchiveError("the TSA granted the request but sent no token") }
            let contentInfo = try children(parts[1])
            guard contentInfo.count == 2, try ASN1ObjectIdentifier(derEncoded: contentInfo[0]) == signedData,
                let signed = try children(contentInfo[1]).first
            else { throw ArchiveError("the token is not CMS SignedData") }
            let signedParts = try children(signed)
            guard signedParts.count >= 3 else { throw ArchiveError("the token's SignedData is incomplete") }
            let encapsulated = try children(signedParts[2])
            guard encapsulated.count == 2, try ASN1ObjectIdentifier(derEncoded: encapsulated[0]) == tstInfo,
                let wrapped = try children(encapsulated[1]).first
            else { throw ArchiveError("the token does not hold a TSTInfo") }
            let info = try children(try DER.parse(ASN1OctetString(derEncoded: wrapped).bytes))
            guard info.count >= 5 else { throw ArchiveError("the token's TSTInfo is incomplete") }
            let imprint = try children(info[2])
            guard imprint.count == 2, let algorithm = try children(imprint[0]).first,
                try ASN1ObjectIdentifier(derEncoded: algorithm) == sha256,
                Array(try ASN1OctetString(derEncoded: imprint[1]).bytes) == digest
            else { throw ArchiveError("the token stamps another digest than the checkpoint's SHA-256") }
            let serial = try ArraySlice<UInt8>(derEncoded: info[3])
            let time = try GeneralizedTime(derEncoded: info[4])
            if let nonce {
                let echoed = info.dropFirst(5).first { $0.identifier == .integer }
                guard let echoed, try UInt64(derEncoded: echoed) == nonce else { throw ArchiveError("the token does not echo the request's nonce") }
            }
            let text = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02dZ",
                time.year,
                time.month,
                time.day,
                time.hours,
                time.minutes,
                time.seconds
            )
            return Token(response: response, time: text, serial: serial.map { String(format: "%02x", $0) }.joined())
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError("the time-stamp response is not valid DER: \(error)")
        }
    }

    private static func children(_ node: ASN1Node) throws -> [ASN1Node] {
        guard case .constructed(let nodes) = node.content else {
            throw ArchiveError("the time-stamp response has a primitive where a structure belongs")
        }
        return Array(nodes)
    }
}

/// Sends checkpoints to an RFC 3161 Time-Stamp Authority over HTTP
/// (`application/timestamp-query`, RFC 3161 §3.4).
public struct TimeStampClient: Sendable {
    /// The TSA's URL.
    public let url: URL

    /// Creates a client.
    public init(url: URL) {
        self.url = url
    }

    /// Time-stamps `data` (its SHA-256) and checks the token answers the request.
    ///
    /// - Throws: ``ArchiveError`` when the TSA cannot be reached, refuses, or answers something else.
    public func stamp(_ data: [UInt8]) async throws -> TimeStamping.Token {
        let digest = Array(SHA256.hash(data: data))
        let nonce = UInt64.random(in: 1...UInt64(Int64.max))
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = "POST"
        request.httpBody = Data(try TimeStamping.request(digest: digest, nonce: nonce))
        request.setValue("application/timestamp-query", forHTTPHeaderField: "Content-Type")
        let (body, response): (Data, URLResponse)
        do {
            // Detached from the caller's cancellation: a cancelled URLSession request can hang on
            // Linux, and a request ends within its timeout anyway.
            let sent = request
            (body, response) = try await Task { try await URLSession.shared.data(for: sent) }.value
        } catch {
            throw ArchiveError("cannot reach the TSA at \(url.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw ArchiveError("the TSA at \(url.absoluteString) answered HTTP \(status)") }
        return try TimeStamping.read([UInt8](body), digest: digest, nonce: nonce)
    }
}

import HTTPTypes
public import Hummingbird
import NIOCore
public import PalisadeCore

extension Response {
    /// A JSON response (canonical encoding, so bodies are stable and compact).
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(value))))
    }

    /// A response of raw bytes with a content type.
    public static func bytes(_ bytes: some Sequence<UInt8>, contentType: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Request {
    /// The body, up to `limit` bytes.
    ///
    /// - Throws: ``APIError`` 413 naming the limit when the body is larger.
    func body(upTo limit: Int) async throws -> ByteBuffer {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, code: "body_too_large", "the body is \(length) bytes; this route accepts at most \(limit)")
        }
        do {
            return try await body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, code: "body_too_large", "the body is larger than \(limit) bytes, the most this route accepts")
        }
    }

    /// The body as a JSON object of at most `limit` bytes and `maxDepth` levels (4: the small
    /// bodies of admin and incident routes).
    ///
    /// - Throws: ``APIError`` 400 `invalid_json` naming `(body)`, or 413.
    func jsonObject(upTo limit: Int, maxDepth: Int = 4) async throws -> [String: JSONValue] {
        let body = try await body(upTo: limit)
        do {
            guard case .object(let members) = try JSONParser(limits: .init(maxBytes: limit, maxDepth: maxDepth)).parse(body.readableBytesView)
            else { throw APIError(.badRequest, code: "invalid_json", "the body must be a JSON object", field: "(body)") }
            return members
        } catch let error as JSONParseError {
            throw APIError(.badRequest, code: "invalid_json", "the body is not valid JSON: \(error)", field: "(body)")
        }
    }

    /// The query parameters in order, percent-decoded.
    var queryList: [(name: String, value: String)] {
        uri.queryParameters.map { (String($0.key), String($0.value)) }
    }

    /// The one value of a query parameter that must appear at most once.
    func queryValue(_ name: String) throws(APIError) -> String? {
        let values = uri.queryParameters[values: name[...]]
        guard values.count <= 1 else { throw APIError.badField(name, "may be given only once") }
        return values.first.map(String.init)
    }
}

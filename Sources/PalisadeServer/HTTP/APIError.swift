public import HTTPTypes
public import Hummingbird
import NIOCore
public import PalisadeCore

/// An error answered to the client: a status and `{"error": {"code", "message", "field"?}}`.
///
/// This is the only error type handlers throw to clients; ``ErrorMiddleware`` turns every other
/// error into one (a 500 for anything unexpected, logged with the request id).
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable code, such as `invalid_event` or `rate_limited`.
    public var code: String
    /// What went wrong and what to do, for a person.
    public var message: String
    /// The request field at fault, when there is one.
    public var field: String?
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields = [:]
    /// Per-field issues for validation errors.
    public var issues: [EventValidationError.Issue] = []

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// `status code: message`.
    public var description: String { "\(status.code) \(code): \(message)" }

    /// The JSON body.
    public var json: JSONValue {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let field { error["field"] = .string(field) }
        if !issues.isEmpty {
            error["issues"] = .array(issues.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
        }
        return .object(["error": .object(error)])
    }

    /// The response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(json))))
    }

    // MARK: Common errors

    /// 400 with the issues of a validation error (the first names `field`).
    public static func invalid(_ error: EventValidationError, code: String = "invalid_request") -> APIError {
        var result = APIError(.badRequest, code: code, error.description, field: error.issues.first?.field)
        result.issues = error.issues
        return result
    }

    /// 400 for one bad field.
    public static func badField(_ field: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_request", "\(field) \(message)", field: field)
    }

    /// 404, also used for other tenants' things so their existence is not revealed.
    public static func notFound(_ message: String = "no such resource") -> APIError {
        APIError(.notFound, code: "not_found", message)
    }

    /// 410 for an event a retention sweep pruned: it was in the log (its leaf hash still is) but its
    /// content is only in the archive now.
    public static func pruned(_ erasure: Erasure) -> APIError {
        APIError(
            .gone,
            code: "pruned",
            "event \(erasure.eventID.lowercasedString) (log index \(erasure.index)) was pruned by retention under record \(erasure.record); its leaf hash stays in the log, its content is in the retention archive"
        )
    }

    /// 401 with a `WWW-Authenticate` challenge.
    public static func unauthorized(_ message: String) -> APIError {
        var error = APIError(.unauthorized, code: "unauthorized", message)
        error.headers[.wwwAuthenticate] = "Bearer realm=\"palisade\""
        return error
    }

    /// 403: authenticated, but the credential lacks the scope.
    public static func forbidden(_ message: String) -> APIError {
        APIError(.forbidden, code: "forbidden", message)
    }

    /// 503: a dependency needed to decide could not be consulted (fail closed).
    public static func unavailable(_ message: String) -> APIError {
        var error = APIError(.serviceUnavailable, code: "unavailable", message)
        error.headers[.retryAfter] = "1"
        return error
    }
}
